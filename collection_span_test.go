package tablemap_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tablemap/tablemap"
)

// A repository, its issues and its stars share the repository's partition;
// the stars sort last, after the repository.
type (
	sRepo struct {
		_    struct{} `tablemap:"Repo" pk:"REPO#{name}" sk:"REPO"`
		Name string   `dynamo:"name"`
	}
	sIssue struct {
		_      struct{} `tablemap:"Issue" pk:"REPO#{name}" sk:"ISSUE#{number}"`
		Name   string   `dynamo:"name"`
		Number int      `dynamo:"number"`
	}
	sStar struct {
		_    struct{} `tablemap:"Star" pk:"REPO#{name}" sk:"STAR#{user}"`
		Name string   `dynamo:"name"`
		User string   `dynamo:"user"`
	}
	// sEvent sorts before the issues ("EVENT#" < "ISSUE#").
	sEvent struct {
		_    struct{}  `tablemap:"Event" pk:"REPO#{name}" sk:"EVENT#{at}"`
		Name string    `dynamo:"name"`
		At   time.Time `dynamo:"at"`
	}
	// sLabel sorts between the issues and the repository ("LABEL#").
	sLabel struct {
		_     struct{} `tablemap:"Label" pk:"REPO#{name}" sk:"LABEL#{label}"`
		Name  string   `dynamo:"name"`
		Label string   `dynamo:"label"`
	}
)

// TestCollectionReadsItsSpan: a collection reads only the span of sort
// keys its entities' templates can build, so 500 stars after the
// repository and events before the issues cost nothing: the issue 20
// scenario, Newest().Limit(3) in one request. Labels inside the span are
// read and left out.
func TestCollectionReadsItsSpan(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	repos := define[sRepo](t, tbl)
	issues := define[sIssue](t, tbl)
	stars := define[sStar](t, tbl)
	events := define[sEvent](t, tbl)
	labels := define[sLabel](t, tbl)
	create(t, tbl, m)

	repo := sRepo{Name: "tablemap"}
	w := tbl.BatchWrite().Put(repos.Put(repo))
	var is []sIssue
	for _, n := range []int{math.MinInt64, -1, 0, 7, math.MaxInt64} {
		i := sIssue{Name: repo.Name, Number: n}
		is = append(is, i)
		w.Put(issues.Put(i))
	}
	for i := range 500 {
		w.Put(stars.Put(sStar{Name: repo.Name, User: fmt.Sprintf("user%03d", i)}))
	}
	for i := range 20 {
		w.Put(events.Put(sEvent{Name: repo.Name, At: minute(i)}))
	}
	if err := w.Run(ctx); err != nil {
		t.Fatal(err)
	}

	m.Reset()
	got, err := tablemap.Collect2(repos.Query(repo).Newest().Limit(3), issues).Page(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "newest 3", &tablemap.Page2[sRepo, sIssue]{A: []sRepo{repo}, B: []sIssue{is[4], is[3]}}, &tablemap.Page2[sRepo, sIssue]{A: got.A, B: got.B})
	if n := m.Requests(); n != 1 {
		t.Errorf("%d requests, want 1 (%v)", n, m)
	}
	if c := m.ConsumedCapacity(); c > 0.5 {
		t.Errorf("consumed %g RCU, want at most 0.5 (%v)", c, m)
	}

	if err := labels.Put(sLabel{Name: repo.Name, Label: "bug"}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	// The whole collection, oldest first and by pages of 2: every issue
	// and the repository, nothing else.
	c := tablemap.Collect2(repos.Query(repo).Limit(2), issues)
	all := &tablemap.Page2[sRepo, sIssue]{}
	for cursor := ""; ; {
		p, err := c.Page(ctx, cursor)
		if err != nil {
			t.Fatal(err)
		}
		all.A, all.B = append(all.A, p.A...), append(all.B, p.B...)
		if cursor = p.Next; cursor == "" {
			break
		}
	}
	diff(t, "whole collection", &tablemap.Page2[sRepo, sIssue]{A: []sRepo{repo}, B: is}, all)
	// Three entities, the labels' string keys escaped or at the edges of
	// UTF-8, the stars' outside: every item of the three, nothing else.
	ls := []sLabel{{Name: repo.Name, Label: "bug"}}
	for _, l := range []string{"\x01", "!", "%", "a#b", "\x7f", "\U0010FFFF\U0010FFFF"} {
		ls = append(ls, sLabel{Name: repo.Name, Label: l})
		if err := labels.Put(ls[len(ls)-1]).Run(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// Newest first: by sort key, descending.
	slices.SortFunc(ls, func(a, b sLabel) int { return strings.Compare(keysOf(t, labels, b), keysOf(t, labels, a)) })
	got3, err := tablemap.Collect3(repos.Query(repo).Newest(), issues, labels).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rev := slices.Clone(is)
	slices.Reverse(rev)
	diff(t, "repository, issues and labels", &tablemap.Page3[sRepo, sIssue, sLabel]{A: []sRepo{repo}, B: rev, C: ls}, got3)

	in, err := c.Params()
	if err != nil {
		t.Fatal(err)
	}
	if got := *in.KeyConditionExpression; !strings.Contains(got, " BETWEEN ") {
		t.Errorf("key condition %s, want a BETWEEN", got)
	}
}

// keysOf returns the sort key of v.
func keysOf[T any](t *testing.T, e *tablemap.Entity[T], v T) string {
	t.Helper()
	k, err := e.Key(v)
	if err != nil {
		t.Fatal(err)
	}
	return k.SK
}
