package social

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/tablemap/tablemap"
)

// A Follow is the edge "Follower follows Followed". It lives in the
// followed user's partition, so that user's followers are one Query of the
// table; its sort key names the follower, so in the inverted index the
// partition "FOLLOW#{follower}" holds everyone that user follows.
//
// It has no timestamp on purpose: a follow retried with its Token must be
// the same request, which a time taken at each call would not be.
type Follow struct {
	_        struct{} `tablemap:"social.Follow" pk:"USER#{followed}" sk:"FOLLOW#{follower}"`
	Followed string   `dynamo:"followed"`
	Follower string   `dynamo:"follower"`
}

func checkPair(follower, followed string) error {
	if err := checkUsername(follower); err != nil {
		return err
	}
	if err := checkUsername(followed); err != nil {
		return err
	}
	if follower == followed {
		return fmt.Errorf("social: %q and %q: %w", follower, followed, ErrSelfFollow)
	}
	return nil
}

// Follow makes follower follow followed: one transaction (one
// TransactWriteItems) that puts the edge, if it is new, and adds one to the
// follower's following count and to the followed user's followers count.
// An unknown user is ErrNotFound, a repeat ErrAlreadyFollowing, following
// oneself ErrSelfFollow (before sending). Nothing is applied unless all of
// it is.
//
// Then the follower's home timeline takes followed in (see Timeline): a
// GetItem of followed's profile, and for an account with at most the
// celebrity threshold of followers its most recent photos (see
// WithTimelineBackfill) copied in, one Query of GSI1 and a BatchWriteItem
// per 25 photos — 4 requests for up to 25 photos; for a celebrity a
// CelebrityFollow item, one PutItem. If that fails, the follow stands and
// the error wraps ErrFanoutIncomplete; a repeat of the call, with its
// Token or without (ErrAlreadyFollowing), does it again.
func (s *Service) Follow(ctx context.Context, follower, followed string, opts ...WriteOption) error {
	return s.changeEdge(ctx, follower, followed, true, opts)
}

// Unfollow removes the edge "follower follows followed" and subtracts one
// from both counts, in one transaction (one TransactWriteItems). No edge is
// ErrNotFollowing. A count never goes below zero: the decrements require
// a count of at least one.
//
// Then followed leaves the follower's home timeline: one Query of the
// whole timeline partition filtered on the owner (it reads, and costs, every
// entry of the timeline) and BatchWriteItems deleting followed's entries
// and CelebrityFollow, 25 at a time — 3 requests when they fit one batch.
// If that fails, the unfollow stands and the error wraps
// ErrFanoutIncomplete; a repeat of the call, with its Token or without
// (ErrNotFollowing), does it again.
func (s *Service) Unfollow(ctx context.Context, follower, followed string, opts ...WriteOption) error {
	return s.changeEdge(ctx, follower, followed, false, opts)
}

// changeEdge follows (follow true) or unfollows: one transaction of the
// edge (action 0) and both users' counts (actions 1 and 2), then the
// follower's timeline. A repeat (the edge was already so) updates the
// timeline too, completing what a first run may have left undone.
func (s *Service) changeEdge(ctx context.Context, follower, followed string, follow bool, opts []WriteOption) error {
	if err := checkPair(follower, followed); err != nil {
		return err
	}
	edge := Follow{Followed: followed, Follower: follower}
	verb, n, tx := "follows", int64(1), s.tbl.WriteTx().Put(s.ent.Follows.Put(edge).IfNotExists())
	repeat, after := txFailure{0, ErrExists, "", ErrAlreadyFollowing}, s.afterFollow
	if !follow {
		verb, n, tx = "unfollows", -1, s.tbl.WriteTx().Delete(s.ent.Follows.Delete(edge).If(expression.Name("follower").AttributeExists()))
		repeat, after = txFailure{0, ErrNotFound, "", ErrNotFollowing}, s.afterUnfollow
	}
	what := fmt.Sprintf("social: %q %s %q", follower, verb, followed)
	err := writeOpts(opts).apply(tx.
		Update(s.ent.Users.Update(User{Username: follower}).Incr("following", n)).
		Update(s.ent.Users.Update(User{Username: followed}).Incr("followers", n))).
		Run(ctx)
	// A missing user is reported before a repeat of a follow, after a
	// repeat of an unfollow.
	fails := []txFailure{{1, ErrNotFound, fmt.Sprintf("user %q: ", follower), ErrNotFound}, {2, ErrNotFound, fmt.Sprintf("user %q: ", followed), ErrNotFound}}
	if follow {
		fails = append(fails, repeat)
	} else {
		fails = append([]txFailure{repeat}, fails...)
	}
	if err = txResult(what, err, fails...); err != nil && !errors.Is(err, repeat.err) {
		return err
	}
	if ferr := after(ctx, follower, followed); ferr != nil {
		return errors.Join(err, fmt.Errorf("%s: %w: %w", what, ErrFanoutIncomplete, ferr))
	}
	return err
}

// Follows reports whether a follows b: one GetItem of the edge.
func (s *Service) Follows(ctx context.Context, a, b string) (bool, error) {
	if err := checkPair(a, b); err != nil {
		if errors.Is(err, ErrSelfFollow) {
			return false, nil
		}
		return false, err
	}
	_, err := s.ent.Follows.Get(Follow{Followed: b, Follower: a}).Run(ctx)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, ErrNotFound):
		return false, nil
	}
	return false, fmt.Errorf("social: does %q follow %q: %w", a, b, err)
}

// Followers returns a page of the usernames following username, in
// username order: one Query of the user's partition,
// PK = USER#{username} AND begins_with(SK, "FOLLOW#").
func (s *Service) Followers(ctx context.Context, username, cursor string, limit int) (*Page[string], error) {
	page, err := userList(ctx, username, s.ent.Follows.Query(Follow{Followed: username}), cursor, limit, "followers of %q")
	return names(page, err, func(f Follow) string { return f.Follower })
}

// Following returns a page of the usernames username follows, in username
// order: one Query of the inverted index,
// SK = FOLLOW#{username} AND begins_with(PK, "USER#").
func (s *Service) Following(ctx context.Context, username, cursor string, limit int) (*Page[string], error) {
	page, err := userList(ctx, username, s.ent.Follows.Query(Follow{Follower: username}).Index(tablemap.InvertedIndex), cursor, limit, "whom %q follows")
	return names(page, err, func(f Follow) string { return f.Followed })
}

// names returns the page of follows as the usernames name picks, or err.
func names(page *Page[Follow], err error, name func(Follow) string) (*Page[string], error) {
	if err != nil {
		return nil, err
	}
	out := &Page[string]{Items: make([]string, len(page.Items)), Next: page.Next}
	for i, f := range page.Items {
		out.Items[i] = name(f)
	}
	return out, nil
}
