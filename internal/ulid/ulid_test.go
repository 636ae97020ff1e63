package ulid

import (
	"sort"
	"testing"
	"time"
)

func TestIncreasingWithinOneMillisecond(t *testing.T) {
	at := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	g := &Generator{Now: func() time.Time { return at }}
	ids := make([]string, 10000)
	for i := range ids {
		ids[i] = g.New()
	}
	if !sort.StringsAreSorted(ids) {
		t.Fatal("ids of one millisecond are not increasing")
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("id %s made twice", id)
		}
		seen[id] = true
	}
	got, ok := Time(ids[0])
	if !ok || !got.Equal(at) {
		t.Fatalf("Time(%s) = %v, %v; want %v", ids[0], got, ok, at)
	}
}

func TestSortsByTime(t *testing.T) {
	g := &Generator{}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var prev string
	for i := 0; i < 1000; i++ {
		at := base.Add(time.Duration(i) * time.Millisecond)
		g.Now = func() time.Time { return at }
		id := g.New()
		if len(id) != 26 || id <= prev {
			t.Fatalf("id %q after %q at %v", id, prev, at)
		}
		prev = id
	}
}

func TestRandomCarry(t *testing.T) {
	at := time.UnixMilli(5)
	g := &Generator{Now: func() time.Time { return at }}
	g.New()
	g.lo = ^uint64(0)
	a := g.New() // lo wraps to 0, hi carries
	b := g.New()
	if !(a < b) {
		t.Fatalf("after carry %s !< %s", a, b)
	}
}
