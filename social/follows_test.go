package social_test

import (
	"crypto/rand"
	"testing"

	"github.com/tablemap/tablemap/social"
)

func TestFollow(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.users(t, "ann", "bob")

	// The transaction, then the timeline's GetItem of bob and Query of his
	// photos (none to copy).
	f.requests(t, 3, func() { must(t, f.svc.Follow(ctx, "ann", "bob")) })
	diff(t, "ann's counts", counts(f.user(t, "ann")), [3]int64{0, 1, 0})
	diff(t, "bob's counts", counts(f.user(t, "bob")), [3]int64{1, 0, 0})

	// A repeat is refused, and completes ann's timeline again.
	f.requests(t, 3, func() { wantErr(t, f.svc.Follow(ctx, "ann", "bob"), social.ErrAlreadyFollowing) })
	f.requests(t, 1, func() { wantErr(t, f.svc.Follow(ctx, "ann", "nobody"), social.ErrNotFound) })
	f.requests(t, 1, func() { wantErr(t, f.svc.Follow(ctx, "nobody", "bob"), social.ErrNotFound) })
	f.requests(t, 0, func() { wantErr(t, f.svc.Follow(ctx, "ann", "ann"), social.ErrSelfFollow) })
	f.requests(t, 0, func() { wantErr(t, f.svc.Follow(ctx, "", "ann"), social.ErrInvalidUsername) })
	// Nothing of the refused follows moved a counter.
	diff(t, "ann's counts", counts(f.user(t, "ann")), [3]int64{0, 1, 0})
	diff(t, "bob's counts", counts(f.user(t, "bob")), [3]int64{1, 0, 0})
}

// A follow retried with its token succeeds and counts once; so does an
// unfollow.
func TestFollowRetryWithToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.users(t, "ann", "bob")
	token := rand.Text()
	for range 3 {
		f.requests(t, 3, func() { must(t, f.svc.Follow(ctx, "ann", "bob", social.Token(token))) })
	}
	diff(t, "ann's counts", counts(f.user(t, "ann")), [3]int64{0, 1, 0})
	diff(t, "bob's counts", counts(f.user(t, "bob")), [3]int64{1, 0, 0})

	// Without the token, a repeat is refused and counts nothing either.
	wantErr(t, f.svc.Follow(ctx, "ann", "bob"), social.ErrAlreadyFollowing)

	token = rand.Text()
	for range 2 {
		f.requests(t, 3, func() { must(t, f.svc.Unfollow(ctx, "ann", "bob", social.Token(token))) })
	}
	diff(t, "ann's counts", counts(f.user(t, "ann")), [3]int64{0, 0, 0})
	diff(t, "bob's counts", counts(f.user(t, "bob")), [3]int64{0, 0, 0})
}

func TestUnfollow(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.users(t, "ann", "bob", "cid")
	must(t, f.svc.Follow(ctx, "ann", "bob"))
	must(t, f.svc.Follow(ctx, "cid", "bob"))

	// The transaction, then the Query of ann's timeline for bob's entries
	// and the BatchWriteItem deleting them.
	f.requests(t, 3, func() { must(t, f.svc.Unfollow(ctx, "ann", "bob")) })
	diff(t, "ann's counts", counts(f.user(t, "ann")), [3]int64{0, 0, 0})
	diff(t, "bob's counts", counts(f.user(t, "bob")), [3]int64{1, 0, 0})
	if ok, err := f.svc.Follows(ctx, "ann", "bob"); err != nil || ok {
		t.Errorf("after unfollowing, ann follows bob = %v, %v", ok, err)
	}

	f.requests(t, 3, func() { wantErr(t, f.svc.Unfollow(ctx, "ann", "bob"), social.ErrNotFollowing) })
	f.requests(t, 3, func() { wantErr(t, f.svc.Unfollow(ctx, "ann", "nobody"), social.ErrNotFollowing) })
	f.requests(t, 0, func() { wantErr(t, f.svc.Unfollow(ctx, "bob", "bob"), social.ErrSelfFollow) })
	diff(t, "ann's counts", counts(f.user(t, "ann")), [3]int64{0, 0, 0})
	diff(t, "bob's counts", counts(f.user(t, "bob")), [3]int64{1, 0, 0})
}

func TestFollowers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.users(t, "ann", "anne", "bob", "cid", "dan", "eve")
	for _, u := range []string{"eve", "bob", "dan", "cid"} {
		must(t, f.svc.Follow(ctx, u, "ann"))
	}
	must(t, f.svc.Follow(ctx, "bob", "anne")) // anne's, not ann's
	must(t, f.svc.Follow(ctx, "ann", "dan"))  // whom ann follows, not her follower

	got := f.pages(t, func(cursor string) (*social.Page[string], error) {
		return f.svc.Followers(ctx, "ann", cursor, 3)
	})
	diff(t, "ann's followers", got, []string{"bob", "cid", "dan", "eve"})
}

func TestFollowing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.users(t, "ann", "anne", "bob", "cid", "dan", "eve")
	for _, u := range []string{"eve", "bob", "dan", "cid"} {
		must(t, f.svc.Follow(ctx, "ann", u))
	}
	must(t, f.svc.Follow(ctx, "anne", "bob")) // anne's, not ann's
	must(t, f.svc.Follow(ctx, "dan", "ann"))  // ann's follower, not whom she follows

	got := f.pages(t, func(cursor string) (*social.Page[string], error) {
		return f.svc.Following(ctx, "ann", cursor, 3)
	})
	diff(t, "whom ann follows", got, []string{"bob", "cid", "dan", "eve"})
}

func TestDoesAFollowB(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.users(t, "ann", "bob")
	must(t, f.svc.Follow(ctx, "ann", "bob"))
	for _, c := range []struct {
		a, b string
		want bool
	}{{"ann", "bob", true}, {"bob", "ann", false}, {"ann", "nobody", false}} {
		f.requests(t, 1, func() {
			got, err := f.svc.Follows(ctx, c.a, c.b)
			must(t, err)
			if got != c.want {
				t.Errorf("%s follows %s = %v, want %v", c.a, c.b, got, c.want)
			}
		})
	}
}

// pages reads every page of a list, each page in one request, and returns
// the items in order.
func (f *fixture) pages(t *testing.T, read func(cursor string) (*social.Page[string], error)) []string {
	t.Helper()
	var all []string
	cursor := ""
	for n := 0; ; n++ {
		var p *social.Page[string]
		f.requests(t, 1, func() {
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
