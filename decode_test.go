package tablemap_test

import (
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tablemap/tablemap"
)

type decodedPhoto struct {
	_        struct{}  `tablemap:"Photo" pk:"USER#{username}" sk:"PHOTO#{taken}" gsi1pk:"PHOTOS" gsi1sk:"{taken}"`
	Username string    `dynamo:"username"`
	Taken    time.Time `dynamo:"taken"`
	URL      string    `dynamo:"url"`
}

// TestDecodeLeavesItem: Decode reads the caller's item without modifying
// it, so goroutines may decode one item at once (run with -race), and
// decodes the same value each time.
func TestDecodeLeavesItem(t *testing.T) {
	tbl := tablemap.NewTable(nil, "decode")
	photos := tablemap.MustDefine[decodedPhoto](tbl)
	want := decodedPhoto{Username: "ann", Taken: time.Date(2024, 5, 6, 7, 8, 9, 10, time.UTC), URL: "u"}
	k, err := photos.Key(want)
	if err != nil {
		t.Fatal(err)
	}
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	item := map[string]types.AttributeValue{
		"PK": s(k.PK), "SK": s(k.SK), "_type": s("Photo"), "GSI1PK": s("PHOTOS"), "GSI1SK": s("x"),
		"username": s("ann"), "taken": s(want.Taken.Format(time.RFC3339Nano)), "url": s("u"),
	}
	before := maps.Clone(item)
	var wg sync.WaitGroup
	got := make([]decodedPhoto, 4)
	errs := make([]error, len(got))
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = photos.Decode(item)
		}()
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if d := cmp.Diff(want, got[i], cmpopts.IgnoreUnexported(decodedPhoto{})); d != "" {
			t.Errorf("decoded (-want +got):\n%s", d)
		}
	}
	if d := cmp.Diff(before, item, cmpopts.IgnoreUnexported(types.AttributeValueMemberS{})); d != "" {
		t.Errorf("item modified (-before +after):\n%s", d)
	}
}
