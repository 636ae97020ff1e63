package social_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"

	"github.com/tablemap/tablemap/social"
)

// A row is what a timeline shows of a photo.
type row struct {
	Owner, ID, URL string
	Uploaded       time.Time
}

func rowOf(p social.Photo) row { return row{p.Owner, p.ID, p.URL, p.Uploaded} }

// newestFirst sorts rows as timelines do: by upload time, owner and id,
// all descending.
func newestFirst(rows []row) []row {
	slices.SortFunc(rows, func(a, b row) int {
		if c := b.Uploaded.Compare(a.Uploaded); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Owner, a.Owner); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	return rows
}

// photoRows returns the rows of photos, newest first.
func photoRows(photos ...social.Photo) []row {
	rows := []row{}
	for _, p := range photos {
		rows = append(rows, rowOf(p))
	}
	return newestFirst(rows)
}

// A clock the tests move by hand; safe for concurrent use.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// timeline reads user's whole timeline, limit entries a page, and returns
// its rows and the requests each page took. It fails the test on a page
// longer than limit or a cursor that does not move on.
func (f *fixture) timeline(t *testing.T, user string, limit int) ([]row, []int) {
	t.Helper()
	rows := []row{}
	var requests []int
	cursor := ""
	for {
		f.m.Reset()
		p, err := f.svc.Timeline(ctx, user, cursor, limit)
		if err != nil {
			t.Fatalf("timeline of %s: %v", user, err)
		}
		requests = append(requests, f.m.Requests())
		if len(p.Items) > limit || (p.Next != "" && len(p.Items) == 0) {
			t.Fatalf("timeline of %s: page of %d items, next %q (limit %d)", user, len(p.Items), p.Next, limit)
		}
		for _, e := range p.Items {
			if e.User != user {
				t.Fatalf("timeline of %s holds an entry of %s's", user, e.User)
			}
			rows = append(rows, row{e.Owner, e.ID, e.URL, e.Uploaded})
		}
		if p.Next == "" {
			return rows, requests
		}
		if p.Next == cursor {
			t.Fatalf("timeline of %s: cursor does not move", user)
		}
		cursor = p.Next
	}
}

func (f *fixture) upload(t *testing.T, c *manualClock, owner string, at time.Time) social.Photo {
	t.Helper()
	c.set(at)
	p, err := f.svc.UploadPhoto(ctx, owner, "s3://photos/"+owner+"/"+at.Format(time.RFC3339Nano)+".jpg", "")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func repeat(n, v int) []int { return slices.Repeat([]int{v}, n) }

// Access patterns of the timeline of a user who follows no celebrity: every
// page is one Query; uploads fan out, follows backfill, unfollows and
// deletes take photos out.
func TestTimeline(t *testing.T) {
	t.Parallel()
	c := &manualClock{t: clock}
	f := newFixture(t, social.WithClock(c.now))
	f.users(t, "ann", "bob", "cid", "dan")
	must(t, f.svc.Follow(ctx, "ann", "bob"))
	must(t, f.svc.Follow(ctx, "ann", "cid"))

	// Uploads out of time order; bob's two last ones at the same instant.
	var bob, cid []social.Photo
	at := func(min int) time.Time { return clock.Add(time.Duration(min) * time.Minute) }
	f.requests(t, 5, func() { // GetItem, transaction, Query of followers, BatchWriteItem, UpdateItem
		bob = append(bob, f.upload(t, c, "bob", at(5)))
	})
	cid = append(cid, f.upload(t, c, "cid", at(2)))
	bob = append(bob, f.upload(t, c, "bob", at(1)))
	cid = append(cid, f.upload(t, c, "cid", at(4)))
	bob = append(bob, f.upload(t, c, "bob", at(3)), f.upload(t, c, "bob", at(3)))

	got, requests := f.timeline(t, "ann", 2)
	diff(t, "ann's timeline", got, photoRows(append(bob, cid...)...))
	diff(t, "requests per page", requests, repeat(3, 1)) // and no empty last page

	// dan follows bob: the transaction, bob's profile, the Query of his
	// photos and one BatchWriteItem copying them.
	f.requests(t, 4, func() { must(t, f.svc.Follow(ctx, "dan", "bob")) })
	got, _ = f.timeline(t, "dan", 10)
	diff(t, "dan's timeline after following bob", got, photoRows(bob...))

	// ann unfollows cid: cid's photos leave her timeline.
	f.requests(t, 3, func() { must(t, f.svc.Unfollow(ctx, "ann", "cid")) })
	got, _ = f.timeline(t, "ann", 10)
	diff(t, "ann's timeline after unfollowing cid", got, photoRows(bob...))

	// A deleted photo leaves every timeline: GetItem, the Query of its
	// entries, one BatchWriteItem, the transaction.
	f.requests(t, 4, func() { must(t, f.svc.DeletePhoto(ctx, "bob", bob[0].ID)) })
	bob = bob[1:]
	for _, u := range []string{"ann", "dan"} {
		got, _ = f.timeline(t, u, 10)
		diff(t, u+"'s timeline after the delete", got, photoRows(bob...))
	}
	diff(t, "bob's photo count", f.user(t, "bob").Photos, int64(3))
	f.requests(t, 1, func() { wantErr(t, f.svc.DeletePhoto(ctx, "bob", bob[0].ID+"x"), social.ErrNotFound) })

	// Empty timelines, foreign and broken cursors.
	f.requests(t, 1, func() {
		p, err := f.svc.Timeline(ctx, "cid", "", 0)
		must(t, err)
		diff(t, "cid's timeline", p, &social.Page[social.TimelineEntry]{Items: []social.TimelineEntry{}})
	})
	p, err := f.svc.Timeline(ctx, "ann", "", 1)
	must(t, err)
	f.requests(t, 0, func() {
		_, err := f.svc.Timeline(ctx, "dan", p.Next, 1)
		wantErr(t, err, social.ErrInvalidCursor)
		_, err = f.svc.Timeline(ctx, "ann", "bm90IGEgY3Vyc29y", 1)
		wantErr(t, err, social.ErrInvalidCursor)
		_, err = f.svc.Timeline(ctx, "", "", 1)
		wantErr(t, err, social.ErrInvalidUsername)
	})
}

// A delete retried with its token succeeds and counts once.
func TestDeletePhotoRetryWithToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.users(t, "ann", "bob")
	must(t, f.svc.Follow(ctx, "bob", "ann"))
	p := f.photo(t, "ann")
	f.photo(t, "ann")
	token := social.Token("delete-" + p.ID)
	for range 2 {
		must(t, f.svc.DeletePhoto(ctx, "ann", p.ID, token))
	}
	diff(t, "ann's photo count", f.user(t, "ann").Photos, int64(1))
	wantErr(t, f.svc.DeletePhoto(ctx, "ann", p.ID), social.ErrNotFound)
	got, _ := f.timeline(t, "bob", 10)
	if len(got) != 1 || got[0].ID == p.ID {
		t.Errorf("bob's timeline after the delete: %v", got)
	}
}

// An account followed by more users than the threshold is not fanned out;
// its followers' timelines read its photos at view time and merge them,
// without duplicates, with the photos copied before it crossed.
func TestTimelineCelebrity(t *testing.T) {
	t.Parallel()
	c := &manualClock{t: clock}
	f := newFixture(t, social.WithClock(c.now), social.WithCelebrityThreshold(2))
	f.users(t, "star", "ann", "bob", "cid", "dan")
	at := func(min int) time.Time { return clock.Add(time.Duration(min) * time.Minute) }

	star := []social.Photo{f.upload(t, c, "star", at(10))}
	must(t, f.svc.Follow(ctx, "ann", "star")) // backfilled
	must(t, f.svc.Follow(ctx, "bob", "star"))
	star = append(star, f.upload(t, c, "star", at(30))) // fanned out to ann and bob
	must(t, f.svc.Follow(ctx, "cid", "star"))           // 3 followers: star is a celebrity
	if !f.user(t, "star").Celebrity {
		t.Fatal("star has 3 followers and is no celebrity")
	}
	f.requests(t, 2, func() { // GetItem and the transaction: no fan-out
		star = append(star, f.upload(t, c, "star", at(50)))
	})
	must(t, f.svc.Follow(ctx, "ann", "dan"))
	var dan []social.Photo
	for _, m := range []int{5, 20, 30, 40, 60} {
		dan = append(dan, f.upload(t, c, "dan", at(m)))
	}

	// cid's timeline is star's photos, read from GSI1: the Query of cid's
	// partition (its CelebrityFollow) and one of star's photos.
	got, requests := f.timeline(t, "cid", 10)
	diff(t, "cid's timeline", got, photoRows(star...))
	diff(t, "requests", requests, []int{2})

	// ann's timeline merges dan's entries, star's copied photos and star's
	// photos read at view time, each photo once, page by page: 3 requests
	// a page. The first page's Query of ann's partition returns her
	// CelebrityFollow and entries; they took room, so a second Query reads
	// on; then one of star's photos. A next page queries the entries below
	// the cursor, the CelebrityFollows and star's photos.
	want := photoRows(append(slices.Clone(star), dan...)...)
	got, requests = f.timeline(t, "ann", 2)
	diff(t, "ann's timeline", got, want)
	diff(t, "requests per page", requests, repeat(4, 3))
	got, _ = f.timeline(t, "ann", 3)
	diff(t, "ann's timeline by 3", got, want)

	// Following a celebrity copies nothing: the transaction, the GetItem,
	// the PutItem of the CelebrityFollow.
	f.requests(t, 3, func() { must(t, f.svc.Follow(ctx, "dan", "star")) })
	got, _ = f.timeline(t, "dan", 10)
	diff(t, "dan's timeline", got, photoRows(star...))

	// Unfollowing removes the CelebrityFollow and the copies.
	must(t, f.svc.Unfollow(ctx, "ann", "star"))
	got, requests = f.timeline(t, "ann", 10)
	diff(t, "ann's timeline without star", got, photoRows(dan...))
	diff(t, "requests", requests, []int{1})

	// A celebrity stays one when followers leave.
	must(t, f.svc.Unfollow(ctx, "bob", "star"))
	must(t, f.svc.Unfollow(ctx, "cid", "star"))
	f.requests(t, 2, func() { star = append(star, f.upload(t, c, "star", at(70))) })
	got, _ = f.timeline(t, "dan", 10)
	diff(t, "dan's timeline", got, photoRows(star...))
}

// Timelines show no photo older than the TTL, from any source, and a
// follow copies none.
func TestTimelineTTL(t *testing.T) {
	t.Parallel()
	c := &manualClock{t: clock}
	f := newFixture(t, social.WithClock(c.now), social.WithTimelineTTL(48*time.Hour), social.WithCelebrityThreshold(2))
	f.users(t, "ann", "bob", "star", "fan")
	must(t, f.svc.Follow(ctx, "fan", "star"))
	must(t, f.svc.Follow(ctx, "ann", "star"))
	must(t, f.svc.Follow(ctx, "bob", "star")) // star: a celebrity
	must(t, f.svc.Follow(ctx, "ann", "bob"))
	old := []social.Photo{f.upload(t, c, "bob", clock), f.upload(t, c, "star", clock)}
	recent := []social.Photo{f.upload(t, c, "bob", clock.Add(24*time.Hour)), f.upload(t, c, "star", clock.Add(24*time.Hour))}

	c.set(clock.Add(47 * time.Hour))
	got, _ := f.timeline(t, "ann", 1)
	diff(t, "ann's timeline within the TTL", got, photoRows(append(old, recent...)...))
	c.set(clock.Add(60 * time.Hour))
	got, _ = f.timeline(t, "ann", 1)
	diff(t, "ann's timeline after the TTL of the old photos", got, photoRows(recent...))
	must(t, f.svc.Follow(ctx, "fan", "bob"))
	got, _ = f.timeline(t, "fan", 10)
	diff(t, "fan's timeline", got, photoRows(recent...))
	e, err := f.svc.Entities().Timelines.Get(social.TimelineEntry{User: "fan", Owner: "bob", ID: recent[0].ID, Uploaded: recent[0].Uploaded}).Run(ctx)
	must(t, err)
	diff(t, "entry's expiry", e.Expires, recent[0].Uploaded.Add(48*time.Hour))
}

// failBatches makes the client fail every BatchWriteItem while fail is
// set, as a lost connection would, before sending it.
func failBatches(fail *atomic.Bool) func(*dynamodb.Options) {
	return func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Initialize.Add(middleware.InitializeMiddlewareFunc("failBatches",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					if _, ok := in.Parameters.(*dynamodb.BatchWriteItemInput); ok && fail.Load() {
						return middleware.InitializeOutput{}, middleware.Metadata{}, errors.New("injected failure")
					}
					return next.HandleInitialize(ctx, in)
				}), middleware.Before)
		})
	}
}

// A fan-out cut short leaves the photo stored and pending; the owner's
// next upload, or Refanout, completes it. A follow whose backfill failed
// completes when repeated.
func TestFanoutRecovery(t *testing.T) {
	t.Parallel()
	var fail atomic.Bool
	f := newFixtureClient(t, []func(*dynamodb.Options){failBatches(&fail)})
	f.users(t, "ann", "bob", "cid")
	must(t, f.svc.Follow(ctx, "ann", "bob"))

	fail.Store(true)
	p1, err := f.svc.UploadPhoto(ctx, "bob", "s3://1.jpg", "")
	wantErr(t, err, social.ErrFanoutIncomplete)
	fail.Store(false)
	if _, err := f.svc.GetPhoto(ctx, "bob", p1.ID); err != nil {
		t.Fatalf("the photo of an incomplete fan-out: %v", err)
	}
	diff(t, "bob's pending fan-outs", f.user(t, "bob").FanoutPending, []string{p1.ID})
	got, _ := f.timeline(t, "ann", 10)
	diff(t, "ann's timeline before the repair", got, []row{})

	p2 := f.photo(t, "bob") // completes p1's fan-out too
	got, _ = f.timeline(t, "ann", 10)
	diff(t, "ann's timeline after bob's next upload", got, photoRows(p1, p2))
	diff(t, "bob's pending fan-outs", f.user(t, "bob").FanoutPending, []string(nil))

	fail.Store(true)
	p3, err := f.svc.UploadPhoto(ctx, "bob", "s3://3.jpg", "")
	wantErr(t, err, social.ErrFanoutIncomplete)
	fail.Store(false)
	must(t, f.svc.Refanout(ctx, "bob", p3.ID))
	must(t, f.svc.Refanout(ctx, "bob", p3.ID)) // idempotent
	got, _ = f.timeline(t, "ann", 10)
	diff(t, "ann's timeline after Refanout", got, photoRows(p1, p2, p3))
	diff(t, "bob's pending fan-outs", f.user(t, "bob").FanoutPending, []string(nil))

	// A follow whose backfill failed stands, and its repeat completes it.
	c1 := f.photo(t, "cid")
	fail.Store(true)
	wantErr(t, f.svc.Follow(ctx, "ann", "cid"), social.ErrFanoutIncomplete)
	fail.Store(false)
	wantErr(t, f.svc.Follow(ctx, "ann", "cid"), social.ErrAlreadyFollowing)
	got, _ = f.timeline(t, "ann", 10)
	diff(t, "ann's timeline after the repeated follow", got, photoRows(p1, p2, p3, c1))
	// So does an unfollow's.
	fail.Store(true)
	wantErr(t, f.svc.Unfollow(ctx, "ann", "cid"), social.ErrFanoutIncomplete)
	fail.Store(false)
	wantErr(t, f.svc.Unfollow(ctx, "ann", "cid"), social.ErrNotFollowing)
	got, _ = f.timeline(t, "ann", 10)
	diff(t, "ann's timeline after the repeated unfollow", got, photoRows(p1, p2, p3))
}

// TestTimelineRandom runs a seeded random history — 50 users, random
// follows, 500 uploads at random times (ties included), follows, unfollows
// and deletes in between, one account crossing a small celebrity
// threshold — then reads every user's timeline page by page and requires
// exactly the photos of the users they follow at the end, newest first,
// each once, and one request a page for users who follow no celebrity.
func TestTimelineRandom(t *testing.T) {
	if testing.Short() {
		t.Skip("random history skipped in -short mode")
	}
	t.Parallel()
	const (
		nUsers    = 50
		nUploads  = 500
		threshold = 15
	)
	c := &manualClock{t: clock}
	h := &history{
		t:       t,
		f:       newFixture(t, social.WithClock(c.now), social.WithCelebrityThreshold(threshold)),
		r:       rand.New(rand.NewPCG(19, 2026)),
		follows: map[string]map[string]bool{},
		photos:  map[string][]social.Photo{},
	}
	for i := range nUsers {
		h.names = append(h.names, fmt.Sprintf("user%02d", i))
	}
	h.star = h.names[0]
	h.f.users(t, h.names...)
	for _, a := range h.names {
		for range 3 {
			h.follow(a, h.other())
		}
	}
	for h.followers(h.star) < threshold-5 {
		h.follow(h.other(), h.star)
	}
	for range nUploads {
		h.upload(c)
		h.change()
	}
	c.set(clock.Add(8 * 24 * time.Hour))
	h.check(7)
}

// A history is TestTimelineRandom's model of the service: who follows
// whom, and the photos that exist.
type history struct {
	t        *testing.T
	f        *fixture
	r        *rand.Rand
	names    []string
	star     string                     // the account that becomes a celebrity
	follows  map[string]map[string]bool // follower → followed
	photos   map[string][]social.Photo  // owner → photos
	uploaded []social.Photo             // every upload, deleted or not
}

func (h *history) other() string { return h.names[1+h.r.IntN(len(h.names)-1)] }

func (h *history) followers(u string) int {
	n := 0
	for _, fs := range h.follows {
		if fs[u] {
			n++
		}
	}
	return n
}

func (h *history) follow(a, b string) {
	if a == b || h.follows[a][b] {
		return
	}
	must(h.t, h.f.svc.Follow(ctx, a, b))
	if h.follows[a] == nil {
		h.follows[a] = map[string]bool{}
	}
	h.follows[a][b] = true
}

// upload uploads a photo of a random user (often the star) at a random
// time, a fifth of the time one another photo has.
func (h *history) upload(c *manualClock) {
	at := clock.Add(time.Duration(h.r.IntN(7*24*60)) * time.Minute)
	if n := len(h.uploaded); n > 0 && h.r.IntN(5) == 0 {
		at = h.uploaded[h.r.IntN(n)].Uploaded
	}
	owner := h.other()
	if h.r.IntN(10) == 0 {
		owner = h.star
	}
	p := h.f.upload(h.t, c, owner, at)
	h.photos[owner] = append(h.photos[owner], p)
	h.uploaded = append(h.uploaded, p)
}

// change makes a random follow (a fifth of them of the star, until it has
// 25 followers), unfollow or delete, or nothing.
func (h *history) change() {
	switch x := h.r.IntN(100); {
	case x < 25:
		b := h.other()
		if h.r.IntN(5) == 0 && h.followers(h.star) < 25 {
			b = h.star
		}
		h.follow(h.names[h.r.IntN(len(h.names))], b)
	case x < 35:
		a := h.names[h.r.IntN(len(h.names))]
		if bs := slices.Sorted(maps.Keys(h.follows[a])); len(bs) > 0 {
			b := bs[h.r.IntN(len(bs))]
			must(h.t, h.f.svc.Unfollow(ctx, a, b))
			delete(h.follows[a], b)
		}
	case x < 38:
		p := h.uploaded[h.r.IntN(len(h.uploaded))]
		if i := slices.IndexFunc(h.photos[p.Owner], func(q social.Photo) bool { return q.ID == p.ID }); i >= 0 {
			must(h.t, h.f.svc.DeletePhoto(ctx, p.Owner, p.ID))
			h.photos[p.Owner] = slices.Delete(h.photos[p.Owner], i, i+1)
		}
	}
}

// check requires that only the star is a celebrity, that every user's
// timeline, read limit entries a page, is the photos of the users they
// follow, and that each page of a user who does not follow the star took
// one request.
func (h *history) check(limit int) {
	t := h.t
	for _, u := range h.names {
		got := h.f.user(t, u)
		if want := u == h.star; got.Celebrity != want {
			t.Errorf("%s (%d followers): celebrity = %v, want %v", u, got.Followers, got.Celebrity, want)
		}
	}
	celebrityFollowers, pages := 0, 0
	for _, u := range h.names {
		var want []social.Photo
		for b := range h.follows[u] {
			want = append(want, h.photos[b]...)
		}
		got, requests := h.f.timeline(t, u, limit)
		diff(t, u+"'s timeline", got, photoRows(want...))
		if h.follows[u][h.star] {
			celebrityFollowers++
			continue
		}
		pages += len(requests)
		diff(t, u+"'s requests per page", requests, repeat(len(requests), 1))
	}
	t.Logf("%d users, %d following the celebrity %s (%d followers); %d timeline pages of users following no celebrity, 1 request each",
		len(h.names), celebrityFollowers, h.star, h.followers(h.star), pages)
	if celebrityFollowers == 0 || celebrityFollowers == len(h.names)-1 {
		t.Errorf("%d users follow the celebrity: the test covers only one kind of timeline", celebrityFollowers)
	}
}
