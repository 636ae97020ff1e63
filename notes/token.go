package notes

import (
	"context"
	"fmt"
	"time"

	"github.com/tablemap/tablemap"
	tokens "github.com/tablemap/tablemap/internal/token"
)

// ErrUnknownOutcome reports a Create, Update or Delete that may have been
// applied: the request was sent and its answer lost (a timeout, a dropped
// connection, a server error). Run a Create again with the same Token. It
// is tablemap.ErrUnknownOutcome.
var ErrUnknownOutcome = tablemap.ErrUnknownOutcome

// ErrTokenReused reports a Token given again with a different request. It
// is tablemap.ErrTokenReused.
var ErrTokenReused = tablemap.ErrTokenReused

// A WriteOption adjusts Create.
type WriteOption func(*tokens.Options)

// Token sets Create's idempotency token (1 to 36 characters, unique per
// user). Create records it in a NoteToken item, in one transaction with the
// note, so that the same Create run again with it — after an error
// wrapping ErrUnknownOutcome, say — returns that note (same id, as stored
// now) instead of making a second one; the same token with other content
// or attachment is ErrTokenReused. A token is remembered for
// TokenLifetime (a day), then it makes a new note. With a token, Create
// costs a GetItem of the token and a TransactWriteItems instead of a
// PutItem.
func Token(token string) WriteOption { return tokens.Set(token) }

// TokenLifetime is how long Create remembers a token.
const TokenLifetime = tokens.Lifetime

// A NoteToken records a Create made with a Token: the id of the note it
// made and a digest of the request. It lives in the user's partition and
// expires after TokenLifetime (its ttl attribute is "expires", so a table
// shared with other entities must use that name for theirs).
type NoteToken struct {
	_       struct{}  `tablemap:"NoteToken" pk:"USER#{user}" sk:"NOTETOKEN#{token}"`
	User    string    `dynamo:"user"`
	Token   string    `dynamo:"token"`
	ID      string    `dynamo:"id"`
	Request string    `dynamo:"request"`
	Expires time.Time `dynamo:"expires,ttl"`
}

// createWithToken stores put's note n and its NoteToken in one
// transaction, or returns the note an earlier run with the token made.
func (s *Store) createWithToken(ctx context.Context, put *tablemap.Put[Note], n Note, token string) (Note, error) {
	if !tokens.Valid(token) {
		return Note{}, invalid("token %q: want 1 to 36 characters", token)
	}
	rec := NoteToken{User: n.UserID, Token: token, ID: n.ID, Request: tokens.Digest(n.Content, n.Attachment),
		Expires: n.Created.Add(TokenLifetime)}
	if got, ok, err := s.createdBefore(ctx, rec); ok || err != nil {
		return got, err
	}
	err := s.notes.Table().WriteTx().Put(put).Put(s.tokens.Put(rec).IfNotExists()).Run(ctx)
	if tokens.FailedAt(err, 1, tablemap.ErrExists) {
		// Another run recorded the token first.
		if got, ok, err := s.createdBefore(ctx, rec); ok || err != nil {
			return got, err
		}
	}
	if err != nil {
		return Note{}, fmt.Errorf("notes: create: %w", err)
	}
	return n, nil
}

// createdBefore returns the note an earlier Create with rec's token made,
// as it is stored now, or false.
func (s *Store) createdBefore(ctx context.Context, rec NoteToken) (Note, bool, error) {
	got, ok, err := tokens.Stored(ctx, s.tokens, NoteToken{User: rec.User, Token: rec.Token}, func(t NoteToken) string { return t.Request }, rec.Request)
	if !ok || err != nil {
		if err != nil {
			err = fmt.Errorf("notes: create: token %q: %w", rec.Token, err)
		}
		return Note{}, false, err
	}
	n, err := s.Get(ctx, rec.User, got.ID)
	if err != nil {
		return Note{}, false, fmt.Errorf("notes: create: the note token %q made: %w", rec.Token, err)
	}
	return n, true, nil
}
