package social

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"
)

// A Photo is one photo of a user, with the count of each reaction it has.
//
// Its id is a ULID: time-ordered, so a user's photos sort newest last by
// sort key, and unique, so two uploads in one millisecond never share a key.
// Its sort key repeats the owner so that, in the inverted index, the photo
// and its reactions share the partition "PHOTO#{owner}#{id}" (see
// ViewPhoto).
type Photo struct {
	_        struct{}  `tablemap:"social.Photo" pk:"USER#{owner}" sk:"PHOTO#{owner}#{id}"`
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

// UploadPhoto stores a new photo of owner at url and counts it on the
// owner's profile, in one transaction (one TransactWriteItems). The photo
// gets a new time-ordered id and the upload time. A missing owner is
// ErrNotFound. An upload takes no Token: each call makes a new photo id,
// so a repeated upload is a second photo.
func (s *Service) UploadPhoto(ctx context.Context, owner, url, caption string) (Photo, error) {
	if err := checkUsername(owner); err != nil {
		return Photo{}, err
	}
	if url == "" {
		return Photo{}, fmt.Errorf("social: upload photo of %q: empty URL: %w", owner, ErrInvalidInput)
	}
	now := s.now().UTC()
	p := Photo{Owner: owner, ID: s.ids.New(), URL: url, Caption: caption, Uploaded: now}
	err := s.tbl.WriteTx().
		Put(s.photos.Put(p).IfNotExists()).
		Update(s.users.Update(User{Username: owner}).Incr("photos", 1)).
		Run(ctx)
	switch {
	case err == nil:
		return p, nil
	case failedAt(err, 1, ErrNotFound):
		return Photo{}, fmt.Errorf("social: upload photo: user %q: %w: %w", owner, ErrNotFound, err)
	}
	return Photo{}, fmt.Errorf("social: upload photo of %q: %w", owner, err)
}

// RecentPhotos returns a page of owner's photos, newest first, after
// cursor ("" for the first page): one Query on the owner's partition,
// PK = USER#{owner} AND begins_with(SK, "PHOTO#{owner}#"), descending.
func (s *Service) RecentPhotos(ctx context.Context, owner, cursor string, limit int) (*Page[Photo], error) {
	if err := checkUsername(owner); err != nil {
		return nil, err
	}
	page, err := s.photos.Query(Photo{Owner: owner}).Newest().Limit(pageSize(limit)).Page(ctx, cursor)
	if err != nil {
		return nil, fmt.Errorf("social: recent photos of %q: %w", owner, err)
	}
	return page, nil
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
	p, err := s.photos.Get(Photo{Owner: owner, ID: id}).Run(ctx)
	if err != nil {
		return Photo{}, fmt.Errorf("social: get photo %s of %q: %w", id, owner, err)
	}
	return p, nil
}
