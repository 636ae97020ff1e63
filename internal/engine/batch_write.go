package engine

import (
	"context"
	"fmt"
	"sync"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/codec"
)

// A BatchEntry is one write of a batch: Item, or, when S is not nil, a
// put of the value at P, of entity S, that the batch encodes only as it
// sends it (Item then holds its entity and key alone; see BatchPut).
type BatchEntry struct {
	Item BatchItem
	S    *Schema
	P    unsafe.Pointer
}

// Entry returns the write w as an entry of a batch.
func Entry(w BatchItem, t *Table, err error) (BatchEntry, *Table, error) {
	return BatchEntry{Item: w}, t, err
}

// PlainPut reports whether a Put of s leaves the value it writes as it is:
// no version to set, no timestamps to stamp. A batch can then encode such
// a Put's value itself (see BatchPut) without the Put recording what it
// wrote.
func (s *Schema) PlainPut() bool {
	return s.Version == nil && s.Created == nil && s.Updated == nil
}

// BatchPut returns an unconditional Put of the value at p as a write of a
// batch, as NewBatchItem would from the compiled Put, with the same errors,
// but building only the item: the entity guard that the Put run alone
// sends is rendered for nothing, since a batch drops it.
//
// The item is encoded when the batch sends it, not now: a batch of 1,000
// items would otherwise hold them all, and every garbage collection while
// it runs would go over them. RunBatchWrite encodes every such put once
// before its first request, so a bad value is still refused before any
// is sent. A type with its own MarshalDynamoDBAttributeValue, whose result
// may differ from call to call, and an entity with encrypted fields, whose
// sealing costs a key derivation, are encoded now, with enc (the batch's
// encoder, see codec.Encoder).
func (s *Schema) BatchPut(ctx context.Context, enc *codec.Encoder, p unsafe.Pointer) (BatchEntry, *Table, error) {
	if s.Codec.Custom() || len(s.Encrypted) > 0 {
		item, key, err := s.EncodePut(ctx, enc, p)
		if err != nil {
			return BatchEntry{}, nil, err
		}
		return BatchEntry{Item: BatchItem{Entity: s.Name, Key: key, Item: item}}, s.Table, nil
	}
	key, err := s.Key(p)
	if err != nil {
		return BatchEntry{}, nil, ItemErr("Put", s, key, err)
	}
	return BatchEntry{Item: BatchItem{Entity: s.Name, Key: key}, S: s, P: p}, s.Table, nil
}

// RunBatchWrite sends writes in BatchWriteItem requests of up to 25 under
// r. Two writes of one key, and a put whose item cannot be encoded, are
// errors before any request. When not every write could be done, the
// error is a *BatchError holding the writes certainly not done and those
// that may have been.
func RunBatchWrite(ctx context.Context, t *Table, writes *BatchList, r RetryPolicy) error {
	if j, i, dup := duplicateKey(writes.Len(), writes.key); dup {
		return fmt.Errorf("tablemap: BatchWrite: writes %d and %d are both of key {%s}; a batch writes a key once", j, i, writes.At(i).Item.Key)
	}
	if err := writes.check(ctx); err != nil {
		return err
	}
	_, reuse := t.Client.(*dynamodb.Client)
	send := func(ctx context.Context, idx []int) ([]int, error) {
		sc := scratchFor(len(idx))
		defer sc.done(reuse)
		for j, i := range idx {
			e := writes.At(i)
			switch {
			case e.Item.Delete:
				sc.reqs[j] = e.Item.Request(t)
				continue
			case e.S != nil:
				item, err := e.S.encodePut(ctx, &sc.enc, e.P, e.Item.Key, sc.item(j, e.S, reuse))
				if err != nil {
					return nil, err // changed since check: this request is not sent
				}
				sc.puts[j].Item = item
			default:
				sc.puts[j].Item = e.Item.Item
			}
			sc.reqs[j].PutRequest = &sc.puts[j]
		}
		out, err := Write(ctx, t.Client.BatchWriteItem, &dynamodb.BatchWriteItemInput{
			RequestItems: map[string][]types.WriteRequest{t.Name: sc.reqs},
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
				if writes.At(i).Item.Key == k {
					left = append(left, i)
					break
				}
			}
		}
		return left, nil
	}
	notDone, unknown, err := Drain(ctx, writes.Len(), MaxBatchWrite, r, send)
	if err != nil {
		be := &BatchError{Op: "BatchWrite", Err: err}
		for _, i := range notDone {
			be.Unprocessed = append(be.Unprocessed, writes.item(ctx, t, i))
		}
		for _, i := range unknown {
			be.Unknown = append(be.Unknown, writes.item(ctx, t, i))
		}
		return be
	}
	return nil
}

// encodePut is EncodePut of a value whose table key is key, into the
// empty map into, or a new map when into is nil.
func (s *Schema) encodePut(ctx context.Context, enc *codec.Encoder, p unsafe.Pointer, key Key, into map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	item, size, err := s.encodeKeyed(ctx, enc, p, key, into)
	if err != nil {
		return nil, ItemErr("Put", s, key, err)
	}
	if size > MaxItemSize {
		return nil, &ItemError{Op: "Put", Entity: s.Name, Key: key, Kind: ErrItemTooLarge,
			Err: fmt.Errorf("%d bytes, over the limit of %d", size, MaxItemSize)}
	}
	return item, nil
}

// A sendScratch is what one request of a batch write is built in: its
// write requests, and the items and encoder of the puts it encodes (see
// BatchPut). With a *dynamodb.Client, which keeps nothing of a request
// once it has returned, the next request reuses them all.
type sendScratch struct {
	reqs  []types.WriteRequest
	puts  []types.PutRequest
	items []map[string]types.AttributeValue
	enc   codec.Encoder
}

var sendScratches = sync.Pool{New: func() any {
	return &sendScratch{
		reqs:  make([]types.WriteRequest, MaxBatchWrite),
		puts:  make([]types.PutRequest, MaxBatchWrite),
		items: make([]map[string]types.AttributeValue, MaxBatchWrite),
	}
}}

// scratchFor returns the scratch of a request of n writes.
func scratchFor(n int) *sendScratch {
	sc := sendScratches.Get().(*sendScratch)
	sc.reqs, sc.puts = sc.reqs[:n], sc.puts[:n]
	return sc
}

// item returns the empty map the j-th write's item of entity s is encoded
// into.
func (sc *sendScratch) item(j int, s *Schema, reuse bool) map[string]types.AttributeValue {
	if m := sc.items[j]; reuse && m != nil {
		return m
	}
	m := make(map[string]types.AttributeValue, len(s.Codec.Fields)+len(s.TableAttrs))
	if reuse {
		sc.items[j] = m
	}
	return m
}

// done ends a request: with reuse, its scratch is emptied for the next
// one; without (a Client of the caller's, which may keep the request),
// it is dropped with everything in it.
func (sc *sendScratch) done(reuse bool) {
	if !reuse {
		return
	}
	clear(sc.reqs)
	clear(sc.puts)
	for _, m := range sc.items[:len(sc.reqs)] {
		clear(m)
	}
	sc.enc.Reset()
	sc.reqs, sc.puts = sc.reqs[:MaxBatchWrite], sc.puts[:MaxBatchWrite]
	sendScratches.Put(sc)
}

// A BatchList holds the writes of a batch in blocks of batchBlock: adding
// one never copies the writes before it, as a growing slice does several
// times over.
type BatchList struct {
	blocks [][]BatchEntry
	n      int
}

const batchBlock = 32

// Add appends e.
func (l *BatchList) Add(e BatchEntry) {
	if l.n%batchBlock == 0 {
		l.blocks = append(l.blocks, make([]BatchEntry, batchBlock))
	}
	l.blocks[l.n/batchBlock][l.n%batchBlock] = e
	l.n++
}

// Len returns the number of writes.
func (l *BatchList) Len() int { return l.n }

// At returns write i.
func (l *BatchList) At(i int) *BatchEntry { return &l.blocks[i/batchBlock][i%batchBlock] }

func (l *BatchList) key(i int) Key { return l.At(i).Item.Key }

// item returns write i of a batch on t, its item encoded, for a
// BatchError: the caller's, its type attribute's value a copy (the
// entity's is shared by all its writes; see ownedStrings.unshare).
func (l *BatchList) item(ctx context.Context, t *Table, i int) BatchItem {
	e := l.At(i)
	w := e.Item
	if e.S != nil {
		w.Item, _ = e.S.encodePut(ctx, nil, e.P, w.Key, nil) // check encoded it already
	}
	if v, ok := w.Item[t.TypeAttr].(*types.AttributeValueMemberS); ok && t.TypeAttr != "" {
		w.Item[t.TypeAttr] = &types.AttributeValueMemberS{Value: v.Value}
	}
	return w
}

// check encodes every put the batch encodes as it sends it (see BatchPut),
// into one map over and over, and returns the first error: a bad value is
// refused before any request is sent.
func (l *BatchList) check(ctx context.Context) error {
	var enc codec.Encoder
	var m map[string]types.AttributeValue
	for i := range l.n {
		e := l.At(i)
		if e.S == nil {
			continue
		}
		if m == nil {
			m = make(map[string]types.AttributeValue, len(e.S.Codec.Fields)+len(e.S.TableAttrs))
		}
		if _, err := e.S.encodePut(ctx, &enc, e.P, e.Item.Key, m); err != nil {
			return err
		}
		clear(m)
		enc.Reset()
	}
	return nil
}
