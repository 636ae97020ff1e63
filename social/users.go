package social

import (
	"context"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/tablemap/tablemap"
)

// A User is a profile. Followers, Following and Photos are counters the
// service moves in the same transaction as the items they count; they are
// absent (zero) until first moved. Celebrity and FanoutPending are the
// timeline's bookkeeping, which the service alone sets.
//
// Its sort key repeats the username so that every profile has its own
// partition in the inverted index: a constant sort key ("PROFILE") would put
// every profile, and every counter update, in one hot index partition.
type User struct {
	_          struct{}  `tablemap:"social.User" pk:"USER#{username}" sk:"PROFILE#{username}"`
	Username   string    `dynamo:"username"`
	Name       string    `dynamo:"name,omitempty"`
	PictureURL string    `dynamo:"picture,omitempty"`
	Location   string    `dynamo:"location,omitempty"`
	Status     string    `dynamo:"status,omitempty"`
	Interests  []string  `dynamo:"interests,omitempty"`
	Followers  int64     `dynamo:"followers,omitempty"`
	Following  int64     `dynamo:"following,omitempty"`
	Photos     int64     `dynamo:"photos,omitempty"`
	Created    time.Time `dynamo:"created,created"`
	// Updated is the time of the last UpdateUser. It is set by UpdateUser,
	// not by every write of the item: counter updates inside a transaction
	// must be the same request when retried with a Token.
	Updated time.Time `dynamo:"updated,omitempty"`
	// Celebrity is set once the account has had more followers than the
	// celebrity threshold (see WithCelebrityThreshold) and is never
	// cleared: its photos are read at view time, not copied into timelines.
	Celebrity bool `dynamo:"celebrity,omitempty"`
	// FanoutPending holds the ids of photos whose timeline fan-out has
	// begun and not yet completed (see UploadPhoto).
	FanoutPending []string `dynamo:"pending,omitempty,set"`
}

// A ProfileUpdate lists the profile fields to change; nil fields stay as
// they are, and an empty value removes the field.
type ProfileUpdate struct {
	Name       *string
	PictureURL *string
	Location   *string
	Status     *string
	Interests  *[]string
}

// MaxIDLen is the most bytes of a username or a photo id. A byte takes at
// most three in a key (escaped), and a reaction's sort key
// "PHOTO#{owner}#{photo}" holds two such ids, so with this limit every key
// of the service fits in DynamoDB's (tablemap.MaxSortKeyBytes).
const MaxIDLen = (tablemap.MaxSortKeyBytes - len("PHOTO##")) / 6

// checkUsername refuses a username no key can hold.
func checkUsername(name string) error {
	if name == "" || len(name) > MaxIDLen || !utf8.ValidString(name) {
		return fmt.Errorf("social: username %s of %d bytes (1 to %d of UTF-8): %w", quoteID(name), len(name), MaxIDLen, ErrInvalidUsername)
	}
	return nil
}

// quoteID quotes at most 64 bytes of id, for messages.
func quoteID(id string) string {
	if len(id) > 64 {
		return strconv.Quote(id[:64]) + "…"
	}
	return strconv.Quote(id)
}

// CreateUser creates the profile u (its counters start at zero whatever u
// holds) and returns it as stored. A taken username is ErrExists. One
// PutItem.
func (s *Service) CreateUser(ctx context.Context, u User) (User, error) {
	if err := checkUsername(u.Username); err != nil {
		return User{}, err
	}
	u.Followers, u.Following, u.Photos = 0, 0, 0
	u.Celebrity, u.FanoutPending = false, nil
	u.Created, u.Updated = time.Time{}, time.Time{}
	put := s.ent.Users.Put(u).IfNotExists()
	stored, err := put.Value()
	if err != nil {
		return User{}, fmt.Errorf("social: create user %q: %w", u.Username, err)
	}
	if err := put.Run(ctx); err != nil {
		return User{}, fmt.Errorf("social: create user %q: %w", u.Username, err)
	}
	return stored, nil
}

// UpdateUser changes the fields of the profile that up gives and returns
// the profile as it is afterwards. A missing user is ErrNotFound; an update
// with no field is ErrInvalidInput. One UpdateItem.
func (s *Service) UpdateUser(ctx context.Context, username string, up ProfileUpdate) (User, error) {
	if err := checkUsername(username); err != nil {
		return User{}, err
	}
	op := s.ent.Users.Update(User{Username: username})
	n := 0
	for _, f := range []struct {
		attr string
		v    *string
	}{{"name", up.Name}, {"picture", up.PictureURL}, {"location", up.Location}, {"status", up.Status}} {
		if f.v != nil {
			op.Set(f.attr, *f.v)
			n++
		}
	}
	if up.Interests != nil {
		op.Set("interests", *up.Interests)
		n++
	}
	if n == 0 {
		return User{}, fmt.Errorf("social: update user %q: no field to change: %w", username, ErrInvalidInput)
	}
	op.Set("updated", s.now().UTC())
	u, err := op.Run(ctx)
	if err != nil {
		return User{}, fmt.Errorf("social: update user %q: %w", username, err)
	}
	return u, nil
}

// GetUser returns the profile of username with its follower, following and
// photo counts. A missing user is ErrNotFound. One GetItem.
func (s *Service) GetUser(ctx context.Context, username string) (User, error) {
	if err := checkUsername(username); err != nil {
		return User{}, err
	}
	u, err := s.ent.Users.Get(User{Username: username}).Run(ctx)
	if err != nil {
		return User{}, fmt.Errorf("social: get user %q: %w", username, err)
	}
	return u, nil
}
