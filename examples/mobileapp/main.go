// Command mobileapp runs the mobile photo-sharing app of package social end
// to end: it creates the table on DynamoDB Local (started in a container,
// or DYNAMODB_ENDPOINT, or AWS with -aws), loads a little sample data, then
// runs every access pattern once and prints what each took:
//
//	<pattern>  requests=<n>  <latency>  <what came back>
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/exampleapp"
	"github.com/tablemap/tablemap/social"
)

func main() {
	exampleapp.Main("mobileapp", tour)
}

// tour loads the sample data, then runs every access pattern of the app
// once.
func tour(ctx context.Context, app *exampleapp.App) error {
	tbl := tablemap.NewTable(app.Client, app.Table, tablemap.WithInvertedIndex())
	// A celebrity threshold of 2 followers (the default is 10,000), so
	// that the sample has a celebrity: ann, once dan follows her.
	svc, err := social.New(tbl, social.WithCelebrityThreshold(2))
	if err != nil {
		return err
	}
	if err := app.CreateTable(ctx, tbl, svc.Patterns); err != nil {
		return err
	}
	photo, err := loadSample(ctx, app, svc)
	if err != nil {
		return err
	}
	profileSteps(ctx, app, svc)
	photoSteps(ctx, app, svc, photo)
	followSteps(ctx, app, svc)
	timelineSteps(ctx, app, svc)
	return nil
}

// loadSample writes the users, photos, follows and reactions the steps
// start from, and returns ann's first photo.
func loadSample(ctx context.Context, app *exampleapp.App, svc *social.Service) (social.Photo, error) {
	var photo social.Photo
	err := app.Setup(ctx, "sample data: users ann, bob, cid; 3 photos; follows; reactions", func(ctx context.Context) error {
		for _, u := range []social.User{
			{Username: "ann", Name: "Ann", Location: "Lisbon", Interests: []string{"hiking"}},
			{Username: "bob", Name: "Bob", Location: "Oslo"},
			{Username: "cid", Name: "Cid", Location: "Quito"},
		} {
			if _, err := svc.CreateUser(ctx, u); err != nil {
				return err
			}
		}
		for i, url := range []string{"s3://photos/ann/beach.jpg", "s3://photos/ann/peak.jpg"} {
			p, err := svc.UploadPhoto(ctx, "ann", url, "")
			if err != nil {
				return err
			}
			if i == 0 {
				photo = p
			}
		}
		if _, err := svc.UploadPhoto(ctx, "bob", "s3://photos/bob/fjord.jpg", "fjord"); err != nil {
			return err
		}
		for _, f := range [][2]string{{"bob", "ann"}, {"cid", "ann"}, {"ann", "bob"}} {
			if err := svc.Follow(ctx, f[0], f[1]); err != nil {
				return err
			}
		}
		for _, r := range []struct {
			user string
			t    social.ReactionType
		}{{"bob", social.Heart}, {"cid", social.Smiley}, {"cid", social.Heart}} {
			if err := svc.React(ctx, r.user, "ann", photo.ID, r.t); err != nil {
				return err
			}
		}
		return nil
	})
	return photo, err
}

// profileSteps creates, updates and reads users.
func profileSteps(ctx context.Context, app *exampleapp.App, svc *social.Service) {
	app.Step(ctx, "create user", func(ctx context.Context) (string, error) {
		u, err := svc.CreateUser(ctx, social.User{Username: "dan", Name: "Dan", Location: "Perth", Status: "new here"})
		return fmt.Sprintf("created %s (%s, %s)", u.Username, u.Name, u.Location), err
	})
	app.Step(ctx, "create user again (rejected)", func(ctx context.Context) (string, error) {
		_, err := svc.CreateUser(ctx, social.User{Username: "dan", Name: "Another Dan"})
		return expect(err, social.ErrExists, "username dan is taken")
	})
	app.Step(ctx, "update profile", func(ctx context.Context) (string, error) {
		u, err := svc.UpdateUser(ctx, "dan", social.ProfileUpdate{Status: new("diving"), Interests: &[]string{"reefs", "boats"}})
		return fmt.Sprintf("dan: status %q, interests %v, location still %q", u.Status, u.Interests, u.Location), err
	})
	app.Step(ctx, "get profile", func(ctx context.Context) (string, error) {
		u, err := svc.GetUser(ctx, "ann")
		return fmt.Sprintf("%s (%s): %d followers, following %d, %d photos", u.Username, u.Location, u.Followers, u.Following, u.Photos), err
	})
}

// photoSteps uploads and lists photos and reacts to photo, one of ann's.
func photoSteps(ctx context.Context, app *exampleapp.App, svc *social.Service, photo social.Photo) {
	app.Step(ctx, "upload photo", func(ctx context.Context) (string, error) {
		p, err := svc.UploadPhoto(ctx, "ann", "s3://photos/ann/lake.jpg", "the lake at dawn")
		return fmt.Sprintf("photo %s of %s (count moved in the same transaction; copied into the timelines of bob and cid)", p.ID, p.Owner), err
	})
	app.Step(ctx, "recent photos", func(ctx context.Context) (string, error) {
		page, err := svc.RecentPhotos(ctx, "ann", "", 2)
		if err != nil {
			return "", err
		}
		urls := make([]string, len(page.Items))
		for i, p := range page.Items {
			urls[i] = p.URL
		}
		return fmt.Sprintf("newest first: %s; next page: %v", strings.Join(urls, ", "), page.Next != ""), nil
	})
	app.Step(ctx, "react", func(ctx context.Context) (string, error) {
		err := svc.React(ctx, "dan", "ann", photo.ID, social.Sunglasses)
		return "dan: sunglasses on ann's beach photo", err
	})
	app.Step(ctx, "react again (rejected)", func(ctx context.Context) (string, error) {
		err := svc.React(ctx, "dan", "ann", photo.ID, social.Sunglasses)
		return expect(err, social.ErrAlreadyReacted, "dan already gave sunglasses; counts unchanged")
	})
	app.Step(ctx, "view photo + reactions", func(ctx context.Context) (string, error) {
		v, err := svc.ViewPhoto(ctx, "ann", photo.ID, "", 10)
		if err != nil {
			return "", err
		}
		rs := make([]string, len(v.Reactions))
		for i, r := range v.Reactions {
			rs[i] = r.User + ":" + string(r.Type)
		}
		c := v.Photo.ReactionCounts
		return fmt.Sprintf("%s heart=%d smiley=%d thumbsup=%d sunglasses=%d; reactions %s", v.Photo.URL,
			c.Heart, c.Smiley, c.ThumbsUp, c.Sunglasses, strings.Join(rs, " ")), nil
	})
	app.Step(ctx, "remove reaction", func(ctx context.Context) (string, error) {
		err := svc.Unreact(ctx, "cid", "ann", photo.ID, social.Smiley)
		return "cid's smiley removed, smiley count -1 in the same transaction", err
	})
}

// followSteps follows, lists and unfollows.
func followSteps(ctx context.Context, app *exampleapp.App, svc *social.Service) {
	// A token per run: a token names one request for ten minutes.
	token := social.Token("follow-" + rand.Text())
	app.Step(ctx, "follow", func(ctx context.Context) (string, error) {
		err := svc.Follow(ctx, "dan", "ann", token)
		return "dan follows ann (edge + both counters, one transaction); her 3rd follower makes her a celebrity", err
	})
	app.Step(ctx, "follow retried with its token", func(ctx context.Context) (string, error) {
		err := svc.Follow(ctx, "dan", "ann", token)
		return "succeeds again, counts nothing twice", err
	})
	app.Step(ctx, "follow again (rejected)", func(ctx context.Context) (string, error) {
		return expect(svc.Follow(ctx, "dan", "ann"), social.ErrAlreadyFollowing, "dan already follows ann")
	})
	app.Step(ctx, "followers", func(ctx context.Context) (string, error) {
		page, err := svc.Followers(ctx, "ann", "", 20)
		return fmt.Sprintf("ann's followers: %s", strings.Join(page.Items, ", ")), err
	})
	app.Step(ctx, "following", func(ctx context.Context) (string, error) {
		page, err := svc.Following(ctx, "ann", "", 20)
		return fmt.Sprintf("ann follows: %s", strings.Join(page.Items, ", ")), err
	})
	app.Step(ctx, "does dan follow ann", func(ctx context.Context) (string, error) {
		ok, err := svc.Follows(ctx, "dan", "ann")
		return fmt.Sprint(ok), err
	})
	app.Step(ctx, "unfollow", func(ctx context.Context) (string, error) {
		err := svc.Unfollow(ctx, "dan", "ann")
		return "dan unfollows ann (edge deleted, both counters -1)", err
	})
}

// timelineSteps reads home timelines before and after ann is a celebrity.
func timelineSteps(ctx context.Context, app *exampleapp.App, svc *social.Service) {
	app.Step(ctx, "timeline", func(ctx context.Context) (string, error) {
		page, err := svc.Timeline(ctx, "ann", "", 10)
		return "ann's home timeline: " + timelineRows(page), err
	})
	app.Step(ctx, "upload photo (celebrity)", func(ctx context.Context) (string, error) {
		p, err := svc.UploadPhoto(ctx, "ann", "s3://photos/ann/dunes.jpg", "")
		return fmt.Sprintf("photo %s of %s: no fan-out, her followers' timelines read it at view time", p.ID, p.Owner), err
	})
	app.Step(ctx, "timeline with a celebrity", func(ctx context.Context) (string, error) {
		page, err := svc.Timeline(ctx, "bob", "", 10)
		return "bob's home timeline (his entries + ann's photos from GSI1): " + timelineRows(page), err
	})
	app.Step(ctx, "get profile after all that", func(ctx context.Context) (string, error) {
		u, err := svc.GetUser(ctx, "ann")
		return fmt.Sprintf("%s: %d followers, following %d, %d photos", u.Username, u.Followers, u.Following, u.Photos), err
	})
}

// timelineRows lists a timeline page as owner:URL, newest first.
func timelineRows(page *social.Page[social.TimelineEntry]) string {
	if page == nil {
		return ""
	}
	rows := make([]string, len(page.Items))
	for i, e := range page.Items {
		rows[i] = e.Owner + ":" + e.URL
	}
	return strings.Join(rows, ", ")
}

// expect turns the expected error of a rejected write into the step's
// result; any other outcome is the step's error.
func expect(err, want error, what string) (string, error) {
	switch {
	case errors.Is(err, want):
		return fmt.Sprintf("rejected as expected (%v): %s", want, what), nil
	case err == nil:
		return "", fmt.Errorf("accepted; want %v", want)
	}
	return "", err
}
