package social_test

import (
	"testing"

	"github.com/tablemap/tablemap/social"
)

func TestUploadPhoto(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.users(t, "ann")

	// The clock stands still: both uploads are in one millisecond, and
	// still two photos. Each is a GetItem of ann's profile (no followers:
	// nothing to fan out) and the transaction.
	var first, second social.Photo
	f.requests(t, 2, func() {
		var err error
		first, err = f.svc.UploadPhoto(ctx, "ann", "s3://photos/1.jpg", "sunrise")
		must(t, err)
	})
	f.requests(t, 2, func() {
		var err error
		second, err = f.svc.UploadPhoto(ctx, "ann", "s3://photos/2.jpg", "")
		must(t, err)
	})
	if first.ID == second.ID || first.ID > second.ID {
		t.Errorf("ids %q then %q: want distinct and increasing", first.ID, second.ID)
	}
	diff(t, "uploaded photo", first, social.Photo{Owner: "ann", ID: first.ID, URL: "s3://photos/1.jpg", Caption: "sunrise", Uploaded: clock})
	for _, p := range []social.Photo{first, second} {
		got, err := f.svc.GetPhoto(ctx, "ann", p.ID)
		must(t, err)
		diff(t, "stored photo", got, p)
	}
	if got := f.user(t, "ann").Photos; got != 2 {
		t.Errorf("photo count = %d, want 2", got)
	}

	f.requests(t, 1, func() {
		_, err := f.svc.UploadPhoto(ctx, "nobody", "s3://photos/3.jpg", "")
		wantErr(t, err, social.ErrNotFound)
	})
	f.requests(t, 0, func() {
		_, err := f.svc.UploadPhoto(ctx, "ann", "", "")
		wantErr(t, err, social.ErrInvalidInput)
	})
}

func TestRecentPhotos(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.users(t, "ann", "anne")
	var uploaded []social.Photo
	for range 5 {
		uploaded = append(uploaded, f.photo(t, "ann"))
	}
	f.photo(t, "anne") // a user whose name starts with ann's
	must(t, f.svc.Follow(ctx, "anne", "ann"))

	var got []social.Photo
	cursor := ""
	for page := 0; ; page++ {
		var p *social.Page[social.Photo]
		f.requests(t, 1, func() {
			var err error
			p, err = f.svc.RecentPhotos(ctx, "ann", cursor, 2)
			must(t, err)
		})
		if len(p.Items) > 2 {
			t.Fatalf("page %d has %d photos, want at most 2", page, len(p.Items))
		}
		got = append(got, p.Items...)
		if cursor = p.Next; cursor == "" {
			break
		}
		if page > 3 {
			t.Fatal("too many pages")
		}
	}
	want := make([]social.Photo, len(uploaded))
	for i, p := range uploaded {
		want[len(want)-1-i] = p
	}
	diff(t, "recent photos, newest first", got, want)

	p, err := f.svc.RecentPhotos(ctx, "nobody", "", 0)
	must(t, err)
	diff(t, "photos of nobody", p, &social.Page[social.Photo]{Items: []social.Photo{}})
}
