package bench

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func BenchmarkScratchRawAllFirst(b *testing.B) {
	st := &stub{respond: answer(cannedPhotos)}
	c := stubClient(st)
	ps := batchPhotos(1000)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		ws := make([]types.WriteRequest, len(ps))
		for i := range ps {
			ws[i] = types.WriteRequest{PutRequest: &types.PutRequest{Item: handPhotoItem(&ps[i])}}
		}
		for s := 0; s < len(ws); s += 25 {
			_, err := c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"bench": ws[s : s+25]}})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}
func BenchmarkScratchRawChunk(b *testing.B) {
	st := &stub{respond: answer(cannedPhotos)}
	c := stubClient(st)
	ps := batchPhotos(1000)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := rawBatchWrite(ctx, c, ps, handPhotoItemErr); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScratchEncTM(b *testing.B) {
	st := &stub{respond: answer(cannedPhotos)}
	tm := newTM(st)
	ps := batchPhotos(1000)
	b.ReportAllocs()
	for b.Loop() {
		w := tm.tbl.BatchWrite()
		for _, p := range ps {
			w.Put(tm.photos.Put(p))
		}
	}
}

func BenchmarkScratchEncRaw(b *testing.B) {
	ps := batchPhotos(1000)
	b.ReportAllocs()
	for b.Loop() {
		ws := make([]types.WriteRequest, len(ps))
		for i := range ps {
			ws[i] = types.WriteRequest{PutRequest: &types.PutRequest{Item: handPhotoItem(&ps[i])}}
		}
	}
}
