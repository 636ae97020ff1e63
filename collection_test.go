package tablemap_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tablemap/tablemap"
)

// A photo and its reactions and comments share the photo's partition; the
// photo's sort key sorts first.
type (
	cPhoto struct {
		_     struct{}  `tablemap:"Photo" pk:"PHOTO#{owner}#{taken}" sk:"A"`
		Owner string    `dynamo:"owner"`
		Taken time.Time `dynamo:"taken"`
		URL   string    `dynamo:"url"`
	}
	cReaction struct {
		_     struct{}  `tablemap:"Reaction" pk:"PHOTO#{owner}#{taken}" sk:"REACTION#{by}"`
		Owner string    `dynamo:"owner"`
		Taken time.Time `dynamo:"taken"`
		By    string    `dynamo:"by"`
		Kind  string    `dynamo:"kind"`
	}
	cComment struct {
		_     struct{}  `tablemap:"PhotoComment" pk:"PHOTO#{owner}#{taken}" sk:"COMMENT#{at}"`
		Owner string    `dynamo:"owner"`
		Taken time.Time `dynamo:"taken"`
		At    time.Time `dynamo:"at"`
		Text  string    `dynamo:"text"`
	}
	// cView is in the photo's partition too, but in no collection.
	cView struct {
		_     struct{}  `tablemap:"View" pk:"PHOTO#{owner}#{taken}" sk:"VIEW#{by}"`
		Owner string    `dynamo:"owner"`
		Taken time.Time `dynamo:"taken"`
		By    string    `dynamo:"by"`
	}
	// A user's profile and followers share the user's partition, with the
	// user's posts.
	cUser struct {
		_    struct{} `tablemap:"User" pk:"USER#{user}" sk:"PROFILE"`
		User string   `dynamo:"user"`
		Name string   `dynamo:"name"`
	}
	cFollower struct {
		_        struct{} `tablemap:"Follower" pk:"USER#{user}" sk:"FOLLOWER#{follower}"`
		User     string   `dynamo:"user"`
		Follower string   `dynamo:"follower"`
	}
)

type photoFixture struct {
	tbl       *tablemap.Table
	m         *tablemap.Meter
	photos    *tablemap.Entity[cPhoto]
	reactions *tablemap.Entity[cReaction]
	comments  *tablemap.Entity[cComment]
	photo     cPhoto
	rs        []cReaction
	cs        []cComment
}

// photoPartition stores a photo with n reactions, two comments and views,
// and another photo of the same owner with a reaction.
func photoPartition(t *testing.T, n int) photoFixture {
	t.Helper()
	tbl, m := setup(t)
	f := photoFixture{tbl: tbl, m: m,
		photos:    define[cPhoto](t, tbl),
		reactions: define[cReaction](t, tbl),
		comments:  define[cComment](t, tbl),
	}
	views := define[cView](t, tbl)
	create(t, tbl, m)
	f.photo = cPhoto{Owner: "ann", Taken: t0, URL: "https://x/1.jpg"}
	w := tbl.BatchWrite().Put(f.photos.Put(f.photo))
	for i := range n {
		r := cReaction{Owner: "ann", Taken: t0, By: fmt.Sprintf("user%03d", i), Kind: "like"}
		f.rs = append(f.rs, r)
		w.Put(f.reactions.Put(r))
		w.Put(views.Put(cView{Owner: "ann", Taken: t0, By: r.By}))
	}
	for i := range 2 {
		c := cComment{Owner: "ann", Taken: t0, At: minute(i), Text: "wow"}
		f.cs = append(f.cs, c)
		w.Put(f.comments.Put(c))
	}
	other := cPhoto{Owner: "ann", Taken: minute(1), URL: "https://x/2.jpg"}
	w.Put(f.photos.Put(other), f.reactions.Put(cReaction{Owner: "ann", Taken: other.Taken, By: "zed", Kind: "wow"}))
	if err := w.Run(ctx); err != nil {
		t.Fatal(err)
	}
	m.Reset()
	return f
}

func TestCollectionPhotoAndReactions(t *testing.T) {
	t.Parallel()
	f := photoPartition(t, 5)
	got, err := tablemap.Collect2(f.photos.Query(cPhoto{Owner: "ann", Taken: t0}), f.reactions).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "photo and reactions", &tablemap.Page2[cPhoto, cReaction]{A: []cPhoto{f.photo}, B: f.rs}, got)
	if n := f.m.Requests(); n != 1 {
		t.Errorf("%d requests, want 1 (%v)", n, f.m)
	}

	f.m.Reset()
	got3, err := tablemap.Collect3(f.photos.Query(cPhoto{Owner: "ann", Taken: t0}), f.reactions, f.comments).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "photo, reactions and comments", &tablemap.Page3[cPhoto, cReaction, cComment]{A: []cPhoto{f.photo}, B: f.rs, C: f.cs}, got3)
	if n := f.m.Requests(); n != 1 {
		t.Errorf("%d requests, want 1 (%v)", n, f.m)
	}

	// Newest first: the reactions, newest by sort key, then the photo.
	got, err = tablemap.Collect2(f.photos.Query(cPhoto{Owner: "ann", Taken: t0}).Newest().Limit(3), f.reactions).Page(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "newest 3", []cReaction{f.rs[4], f.rs[3], f.rs[2]}, got.B)
	diff(t, "no photo among the newest 3", 0, len(got.A))

	// A sort key condition on the first entity's template.
	got, err = tablemap.Collect2(f.photos.Query(cPhoto{Owner: "ann", Taken: t0}).SKEqual(cPhoto{}), f.reactions).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "photo only", &tablemap.Page2[cPhoto, cReaction]{A: []cPhoto{f.photo}}, got)
}

func TestCollectionPages(t *testing.T) {
	t.Parallel()
	f := photoPartition(t, 250)
	c := tablemap.Collect2(f.photos.Query(cPhoto{Owner: "ann", Taken: t0}).Limit(40), f.reactions)
	var rs []cReaction
	cursor := ""
	for n := 1; ; n++ {
		p, err := c.Page(ctx, cursor)
		if err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			diff(t, "photo on the first page", []cPhoto{f.photo}, p.A)
		} else if len(p.A) > 0 {
			t.Errorf("page %d has the photo again", n)
		}
		if p.Next != "" && len(p.A)+len(p.B) != 40 {
			t.Errorf("page %d has %d items, want 40", n, len(p.A)+len(p.B))
		}
		rs = append(rs, p.B...)
		if p.Next == "" {
			break
		}
		cursor = p.Next
	}
	diff(t, "every reaction once", f.rs, rs)

	// Cursors of the collection are its own.
	q := f.photos.Query(cPhoto{Owner: "ann", Taken: t0}).Limit(1)
	p, err := q.Page(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	f.m.Reset()
	if _, err := c.Page(ctx, p.Next+"x"); !errors.Is(err, tablemap.ErrInvalidCursor) {
		t.Errorf("garbage cursor: error %v, want ErrInvalidCursor", err)
	}
	first, err := c.Page(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	f.m.Reset()
	c3 := tablemap.Collect3(f.photos.Query(cPhoto{Owner: "ann", Taken: t0}), f.reactions, f.comments)
	if _, err := c3.Page(ctx, first.Next); !errors.Is(err, tablemap.ErrInvalidCursor) {
		t.Errorf("cursor of another collection: error %v, want ErrInvalidCursor", err)
	}
	if _, err := q.Page(ctx, first.Next); !errors.Is(err, tablemap.ErrInvalidCursor) {
		t.Errorf("collection cursor for a query: error %v, want ErrInvalidCursor", err)
	}
	if n := f.m.Requests(); n != 0 {
		t.Errorf("%d requests with invalid cursors, want 0", n)
	}
}

func TestCollectionUserAndFollowers(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	users := define[cUser](t, tbl)
	followers := define[cFollower](t, tbl)
	posts := define[qPost](t, tbl)
	create(t, tbl, m)
	bob := cUser{User: "bob", Name: "Bob"}
	fs := []cFollower{{User: "bob", Follower: "ann"}, {User: "bob", Follower: "cat"}}
	w := tbl.BatchWrite().Put(users.Put(bob), users.Put(cUser{User: "bobby"}))
	w.Put(followers.Put(fs[0]), followers.Put(fs[1]), followers.Put(cFollower{User: "bobby", Follower: "dan"}))
	w.Put(posts.Put(qPost{User: "bob", Posted: t0, ID: 1}))
	if err := w.Run(ctx); err != nil {
		t.Fatal(err)
	}
	m.Reset()
	c := tablemap.Collect2(users.Query(cUser{User: "bob"}), followers)
	got, err := c.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "bob and followers", &tablemap.Page2[cUser, cFollower]{A: []cUser{bob}, B: fs}, got)
	if n := m.Requests(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
	in, err := c.Params()
	if err != nil {
		t.Fatal(err)
	}
	if got := *in.KeyConditionExpression; strings.Contains(got, "begins_with") {
		t.Errorf("key condition %q narrows the sort key; profile and followers share no prefix", got)
	}
	if got := *in.FilterExpression; !strings.Contains(got, " IN ") {
		t.Errorf("filter %q does not keep the collection's entity types", got)
	}

	// Definition errors, before any request.
	m.Reset()
	if _, err := tablemap.Collect2(users.Query(cUser{User: "bob"}), users).Run(ctx); err == nil {
		t.Error("an entity twice: no error")
	}
	if _, err := tablemap.Collect2(users.Query(cUser{User: "bob"}).Index("GSI1"), posts).Run(ctx); err == nil {
		t.Error("an index the first entity lacks: no error")
	}
	if _, err := tablemap.Collect2(users.Query(cUser{}), followers).Run(ctx); !errors.Is(err, tablemap.ErrInvalidKey) {
		t.Errorf("no partition: error %v, want ErrInvalidKey", err)
	}
	other, _ := setup(t)
	photos := define[cPhoto](t, other)
	otherUsers := define[cUser](t, other)
	if _, err := tablemap.Collect2(photos.Query(cPhoto{Owner: "ann", Taken: t0}), followers).Run(ctx); err == nil {
		t.Error("entities of two tables: no error")
	}
	if _, err := tablemap.Collect2(photos.Query(cPhoto{Owner: "ann", Taken: t0}), otherUsers).Run(ctx); err == nil {
		t.Error("an entity whose partition key template cannot make the partition: no error")
	}
	if n := m.Requests(); n != 0 {
		t.Errorf("%d requests, want 0", n)
	}
}
