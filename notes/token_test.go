package notes_test

import (
	"crypto/rand"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/dynamotest"
	"github.com/tablemap/tablemap/internal/faults"
	"github.com/tablemap/tablemap/notes"
)

// TestCreateTokenUnderFaults: Creates with tokens, each run again until
// it succeeds through lost responses, server errors and throttling, leave
// exactly one note each, with the id every successful run returned.
func TestCreateTokenUnderFaults(t *testing.T) {
	t.Parallel()
	tr := faults.New(5, faults.Rates{}, "TransactWriteItems")
	client := dynamotest.Client(t, func(o *dynamodb.Options) {
		o.HTTPClient = tr.Client()
		o.RetryMaxAttempts = 0
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = 3
			so.MaxBackoff = 20 * time.Millisecond
			so.RateLimiter = ratelimit.None
		})
	})
	tbl := tablemap.NewTable(client, dynamotest.TableName(t))
	store, err := notes.New(tbl)
	if err != nil {
		t.Fatal(err)
	}
	if err := tbl.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	tr.SetRates(faults.Rates{Drop: 0.3, ServerAfter: 0.15, ServerFirst: 0.1, Throttle: 0.1})
	run := rand.Text()[:16]
	const creates = 20
	ids := map[string]bool{}
	unknown := 0
	for i := range creates {
		tok := fmt.Sprintf("%s-%d", run, i)
		var id string
		for try := 0; ; try++ {
			n, err := store.Create(ctx, "ann", fmt.Sprintf("note %d", i), "", notes.Token(tok))
			if err == nil {
				if id != "" && n.ID != id {
					t.Errorf("create %d: id %s, then %s", i, id, n.ID)
				}
				id = n.ID
				break
			}
			if errors.Is(err, notes.ErrUnknownOutcome) {
				unknown++
			}
			if try == 30 {
				t.Fatalf("create %d: still failing: %v", i, err)
			}
		}
		// Run again once it succeeded: the same note.
		n, err := store.Create(ctx, "ann", fmt.Sprintf("note %d", i), "", notes.Token(tok))
		if err != nil || n.ID != id {
			t.Errorf("create %d again: %s, %v; want %s", i, n.ID, err, id)
		}
		ids[id] = true
	}
	tr.SetRates(faults.Rates{})
	t.Logf("%d unknown outcomes; faults: drop %d, 500 after %d", unknown, tr.Count("drop"), tr.Count("server-after"))
	if unknown == 0 {
		t.Error("no unknown outcome: the faults did not bite")
	}
	page, err := store.List(ctx, "ann", "", notes.MaxPageSize)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, n := range page.Notes {
		stored[n.ID] = true
	}
	if len(page.Notes) != creates || len(stored) != len(ids) {
		t.Errorf("%d notes stored, want %d, one per token", len(page.Notes), creates)
	}
	for id := range ids {
		if !stored[id] {
			t.Errorf("note %s returned, not stored", id)
		}
	}

	_, err = store.Create(ctx, "ann", "other content", "", notes.Token(run+"-0"))
	if !errors.Is(err, notes.ErrTokenReused) {
		t.Errorf("a token again with other content: %v, want ErrTokenReused", err)
	}
}
