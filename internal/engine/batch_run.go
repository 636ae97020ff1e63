package engine

import (
	"context"
	"fmt"
	"hash/maphash"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A batchGet is one run of a batch read: each key once, with the parts
// that asked for it, in the order first asked.
type batchGet struct {
	t          *Table
	keys       []batchWant
	more       map[int][]wantOf // by key: who asked for it after the first, rarely any
	at         map[Key]int
	consistent bool

	mu        sync.Mutex // requests go out concurrently; their items are taken one response at a time
	decodeErr error
}

// A batchWant is a key and who asked for it first (others, another part
// or the same part again, are in batchGet.more).
type batchWant struct {
	key   Key
	first wantOf
}

// A wantOf is the i-th key of part p.
type wantOf struct {
	p *BatchGetPart
	i int
}

// RunBatchGet reads every key of parts once, in BatchGetItem requests of
// up to 100 keys under r, and hands each item found to each part that
// asked for its key and is of its entity type, unless it has expired. When
// not every key could be read, the error is a *BatchError holding exactly
// the keys not read.
func RunBatchGet(ctx context.Context, t *Table, parts []*BatchGetPart, consistent bool, r RetryPolicy) error {
	n := 0
	for _, p := range parts {
		if p.Err != nil {
			return p.Err
		}
		if p.S.Table != t {
			return fmt.Errorf("tablemap: BatchGet: entity %s is defined on table %s, not %s", p.S.Name, p.S.Table.Name, t.Name)
		}
		n += len(p.Keys)
	}
	b := &batchGet{t: t, at: make(map[Key]int, n), keys: make([]batchWant, 0, n), consistent: consistent}
	for _, p := range parts {
		b.consistent = b.consistent || p.Consistent
		p.Reset()
		for j, k := range p.Keys {
			i, ok := b.at[k]
			if !ok {
				b.at[k] = len(b.keys)
				b.keys = append(b.keys, batchWant{key: k, first: wantOf{p, j}})
				continue
			}
			if b.more == nil {
				b.more = map[int][]wantOf{}
			}
			b.more[i] = append(b.more[i], wantOf{p, j})
		}
	}
	notDone, _, err := Drain(ctx, len(b.keys), MaxBatchGet, r, b.send)
	for _, p := range parts {
		p.Done()
	}
	if err != nil {
		be := &BatchError{Op: "BatchGet", Err: err}
		for _, i := range notDone {
			var last *BatchGetPart
			for w := range b.all(i) {
				if w.p != last { // once per part, however often it asked
					be.Unprocessed = append(be.Unprocessed, BatchItem{Entity: w.p.S.Name, Key: b.keys[i].key})
					last = w.p
				}
			}
		}
		return be
	}
	return b.decodeErr
}

// all yields who asked for key i, in the order asked.
func (b *batchGet) all(i int) func(yield func(wantOf) bool) {
	return func(yield func(wantOf) bool) {
		if !yield(b.keys[i].first) {
			return
		}
		for _, o := range b.more[i] {
			if !yield(o) {
				return
			}
		}
	}
}

// send reads the keys of idx and returns those left unprocessed.
func (b *batchGet) send(ctx context.Context, idx []int) ([]int, error) {
	t := b.t
	ka := types.KeysAndAttributes{Keys: make([]map[string]types.AttributeValue, len(idx))}
	for j, i := range idx {
		ka.Keys[j] = t.KeyItem(b.keys[i].key)
	}
	if b.consistent {
		ka.ConsistentRead = aws.Bool(true)
	}
	out, err := t.Client.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{
		RequestItems: map[string]types.KeysAndAttributes{t.Name: ka},
	}, OneAttempt)
	if err != nil {
		return nil, err
	}
	b.take(ctx, out.Responses[t.Name])
	var left []int
	for _, m := range out.UnprocessedKeys[t.Name].Keys {
		k, _ := t.ItemKey(m)
		if i, ok := b.at[k]; ok {
			left = append(left, i)
		}
	}
	return left, nil
}

// take hands the items of one response to the parts that asked for them.
func (b *batchGet) take(ctx context.Context, items []map[string]types.AttributeValue) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.t.Epoch()
	for _, item := range items {
		k, _ := b.t.ItemKey(item)
		i, ok := b.at[k]
		if !ok {
			continue
		}
		typ := b.t.TypeOf(item)
		for w := range b.all(i) {
			p := w.p
			if p.S.Name != typ {
				continue // another entity's item: not found for this one
			}
			if !p.ExpiredOK && p.S.ExpiredAt(item, now) {
				continue // expired: not found
			}
			if err := p.Take(ctx, w.i, item); err != nil && b.decodeErr == nil {
				b.decodeErr = err
			}
		}
	}
}

// RunBatchWrite sends writes in BatchWriteItem requests of up to 25 under
// r. Two writes of one key are an error, before any request. When not
// every write could be done, the error is a *BatchError holding the
// writes certainly not done and those that may have been.
func RunBatchWrite(ctx context.Context, t *Table, writes []BatchItem, r RetryPolicy) error {
	if j, i, dup := duplicateKey(writes); dup {
		return fmt.Errorf("tablemap: BatchWrite: writes %d and %d are both of key {%s}; a batch writes a key once", j, i, writes[i].Key)
	}
	send := func(ctx context.Context, idx []int) ([]int, error) {
		reqs := make([]types.WriteRequest, len(idx))
		for j, i := range idx {
			reqs[j] = writes[i].Request(t)
		}
		out, err := Write(ctx, t.Client.BatchWriteItem, &dynamodb.BatchWriteItemInput{
			RequestItems: map[string][]types.WriteRequest{t.Name: reqs},
		}, OneAttempt)
		if err != nil {
			return nil, err
		}
		var left []int
		for _, r := range out.UnprocessedItems[t.Name] {
			var k Key
			switch {
			case r.PutRequest != nil:
				k, _ = t.ItemKey(r.PutRequest.Item)
			case r.DeleteRequest != nil:
				k, _ = t.ItemKey(r.DeleteRequest.Key)
			}
			for _, i := range idx {
				if writes[i].Key == k {
					left = append(left, i)
					break
				}
			}
		}
		return left, nil
	}
	notDone, unknown, err := Drain(ctx, len(writes), MaxBatchWrite, r, send)
	if err != nil {
		be := &BatchError{Op: "BatchWrite", Err: err}
		for _, i := range notDone {
			be.Unprocessed = append(be.Unprocessed, writes[i])
		}
		for _, i := range unknown {
			be.Unknown = append(be.Unknown, writes[i])
		}
		return be
	}
	return nil
}

var keySeed = maphash.MakeSeed()

// duplicateKey returns the first write whose key an earlier write j has.
// It sets the writes' keys by a hash: a map without pointers, which the
// garbage collector need not scan, costs a fraction of one keyed by the
// keys' strings; the keys themselves decide, and if two keys share a hash
// the strings do.
func duplicateKey(writes []BatchItem) (j, i int, dup bool) {
	seen := make(map[uint64]int32, len(writes))
	for i, w := range writes {
		h := maphash.String(keySeed, w.Key.PK)*0x9E3779B97F4A7C15 ^ maphash.String(keySeed, w.Key.SK)
		j, ok := seen[h]
		if !ok {
			seen[h] = int32(i)
			continue
		}
		if writes[j].Key == w.Key {
			return int(j), i, true
		}
		return duplicateKeyExact(writes) // two keys of one hash
	}
	return 0, 0, false
}

// duplicateKeyExact is duplicateKey by the keys themselves.
func duplicateKeyExact(writes []BatchItem) (j, i int, dup bool) {
	at := make(map[Key]int, len(writes))
	for i, w := range writes {
		if j, ok := at[w.Key]; ok {
			return j, i, true
		}
		at[w.Key] = i
	}
	return 0, 0, false
}
