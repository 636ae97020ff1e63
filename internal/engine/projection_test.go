package engine

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestProjectionMemo: Projection checks a list as CheckProjectPaths does,
// for each entity apart; it hands out a list of its own (a copy, whose
// appends copy it again), the memo's for a list seen, without allocating;
// and it never memoizes a refused list.
func TestProjectionMemo(t *testing.T) {
	_, user, doc, _ := writeTable(t)
	attrs := []string{"name", strings.Clone("photos")} // a string of another address: lists are compared by content
	got, err := user.Projection(attrs)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(attrs, got); d != "" {
		t.Fatalf("Projection (-want +got):\n%s", d)
	}
	if cap(got) != len(got) || &got[0] == &attrs[0] {
		t.Errorf("the list is not a copy of its own whose appends copy it (cap %d, len %d)", cap(got), len(got))
	}
	attrs[0] = "city" // the caller's list, changed
	if got[0] != "name" {
		t.Errorf("the list changed with the caller's: %q", got)
	}
	again := []string{"name", "photos"}
	var second []string
	if n := testing.AllocsPerRun(50, func() { second, _ = user.Projection(again) }); n != 0 {
		t.Errorf("a list seen: %v allocations, want 0", n)
	}
	if &second[0] != &got[0] {
		t.Errorf("a list seen is not the memo's")
	}
	// The same list is refused for an entity without those attributes, and
	// stays refused.
	for range 2 {
		_, err := doc.Projection(again)
		want := doc.CheckProjectPaths(again)
		if err == nil || want == nil || err.Error() != want.Error() {
			t.Errorf("Doc: Projection error %v, CheckProjectPaths %v", err, want)
		}
	}
	for _, bad := range [][]string{{"name", "name"}, {"tags[0]"}, {"nope"}} {
		for range 2 {
			if _, err := user.Projection(bad); err == nil || err.Error() != user.CheckProjectPaths(bad).Error() {
				t.Errorf("%q: Projection error %v, CheckProjectPaths %v", bad, err, user.CheckProjectPaths(bad))
			}
		}
	}
}
