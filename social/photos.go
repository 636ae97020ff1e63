package social

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/tablemap/tablemap"
	tokens "github.com/tablemap/tablemap/internal/token"
)

// A Photo is one photo of a user, with the count of each reaction it has.
//
// Its id is a ULID: time-ordered, so a user's photos sort newest last by
// sort key, and unique, so two uploads in one millisecond never share a key.
// Its sort key repeats the owner so that, in the inverted index, the photo
// and its reactions share the partition "PHOTO#{owner}#{id}" (see
// ViewPhoto). In GSI1 the partition "PHOTOS#{owner}" holds the owner's
// photos in order of upload time, then owner and id: the order of
// timelines, so a celebrity's photos merge into a timeline exactly (see
// Timeline). A photo stored by an older version of this package, before
// GSI1 held photos, is not in it until it is written again.
type Photo struct {
	_        struct{}  `tablemap:"social.Photo" pk:"USER#{owner}" sk:"PHOTO#{owner}#{id}" gsi1pk:"PHOTOS#{owner}" gsi1sk:"{uploaded}#{owner}#{id}"`
	Owner    string    `dynamo:"owner"`
	ID       string    `dynamo:"id"`
	URL      string    `dynamo:"url"`
	Caption  string    `dynamo:"caption,omitempty"`
	Uploaded time.Time `dynamo:"uploaded"`
	ReactionCounts
}

// ReactionCounts are a photo's counts of each reaction type, stored as
// flat number attributes moved with ADD in the reaction transactions
// (absent means zero).
type ReactionCounts struct {
	Heart      int64 `dynamo:"heart,omitempty"`
	Smiley     int64 `dynamo:"smiley,omitempty"`
	ThumbsUp   int64 `dynamo:"thumbsup,omitempty"`
	Sunglasses int64 `dynamo:"sunglasses,omitempty"`
}

// Of returns the count of reaction type t (0 for an invalid type).
func (c ReactionCounts) Of(t ReactionType) int64 {
	switch t {
	case Heart:
		return c.Heart
	case Smiley:
		return c.Smiley
	case ThumbsUp:
		return c.ThumbsUp
	case Sunglasses:
		return c.Sunglasses
	}
	return 0
}

// Total returns the number of reactions of every type.
func (c ReactionCounts) Total() int64 { return c.Heart + c.Smiley + c.ThumbsUp + c.Sunglasses }

// checkPhotoID refuses a photo id no key can hold.
func checkPhotoID(id string) error {
	if id == "" || len(id) > MaxIDLen || !utf8.ValidString(id) {
		return fmt.Errorf("social: photo id %s of %d bytes (1 to %d of UTF-8): %w", quoteID(id), len(id), MaxIDLen, ErrInvalidInput)
	}
	return nil
}

// UploadPhoto stores a new photo of owner at url, counts it on the owner's
// profile and copies it into the home timelines of the owner's followers
// (see Timeline). The photo gets a new time-ordered id and the upload
// time. A missing owner is ErrNotFound. Without a Token each call makes a
// new photo, so a blind retry makes a second one; with a Token the same
// call run again — after ErrUnknownOutcome, say — returns the photo the
// first run stored (same id and time, no second count) and completes its
// fan-out if it is still pending (see Token).
//
// Requests, for an owner with f followers: a GetItem of the owner's
// profile (its follower count and celebrity flag) and one
// TransactWriteItems (put the photo, ADD photos 1; with a Token, put its
// WriteToken too, after a GetItem of it); with 0 < f and the owner no
// celebrity, then the fan-out — a Query of the followers per 10,000 or
// so, a BatchWriteItem per 25 of them — and one UpdateItem clearing the
// pending mark: 2 requests without followers or for a celebrity,
// 4 + ⌈f/25⌉ for up to about 10,000 followers.
//
// The fan-out follows the photo's transaction, which also adds the photo
// id to the profile's FanoutPending. Until it completes, some followers'
// timelines lack the photo. If it fails, UploadPhoto returns the photo
// and an error wrapping ErrFanoutIncomplete; if the process stops, the
// id stays pending. Either way the owner's next upload completes every
// pending fan-out along with its own, and Refanout completes one at once. An owner
// followed by more accounts than the celebrity threshold is made a
// celebrity (see WithCelebrityThreshold) before the photo is stored.
func (s *Service) UploadPhoto(ctx context.Context, owner, url, caption string, opts ...WriteOption) (Photo, error) {
	if err := checkUsername(owner); err != nil {
		return Photo{}, err
	}
	if url == "" {
		return Photo{}, fmt.Errorf("social: upload photo of %q: empty URL: %w", owner, ErrInvalidInput)
	}
	now := s.now().UTC()
	p := Photo{Owner: owner, ID: s.ids.New(), URL: url, Caption: caption, Uploaded: now}
	mark, err := writeOpts(opts).tokenRecord(owner, p.ID, now, "photo", url, caption)
	if err != nil {
		return Photo{}, err
	}
	if mark != nil {
		if p, done, err := s.uploadedBefore(ctx, mark, url, caption); done || err != nil {
			return p, err
		}
	}
	prof, fan, err := s.storePhoto(ctx, p, false, mark)
	if errors.Is(err, errFollowedMeanwhile) {
		prof, fan, err = s.storePhoto(ctx, p, true, mark)
	}
	if errors.Is(err, errTokenTaken) {
		// Another run recorded the token first.
		p, done, err := s.uploadedBefore(ctx, mark, url, caption)
		if err == nil && !done {
			err = fmt.Errorf("social: upload photo of %q: token %q recorded, then gone (expired): %w", owner, mark.Token, ErrConflict)
		}
		return p, err
	}
	if err != nil {
		return Photo{}, err
	}
	if err := s.completeFanout(ctx, p, prof, fan); err != nil {
		return p, fmt.Errorf("social: upload photo %s of %q: %w: %w", p.ID, owner, ErrFanoutIncomplete, err)
	}
	return p, nil
}

// uploadedBefore returns the photo an earlier upload with mark's token
// stored, after completing the owner's pending fan-outs (that photo's, if
// its upload stopped short); done is false when there was none.
func (s *Service) uploadedBefore(ctx context.Context, mark *WriteToken, url, caption string) (p Photo, done bool, err error) {
	what := fmt.Sprintf("social: upload photo of %q", mark.User)
	rec, ok, err := s.recorded(ctx, mark)
	if err != nil || !ok {
		if err != nil {
			err = fmt.Errorf("%s: %w", what, err)
		}
		return Photo{}, false, err
	}
	p = Photo{Owner: mark.User, ID: rec.ID, URL: url, Caption: caption, Uploaded: rec.At}
	prof, err := s.ent.Users.Get(User{Username: p.Owner}).Consistent().Run(ctx)
	if err != nil {
		return p, true, fmt.Errorf("%s: %w: %w", what, ErrFanoutIncomplete, err)
	}
	if err := s.completeFanout(ctx, p, prof, false); err != nil {
		return p, true, fmt.Errorf("social: upload photo %s of %q: %w: %w", p.ID, p.Owner, ErrFanoutIncomplete, err)
	}
	return p, true, nil
}

// errFollowedMeanwhile reports an owner who had no followers when read and
// gained one before the photo's transaction.
var errFollowedMeanwhile = errors.New("followed meanwhile")

// storePhoto reads the owner's profile and stores p in one transaction,
// marking its fan-out pending when the owner has followers and is no
// celebrity (or when fan says so). Without followers the transaction
// requires that there still are none, so a follow between the read and the
// transaction is errFollowedMeanwhile rather than a follower whose
// timeline misses p. It returns the profile as read and whether p is to
// be fanned out. With mark, the transaction records the upload's token
// too, or fails with errTokenTaken if another run did.
func (s *Service) storePhoto(ctx context.Context, p Photo, fan bool, mark *WriteToken) (User, bool, error) {
	prof, err := s.ent.Users.Get(User{Username: p.Owner}).Consistent().Run(ctx)
	if err != nil {
		return User{}, false, fmt.Errorf("social: upload photo: user %q: %w", p.Owner, err)
	}
	if !prof.Celebrity && prof.Followers > int64(s.celebrity) {
		if err := s.makeCelebrity(ctx, p.Owner); err != nil {
			return User{}, false, fmt.Errorf("social: upload photo of %q: make celebrity: %w", p.Owner, err)
		}
		prof.Celebrity = true
	}
	fan = !prof.Celebrity && (fan || prof.Followers > 0)
	count := s.ent.Users.Update(User{Username: p.Owner}).Incr("photos", 1)
	switch {
	case fan:
		count.Add("pending", p.ID)
	case !prof.Celebrity:
		followers := expression.Name("followers")
		count.If(followers.AttributeNotExists().Or(followers.Equal(expression.Value(0))))
	}
	tx := s.tbl.WriteTx().Put(s.ent.Photos.Put(p).IfNotExists()).Update(count)
	if mark != nil {
		tx.Put(s.ent.WriteTokens.Put(*mark).IfNotExists())
	}
	err = tx.Run(ctx)
	switch {
	case err == nil:
		return prof, fan, nil
	case tokens.FailedAt(err, 2, ErrExists):
		return User{}, false, errTokenTaken
	case tokens.FailedAt(err, 1, ErrNotFound):
		return User{}, false, fmt.Errorf("social: upload photo: user %q: %w: %w", p.Owner, ErrNotFound, err)
	case tokens.FailedAt(err, 1, tablemap.ErrConditionFailed):
		return User{}, false, errFollowedMeanwhile
	}
	return User{}, false, fmt.Errorf("social: upload photo of %q: %w", p.Owner, err)
}

// DeletePhoto deletes the photo id of owner, its count on the owner's
// profile and its entries in every timeline. A missing photo is
// ErrNotFound. With a Token, a retry of a delete that succeeded succeeds
// again (within DynamoDB's ten minutes).
//
// Requests: a GetItem of the photo; a Query of the inverted index
// partition of the photo's timeline entries (one per about 1 MB of them)
// and a BatchWriteItem per 25 entries; then one TransactWriteItems
// (delete the photo if it exists, ADD photos -1). The entries go first, so
// an error or a stop in between leaves the photo in place and a retry
// finishes the job. A fan-out of the photo running at the same time (an
// upload not yet complete) can put an entry back after the deletes; it
// stays in that timeline until it expires. The photo's reactions stay.
func (s *Service) DeletePhoto(ctx context.Context, owner, id string, opts ...WriteOption) error {
	if err := checkUsername(owner); err != nil {
		return err
	}
	if err := checkPhotoID(id); err != nil {
		return err
	}
	what := fmt.Sprintf("social: delete photo %s of %q", id, owner)
	o := writeOpts(opts)
	p, err := s.ent.Photos.Get(Photo{Owner: owner, ID: id}).Consistent().Run(ctx)
	switch {
	case errors.Is(err, ErrNotFound) && o.Token != "":
		// Perhaps a retry of a delete that succeeded: the transaction,
		// with its token, answers.
	case err != nil:
		return fmt.Errorf("%s: %w", what, err)
	default:
		if err := s.removeEntries(ctx, p); err != nil {
			return fmt.Errorf("%s: timeline entries: %w", what, err)
		}
	}
	err = o.apply(s.tbl.WriteTx().
		Delete(s.ent.Photos.Delete(Photo{Owner: owner, ID: id}).If(expression.Name("id").AttributeExists())).
		Update(s.ent.Users.Update(User{Username: owner}).Incr("photos", -1).DeleteFromSet("pending", id))).
		Run(ctx)
	return txResult(what, err, txFailure{0, ErrNotFound, "", ErrNotFound})
}

// RecentPhotos returns a page of owner's photos, newest first, after
// cursor ("" for the first page): one Query on the owner's partition,
// PK = USER#{owner} AND begins_with(SK, "PHOTO#{owner}#"), descending.
func (s *Service) RecentPhotos(ctx context.Context, owner, cursor string, limit int) (*Page[Photo], error) {
	return userList(ctx, owner, s.ent.Photos.Query(Photo{Owner: owner}).Newest(), cursor, limit, "recent photos of %q")
}

// GetPhoto returns one photo with its reaction counts; a missing photo is
// ErrNotFound. One GetItem.
func (s *Service) GetPhoto(ctx context.Context, owner, id string) (Photo, error) {
	if err := checkUsername(owner); err != nil {
		return Photo{}, err
	}
	if err := checkPhotoID(id); err != nil {
		return Photo{}, err
	}
	p, err := s.ent.Photos.Get(Photo{Owner: owner, ID: id}).Run(ctx)
	if err != nil {
		return Photo{}, fmt.Errorf("social: get photo %s of %q: %w", id, owner, err)
	}
	return p, nil
}
