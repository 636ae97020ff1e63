package social_test

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/dynamotest"
	"github.com/tablemap/tablemap/social"
)

// Sample ids and times differ between a pattern and a method's run.
var (
	ulidText = regexp.MustCompile(`[0-9A-HJKMNP-TV-Z]{26}`)
	timeText = regexp.MustCompile(`"\d{4}-\d\d-\d\dT[0-9:.]+Z"`)
)

// shape is a request with its ids and times masked and without its item.
func shape(r tablemap.PatternRequest) tablemap.PatternRequest {
	mask := func(s string) string {
		return timeText.ReplaceAllString(ulidText.ReplaceAllString(s, "<id>"), "<time>")
	}
	r.Key, r.KeyCondition, r.Filter = mask(r.Key), mask(r.KeyCondition), mask(r.Filter)
	r.Condition, r.Update, r.Projection = mask(r.Condition), mask(r.Update), mask(r.Projection)
	r.Item = nil
	acts := r.Actions
	r.Actions = nil
	for _, a := range acts {
		r.Actions = append(r.Actions, shape(a))
	}
	return r
}

// Each access pattern of the design is the request its method sends: run
// on DynamoDB Local with the design's sample users, every method sends
// exactly the requests of its pattern (ids and times aside), and every
// pattern has its method here.
func TestPatternsAreTheMethodsRequests(t *testing.T) {
	for _, shards := range []int{1, 3} {
		t.Run(strconv.Itoa(shards)+" shards", func(t *testing.T) { testPatterns(t, shards) })
	}
}

func testPatterns(t *testing.T, shards int) {
	rec := dynamotest.NewRecorder(dynamotest.Client(t))
	tbl := tablemap.NewTable(rec, dynamotest.TableName(t), tablemap.WithInvertedIndex(), tablemap.WithClock(now))
	// Followed by more than one account, ann becomes a celebrity.
	svc, err := social.New(tbl, social.WithClock(now), social.WithFeedShards(shards), social.WithCelebrityThreshold(1))
	if err != nil {
		t.Fatal(err)
	}
	if err := tbl.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	d := tbl.Design()
	if err := svc.Patterns(&d); err != nil {
		t.Fatal(err)
	}
	steps := methodSteps(svc, rec)
	var covered []string
	for _, s := range steps {
		i := slices.IndexFunc(d.Patterns, func(p tablemap.AccessPattern) bool { return p.Name == s.pattern })
		if i < 0 {
			t.Errorf("no pattern %q", s.pattern)
			continue
		}
		covered = append(covered, s.pattern)
		rec.Take()
		if err := s.run(); err != nil {
			t.Fatalf("%s: %v", s.pattern, err)
		}
		sent := tbl.Design()
		if err := sent.Pattern(s.pattern, rec.Take()...); err != nil {
			t.Fatalf("%s: %v", s.pattern, err)
		}
		var want, got []tablemap.PatternRequest
		for _, r := range d.Patterns[i].Requests {
			want = append(want, shape(r))
		}
		for _, r := range sent.Patterns[0].Requests {
			got = append(got, shape(r))
		}
		// The feed's shards are read at once, in any order.
		byText := func(a, b tablemap.PatternRequest) int { return strings.Compare(a.String(), b.String()) }
		slices.SortFunc(want, byText)
		slices.SortFunc(got, byText)
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: the design's requests differ from the method's (-design +sent):\n%s", s.pattern, diff)
		}
	}
	var all []string
	for _, p := range d.Patterns {
		all = append(all, p.Name)
	}
	if diff := cmp.Diff(all, covered, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("patterns without a method in this test (-design +tested):\n%s", diff)
	}
}

// A step runs the method of an access pattern.
type step struct {
	pattern string
	run     func() error
}

// methodSteps returns the methods of social's access patterns, in an order
// in which each finds what it needs, with the design's sample users: ann
// uploads a photo without followers; bob follows her (the follow
// backfills that photo); her next photo is fanned out to bob; the first
// photo's fan-out is repaired; the second is deleted (its entry in bob's
// timeline with it); bob unfollows (the first photo's entry goes); bob
// and cid follow ann, which makes her a celebrity; bob unfollows and
// follows her again, she uploads a photo, bob reads his timeline.
func methodSteps(svc *social.Service, rec *dynamotest.Recorder) []step {
	var photo, fanned social.Photo
	return []step{
		{"create a profile", func() error {
			if _, err := svc.CreateUser(ctx, social.User{Username: "bob"}); err != nil {
				return err
			}
			rec.Take()
			_, err := svc.CreateUser(ctx, social.User{Username: "ann", Name: "Ann"})
			return err
		}},
		{"update a profile", func() error {
			_, err := svc.UpdateUser(ctx, "ann", social.ProfileUpdate{Status: new("diving")})
			return err
		}},
		{"get a profile with its counts", func() error { _, err := svc.GetUser(ctx, "ann"); return err }},
		{"upload a photo", func() (err error) { photo, err = svc.UploadPhoto(ctx, "ann", "s3://x", "y"); return err }},
		{"get a photo", func() error { _, err := svc.GetPhoto(ctx, "ann", photo.ID); return err }},
		{"a user's recent photos", func() error { _, err := svc.RecentPhotos(ctx, "ann", "", 0); return err }},
		{"react", func() error { return svc.React(ctx, "bob", "ann", photo.ID, social.Heart) }},
		{"view a photo and its reactions", func() error { _, err := svc.ViewPhoto(ctx, "ann", photo.ID, "", 0); return err }},
		{"remove a reaction", func() error { return svc.Unreact(ctx, "bob", "ann", photo.ID, social.Heart) }},
		{"follow", func() error { return svc.Follow(ctx, "bob", "ann") }},
		{"a user's followers", func() error { _, err := svc.Followers(ctx, "ann", "", 0); return err }},
		{"whom a user follows", func() error { _, err := svc.Following(ctx, "bob", "", 0); return err }},
		{"does a user follow another", func() error { _, err := svc.Follows(ctx, "bob", "ann"); return err }},
		{"fan-out of an upload", func() (err error) { fanned, err = svc.UploadPhoto(ctx, "ann", "s3://z", "w"); return err }},
		{"a user's home timeline", func() error { _, err := svc.Timeline(ctx, "bob", "", 0); return err }},
		{"repair a cut-short fan-out", func() error { return svc.Refanout(ctx, "ann", photo.ID) }},
		{"delete a photo", func() error { return svc.DeletePhoto(ctx, "ann", fanned.ID) }},
		{"unfollow", func() error { return svc.Unfollow(ctx, "bob", "ann") }},
		{"a follow that makes a celebrity", func() error {
			if _, err := svc.CreateUser(ctx, social.User{Username: "cid"}); err != nil {
				return err
			}
			if err := svc.Follow(ctx, "bob", "ann"); err != nil {
				return err
			}
			rec.Take()
			return svc.Follow(ctx, "cid", "ann")
		}},
		{"a follow of a celebrity", func() error {
			if err := svc.Unfollow(ctx, "bob", "ann"); err != nil {
				return err
			}
			rec.Take()
			return svc.Follow(ctx, "bob", "ann")
		}},
		{"upload a photo by a celebrity", func() error { _, err := svc.UploadPhoto(ctx, "ann", "s3://c", ""); return err }},
		{"a user's home timeline, following a celebrity", func() error { _, err := svc.Timeline(ctx, "bob", "", 0); return err }},
		{"post a thought", func() error { _, err := svc.PostThought(ctx, "ann", "hm"); return err }},
		{"a user's thoughts", func() error { _, err := svc.UserThoughts(ctx, "ann", "", 0); return err }},
		{"the feed of everyone's thoughts", func() error { _, err := svc.Feed(ctx, "", 0); return err }},
	}
}
