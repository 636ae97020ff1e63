package social

import (
	"context"
	"fmt"

	"github.com/tablemap/tablemap"
)

// A PhotoView is one page of a photo's view: the photo with its reaction
// counts (on the first page only) and a page of its reactions.
type PhotoView struct {
	Photo     *Photo // nil after the first page
	Reactions []Reaction
	Next      string // the cursor of the next page; "" after the last
}

// ViewPhoto returns a page of the photo photoID of owner with its
// reactions: one Query of the inverted index partition
// SK = "PHOTO#{owner}#{id}" (a tablemap collection of photos and
// reactions), read in descending order so that the photo (range key
// "USER#{owner}") comes before its reactions (range keys
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
	n := pageSize(limit)
	if cursor == "" {
		n++ // the photo
	}
	q := s.ent.Photos.Query(Photo{Owner: owner, ID: photoID}).Index(tablemap.InvertedIndex).Newest().Limit(n)
	page, err := tablemap.Collect2(q, s.ent.Reactions).Page(ctx, cursor)
	if err != nil {
		return nil, fmt.Errorf("social: view photo %s of %q: %w", photoID, owner, err)
	}
	view := &PhotoView{Reactions: page.B, Next: page.Next}
	if view.Reactions == nil {
		view.Reactions = []Reaction{}
	}
	if len(page.A) > 0 && cursor == "" {
		view.Photo = &page.A[0]
	}
	if cursor == "" && view.Photo == nil {
		return nil, fmt.Errorf("social: view photo %s of %q: %w", photoID, owner, ErrNotFound)
	}
	return view, nil
}
