package notes_test

import (
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/dynamotest"
	"github.com/tablemap/tablemap/notes"
)

var (
	ulidText = regexp.MustCompile(`[0-9A-HJKMNP-TV-Z]{26}`)
	timeText = regexp.MustCompile(`"\d{4}-\d\d-\d\dT[0-9:.]+Z"`)
)

// shape is a request with its ids and times masked and without its item.
func shape(r tablemap.PatternRequest) tablemap.PatternRequest {
	mask := func(s string) string {
		return timeText.ReplaceAllString(ulidText.ReplaceAllString(s, "<id>"), "<time>")
	}
	r.Key, r.KeyCondition, r.Filter = mask(r.Key), mask(r.KeyCondition), mask(r.Filter)
	r.Condition, r.Update, r.Projection = mask(r.Condition), mask(r.Update), mask(r.Projection)
	r.Item = nil
	return r
}

// Each access pattern of the design is the request its method sends, for
// the design's sample user (ids and times aside), and every pattern has its
// method here.
func TestPatternsAreTheMethodsRequests(t *testing.T) {
	rec := dynamotest.NewRecorder(dynamotest.Client(t))
	tbl := tablemap.NewTable(rec, dynamotest.TableName(t))
	store, err := notes.New(tbl)
	if err != nil {
		t.Fatal(err)
	}
	if err := tbl.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	d := tbl.Design()
	if err := store.Patterns(&d); err != nil {
		t.Fatal(err)
	}
	var n notes.Note
	steps := map[string]func() error{
		"create a note":            func() (err error) { n, err = store.Create(ctx, "ann", "buy milk", ""); return err },
		"get a note":               func() error { _, err := store.Get(ctx, "ann", n.ID); return err },
		"list notes, newest first": func() error { _, err := store.List(ctx, "ann", "", 0); return err },
		"update a note": func() error {
			_, err := store.Update(ctx, "ann", n.ID, 1, notes.Change{Content: new("buy oat milk")})
			return err
		},
		"delete a note": func() error { _, err := store.Delete(ctx, "ann", n.ID); return err },
	}
	if len(d.Patterns) != len(steps) {
		t.Errorf("%d patterns, %d tested", len(d.Patterns), len(steps))
	}
	for _, p := range d.Patterns {
		run := steps[p.Name]
		if run == nil {
			t.Errorf("pattern %q has no method here", p.Name)
			continue
		}
		rec.Take()
		if err := run(); err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
		sent := tbl.Design()
		if err := sent.Pattern(p.Name, rec.Take()...); err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
		var want, got []tablemap.PatternRequest
		for _, r := range p.Requests {
			want = append(want, shape(r))
		}
		for _, r := range sent.Patterns[0].Requests {
			got = append(got, shape(r))
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: the design's request differs from the method's (-design +sent):\n%s", p.Name, diff)
		}
	}
}
