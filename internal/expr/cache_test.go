package expr

import (
	"errors"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCache checks that a Cache compiles each key once, even with
// goroutines racing on new keys, keeps every key's own shape, and does not
// keep errors.
func TestCache(t *testing.T) {
	var c Cache[int]
	shapes := []Shape{benchShape(), tableShapes["put absent or own"], tableShapes["query type and expiry"]}
	var wg sync.WaitGroup
	got := make([][]*Compiled, 8)
	for g := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k, s := range shapes {
				comp, err := c.Get(k, func() Shape { return s })
				if err != nil {
					t.Error(err)
					return
				}
				got[g] = append(got[g], comp)
			}
		}()
	}
	wg.Wait()
	for k, s := range shapes {
		want, err := Compile(s)
		if err != nil {
			t.Fatal(err)
		}
		for g := range got {
			if got[g][k] != got[0][k] {
				t.Fatalf("key %d: goroutine %d got another Compiled than goroutine 0", k, g)
			}
		}
		if d := cmp.Diff(view(want), view(got[0][k])); d != "" {
			t.Fatalf("key %d: cached shape differs from its own (-want +got):\n%s", k, d)
		}
	}
	calls := 0
	bad := func() Shape { calls++; return Shape{} }
	for range 2 {
		if _, err := c.Get(99, bad); !errors.Is(err, ErrInvalid) {
			t.Fatalf("Get of an empty shape: %v, want ErrInvalid", err)
		}
	}
	if calls != 2 {
		t.Fatalf("a failed shape was compiled %d times in 2 Gets, want 2 (errors are not kept)", calls)
	}
}

// view is the strings and names of c.
func view(c *Compiled) rendered {
	return rendered{c.Condition(), c.Filter(), c.KeyCondition(), c.Projection(), c.Update(), c.Names(), nil}
}
