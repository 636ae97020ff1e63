package social_test

import (
	"crypto/rand"
	"testing"

	"github.com/tablemap/tablemap/social"
)

func TestReact(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.users(t, "ann", "bob")
	p := f.photo(t, "ann")

	f.requests(t, 1, func() { must(t, f.svc.React(ctx, "bob", "ann", p.ID, social.Heart)) })
	f.requests(t, 1, func() { must(t, f.svc.React(ctx, "bob", "ann", p.ID, social.Sunglasses)) })
	f.requests(t, 1, func() { must(t, f.svc.React(ctx, "ann", "ann", p.ID, social.Heart)) })
	want := social.ReactionCounts{Heart: 2, Sunglasses: 1}
	f.wantCounts(t, p, want)

	f.requests(t, 1, func() {
		wantErr(t, f.svc.React(ctx, "bob", "ann", p.ID, social.Heart), social.ErrAlreadyReacted)
	})
	f.requests(t, 0, func() {
		wantErr(t, f.svc.React(ctx, "bob", "ann", p.ID, "thumbs-down"), social.ErrInvalidReaction)
	})
	f.requests(t, 1, func() {
		wantErr(t, f.svc.React(ctx, "bob", "ann", "01NOSUCHPHOTO0000000000000", social.Smiley), social.ErrNotFound)
	})
	f.requests(t, 1, func() {
		wantErr(t, f.svc.React(ctx, "nobody", "ann", p.ID, social.Smiley), social.ErrNotFound)
	})
	f.wantCounts(t, p, want)
}

func TestReactRetryWithToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.users(t, "ann", "bob")
	p := f.photo(t, "ann")
	token := rand.Text()
	for range 3 {
		f.requests(t, 1, func() { must(t, f.svc.React(ctx, "bob", "ann", p.ID, social.Smiley, social.Token(token))) })
	}
	f.wantCounts(t, p, social.ReactionCounts{Smiley: 1})
	token = rand.Text()
	for range 2 {
		f.requests(t, 1, func() { must(t, f.svc.Unreact(ctx, "bob", "ann", p.ID, social.Smiley, social.Token(token))) })
	}
	f.wantCounts(t, p, social.ReactionCounts{})
}

func TestRemoveReaction(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.users(t, "ann", "bob")
	p := f.photo(t, "ann")
	must(t, f.svc.React(ctx, "bob", "ann", p.ID, social.ThumbsUp))
	must(t, f.svc.React(ctx, "bob", "ann", p.ID, social.Heart))

	f.requests(t, 1, func() { must(t, f.svc.Unreact(ctx, "bob", "ann", p.ID, social.ThumbsUp)) })
	f.wantCounts(t, p, social.ReactionCounts{Heart: 1})
	f.requests(t, 1, func() {
		wantErr(t, f.svc.Unreact(ctx, "bob", "ann", p.ID, social.ThumbsUp), social.ErrNotReacted)
	})
	f.requests(t, 0, func() {
		wantErr(t, f.svc.Unreact(ctx, "bob", "ann", p.ID, "frown"), social.ErrInvalidReaction)
	})
	f.wantCounts(t, p, social.ReactionCounts{Heart: 1})
	// The same type again after removing it is a new reaction.
	must(t, f.svc.React(ctx, "bob", "ann", p.ID, social.ThumbsUp))
	f.wantCounts(t, p, social.ReactionCounts{Heart: 1, ThumbsUp: 1})
}

func TestViewPhoto(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	reactors := []string{"ann", "bob", "cid", "dan"}
	f.users(t, reactors...)
	p := f.photo(t, "ann")
	other := f.photo(t, "ann") // its reactions must not show
	var want []social.Reaction
	for _, u := range reactors {
		for _, rt := range []social.ReactionType{social.Heart, social.Smiley} {
			must(t, f.svc.React(ctx, u, "ann", p.ID, rt))
			must(t, f.svc.React(ctx, u, "ann", other.ID, rt))
			want = append(want, social.Reaction{User: u, Type: rt, Owner: "ann", PhotoID: p.ID})
		}
	}
	// Descending order of user and type: the order of the inverted index.
	for i, j := 0, len(want)-1; i < j; i, j = i+1, j-1 {
		want[i], want[j] = want[j], want[i]
	}

	var got []social.Reaction
	cursor := ""
	for n := 0; ; n++ {
		var v *social.PhotoView
		f.requests(t, 1, func() {
			var err error
			v, err = f.svc.ViewPhoto(ctx, "ann", p.ID, cursor, 3)
			must(t, err)
		})
		if n == 0 {
			wantPhoto := p
			wantPhoto.ReactionCounts = social.ReactionCounts{Heart: 4, Smiley: 4}
			if v.Photo == nil {
				t.Fatal("no photo on the first page")
			}
			diff(t, "photo", *v.Photo, wantPhoto)
		} else if v.Photo != nil {
			t.Errorf("page %d has the photo again", n)
		}
		if len(v.Reactions) > 3 {
			t.Errorf("page %d has %d reactions, want at most 3", n, len(v.Reactions))
		}
		got = append(got, v.Reactions...)
		if cursor = v.Next; cursor == "" {
			break
		}
		if n > 5 {
			t.Fatal("too many pages")
		}
	}
	diff(t, "reactions", got, want)

	f.requests(t, 1, func() {
		_, err := f.svc.ViewPhoto(ctx, "ann", "01NOSUCHPHOTO0000000000000", "", 0)
		wantErr(t, err, social.ErrNotFound)
	})
	// A cursor of one photo does not read another's reactions.
	first, err := f.svc.ViewPhoto(ctx, "ann", p.ID, "", 1)
	must(t, err)
	f.requests(t, 0, func() {
		_, err := f.svc.ViewPhoto(ctx, "ann", other.ID, first.Next, 1)
		wantErr(t, err, social.ErrInvalidCursor)
	})
	f.requests(t, 0, func() {
		_, err := f.svc.ViewPhoto(ctx, "ann", p.ID, "not-a-cursor", 1)
		wantErr(t, err, social.ErrInvalidCursor)
	})
}

// wantCounts requires the stored reaction counts of photo p.
func (f *fixture) wantCounts(t *testing.T, p social.Photo, want social.ReactionCounts) {
	t.Helper()
	got, err := f.svc.GetPhoto(ctx, p.Owner, p.ID)
	must(t, err)
	diff(t, "reaction counts", got.ReactionCounts, want)
}
