package social_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/dynamotest"
	"github.com/tablemap/tablemap/social"
)

// Usernames holding the key delimiter '#' and the escape character '%'
// work, and none reaches another's items.
func TestUsernameIsolation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	names := []string{"ann", "ann#PHOTO", "ann%23", "ann#", "ann%", "ann#PHOTO#ann", "anne", "PROFILE#ann"}
	f.users(t, names...)
	photos := map[string]social.Photo{}
	thoughts := map[string]social.Thought{}
	for i, n := range names {
		photos[n] = f.photo(t, n)
		th, err := f.svc.PostThought(ctx, n, "thought of "+n)
		must(t, err)
		thoughts[n] = th
		// Each follows the next one and reacts to its photo.
		next := names[(i+1)%len(names)]
		must(t, f.svc.Follow(ctx, n, next))
	}
	for i, n := range names {
		next := names[(i+1)%len(names)]
		must(t, f.svc.React(ctx, n, next, photos[next].ID, social.Heart))
	}
	for i, n := range names {
		prev := names[(i+len(names)-1)%len(names)]
		next := names[(i+1)%len(names)]
		u := f.user(t, n)
		diff(t, n+"'s profile", u, social.User{Username: n, Name: "Name of " + n, Followers: 1, Following: 1, Photos: 1, Created: clock})

		ps, err := f.svc.RecentPhotos(ctx, n, "", 0)
		must(t, err)
		wantPhoto := photos[n]
		wantPhoto.Heart = 1
		diff(t, n+"'s photos", ps.Items, []social.Photo{wantPhoto})

		ts, err := f.svc.UserThoughts(ctx, n, "", 0)
		must(t, err)
		diff(t, n+"'s thoughts", ts.Items, []social.Thought{thoughts[n]})

		fs, err := f.svc.Followers(ctx, n, "", 0)
		must(t, err)
		diff(t, n+"'s followers", fs.Items, []string{prev})
		fg, err := f.svc.Following(ctx, n, "", 0)
		must(t, err)
		diff(t, "whom "+n+" follows", fg.Items, []string{next})

		v, err := f.svc.ViewPhoto(ctx, n, photos[n].ID, "", 0)
		must(t, err)
		diff(t, n+"'s photo view", v, &social.PhotoView{Photo: &wantPhoto, Reactions: []social.Reaction{{User: prev, Type: social.Heart, Owner: n, PhotoID: photos[n].ID}}})

		// Another user's photo id under n is nobody's photo.
		_, err = f.svc.ViewPhoto(ctx, n, photos[next].ID, "", 0)
		wantErr(t, err, social.ErrNotFound)
		wantErr(t, f.svc.React(ctx, n, n, photos[next].ID, social.Smiley), social.ErrNotFound)
	}
	// Cursors of one user do not read another's lists.
	page, err := f.svc.RecentPhotos(ctx, "ann", "", 1)
	must(t, err)
	if page.Next == "" {
		t.Fatal("a full page of one photo has no cursor")
	}
	_, err = f.svc.RecentPhotos(ctx, "ann#PHOTO", page.Next, 1)
	wantErr(t, err, social.ErrInvalidCursor)
}

// Order is an entity of the caller's own, on the table it shares with the
// social entities.
type Order struct {
	_     struct{} `tablemap:"Order" pk:"ORDER#{id}" sk:"ORDER" gsi1pk:"CUSTOMER#{customer}" gsi1sk:"{id}"`
	ID    string   `dynamo:"id"`
	Owner string   `dynamo:"customer"`
	Total int      `dynamo:"total"`
}

func TestSharedTable(t *testing.T) {
	t.Parallel()
	m := tablemap.NewMeter()
	tbl := tablemap.NewTable(dynamotest.Client(t, m.Attach), dynamotest.TableName(t), tablemap.WithInvertedIndex())
	orders, err := tablemap.Define[Order](tbl)
	must(t, err)
	svc, err := social.New(tbl)
	must(t, err)
	must(t, tbl.CreateTable(ctx))

	_, err = svc.CreateUser(ctx, social.User{Username: "ann"})
	must(t, err)
	must(t, orders.Put(Order{ID: "o1", Owner: "ann", Total: 42}).Run(ctx))
	_, err = svc.PostThought(ctx, "ann", "shared tables are fine")
	must(t, err)

	got, err := orders.Query(Order{Owner: "ann"}).Index("GSI1").Page(ctx, "")
	must(t, err)
	diff(t, "ann's orders", got.Items, []Order{{ID: "o1", Owner: "ann", Total: 42}})
	feed, err := svc.Feed(ctx, "", 0)
	must(t, err)
	if len(feed.Items) != 1 {
		t.Errorf("feed = %v, want the one thought", feed.Items)
	}
	// The exposed entities are the service's own.
	u, err := svc.Entities().Users.Get(social.User{Username: "ann"}).Run(ctx)
	must(t, err)
	if u.Username != "ann" {
		t.Errorf("user = %+v", u)
	}
	// A second service on the same table would claim the same type names.
	if _, err := social.New(tbl); err == nil {
		t.Error("a second New on one table: no error")
	}
}

func TestNewNeedsInvertedIndex(t *testing.T) {
	t.Parallel()
	m := tablemap.NewMeter()
	tbl := tablemap.NewTable(dynamotest.Client(t, m.Attach), "no-inverted-index")
	_, err := social.New(tbl)
	if err == nil || !strings.Contains(err.Error(), "WithInvertedIndex") {
		t.Errorf("New on a table without the inverted index: %v", err)
	}
	if _, err := social.New(tablemap.NewTable(nil, "x", tablemap.WithInvertedIndex()), social.WithFeedShards(0)); err == nil {
		t.Error("New with 0 feed shards: no error")
	}
	if m.Requests() != 0 {
		t.Errorf("New sent %d requests", m.Requests())
	}
}

// Pages are bounded: no limit reads DefaultLimit items, a limit over
// MaxLimit reads MaxLimit.
func TestLimits(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	names := []string{"ann"}
	for i := range social.MaxLimit + 5 {
		names = append(names, fmt.Sprintf("fan%03d", i))
	}
	f.users(t, names...)
	for _, n := range names[1:] {
		must(t, f.svc.Follow(ctx, n, "ann"))
	}
	for _, c := range []struct{ limit, want int }{{0, social.DefaultLimit}, {-1, social.DefaultLimit}, {1000, social.MaxLimit}, {7, 7}} {
		f.requests(t, 1, func() {
			p, err := f.svc.Followers(ctx, "ann", "", c.limit)
			must(t, err)
			if len(p.Items) != c.want || p.Next == "" {
				t.Errorf("limit %d: %d items (next %q), want %d and a next page", c.limit, len(p.Items), p.Next, c.want)
			}
		})
	}
}
