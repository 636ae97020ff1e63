package notes

import (
	"context"
	"encoding/base64"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// A Page is one page of a user's notes, newest first.
type Page struct {
	Notes []Note
	// Next is the cursor of the following page, "" on the last one.
	Next string
}

// List returns a page of the user's notes, newest first: the first page
// for cursor "", the following one for the Next of the previous page. limit
// is the page size: 0 for DefaultPageSize, at most MaxPageSize (larger ones
// are cut to it). A cursor holds no user id, so a cursor handed to another
// user still lists only that user's notes. The read is strongly consistent.
// One Query request.
func (s *Store) List(ctx context.Context, userID, cursor string, limit int) (Page, error) {
	if err := checkUser(userID); err != nil {
		return Page{}, err
	}
	switch {
	case limit < 0:
		return Page{}, invalid("negative page size %d", limit)
	case limit == 0:
		limit = DefaultPageSize
	case limit > MaxPageSize:
		limit = MaxPageSize
	}
	start, err := decodeCursor(cursor)
	if err != nil {
		return Page{}, err
	}
	in, err := s.listInput(userID, start, limit)
	if err != nil {
		return Page{}, err
	}
	out, err := s.notes.Table().Client().Query(ctx, in)
	if err != nil {
		return Page{}, fmt.Errorf("notes: list: %w", err)
	}
	page := Page{Notes: make([]Note, 0, min(len(out.Items), limit))}
	for _, item := range out.Items[:min(len(out.Items), limit)] {
		n, err := s.notes.Decode(item)
		if err != nil {
			return Page{}, fmt.Errorf("notes: list: %w", err)
		}
		page.Notes = append(page.Notes, n)
	}
	// One item more than the page was asked for, so that a full last page
	// says it is the last. DynamoDB also stops early at 1 MB of items, and
	// then reports where it stopped.
	if more := len(out.Items) > limit || out.LastEvaluatedKey != nil; more && len(page.Notes) > 0 {
		page.Next = encodeCursor(page.Notes[len(page.Notes)-1].ID)
	}
	return page, nil
}

// listInput returns the Query of a page of the user's notes that starts
// after the note start ("" for the first page). The entity's own query
// gives the partition, the sort key prefix and the type filter; the page
// size and the start key are set here, since a page asks for one note
// more than it returns.
func (s *Store) listInput(userID, start string, limit int) (*dynamodb.QueryInput, error) {
	in, err := s.notes.Query(Note{UserID: userID}).Newest().Consistent().Params()
	if err != nil {
		return nil, fmt.Errorf("notes: list: %w", err)
	}
	in.Limit = aws.Int32(int32(limit + 1))
	if start != "" {
		// The start key is the key of the note the cursor names, in this
		// user's partition.
		get, err := s.notes.Get(Note{UserID: userID, ID: start}).Params()
		if err != nil {
			return nil, fmt.Errorf("notes: list: %w", err)
		}
		in.ExclusiveStartKey = get.Key
	}
	return in, nil
}

// A cursor is the id of the last note of a page, which the next page
// starts after; encoded so that callers treat it as opaque.
func encodeCursor(id string) string { return base64.RawURLEncoding.EncodeToString([]byte(id)) }

func decodeCursor(cursor string) (string, error) {
	if cursor == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || !validID(string(b)) {
		return "", fmt.Errorf("notes: list: %w %q", ErrInvalidCursor, cursor)
	}
	return string(b), nil
}
