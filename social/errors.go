package social

import (
	"errors"

	"github.com/tablemap/tablemap"
)

// Errors of the service, for errors.Is. The errors a method returns wrap one
// of them and the cause (a *tablemap.TxError naming the transaction action
// that failed, for instance), so both errors.Is and errors.As see through.
// Errors found before sending (an invalid reaction, a self-follow, an empty
// username) cost no request.
var (
	// ErrNotFound reports a user or photo that does not exist. It is
	// tablemap.ErrNotFound, so either matches.
	ErrNotFound = tablemap.ErrNotFound
	// ErrExists reports a username that is taken. It is tablemap.ErrExists.
	ErrExists = tablemap.ErrExists
	// ErrAlreadyFollowing reports a follow of a user already followed; the
	// counters are unchanged.
	ErrAlreadyFollowing = errors.New("already following")
	// ErrNotFollowing reports an unfollow of a user not followed.
	ErrNotFollowing = errors.New("not following")
	// ErrSelfFollow reports a user following (or unfollowing) themselves.
	ErrSelfFollow = errors.New("a user cannot follow themselves")
	// ErrAlreadyReacted reports a second reaction of one type by one user
	// to one photo; the counts are unchanged.
	ErrAlreadyReacted = errors.New("already reacted")
	// ErrNotReacted reports the removal of a reaction that was not given.
	ErrNotReacted = errors.New("not reacted")

	// Arguments refused before sending:

	// ErrInvalidCursor reports a page cursor that this list did not
	// produce. It is tablemap.ErrInvalidCursor.
	ErrInvalidCursor = tablemap.ErrInvalidCursor
	// ErrInvalidReaction reports a reaction type other than Heart, Smiley,
	// ThumbsUp and Sunglasses.
	ErrInvalidReaction = errors.New("invalid reaction type")
	// ErrInvalidUsername reports an empty username, one over MaxIDLen bytes
	// (its keys would exceed DynamoDB's limits), or one that is not valid
	// UTF-8 (DynamoDB would replace the invalid bytes, and two names could
	// meet in one key).
	ErrInvalidUsername = errors.New("invalid username")
	// ErrInvalidInput reports another argument the service refuses before
	// sending: an empty photo URL or thought, an update with nothing to
	// change, a malformed photo id.
	ErrInvalidInput = errors.New("invalid input")
)

// Errors of a write's outcome: what happened to a write DynamoDB did not
// simply apply.
var (
	// ErrConflict reports a transaction DynamoDB cancelled because another
	// write touched one of its items at the same time; nothing was applied,
	// and the caller may retry (with the same Token, if it gave one). It is
	// tablemap.ErrTxConflict.
	ErrConflict = tablemap.ErrTxConflict
	// ErrUnknownOutcome reports a write that may have been applied (a
	// lost response, a server error, a timeout after sending). Run it
	// again with the same Token. It is tablemap.ErrUnknownOutcome.
	ErrUnknownOutcome = tablemap.ErrUnknownOutcome
	// ErrTokenReused reports a Token given again with a different request.
	// It is tablemap.ErrTokenReused.
	ErrTokenReused = tablemap.ErrTokenReused
	// ErrFanoutIncomplete reports a write that was applied — a photo
	// stored, a follow made — whose timeline updates did not all happen
	// (a request failed, the context ended). Timelines catch up when the
	// write is retried (with its Token, or see Refanout for an upload).
	ErrFanoutIncomplete = errors.New("applied, but timelines not fully updated")
)
