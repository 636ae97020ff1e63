package notes

import (
	"context"
	"encoding/base64"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
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
// after the note start ("" for the first page).
func (s *Store) listInput(userID, start string, limit int) (*dynamodb.QueryInput, error) {
	// The key of any note of the user gives the partition; the sort keys
	// of notes begin with the literal of the sk template.
	probe := zeroID
	if start != "" {
		probe = start
	}
	k, err := s.notes.Key(Note{UserID: userID, ID: probe})
	if err != nil {
		return nil, fmt.Errorf("notes: list: %w", err)
	}
	pkAttr, skAttr := s.pkAttr, s.skAttr
	cond := expression.Key(pkAttr).Equal(expression.Value(k.PK)).
		And(expression.Key(skAttr).BeginsWith(skPrefix))
	expr, err := expression.NewBuilder().WithKeyCondition(cond).Build()
	if err != nil {
		return nil, fmt.Errorf("notes: list: %w", err)
	}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.notes.Table().Name()),
		KeyConditionExpression:    expr.KeyCondition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ScanIndexForward:          aws.Bool(false),
		ConsistentRead:            aws.Bool(true),
		Limit:                     aws.Int32(int32(limit + 1)),
	}
	if start != "" {
		in.ExclusiveStartKey = map[string]types.AttributeValue{
			pkAttr: &types.AttributeValueMemberS{Value: k.PK},
			skAttr: &types.AttributeValueMemberS{Value: k.SK},
		}
	}
	return in, nil
}

// skPrefix is the literal start of the sk template of Note.
const skPrefix = "NOTE#"

// zeroID is the smallest note id.
const zeroID = "00000000000000000000000000"

// keyAttrs returns the names of the table's key attributes, read from a
// request the entity builds (the table may name them otherwise than "PK"
// and "SK").
func (s *Store) keyAttrs() (pk, sk string, err error) {
	probe := Note{UserID: "u", ID: zeroID}
	k, err := s.notes.Key(probe)
	if err != nil {
		return "", "", fmt.Errorf("notes: %w", err)
	}
	in, err := s.notes.Get(probe).Params()
	if err != nil {
		return "", "", fmt.Errorf("notes: %w", err)
	}
	for name, av := range in.Key {
		switch v, _ := av.(*types.AttributeValueMemberS); {
		case v == nil:
		case v.Value == k.PK:
			pk = name
		case v.Value == k.SK:
			sk = name
		}
	}
	if pk == "" || sk == "" {
		return "", "", fmt.Errorf("notes: cannot tell the table's key attributes from %v", in.Key)
	}
	return pk, sk, nil
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
