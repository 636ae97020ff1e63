package bench

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/google/go-cmp/cmp"
)

// wantLen is the number of items the read operations decode.
var wantLen = map[string]int{"Query10": 10, "QueryFiltered": 10, "Collection": reactions, "BatchGet100": 100, "BatchGet1000": 1000}

// TestOpsAgree checks that every implementation of every operation sends
// the same requests (in canonical form, see canonical) and decodes the
// same result as raw, so the benchmarks compare equal work. A Params
// operation's input is sent through a client to compare its wire form.
func TestOpsAgree(t *testing.T) {
	ctx := context.Background()
	for _, op := range Ops(Config{Record: true}) {
		t.Run(op.Name, func(t *testing.T) {
			var (
				want    any
				rawReqs []Request
			)
			for i, im := range op.Impls {
				got, err := im.Run(ctx)
				if err != nil {
					t.Fatalf("%s: %v", im.Name, err)
				}
				if got, err = sendParams(ctx, stubClient(op.stub), got); err != nil {
					t.Fatalf("%s: sending its Params: %v", im.Name, err)
				}
				reqs := op.Take()
				if i == 0 {
					want, rawReqs = got, reqs
					checkRaw(t, op.Name, want, canonical(t, reqs, false))
					continue
				}
				lenient := im.Name == "guregu"
				if d := cmp.Diff(canonical(t, rawReqs, lenient), canonical(t, reqs, lenient)); d != "" {
					t.Errorf("%s sends other requests than raw (-raw +%[1]s):\n%s", im.Name, d)
				}
				if d := cmp.Diff(want, got); d != "" {
					t.Errorf("%s decodes another result than raw (-raw +%[1]s):\n%s", im.Name, d)
				}
			}
		})
	}
}

// checkRaw checks the baseline's result and requests against what the
// operation must do, so that agreeing with it means something.
func checkRaw(t *testing.T, op string, result any, reqs []string) {
	t.Helper()
	if len(reqs) == 0 {
		t.Fatalf("raw sent no request")
	}
	n, ok := wantLen[op]
	switch r := result.(type) {
	case []OpPhoto:
		if len(r) != n {
			t.Errorf("raw decoded %d photos, want %d", len(r), n)
		}
	case PhotoView:
		if len(r.Reactions) != n || r.Photo.URL == "" {
			t.Errorf("raw decoded photo %+v and %d reactions, want %d", r.Photo, len(r.Reactions), n)
		}
	case OpPhoto:
		if r.URL == "" {
			t.Errorf("raw decoded an empty photo")
		}
	case OpUser:
		if r.Name != updName {
			t.Errorf("raw decoded user %+v", r)
		}
	case nil:
		if ok {
			t.Errorf("raw decoded nothing")
		}
	}
}

// sendParams sends the SDK input a Params operation returned, so that its
// request is recorded, and returns nil for it; other results come back as
// they are.
func sendParams(ctx context.Context, c *dynamodb.Client, v any) (any, error) {
	var err error
	switch in := v.(type) {
	case *dynamodb.UpdateItemInput:
		_, err = c.UpdateItem(ctx, in)
	case *dynamodb.TransactWriteItemsInput:
		_, err = c.TransactWriteItems(ctx, in)
	case *dynamodb.QueryInput:
		_, err = c.Query(ctx, in)
	default:
		return v, nil
	}
	return nil, err
}

// BenchmarkOp/<op>/<impl> runs each implementation of each operation
// (see Ops) on its own; cmd/paired runs them interleaved.
func BenchmarkOp(b *testing.B) {
	ctx := context.Background()
	for _, op := range Ops(Config{}) {
		for _, im := range op.Impls {
			b.Run(fmt.Sprintf("%s/%s", op.Name, im.Name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := im.Run(ctx); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// TestReadAllocs checks that reading a query with range All allocates
// about what the raw SDK call with hand-written decoding does: the loop's
// callbacks stay on the stack (see engine.walk, which keeps the start key,
// bound for the SDK, out of the walk its callbacks ride in). What remains
// over raw is the builder, the iterator and the value decoded into.
func TestReadAllocs(t *testing.T) {
	ctx := context.Background()
	for _, op := range Ops(Config{}) {
		if op.Name != "Query10" && op.Name != "QueryFiltered" {
			continue
		}
		allocs := map[string]float64{}
		for _, im := range op.Impls {
			if im.Name == "raw" || im.Name == "tablemap" {
				allocs[im.Name] = testing.AllocsPerRun(50, func() {
					if _, err := im.Run(ctx); err != nil {
						t.Fatal(err)
					}
				})
			}
		}
		if allocs["raw"] == 0 || allocs["tablemap"] > allocs["raw"]+2 {
			t.Errorf("%s: tablemap allocates %v times, raw %v: more than 2 over raw", op.Name, allocs["tablemap"], allocs["raw"])
		}
	}
}
