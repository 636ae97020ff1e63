package social_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/google/go-cmp/cmp"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/dynamotest"
	"github.com/tablemap/tablemap/social"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.Main(m)) }

var ctx = context.Background()

// clock is the fixed time of the tests' table and service: every id of one
// test is made in the same millisecond, which ids must survive.
var clock = time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)

func now() time.Time { return clock }

// fixture is a service on a table of its own, with the meter of its client.
type fixture struct {
	svc *social.Service
	tbl *tablemap.Table
	m   *tablemap.Meter
}

func newFixture(t *testing.T, opts ...social.Option) *fixture {
	t.Helper()
	return newFixtureClient(t, nil, opts...)
}

// newFixtureClient is newFixture with options of the DynamoDB client.
func newFixtureClient(t *testing.T, clientOpts []func(*dynamodb.Options), opts ...social.Option) *fixture {
	t.Helper()
	m := tablemap.NewMeter()
	client := dynamotest.Client(t, append([]func(*dynamodb.Options){m.Attach}, clientOpts...)...)
	tbl := tablemap.NewTable(client, dynamotest.TableName(t), tablemap.WithInvertedIndex(), tablemap.WithClock(now))
	svc, err := social.New(tbl, append([]social.Option{social.WithClock(now)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	if err := tbl.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	m.Reset()
	return &fixture{svc: svc, tbl: tbl, m: m}
}

// requests runs one access pattern and requires that it took want
// requests (1 for every access pattern; 0 when it fails before sending).
func (f *fixture) requests(t *testing.T, want int, run func()) {
	t.Helper()
	f.m.Reset()
	run()
	if got := f.m.Requests(); got != want {
		t.Errorf("requests = %d, want %d (%v)", got, want, f.m)
	}
}

// users creates the named users (setup: not metered).
func (f *fixture) users(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := f.svc.CreateUser(ctx, social.User{Username: n, Name: "Name of " + n}); err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) user(t *testing.T, name string) social.User {
	t.Helper()
	u, err := f.svc.GetUser(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (f *fixture) photo(t *testing.T, owner string) social.Photo {
	t.Helper()
	p, err := f.svc.UploadPhoto(ctx, owner, "s3://photos/"+owner+".jpg", "")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// counts returns a user's follower, following and photo counts.
func counts(u social.User) [3]int64 { return [3]int64{u.Followers, u.Following, u.Photos} }

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error = %v, want %v", err, want)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func diff(t *testing.T, what string, got, want any, opts ...cmp.Option) {
	t.Helper()
	if d := cmp.Diff(want, got, opts...); d != "" {
		t.Errorf("%s (-want +got):\n%s", what, d)
	}
}
