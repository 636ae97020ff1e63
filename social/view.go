package social

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap"
)

// A PhotoView is one page of a photo's view: the photo with its reaction
// counts (on the first page only) and a page of its reactions.
type PhotoView struct {
	Photo     *Photo // nil after the first page
	Reactions []Reaction
	Next      string // the cursor of the next page; "" after the last
}

// viewKeys are the names of the table's key attributes, which a photo view
// reads itself: a Query of two entities at once (a collection) is not in
// tablemap's API yet.
type viewKeys struct{ pk, sk string }

// viewKeysOf finds the table's key attribute names from the request of a
// photo's GetItem.
func viewKeysOf(photos *tablemap.Entity[Photo]) (viewKeys, error) {
	p := Photo{Owner: "o", ID: "i"}
	k, err := photos.Key(p)
	if err != nil {
		return viewKeys{}, err
	}
	in, err := photos.Get(p).Params()
	if err != nil {
		return viewKeys{}, err
	}
	var v viewKeys
	for name, av := range in.Key {
		switch s, _ := av.(*types.AttributeValueMemberS); {
		case s == nil:
		case s.Value == k.PK:
			v.pk = name
		case s.Value == k.SK:
			v.sk = name
		}
	}
	if v.pk == "" || v.sk == "" {
		return v, fmt.Errorf("cannot tell the table's key attributes from %v", in.Key)
	}
	return v, nil
}

// ViewPhoto returns a page of the photo photoID of owner with its
// reactions: one Query of the inverted index partition
// SK = "PHOTO#{owner}#{id}", read in descending order so that the photo
// (range key "USER#{owner}") comes before its reactions (range keys
// "REACTION#{user}#{type}", in descending order of user and type). The
// first page (cursor "") holds the photo and up to limit reactions; the
// next pages hold up to limit reactions. A missing photo is ErrNotFound.
func (s *Service) ViewPhoto(ctx context.Context, owner, photoID, cursor string, limit int) (*PhotoView, error) {
	if err := checkUsername(owner); err != nil {
		return nil, err
	}
	if err := checkPhotoID(photoID); err != nil {
		return nil, err
	}
	what := fmt.Sprintf("social: view photo %s of %q", photoID, owner)
	key, err := s.photos.Key(Photo{Owner: owner, ID: photoID})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	n := pageSize(limit)
	start, err := s.decodeViewCursor(cursor, key)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if start == nil {
		n++ // the photo
	}
	expr, err := expression.NewBuilder().
		WithKeyCondition(expression.Key(s.view.sk).Equal(expression.Value(key.SK))).
		Build()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	out, err := s.tbl.Client().Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(s.tbl.Name()),
		IndexName:                 aws.String(tablemap.InvertedIndex),
		KeyConditionExpression:    expr.KeyCondition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(int32(n)),
		ExclusiveStartKey:         start,
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	view := &PhotoView{Reactions: make([]Reaction, 0, len(out.Items))}
	for _, item := range out.Items {
		pk, sk := s.view.keyOf(item)
		if _, err := s.photos.ParseKey(pk, sk); err == nil {
			if start != nil || view.Photo != nil {
				continue // the photo is on the first page only
			}
			p, err := s.photos.Decode(item)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", what, err)
			}
			view.Photo = &p
			continue
		}
		if _, err := s.reactions.ParseKey(pk, sk); err != nil {
			continue // not an item of ours
		}
		r, err := s.reactions.Decode(item)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		view.Reactions = append(view.Reactions, r)
	}
	if start == nil && view.Photo == nil {
		return nil, fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	if view.Next, err = s.encodeViewCursor(out.LastEvaluatedKey); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return view, nil
}

func (v viewKeys) keyOf(item map[string]types.AttributeValue) (pk, sk string) {
	if s, ok := item[v.pk].(*types.AttributeValueMemberS); ok {
		pk = s.Value
	}
	if s, ok := item[v.sk].(*types.AttributeValueMemberS); ok {
		sk = s.Value
	}
	return pk, sk
}

// A view cursor is base64url of a version byte and the table key of the
// last item read (both length-prefixed). It is checked against the photo
// it continues: its sort key must be the photo's, so it can only move a
// reader within the partition being read.
const viewCursorVersion = 'v'

func (s *Service) encodeViewCursor(last map[string]types.AttributeValue) (string, error) {
	if len(last) == 0 {
		return "", nil
	}
	pk, sk := s.view.keyOf(last)
	if pk == "" || sk == "" {
		return "", fmt.Errorf("the last key %v has no table key", last)
	}
	b := []byte{viewCursorVersion}
	for _, str := range []string{pk, sk} {
		b = binary.AppendUvarint(b, uint64(len(str)))
		b = append(b, str...)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func (s *Service) decodeViewCursor(cursor string, photo tablemap.Key) (map[string]types.AttributeValue, error) {
	if cursor == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(cursor)
	if err != nil || len(b) == 0 || b[0] != viewCursorVersion {
		return nil, fmt.Errorf("%w: not a photo view cursor", ErrInvalidCursor)
	}
	b = b[1:]
	var parts [2]string
	for i := range parts {
		n, w := binary.Uvarint(b)
		if w <= 0 || n > uint64(len(b)-w) {
			return nil, fmt.Errorf("%w: malformed photo view cursor", ErrInvalidCursor)
		}
		parts[i] = string(b[w : w+int(n)])
		b = b[w+int(n):]
	}
	pk, sk := parts[0], parts[1]
	if len(b) != 0 || sk != photo.SK || !strings.HasPrefix(pk, "REACTION#") && pk != photo.PK {
		return nil, fmt.Errorf("%w: not a cursor of this photo's view", ErrInvalidCursor)
	}
	return map[string]types.AttributeValue{
		s.view.pk: &types.AttributeValueMemberS{Value: pk},
		s.view.sk: &types.AttributeValueMemberS{Value: sk},
	}, nil
}
