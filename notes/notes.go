package notes

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/tablemap/tablemap"
	tokens "github.com/tablemap/tablemap/internal/token"
	"github.com/tablemap/tablemap/internal/ulid"
)

// Errors the Store returns wrap these, so test with errors.Is. The first
// four are tablemap's own sentinels: errors.Is(err, tablemap.ErrNotFound)
// matches too.
var (
	// ErrNotFound reports that the user has no note of that id (Get,
	// Update, Delete).
	ErrNotFound = tablemap.ErrNotFound
	// ErrVersionConflict reports an Update that expected another version
	// than the stored one: someone changed the note in between. Read it
	// again and retry.
	ErrVersionConflict = tablemap.ErrVersionConflict
	// ErrInvalidCursor reports a List cursor that List did not return.
	ErrInvalidCursor = tablemap.ErrInvalidCursor
	// ErrItemTooLarge reports a note over DynamoDB's item size limit.
	ErrItemTooLarge = tablemap.ErrItemTooLarge
	// ErrInvalid reports an argument the Store refuses before sending
	// anything: an empty user id or content, a note id that is not one the
	// Store made, a change that changes nothing.
	ErrInvalid = errors.New("invalid argument")
)

// Limits on what a note holds, checked before any request so that every
// note fits in one DynamoDB item (400 KB) and its keys in DynamoDB's key
// limits, whatever the user id's characters escape to: a byte takes at most
// three in a key, and 3 × MaxUserIDLen + len("USER#") is within
// tablemap.MaxPartitionKeyBytes (note ids are 26 bytes).
const (
	MaxUserIDLen     = 512       // bytes
	MaxContentLen    = 384 << 10 // bytes
	MaxAttachmentLen = 1024      // bytes, the longest S3 object key
)

// Page sizes of List.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// A Note is one note of a user. The blank field declares where it lives in
// the table (see the package doc); a service sharing its table with the
// notes reads and writes it through Store.Entity.
type Note struct {
	_ struct{} `tablemap:"Note" pk:"USER#{user}" sk:"NOTE#{id}"`
	// UserID is the owner, the partition every call is scoped to.
	UserID string `dynamo:"user" json:"userId"`
	// ID is a ULID made when the note is created: sorting ids sorts notes
	// by creation.
	ID      string `dynamo:"id" json:"id"`
	Content string `dynamo:"content" json:"content"`
	// Attachment refers to an object stored elsewhere, such as an S3 key;
	// empty when the note has none.
	Attachment string `dynamo:"attachment,omitempty" json:"attachment,omitempty"`
	// Version counts the writes of the note (1 when created); Update takes
	// the version it read, to refuse lost updates.
	Version int       `dynamo:"v,version" json:"version"`
	Created time.Time `dynamo:"created,created" json:"created"`
	Updated time.Time `dynamo:"updated,updated" json:"updated"`
}

// A Store keeps users' notes in a tablemap table. It is safe for concurrent
// use.
type Store struct {
	notes  *tablemap.Entity[Note]
	tokens *tablemap.Entity[NoteToken]
	ids    ulid.Generator
}

// New defines the Note entity on tbl and returns a Store of the notes in
// it. tbl may hold a service's other entities too: define them on the same
// Table, then create the table (tbl.CreateTable) once they all are.
func New(tbl *tablemap.Table) (*Store, error) {
	e, err := tablemap.Define[Note](tbl)
	if err != nil {
		return nil, fmt.Errorf("notes: %w", err)
	}
	tokens, err := tablemap.Define[NoteToken](tbl)
	if err != nil {
		return nil, fmt.Errorf("notes: %w", err)
	}
	return &Store{notes: e, tokens: tokens}, nil
}

// Entity returns the Note entity, for a service that reads or writes notes
// itself (in its own transactions, say).
func (s *Store) Entity() *tablemap.Entity[Note] { return s.notes }

// Create stores a new note of the user and returns it, with its id,
// version 1 and timestamps. attachment may be empty. One PutItem request.
// Without a Token each call makes a new note, so a blind retry after a
// lost response (ErrUnknownOutcome) can make two; with one, the same call
// run again returns the note the first run made (see Token).
func (s *Store) Create(ctx context.Context, userID, content, attachment string, opts ...WriteOption) (Note, error) {
	if err := checkUser(userID); err != nil {
		return Note{}, err
	}
	if err := checkContent(content); err != nil {
		return Note{}, err
	}
	if attachment != "" {
		if err := checkAttachment(attachment); err != nil {
			return Note{}, err
		}
	}
	put := s.notes.Put(Note{UserID: userID, ID: s.ids.New(), Content: content, Attachment: attachment})
	if o := tokens.Collect(opts); o.Token != "" {
		n, err := put.Value()
		if err != nil {
			return Note{}, fmt.Errorf("notes: create: %w", err)
		}
		return s.createWithToken(ctx, put, n, o.Token)
	}
	// Version 0 makes the Put conditional on no item at the key: an id
	// made twice could never overwrite a note.
	if err := put.Run(ctx); err != nil {
		return Note{}, fmt.Errorf("notes: create: %w", err)
	}
	return put.Value()
}

// Get returns the user's note of the given id; a missing one is
// ErrNotFound. The read is strongly consistent, so a note is visible as
// soon as Create returns. One GetItem request.
func (s *Store) Get(ctx context.Context, userID, noteID string) (Note, error) {
	if err := checkKey(userID, noteID); err != nil {
		return Note{}, err
	}
	n, err := s.notes.Get(Note{UserID: userID, ID: noteID}).Consistent().Run(ctx)
	if err != nil {
		return Note{}, fmt.Errorf("notes: get: %w", err)
	}
	return n, nil
}

// A Change says what an Update changes; nil fields stay as they are.
type Change struct {
	Content    *string // the new content, not empty
	Attachment *string // the new attachment, not empty (see RemoveAttachment)
	// RemoveAttachment removes the attachment; it cannot go with
	// Attachment.
	RemoveAttachment bool
}

// Update changes the user's note as change says, provided its stored
// version is still version (the Version of the note the caller read), and
// returns the note as it is afterwards, with the next version. A missing
// note is ErrNotFound (Update never creates one); another stored version is
// ErrVersionConflict and changes nothing. One UpdateItem request.
func (s *Store) Update(ctx context.Context, userID, noteID string, version int, change Change) (Note, error) {
	if err := checkKey(userID, noteID); err != nil {
		return Note{}, err
	}
	if version < 1 {
		return Note{}, invalid("version %d: give the version of the note as read (1 or more)", version)
	}
	up := s.notes.Update(Note{UserID: userID, ID: noteID, Version: version})
	changed := false
	if c := change.Content; c != nil {
		if err := checkContent(*c); err != nil {
			return Note{}, err
		}
		up.Set("content", *c)
		changed = true
	}
	switch a := change.Attachment; {
	case a != nil && change.RemoveAttachment:
		return Note{}, invalid("a change cannot both set and remove the attachment")
	case a != nil:
		if *a == "" {
			return Note{}, invalid("empty attachment: to remove the attachment, set RemoveAttachment")
		}
		if err := checkAttachment(*a); err != nil {
			return Note{}, err
		}
		up.Set("attachment", *a)
		changed = true
	case change.RemoveAttachment:
		up.Remove("attachment")
		changed = true
	}
	if !changed {
		return Note{}, invalid("the change changes nothing")
	}
	n, err := up.Run(ctx)
	if err != nil {
		return Note{}, fmt.Errorf("notes: update: %w", err)
	}
	return n, nil
}

// Delete deletes the user's note of the given id and returns it as it was,
// so the caller can delete its attachment; a missing note is ErrNotFound.
// One DeleteItem request.
func (s *Store) Delete(ctx context.Context, userID, noteID string) (Note, error) {
	if err := checkKey(userID, noteID); err != nil {
		return Note{}, err
	}
	n, err := s.notes.Delete(Note{UserID: userID, ID: noteID}).Run(ctx)
	if err != nil {
		return Note{}, fmt.Errorf("notes: delete: %w", err)
	}
	return n, nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("notes: %w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

func checkUser(userID string) error { return checkText("user id", userID, MaxUserIDLen, true) }

func checkContent(content string) error { return checkText("content", content, MaxContentLen, true) }

func checkAttachment(a string) error { return checkText("attachment", a, MaxAttachmentLen, false) }

// checkText checks the field what, s: at most limit bytes of valid
// UTF-8, and not empty if required. An error quotes at most 100
// characters of s.
func checkText(what, s string, limit int, required bool) error {
	switch {
	case s == "" && required:
		return invalid("empty %s", what)
	case len(s) > limit:
		return invalid("%s of %d bytes, over the limit of %d", what, len(s), limit)
	case !utf8.ValidString(s):
		return invalid("%s %.100q is not valid UTF-8", what, s)
	}
	return nil
}

func checkKey(userID, noteID string) error {
	if err := checkUser(userID); err != nil {
		return err
	}
	if !validID(noteID) {
		return invalid("note id %q is not a note id (26 characters of upper-case Crockford base32, a ULID)", noteID)
	}
	return nil
}

// validID reports whether id is a ULID as the Store makes them: 26
// characters of upper-case Crockford base32 whose first one keeps the time
// within 48 bits.
func validID(id string) bool {
	if len(id) != 26 || id[0] > '7' {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !crockford(id[i]) {
			return false
		}
	}
	return true
}

func crockford(c byte) bool {
	switch {
	case '0' <= c && c <= '9':
		return true
	case 'A' <= c && c <= 'Z':
		return c != 'I' && c != 'L' && c != 'O' && c != 'U'
	}
	return false
}
