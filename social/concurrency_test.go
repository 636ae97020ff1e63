package social_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tablemap/tablemap/social"
)

// TestConcurrentCounters runs 8 goroutines of random follows, unfollows,
// reactions and removals over a few users and photos at once, then checks
// that every counter equals the number of edge items it counts: the
// transactions never let a counter drift, however they interleave.
func TestConcurrentCounters(t *testing.T) {
	if testing.Short() {
		t.Skip("concurrency run skipped in -short mode")
	}
	t.Parallel()
	const (
		workers = 8
		opsEach = 300
	)
	f := newFixture(t)
	users := []string{"ann", "bob", "cid", "dan"}
	f.users(t, users...)
	var photos []social.Photo
	for _, owner := range []string{"ann", "bob", "cid"} {
		photos = append(photos, f.photo(t, owner))
	}

	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute) // stops by itself
	defer cancel()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)

	type tally map[string]int
	tallies := make([]tally, workers)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		tallies[w] = tally{}
		wg.Go(func() {
			r := rand.New(rand.NewPCG(seed, uint64(w)))
			for range opsEach {
				a := users[r.IntN(len(users))]
				b := users[r.IntN(len(users))]
				for a == b {
					b = users[r.IntN(len(users))]
				}
				p := photos[r.IntN(len(photos))]
				rt := social.ReactionTypes[r.IntN(2)] // two types: more collisions
				// A quarter of the operations carry a token and, when they
				// succeed, are sent again with it: the retry of a lost
				// response, which must succeed and count nothing.
				var opts []social.WriteOption
				token := r.IntN(4) == 0
				if token {
					opts = append(opts, social.Token(fmt.Sprintf("%d-%d-%d", seed%1e9, w, r.Uint64()%1e12)))
				}
				var op string
				var run func() error
				switch r.IntN(4) {
				case 0:
					op, run = "follow", func() error { return f.svc.Follow(ctx, a, b, opts...) }
				case 1:
					op, run = "unfollow", func() error { return f.svc.Unfollow(ctx, a, b, opts...) }
				case 2:
					op, run = "react", func() error { return f.svc.React(ctx, a, p.Owner, p.ID, rt, opts...) }
				default:
					op, run = "unreact", func() error { return f.svc.Unreact(ctx, a, p.Owner, p.ID, rt, opts...) }
				}
				for attempt := 0; ; attempt++ {
					err := run()
					outcome := "ok"
					switch {
					case err == nil:
					case errors.Is(err, social.ErrConflict) && attempt < 50:
						tallies[w][op+" conflict (retried)"]++
						time.Sleep(time.Duration(r.IntN(5*(attempt+1))) * time.Millisecond)
						continue
					case errors.Is(err, social.ErrAlreadyFollowing):
						outcome = "already following"
					case errors.Is(err, social.ErrNotFollowing):
						outcome = "not following"
					case errors.Is(err, social.ErrAlreadyReacted):
						outcome = "already reacted"
					case errors.Is(err, social.ErrNotReacted):
						outcome = "not reacted"
					default:
						t.Errorf("%s: %v", op, err)
						return
					}
					tallies[w][op+" "+outcome]++
					if token && err == nil {
						if err := run(); err != nil {
							t.Errorf("%s retried with its token: %v", op, err)
							return
						}
						tallies[w][op+" retried with token (no-op)"]++
					}
					break
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if t.Failed() {
		return
	}

	total := tally{}
	ops := 0
	for _, tl := range tallies {
		for k, n := range tl {
			total[k] += n
			if !strings.Contains(k, "conflict") && !strings.Contains(k, "token") {
				ops += n
			}
		}
	}
	if ops != workers*opsEach {
		t.Errorf("%d operations done, want %d", ops, workers*opsEach)
	}
	keys := make([]string, 0, len(total))
	for k := range total {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var report strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&report, "\n  %-36s %5d", k, total[k])
	}
	t.Logf("%d workers x %d ops = %d operations in %v (%.0f ops/s):%s", workers, opsEach, ops, elapsed.Round(time.Millisecond), float64(ops)/elapsed.Seconds(), report.String())

	// Every counter equals the number of edges it counts, and the edges
	// are what the successful operations left.
	followEdges, reactionEdges := 0, int64(0)
	for _, u := range users {
		got := f.user(t, u)
		followers := len(f.all(t, func(c string) (*social.Page[string], error) { return f.svc.Followers(ctx, u, c, social.MaxLimit) }))
		following := len(f.all(t, func(c string) (*social.Page[string], error) { return f.svc.Following(ctx, u, c, social.MaxLimit) }))
		if got.Followers != int64(followers) || got.Following != int64(following) {
			t.Errorf("%s: followers %d, following %d counted; %d and %d edges", u, got.Followers, got.Following, followers, following)
		}
		t.Logf("%s: followers %d = %d edges, following %d = %d edges", u, got.Followers, followers, got.Following, following)
		followEdges += followers
	}
	if want := total["follow ok"] - total["unfollow ok"]; followEdges != want {
		t.Errorf("%d follow edges, want %d (follows - unfollows)", followEdges, want)
	}
	for _, p := range photos {
		edges := social.ReactionCounts{}
		var counted *social.Photo
		cursor := ""
		for {
			v, err := f.svc.ViewPhoto(ctx, p.Owner, p.ID, cursor, social.MaxLimit)
			must(t, err)
			if v.Photo != nil {
				counted = v.Photo
			}
			for _, r := range v.Reactions {
				switch r.Type {
				case social.Heart:
					edges.Heart++
				case social.Smiley:
					edges.Smiley++
				case social.ThumbsUp:
					edges.ThumbsUp++
				case social.Sunglasses:
					edges.Sunglasses++
				}
			}
			if cursor = v.Next; cursor == "" {
				break
			}
		}
		if counted.ReactionCounts != edges {
			t.Errorf("photo %s of %s: counts %+v, reactions %+v", p.ID, p.Owner, counted.ReactionCounts, edges)
		}
		t.Logf("photo of %s: counts %+v = reactions %+v", p.Owner, counted.ReactionCounts, edges)
		reactionEdges += edges.Total()
	}
	if want := int64(total["react ok"] - total["unreact ok"]); reactionEdges != want {
		t.Errorf("%d reactions, want %d (reacts - unreacts)", reactionEdges, want)
	}
}

// all reads every page of a list.
func (f *fixture) all(t *testing.T, read func(cursor string) (*social.Page[string], error)) []string {
	t.Helper()
	var items []string
	cursor := ""
	for {
		p, err := read(cursor)
		must(t, err)
		items = append(items, p.Items...)
		if cursor = p.Next; cursor == "" {
			return items
		}
	}
}
