package social_test

import (
	"crypto/rand"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/tablemap/tablemap/internal/faults"
	"github.com/tablemap/tablemap/social"
)

// newFaultyFixture is a fixture whose client goes through a fault
// transport, with no faults until the test sets its rates.
func newFaultyFixture(t *testing.T, seed uint64) (*fixture, *faults.Transport) {
	t.Helper()
	tr := faults.New(seed, faults.Rates{}, "PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")
	f := newFixtureClient(t, []func(*dynamodb.Options){func(o *dynamodb.Options) {
		o.HTTPClient = tr.Client()
		o.RetryMaxAttempts = 0
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = 3
			so.MaxBackoff = 20 * time.Millisecond
			so.RateLimiter = ratelimit.None
		})
	}})
	return f, tr
}

// untilDone runs write until it succeeds, counting its errors that were
// unknown outcomes.
func untilDone(t *testing.T, what string, unknown *int, write func() error) {
	t.Helper()
	for try := 0; ; try++ {
		err := write()
		if err == nil {
			return
		}
		if errors.Is(err, social.ErrUnknownOutcome) {
			*unknown++
		}
		if try == 30 {
			t.Fatalf("%s: still failing: %v", what, err)
		}
	}
}

// TestTokensUnderFaults: follows, unfollows, uploads and thoughts, each
// with its token, run again until they succeed through lost responses,
// server errors and throttling, leave every counter exact, one photo per
// upload (the same id on every run of it), one thought per post, and each
// photo once in each follower's timeline.
func TestTokensUnderFaults(t *testing.T) {
	t.Parallel()
	f, tr := newFaultyFixture(t, 21)
	f.users(t, "ann", "bob", "cid", "dan")
	tr.SetRates(faults.Rates{Drop: 0.25, ServerAfter: 0.1, ServerFirst: 0.1, Throttle: 0.1})
	unknown := 0
	n := 0
	run := rand.Text()[:16] // DynamoDB remembers tokens account-wide: unique to this run
	token := func() string { n++; return fmt.Sprintf("%s-%d", run, n) }

	for _, u := range []string{"bob", "cid", "dan"} {
		tok := token()
		untilDone(t, u+" follows ann", &unknown, func() error { return f.svc.Follow(ctx, u, "ann", social.Token(tok)) })
	}
	tok := token()
	untilDone(t, "dan unfollows ann", &unknown, func() error { return f.svc.Unfollow(ctx, "dan", "ann", social.Token(tok)) })

	const uploads = 8
	ids := map[string]bool{}
	for i := range uploads {
		tok, url := token(), fmt.Sprintf("s3://photos/ann/%d.jpg", i)
		var id string
		untilDone(t, "upload "+url, &unknown, func() error {
			p, err := f.svc.UploadPhoto(ctx, "ann", url, "", social.Token(tok))
			if p.ID != "" {
				if id != "" && p.ID != id {
					t.Errorf("upload %s: id %s, then %s on a run with the same token", url, id, p.ID)
				}
				id = p.ID
			}
			return err
		})
		ids[id] = true
	}
	const posts = 8
	for i := range posts {
		tok := token()
		untilDone(t, "thought", &unknown, func() error {
			_, err := f.svc.PostThought(ctx, "bob", fmt.Sprintf("thought %d", i), social.Token(tok))
			return err
		})
	}
	tr.SetRates(faults.Rates{})
	t.Logf("%d unknown outcomes, run again with their tokens; faults: drop %d, 500 after %d, 500 first %d, throttle %d",
		unknown, tr.Count("drop"), tr.Count("server-after"), tr.Count("server-first"), tr.Count("throttle"))
	if unknown == 0 {
		t.Error("no unknown outcome: the faults did not bite")
	}

	diff(t, "ann's followers, following, photos", counts(f.user(t, "ann")), [3]int64{2, 0, uploads})
	diff(t, "bob's counts", counts(f.user(t, "bob")), [3]int64{0, 1, 0})
	diff(t, "dan's counts", counts(f.user(t, "dan")), [3]int64{0, 0, 0})
	photos, err := f.svc.RecentPhotos(ctx, "ann", "", 100)
	must(t, err)
	stored := map[string]bool{}
	for _, p := range photos.Items {
		stored[p.ID] = true
	}
	diff(t, "ann's photos", stored, ids)
	thoughts, err := f.svc.UserThoughts(ctx, "bob", "", 100)
	must(t, err)
	if len(thoughts.Items) != posts {
		t.Errorf("%d thoughts of bob, want %d", len(thoughts.Items), posts)
	}
	for _, u := range []string{"bob", "cid"} {
		home, err := f.svc.Timeline(ctx, u, "", 100)
		must(t, err)
		seen := map[string]bool{}
		for _, e := range home.Items {
			seen[e.ID] = true
		}
		if len(home.Items) != uploads || len(seen) != uploads {
			t.Errorf("%s's timeline: %d entries of %d photos, want %d once each", u, len(home.Items), len(seen), uploads)
		}
	}
}

// TestTokenReused: a token given again with another request is
// ErrTokenReused, whether the service or DynamoDB remembers it; the same
// request returns the first result.
func TestTokenReused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.users(t, "ann", "bob", "cid")
	run := rand.Text()[:16] // DynamoDB remembers tokens account-wide: unique to this run
	t1, t2, t3 := run+"-1", run+"-2", run+"-3"
	th, err := f.svc.PostThought(ctx, "ann", "one", social.Token(t1))
	must(t, err)
	again, err := f.svc.PostThought(ctx, "ann", "one", social.Token(t1))
	must(t, err)
	diff(t, "thought posted again with its token", again, th)
	_, err = f.svc.PostThought(ctx, "ann", "two", social.Token(t1))
	wantErr(t, err, social.ErrTokenReused)

	p, err := f.svc.UploadPhoto(ctx, "ann", "s3://a.jpg", "", social.Token(t2))
	must(t, err)
	f.requests(t, 2, func() { // the token and the profile: no fan-out pending
		again, err := f.svc.UploadPhoto(ctx, "ann", "s3://a.jpg", "", social.Token(t2))
		must(t, err)
		diff(t, "photo uploaded again with its token", again, p)
	})
	_, err = f.svc.UploadPhoto(ctx, "ann", "s3://b.jpg", "", social.Token(t2))
	wantErr(t, err, social.ErrTokenReused)
	diff(t, "ann's counts", counts(f.user(t, "ann")), [3]int64{0, 0, 1})

	must(t, f.svc.Follow(ctx, "bob", "ann", social.Token(t3)))
	err = f.svc.Follow(ctx, "cid", "ann", social.Token(t3))
	wantErr(t, err, social.ErrTokenReused)

	// DynamoDB's ten minutes: Follow(T), Unfollow, Follow(T) succeeds
	// without a new edge.
	must(t, f.svc.Unfollow(ctx, "bob", "ann"))
	must(t, f.svc.Follow(ctx, "bob", "ann", social.Token(t3)))
	ok, err := f.svc.Follows(ctx, "bob", "ann")
	must(t, err)
	if ok {
		t.Error("Follow(T), Unfollow, Follow(T): the second Follow made an edge; DynamoDB's token should have answered it")
	}
}
