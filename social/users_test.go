package social_test

import (
	"strings"
	"testing"

	"github.com/tablemap/tablemap/social"
)

func TestCreateUser(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	in := social.User{
		Username: "ann", Name: "Ann", PictureURL: "https://example.com/ann.jpg",
		Location: "Lisbon", Status: "hiking", Interests: []string{"hiking", "photos"},
		Followers: 99, // counters are the service's, whatever the caller sends
	}
	var got social.User
	f.requests(t, 1, func() {
		var err error
		got, err = f.svc.CreateUser(ctx, in)
		must(t, err)
	})
	want := in
	want.Followers = 0
	want.Created = clock
	diff(t, "created user", got, want)
	diff(t, "stored user", f.user(t, "ann"), want)

	f.requests(t, 1, func() {
		_, err := f.svc.CreateUser(ctx, social.User{Username: "ann", Name: "Another Ann"})
		wantErr(t, err, social.ErrExists)
	})
	diff(t, "user after a second create", f.user(t, "ann"), want)

	f.requests(t, 0, func() {
		_, err := f.svc.CreateUser(ctx, social.User{Name: "nobody"})
		wantErr(t, err, social.ErrInvalidUsername)
	})

	// The longest username, all of whose bytes escape, fits every key: its
	// reactions on a photo id as long hold two of them in one sort key.
	long := strings.Repeat("#", social.MaxIDLen)
	_, err := f.svc.CreateUser(ctx, social.User{Username: long})
	must(t, err)
	// No such photo, but DynamoDB took the keys and answered.
	wantErr(t, f.svc.React(ctx, long, long, strings.Repeat("%", social.MaxIDLen), social.Heart), social.ErrNotFound)
	f.requests(t, 0, func() {
		_, err := f.svc.CreateUser(ctx, social.User{Username: long + "#"})
		wantErr(t, err, social.ErrInvalidUsername)
		if err != nil && len(err.Error()) > 200 {
			t.Errorf("message of %d bytes for a long username", len(err.Error()))
		}
		wantErr(t, f.svc.React(ctx, "ann", "ann", strings.Repeat("p", social.MaxIDLen+1), social.Heart), social.ErrInvalidInput)
	})
}

func TestUpdateProfile(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := f.svc.CreateUser(ctx, social.User{Username: "ann", Name: "Ann", Location: "Lisbon", Status: "hiking"})
	must(t, err)
	f.users(t, "bob")
	must(t, f.svc.Follow(ctx, "bob", "ann"))

	var got social.User
	f.requests(t, 1, func() {
		got, err = f.svc.UpdateUser(ctx, "ann", social.ProfileUpdate{
			Status:    new("climbing"),
			Location:  new(""), // removes it
			Interests: &[]string{"rock"},
		})
		must(t, err)
	})
	want := social.User{Username: "ann", Name: "Ann", Status: "climbing", Interests: []string{"rock"},
		Followers: 1, Created: clock, Updated: clock}
	diff(t, "updated user", got, want)
	diff(t, "stored user", f.user(t, "ann"), want)

	f.requests(t, 1, func() {
		_, err := f.svc.UpdateUser(ctx, "nobody", social.ProfileUpdate{Name: new("No Body")})
		wantErr(t, err, social.ErrNotFound)
	})
	f.requests(t, 0, func() {
		_, err := f.svc.UpdateUser(ctx, "ann", social.ProfileUpdate{})
		wantErr(t, err, social.ErrInvalidInput)
	})
}

func TestGetProfile(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.users(t, "ann", "bob", "cid")
	must(t, f.svc.Follow(ctx, "bob", "ann"))
	must(t, f.svc.Follow(ctx, "cid", "ann"))
	must(t, f.svc.Follow(ctx, "ann", "bob"))
	f.photo(t, "ann")

	var got social.User
	f.requests(t, 1, func() {
		var err error
		got, err = f.svc.GetUser(ctx, "ann")
		must(t, err)
	})
	diff(t, "profile", got, social.User{Username: "ann", Name: "Name of ann", Followers: 2, Following: 1, Photos: 1, Created: clock})

	f.requests(t, 1, func() {
		_, err := f.svc.GetUser(ctx, "nobody")
		wantErr(t, err, social.ErrNotFound)
	})
}
