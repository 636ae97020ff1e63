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
	keys       []wantOf         // by key: who asked for it first
	more       map[int][]wantOf // by key: who asked for it after the first, rarely any
	at         *keyIndex        // of keys
	consistent bool

	mu        sync.Mutex // requests go out concurrently; their items are taken one response at a time
	decodeErr error
}

// A wantOf is the i-th key of part p.
type wantOf struct {
	p *BatchGetPart
	i int
}

// key returns key i of the batch, that of who asked for it first.
func (b *batchGet) key(i int) Key {
	w := b.keys[i]
	return w.p.Keys[w.i]
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
	b := &batchGet{t: t, keys: make([]wantOf, 0, n), consistent: consistent}
	b.at = newKeyIndex(n, b.key)
	for _, p := range parts {
		b.consistent = b.consistent || p.Consistent
		p.Reset()
		for j, k := range p.Keys {
			i, ok := b.at.add(k, len(b.keys))
			if !ok {
				b.keys = append(b.keys, wantOf{p, j})
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
					be.Unprocessed = append(be.Unprocessed, BatchItem{Entity: w.p.S.Name, Key: b.key(i)})
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
		if !yield(b.keys[i]) {
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
	ka := types.KeysAndAttributes{Keys: t.keyItems(len(idx), func(j int) Key { return b.key(idx[j]) })}
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
		if i, ok := b.at.find(k); ok {
			left = append(left, i)
		}
	}
	return left, nil
}

// keyItems returns the key items of n keys (key(j) is key j), as KeyItem
// makes them, but with the members of their string values in one
// allocation, not one each.
func (t *Table) keyItems(n int, key func(j int) Key) []map[string]types.AttributeValue {
	isS := func(attr string) bool {
		typ := t.AttrType(attr)
		return typ != types.ScalarAttributeTypeN && typ != types.ScalarAttributeTypeB
	}
	pkS, skS := isS(t.PK), t.SK != "" && isS(t.SK)
	var ss []types.AttributeValueMemberS
	value := func(attr, v string, s bool) types.AttributeValue {
		if !s {
			return t.KeyValue(attr, v)
		}
		if len(ss) == 0 {
			ss = make([]types.AttributeValueMemberS, 2*n)
		}
		m := &ss[0]
		ss = ss[1:]
		m.Value = v
		return m
	}
	items := make([]map[string]types.AttributeValue, n)
	for j := range items {
		k := key(j)
		m := make(map[string]types.AttributeValue, 2)
		m[t.PK] = value(t.PK, k.PK, pkS)
		if t.SK != "" {
			m[t.SK] = value(t.SK, k.SK, skS)
		}
		items[j] = m
	}
	return items
}

// take hands the items of one response to the parts that asked for them.
func (b *batchGet) take(ctx context.Context, items []map[string]types.AttributeValue) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.t.Epoch()
	for _, item := range items {
		k, _ := b.t.ItemKey(item)
		i, ok := b.at.find(k)
		if !ok {
			continue
		}
		typ := b.t.TypeOf(item)
		b.give(ctx, b.keys[i], typ, item, now)
		if b.more != nil {
			for _, w := range b.more[i] {
				b.give(ctx, w, typ, item, now)
			}
		}
	}
}

// give hands item, of entity type typ, to w, unless it is another
// entity's or has expired: not found for w.
func (b *batchGet) give(ctx context.Context, w wantOf, typ string, item map[string]types.AttributeValue, now int64) {
	p := w.p
	if p.S.Name != typ || !p.ExpiredOK && p.S.ExpiredAt(item, now) {
		return
	}
	if err := p.Take(ctx, w.i, item); err != nil && b.decodeErr == nil {
		b.decodeErr = err
	}
}

var keySeed = maphash.MakeSeed()

func keyHash(k Key) uint64 {
	return maphash.String(keySeed, k.PK)*0x9E3779B97F4A7C15 ^ maphash.String(keySeed, k.SK)
}

// A keyIndex holds the positions 0, 1, … of distinct keys, by their hash:
// a map without pointers, which the garbage collector need not scan,
// costs a fraction of one keyed by the keys' strings. The keys themselves
// (key(i), the key at position i) decide; once two keys share a hash, it
// holds them by their strings.
type keyIndex struct {
	key    func(i int) Key
	hash   func(Key) uint64
	byHash map[uint64]int32
	exact  map[Key]int
}

func newKeyIndex(n int, key func(i int) Key) *keyIndex {
	return &keyIndex{key: key, hash: keyHash, byHash: make(map[uint64]int32, n)}
}

// find returns the position of k.
func (x *keyIndex) find(k Key) (int, bool) {
	if x.exact != nil {
		i, ok := x.exact[k]
		return i, ok
	}
	i, ok := x.byHash[x.hash(k)]
	if !ok || x.key(int(i)) != k {
		return 0, false
	}
	return int(i), true
}

// add records k, the key at position n, the number of keys added so far,
// unless it is there already: then it returns its position and true.
func (x *keyIndex) add(k Key, n int) (int, bool) {
	if x.exact == nil {
		h := x.hash(k)
		i, ok := x.byHash[h]
		if !ok {
			x.byHash[h] = int32(n)
			return 0, false
		}
		if x.key(int(i)) == k {
			return int(i), true
		}
		x.exact = make(map[Key]int, 2*n) // two keys of one hash
		for p := range n {
			x.exact[x.key(p)] = p
		}
		x.byHash = nil
	}
	if i, ok := x.exact[k]; ok {
		return i, true
	}
	x.exact[k] = n
	return 0, false
}

// duplicateKey returns the first of n keys (key(i) is key i) that an
// earlier key j repeats.
func duplicateKey(n int, key func(i int) Key) (j, i int, dup bool) {
	return duplicateKeyBy(n, key, keyHash)
}

func duplicateKeyBy(n int, key func(i int) Key, hash func(Key) uint64) (j, i int, dup bool) {
	x := newKeyIndex(n, key)
	x.hash = hash
	for i := range n {
		if j, ok := x.add(key(i), i); ok {
			return j, i, true
		}
	}
	return 0, 0, false
}
