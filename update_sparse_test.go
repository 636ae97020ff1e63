package tablemap_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tablemap/tablemap"
)

// A Ticket is in its status index only once it has a status.
type Ticket struct {
	_       struct{}  `tablemap:"Ticket" pk:"TICKET#{id}" sk:"TICKET" gsi1pk:"STATUS#{status}" gsi1sk:"{opened}#{id}"`
	ID      string    `dynamo:"id"`
	Status  string    `dynamo:"status,omitempty"`
	Opened  time.Time `dynamo:"opened"`
	Subject string    `dynamo:"subject"`
}

// TestUpdateEntersSparseIndex: an Update giving a status to an item put
// without one (so with no keys of the sparse status index) writes both
// index keys when the key value gives the sort key's fields, so the item
// is found in the index; when it does not, DynamoDB refuses the update
// rather than storing one index key alone (an item with GSI1PK and no
// GSI1SK is in no index: it would silently never be found).
func TestUpdateEntersSparseIndex(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	tickets := define[Ticket](t, tbl)
	create(t, tbl, m)
	opened := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, id := range []string{"t1", "t2"} {
		if err := tickets.Put(Ticket{ID: id, Opened: opened, Subject: "printer"}).Run(ctx); err != nil {
			t.Fatal(err)
		}
	}

	// The key value gives opened and id: both index keys are written.
	if _, err := tickets.Update(Ticket{ID: "t1", Opened: opened}).Set("status", "open").Run(ctx); err != nil {
		t.Fatal(err)
	}
	var found []string
	for v, err := range tickets.Query(Ticket{Status: "open"}).Index("GSI1").All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		found = append(found, v.ID)
	}
	diff(t, "open tickets", []string{"t1"}, found)

	// Without opened, the sort key cannot be built: refused, nothing written.
	_, err := tickets.Update(Ticket{ID: "t2"}).Set("status", "open").Run(ctx)
	if !errors.Is(err, tablemap.ErrConditionFailed) || !strings.Contains(err.Error(), "not in index GSI1") {
		t.Fatalf("update of t2: %v, want ErrConditionFailed saying it is not in index GSI1", err)
	}
	got, err := tickets.Get(Ticket{ID: "t2"}).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != "" {
		t.Errorf("refused update stored status %q", got.Status)
	}

	// Once in the index, a new status alone keeps the stored sort key.
	if _, err := tickets.Update(Ticket{ID: "t1"}).Set("status", "closed").Run(ctx); err != nil {
		t.Fatal(err)
	}
	v, err := tickets.Query(Ticket{Status: "closed"}).Index("GSI1").First(ctx)
	if err != nil || v.ID != "t1" {
		t.Errorf("closed ticket: %+v, %v; want t1", v, err)
	}
}
