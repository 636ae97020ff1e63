package tablemap_test

import (
	"bytes"
	"context"
	"errors"
	"runtime/pprof"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/tablemap/tablemap"
)

// scanTable stores n posts spread over users, each with a comment, and
// returns the posts.
func scanTable(t *testing.T, n, bodySize int) (*tablemap.Table, *tablemap.Meter, *tablemap.Entity[qPost], []qPost) {
	t.Helper()
	tbl, m, posts, comments, _ := postTable(t)
	body := strings.Repeat("z", bodySize)
	ps := make([]qPost, n)
	w := tbl.BatchWrite()
	for i := range ps {
		ps[i] = qPost{User: []string{"ann", "bob", "cat", "dan", "eve"}[i%5], Posted: minute(i), ID: i, Body: body}
		if i%4 != 0 {
			ps[i].Tag = "keep"
		}
		w.Put(posts.Put(ps[i]), comments.Put(qComment{User: ps[i].User, Posted: minute(i), ID: i, By: "x", Text: body}))
	}
	if err := w.Run(ctx); err != nil {
		t.Fatal(err)
	}
	m.Reset()
	return tbl, m, posts, ps
}

func sortedIDs(ps []qPost) []int {
	out := ids(ps)
	slices.Sort(out)
	return out
}

func TestScanParallel(t *testing.T) {
	t.Parallel()
	_, m, posts, ps := scanTable(t, 1000, 1000)

	got := collect(t, posts.Scan().Segments(4).All(ctx))
	diff(t, "every post once, from 4 segments", seq(0, 999), sortedIDs(got))
	if n := m.Requests("Scan"); n < 5 {
		t.Errorf("%d Scan requests for 2 MB in 4 segments, want more than 4", n)
	}
	diff(t, "a post", ps[17], got[slices.IndexFunc(got, func(p qPost) bool { return p.ID == 17 })])

	keep := expression.Name("tag").Equal(expression.Value("keep"))
	got = collect(t, posts.Scan().Filter(keep).Segments(3).All(ctx))
	diff(t, "kept posts from 3 segments", keptIDs(ps), sortedIDs(got))

	got = collect(t, posts.Scan().Filter(keep).All(ctx))
	diff(t, "kept posts from one segment", keptIDs(ps), sortedIDs(got))

	got = collect(t, posts.Scan().Segments(4).Limit(10).All(ctx))
	diff(t, "posts with a limit", 10, len(got))

	n, err := posts.Scan().Filter(keep).Segments(2).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "count", len(keptIDs(ps)), n)
}

func TestScanPages(t *testing.T) {
	t.Parallel()
	_, m, posts, ps := scanTable(t, 200, 100)
	keep := expression.Name("tag").Equal(expression.Value("keep"))
	s := posts.Scan().Filter(keep).Project("tag").Limit(9)
	var got []qPost
	cursor := ""
	for n := 1; ; n++ {
		p, err := s.Page(ctx, cursor)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p.Items...)
		if p.Next == "" {
			break
		}
		if len(p.Items) != 9 {
			t.Fatalf("page %d has %d items, want 9", n, len(p.Items))
		}
		cursor = p.Next
	}
	diff(t, "kept posts, page by page", keptIDs(ps), sortedIDs(got))
	for _, p := range got {
		if p.Body != "" || p.Tag != "keep" || p.User == "" || p.Posted.IsZero() {
			t.Fatalf("projected post %+v: want keys and tag only", p)
		}
	}

	q, err := posts.Query(qPost{User: "ann"}).Limit(1).Page(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	m.Reset()
	if _, err := s.Page(ctx, q.Next); !errors.Is(err, tablemap.ErrInvalidCursor) {
		t.Errorf("query cursor for a scan: error %v, want ErrInvalidCursor", err)
	}
	if _, err := posts.Scan().Segments(2).Page(ctx, ""); err == nil {
		t.Error("Page of a parallel scan: no error")
	}
	if _, err := posts.Scan().Index("GSI1").Consistent().Params(); err == nil {
		t.Error("consistent scan of a GSI: no error")
	}
	if n := m.Requests(); n != 0 {
		t.Errorf("%d requests, want 0", n)
	}
}

// scanGoroutines counts the goroutines of parallel scans.
func scanGoroutines() int {
	var b bytes.Buffer
	_ = pprof.Lookup("goroutine").WriteTo(&b, 2)
	return strings.Count(b.String(), "engine.(*Read).Parallel.func")
}

// TestScanStops is not parallel: it counts the goroutines parallel scans
// leave behind, so no other scan may run meanwhile.
func TestScanStops(t *testing.T) {
	_, _, posts, _ := scanTable(t, 300, 5000)

	// Break out after a few items: All returns with every segment stopped.
	n := 0
	for _, err := range posts.Scan().Segments(4).All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 3 {
			if g := scanGoroutines(); g == 0 {
				t.Fatal("no scan goroutines seen mid-scan: the count cannot tell a leak")
			}
			break
		}
	}
	if g := scanGoroutines(); g != 0 {
		t.Errorf("%d scan goroutines left after break", g)
	}

	// Cancel the context: the iteration ends with its error.
	cctx, cancel := context.WithCancel(ctx)
	var last error
	n = 0
	for _, err := range posts.Scan().Segments(4).All(cctx) {
		if err != nil {
			last = err
			break
		}
		if n++; n == 5 {
			cancel()
		}
	}
	cancel()
	if !errors.Is(last, context.Canceled) {
		t.Errorf("after cancel: error %v, want context.Canceled", last)
	}
	if g := scanGoroutines(); g != 0 {
		t.Errorf("%d scan goroutines left after cancel", g)
	}

	// A deadline that passes mid-scan.
	dctx, stop := context.WithTimeout(ctx, time.Nanosecond)
	defer stop()
	time.Sleep(time.Millisecond)
	for _, err := range posts.Scan().Segments(3).All(dctx) {
		if err == nil {
			continue
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error %v, want context.DeadlineExceeded", err)
		}
	}
	if g := scanGoroutines(); g != 0 {
		t.Errorf("%d scan goroutines left after deadline", g)
	}
}
