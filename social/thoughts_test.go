package social_test

import (
	"fmt"
	"testing"

	"github.com/tablemap/tablemap/social"
)

func TestPostThought(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.users(t, "ann")
	var th social.Thought
	f.requests(t, 1, func() {
		var err error
		th, err = f.svc.PostThought(ctx, "ann", "The sky is the limit.")
		must(t, err)
	})
	diff(t, "thought", th, social.Thought{Username: "ann", ID: th.ID, Text: "The sky is the limit.", Posted: clock, Shard: "0"})
	page, err := f.svc.UserThoughts(ctx, "ann", "", 0)
	must(t, err)
	diff(t, "stored thoughts", page.Items, []social.Thought{th})

	f.requests(t, 1, func() {
		_, err := f.svc.PostThought(ctx, "nobody", "Nobody thinks.")
		wantErr(t, err, social.ErrNotFound)
	})
	f.requests(t, 0, func() {
		_, err := f.svc.PostThought(ctx, "ann", "")
		wantErr(t, err, social.ErrInvalidInput)
	})
}

func TestUserThoughts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.users(t, "ann", "anne")
	var want []social.Thought
	for i := range 5 {
		th, err := f.svc.PostThought(ctx, "ann", fmt.Sprintf("thought %d", i))
		must(t, err)
		want = append([]social.Thought{th}, want...) // newest first
		_, err = f.svc.PostThought(ctx, "anne", fmt.Sprintf("anne's thought %d", i))
		must(t, err)
	}
	got := readAll(t, f, 1, func(cursor string) (*social.Page[social.Thought], error) {
		return f.svc.UserThoughts(ctx, "ann", cursor, 2)
	})
	diff(t, "ann's thoughts, newest first", got, want)
}

func TestFeed(t *testing.T) {
	t.Parallel()
	for _, shards := range []int{1, 4} {
		t.Run(fmt.Sprintf("shards=%d", shards), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, social.WithFeedShards(shards))
			f.users(t, "ann", "bob", "cid")
			var want []social.Thought
			for i := range 9 {
				u := []string{"ann", "bob", "cid"}[i%3]
				th, err := f.svc.PostThought(ctx, u, fmt.Sprintf("%s thinks %d", u, i))
				must(t, err)
				want = append([]social.Thought{th}, want...)
			}
			used := map[string]bool{}
			for _, th := range want {
				used[th.Shard] = true
			}
			if shards > 1 && len(used) < 2 {
				t.Errorf("9 thoughts in %d shards all went to shard %v", shards, used)
			}
			got := readAll(t, f, shards, func(cursor string) (*social.Page[social.Thought], error) {
				return f.svc.Feed(ctx, cursor, 4)
			})
			diff(t, "feed, newest first", got, want)
		})
	}
}

func TestFeedCursor(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.requests(t, 0, func() {
		_, err := f.svc.Feed(ctx, "bm90IGEgY3Vyc29y", 0)
		wantErr(t, err, social.ErrInvalidCursor)
	})
	f.requests(t, 1, func() {
		p, err := f.svc.Feed(ctx, "", 0)
		must(t, err)
		diff(t, "empty feed", p, &social.Page[social.Thought]{})
	})
}

// readAll reads every page of a list of thoughts, each page in want
// requests, and returns the items in order.
func readAll(t *testing.T, f *fixture, want int, read func(cursor string) (*social.Page[social.Thought], error)) []social.Thought {
	t.Helper()
	var all []social.Thought
	cursor := ""
	for n := 0; ; n++ {
		var p *social.Page[social.Thought]
		f.requests(t, want, func() {
			var err error
			p, err = read(cursor)
			must(t, err)
		})
		all = append(all, p.Items...)
		if cursor = p.Next; cursor == "" {
			return all
		}
		if n > 10 {
			t.Fatal("too many pages")
		}
	}
}
