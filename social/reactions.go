package social

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
)

// A ReactionType is one of the four reactions a photo takes.
type ReactionType string

// The reaction types. Each is also the name of the photo's number
// attribute that counts it.
const (
	Heart      ReactionType = "heart"
	Smiley     ReactionType = "smiley"
	ThumbsUp   ReactionType = "thumbsup"
	Sunglasses ReactionType = "sunglasses"
)

// ReactionTypes lists the valid reaction types.
var ReactionTypes = []ReactionType{Heart, Smiley, ThumbsUp, Sunglasses}

// Valid reports whether t is one of the four reaction types.
func (t ReactionType) Valid() bool {
	switch t {
	case Heart, Smiley, ThumbsUp, Sunglasses:
		return true
	}
	return false
}

// A Reaction is User's reaction of one Type to the photo PhotoID of Owner.
// Its table key holds the user and the type, so a user gives each type at
// most once per photo; its sort key is the photo's sort key, so in the
// inverted index it shares the partition "PHOTO#{owner}#{photo}" with the
// photo itself (whose inverted sort key "USER#…" sorts after every
// "REACTION#…": read newest first, the photo comes first).
type Reaction struct {
	_       struct{}     `tablemap:"social.Reaction" pk:"REACTION#{user}#{type}" sk:"PHOTO#{owner}#{photo}"`
	User    string       `dynamo:"user"`
	Type    ReactionType `dynamo:"type"`
	Owner   string       `dynamo:"owner"`
	PhotoID string       `dynamo:"photo"`
}

func checkReaction(user, owner, photoID string, t ReactionType) error {
	if !t.Valid() {
		return fmt.Errorf("social: reaction %q (want heart, smiley, thumbsup or sunglasses): %w", string(t), ErrInvalidReaction)
	}
	for _, name := range []string{user, owner} {
		if err := checkUsername(name); err != nil {
			return err
		}
	}
	return checkPhotoID(photoID)
}

// React records user's reaction t to the photo photoID of owner: one
// transaction (one TransactWriteItems) that puts the reaction, if it is
// new, adds one to the photo's count of t, and checks that user exists. An
// invalid type is ErrInvalidReaction (before sending), a second reaction of
// one type ErrAlreadyReacted (counts unchanged), a missing photo or user
// ErrNotFound.
func (s *Service) React(ctx context.Context, user, owner, photoID string, t ReactionType, opts ...WriteOption) error {
	if err := checkReaction(user, owner, photoID, t); err != nil {
		return err
	}
	what := fmt.Sprintf("social: %q reacts %s to photo %s of %q", user, t, photoID, owner)
	err := writeOpts(opts).apply(s.tbl.WriteTx().
		Put(s.ent.Reactions.Put(Reaction{User: user, Type: t, Owner: owner, PhotoID: photoID}).IfNotExists()).
		Update(s.ent.Photos.Update(Photo{Owner: owner, ID: photoID}).Incr(string(t), 1)).
		Check(s.ent.Users.Check(User{Username: user}).Exists())).
		Run(ctx)
	return txResult(what, err, txFailure{1, ErrNotFound, "photo: ", ErrNotFound},
		txFailure{2, ErrNotFound, fmt.Sprintf("user %q: ", user), ErrNotFound}, txFailure{0, ErrExists, "", ErrAlreadyReacted})
}

// Unreact removes user's reaction t from the photo and subtracts one from
// its count, in one transaction (one TransactWriteItems). A reaction not
// given is ErrNotReacted; a count never goes below zero.
func (s *Service) Unreact(ctx context.Context, user, owner, photoID string, t ReactionType, opts ...WriteOption) error {
	if err := checkReaction(user, owner, photoID, t); err != nil {
		return err
	}
	what := fmt.Sprintf("social: %q removes reaction %s from photo %s of %q", user, t, photoID, owner)
	err := writeOpts(opts).apply(s.tbl.WriteTx().
		Delete(s.ent.Reactions.Delete(Reaction{User: user, Type: t, Owner: owner, PhotoID: photoID}).If(expression.Name("user").AttributeExists())).
		Update(s.ent.Photos.Update(Photo{Owner: owner, ID: photoID}).Incr(string(t), -1))).
		Run(ctx)
	return txResult(what, err, txFailure{0, ErrNotFound, "", ErrNotReacted}, txFailure{1, ErrNotFound, "photo: ", ErrNotFound})
}
