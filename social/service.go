package social

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tablemap/tablemap"
	tokens "github.com/tablemap/tablemap/internal/token"
	"github.com/tablemap/tablemap/internal/ulid"
)

// Page sizes of every list: a limit of 0 or less asks for DefaultLimit
// items, and a limit above MaxLimit is lowered to MaxLimit, so no call
// returns an unbounded result.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// A Page is one page of a list: its items and the opaque cursor of the
// next page, "" after the last one.
type Page[T any] = tablemap.Page[T]

// A Service serves the access patterns of the photo-sharing app and Deep
// Thoughts on one table (see the package documentation for the design). It
// is safe for concurrent use.
type Service struct {
	tbl *tablemap.Table
	ent Entities

	now    func() time.Time
	ids    *ulid.Generator
	shards int

	celebrity int           // followers above which an account is not fanned out
	ttl       time.Duration // how long a timeline entry lives after the photo's upload
	backfill  int           // photos a follow copies into the follower's timeline
}

// An Option configures a Service.
type Option func(*Service)

// WithClock sets the clock of ids (photos and thoughts are ordered by
// them) and timestamps; the default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(s *Service) { s.now = now }
}

// WithFeedShards spreads the feed of thoughts over n partitions of GSI1
// instead of one (n from 1 to MaxFeedShards; the default is 1). A single
// partition accepts about 1,000 writes a second, the ceiling of the
// unsharded feed; n shards raise it n times, and reading a page of the feed
// then takes n requests, one per shard. Every process serving the table
// must use the same n: thoughts posted with more shards than a reader
// reads are missing from its feed. n may grow over time (older thoughts
// stay in the lower shards, which are still read) but must never shrink.
func WithFeedShards(n int) Option {
	return func(s *Service) { s.shards = n }
}

// MaxFeedShards is the most feed shards WithFeedShards accepts.
const MaxFeedShards = 64

// Defaults of the home timeline (see Timeline).
const (
	DefaultCelebrityThreshold = 10_000
	DefaultTimelineTTL        = 30 * 24 * time.Hour
	DefaultTimelineBackfill   = 50
)

// WithCelebrityThreshold sets the follower count above which an account is
// a celebrity (default DefaultCelebrityThreshold, at least 1): its uploads
// are not copied into its followers' timelines but read at view time (see
// Timeline). Every process serving the table must use the same threshold.
func WithCelebrityThreshold(followers int) Option {
	return func(s *Service) { s.celebrity = followers }
}

// WithTimelineTTL sets how long after a photo's upload its timeline
// entries live (default DefaultTimelineTTL, 30 days): DynamoDB's time to
// live deletes them, and Timeline shows no photo older than that, from any
// source, so a timeline is the photos of the last ttl.
func WithTimelineTTL(ttl time.Duration) Option {
	return func(s *Service) { s.ttl = ttl }
}

// WithTimelineBackfill sets how many of a followed user's most recent
// photos a follow copies into the follower's timeline (default
// DefaultTimelineBackfill, 0 to 1,000).
func WithTimelineBackfill(photos int) Option {
	return func(s *Service) { s.backfill = photos }
}

// New defines the social entities (User, Photo, Reaction, Follow, Thought,
// TimelineEntry, CelebrityFollow)
// on tbl and returns the service that uses them. tbl may hold the caller's
// own entities too. It must have the inverted index (create it with
// tablemap.WithInvertedIndex), and the table it names in DynamoDB needs
// that index and GSI1 (tbl.CreateTable creates both once every entity is
// defined). The entity type names are "social.User" … and the key prefixes
// those of the package documentation; the caller's entities must not use
// them. New may be called once per Table.
func New(tbl *tablemap.Table, opts ...Option) (*Service, error) {
	s := &Service{tbl: tbl, now: time.Now, shards: 1,
		celebrity: DefaultCelebrityThreshold, ttl: DefaultTimelineTTL, backfill: DefaultTimelineBackfill}
	for _, o := range opts {
		o(s)
	}
	if s.shards < 1 || s.shards > MaxFeedShards {
		return nil, fmt.Errorf("social: %d feed shards, want 1 to %d", s.shards, MaxFeedShards)
	}
	switch {
	case s.celebrity < 1:
		return nil, fmt.Errorf("social: celebrity threshold %d, want at least 1", s.celebrity)
	case s.ttl < time.Hour:
		return nil, fmt.Errorf("social: timeline TTL %v, want at least an hour", s.ttl)
	case s.backfill < 0 || s.backfill > 1000:
		return nil, fmt.Errorf("social: timeline backfill %d, want 0 to 1000", s.backfill)
	}
	s.ids = &ulid.Generator{Now: s.now}
	var err error
	if s.ent.Follows, err = tablemap.Define[Follow](tbl); err != nil {
		return nil, fmt.Errorf("social: %w", err)
	}
	// Whom a user follows is read from the inverted index.
	if _, err := s.ent.Follows.Query(Follow{Follower: "x"}).Index(tablemap.InvertedIndex).Params(); err != nil {
		return nil, fmt.Errorf("social: table %s has no inverted index; make it with tablemap.NewTable(client, name, tablemap.WithInvertedIndex()): %w", tbl.Name(), err)
	}
	err = errors.Join(define(tbl, &s.ent.Users), define(tbl, &s.ent.Photos), define(tbl, &s.ent.Reactions),
		define(tbl, &s.ent.Thoughts), define(tbl, &s.ent.Timelines), define(tbl, &s.ent.CelebrityFollows), define(tbl, &s.ent.WriteTokens))
	if err != nil {
		return nil, fmt.Errorf("social: %w", err)
	}
	return s, nil
}

// define defines the entity of *e on tbl.
func define[T any](tbl *tablemap.Table, e **tablemap.Entity[T]) (err error) {
	*e, err = tablemap.Define[T](tbl)
	return err
}

// Table returns the service's table.
func (s *Service) Table() *tablemap.Table { return s.tbl }

// Entities are the service's entity definitions on its table, for the
// caller's own reads and writes of social items (a moderation tool deleting
// a thought, a migration) beside the service's access patterns.
type Entities struct {
	Users            *tablemap.Entity[User]
	Photos           *tablemap.Entity[Photo]
	Reactions        *tablemap.Entity[Reaction]
	Follows          *tablemap.Entity[Follow]
	Thoughts         *tablemap.Entity[Thought]
	Timelines        *tablemap.Entity[TimelineEntry]
	CelebrityFollows *tablemap.Entity[CelebrityFollow]
	WriteTokens      *tablemap.Entity[WriteToken]
}

// Entities returns the entities New defined on the table.
func (s *Service) Entities() Entities { return s.ent }

// pageSize returns the page size of a list asked for limit items.
func pageSize(limit int) int {
	switch {
	case limit <= 0:
		return DefaultLimit
	case limit > MaxLimit:
		return MaxLimit
	}
	return limit
}

// userList returns the page after cursor of q, a list of user's items of
// at most limit items (see pageSize); errors name the list by the format
// what ("thoughts of %q").
func userList[T any](ctx context.Context, user string, q *tablemap.Query[T], cursor string, limit int, what string) (*Page[T], error) {
	if err := checkUsername(user); err != nil {
		return nil, err
	}
	page, err := q.Limit(pageSize(limit)).Page(ctx, cursor)
	if err != nil {
		return nil, fmt.Errorf("social: "+what+": %w", user, err)
	}
	return page, nil
}

// A WriteOption adjusts one write: Follow, Unfollow, React, Unreact,
// DeletePhoto, UploadPhoto, PostThought.
type WriteOption func(*tokens.Options)

// Token sets the write's idempotency token (1 to 36 characters). Run a
// write again with its token after an error that may hide a success — one
// wrapping ErrUnknownOutcome (a lost response, a server error, a timeout)
// — and it is applied at most once: no second edge, photo, thought or
// count. The same token with a different request is ErrTokenReused.
//
// An edge write (Follow, Unfollow, React, Unreact, DeletePhoto) passes the
// token to its transaction (DynamoDB's ClientRequestToken), which DynamoDB
// remembers for ten minutes: within them the same write with the same
// token succeeds without being applied again, even if the edge has changed
// since — Follow(T), Unfollow, Follow(T) answers success and makes no new
// edge — so use a new token for each new intent. Without a token the edge
// item still guards the counters: a retry reports ErrAlreadyFollowing (or
// ErrAlreadyReacted, ErrNotFollowing …) and changes nothing.
//
// A write that makes a new id (UploadPhoto, PostThought) stores the token
// in a WriteToken item, in the write's transaction, with the id and time
// it made; the same token run again returns that photo or thought, the
// same id, and completes a fan-out left pending. The item expires after
// TokenLifetime (a day); after that the token makes a new photo or
// thought. Its cost: one GetItem before the write.
func Token(token string) WriteOption { return tokens.Set(token) }

// A WriteToken is the record of a write made with a Token that made a new
// id (UploadPhoto, PostThought), in the user's partition: the id and time
// it made and a digest of its request. It expires after TokenLifetime.
type WriteToken struct {
	_       struct{}  `tablemap:"social.WriteToken" pk:"USER#{user}" sk:"TOKEN#{token}"`
	User    string    `dynamo:"user"`
	Token   string    `dynamo:"token"`
	ID      string    `dynamo:"id"`
	At      time.Time `dynamo:"at"`
	Request string    `dynamo:"request"` // digest of what was asked
	Expires time.Time `dynamo:"expires,omitempty,ttl"`
}

// TokenLifetime is how long UploadPhoto and PostThought remember a token.
const TokenLifetime = tokens.Lifetime

// errTokenTaken reports a write whose token another run of it recorded
// first (a concurrent retry, or an earlier attempt of an unknown outcome).
var errTokenTaken = errors.New("token taken")

// writeOptions are the options of one write.
type writeOptions tokens.Options

func writeOpts(opts []WriteOption) writeOptions { return writeOptions(tokens.Collect(opts)) }

// tokenRecord returns the WriteToken a write with options o makes for the
// new id at time at, or nil without a token. The request digest covers
// kind and the request's fields.
func (o writeOptions) tokenRecord(user, id string, at time.Time, kind string, fields ...string) (*WriteToken, error) {
	if o.Token == "" {
		return nil, nil
	}
	if !tokens.Valid(o.Token) {
		return nil, fmt.Errorf("social: token %q: want 1 to 36 characters: %w", o.Token, ErrInvalidInput)
	}
	return &WriteToken{User: user, Token: o.Token, ID: id, At: at, Request: tokens.Digest(append([]string{kind}, fields...)...),
		Expires: at.Add(TokenLifetime)}, nil
}

// recorded returns the WriteToken of want's user and token stored by an
// earlier run, or false: ErrTokenReused if it was made for another
// request.
func (s *Service) recorded(ctx context.Context, want *WriteToken) (WriteToken, bool, error) {
	got, ok, err := tokens.Stored(ctx, s.ent.WriteTokens, WriteToken{User: want.User, Token: want.Token}, func(t WriteToken) string { return t.Request }, want.Request)
	if err != nil {
		err = fmt.Errorf("token %q of %q: %w", want.Token, want.User, err)
	}
	return got, ok, err
}

// apply gives tx the options' token, if any.
func (o writeOptions) apply(tx *tablemap.WriteTx) *tablemap.WriteTx {
	if o.Token != "" {
		tx = tx.Token(o.Token)
	}
	return tx
}

// A txFailure is how a write reports one failed action of its cancelled
// transaction: action, failed with kind (ErrNotFound, ErrExists), is the
// service's error err, said of what ("photo: ", or "" for the write).
type txFailure struct {
	action int
	kind   error
	what   string
	err    error
}

// txResult returns the error of write what whose transaction returned
// err: nil for nil; for a failure of fails (the first that matches), the
// service's error, wrapping err; else err.
func txResult(what string, err error, fails ...txFailure) error {
	if err == nil {
		return nil
	}
	for _, f := range fails {
		if tokens.FailedAt(err, f.action, f.kind) {
			return fmt.Errorf("%s: %s%w: %w", what, f.what, f.err, err)
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}
