package social

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/tablemap/tablemap"
)

// The write side of the home timeline (see Timeline and the package
// documentation): uploads copy a timeline entry into each follower's
// timeline, follows copy recent photos in, unfollows and deletes take them
// out. None of it is transactional with the write it follows; each step is
// a put or delete of a fixed item, so repeating one is harmless, and the
// writes that start it (UploadPhoto, Follow, Unfollow, DeletePhoto) redo
// it when retried.

// batchChunk is how many writes a fan-out holds in memory before sending
// them (in BatchWriteItem requests of 25).
const batchChunk = 1000

// A batcher sends puts and deletes in BatchWriteItem requests, batchChunk
// writes at a time.
type batcher struct {
	tbl *tablemap.Table
	b   *tablemap.BatchWrite
}

func (s *Service) batcher() *batcher { return &batcher{tbl: s.tbl, b: s.tbl.BatchWrite()} }

func (w *batcher) put(ctx context.Context, p tablemap.BatchPut) error {
	w.b.Put(p)
	return w.flushAt(ctx, batchChunk)
}

func (w *batcher) delete(ctx context.Context, d tablemap.BatchDelete) error {
	w.b.Delete(d)
	return w.flushAt(ctx, batchChunk)
}

// flushAt sends the writes held once there are at least n (n = 1: any).
func (w *batcher) flushAt(ctx context.Context, n int) error {
	if w.b.Len() < n {
		return nil
	}
	err := w.b.Run(ctx)
	w.b = w.tbl.BatchWrite()
	return err
}

func (w *batcher) flush(ctx context.Context) error { return w.flushAt(ctx, 1) }

// entryOf returns p's entry in user's timeline.
func (s *Service) entryOf(user string, p Photo) TimelineEntry {
	return TimelineEntry{User: user, Owner: p.Owner, ID: p.ID, URL: p.URL, Caption: p.Caption,
		Uploaded: p.Uploaded, Expires: p.Uploaded.Add(s.ttl)}
}

// fanOut puts p's entry into the timeline of each of its owner's
// followers: one Query per page of followers (about 10,000 follows fit
// in one; strongly consistent, so a follow made before is seen), one
// BatchWriteItem per 25 followers.
func (s *Service) fanOut(ctx context.Context, p Photo) error {
	w := s.batcher()
	for f, err := range s.ent.Follows.Query(Follow{Followed: p.Owner}).Consistent().All(ctx) {
		if err != nil {
			return err
		}
		if err := w.put(ctx, s.ent.Timelines.Put(s.entryOf(f.Follower, p))); err != nil {
			return err
		}
	}
	return w.flush(ctx)
}

// completeFanout fans p out (when fan), completes the fan-outs the owner's
// profile prof lists as pending (uploads cut short before), then removes
// all of them from the pending list: one UpdateItem.
func (s *Service) completeFanout(ctx context.Context, p Photo, prof User, fan bool) error {
	var done []string
	if fan {
		if err := s.fanOut(ctx, p); err != nil {
			return err
		}
		done = append(done, p.ID)
	}
	for _, id := range prof.FanoutPending {
		if err := s.refanout(ctx, p.Owner, id, prof.Celebrity); err != nil {
			return fmt.Errorf("pending photo %s: %w", id, err)
		}
		done = append(done, id)
	}
	if len(done) == 0 {
		return nil
	}
	_, err := s.ent.Users.Update(User{Username: p.Owner}).DeleteFromSet("pending", done).Run(ctx)
	return err
}

// refanout fans out the photo id of owner again, unless it is gone or
// owner is now a celebrity.
func (s *Service) refanout(ctx context.Context, owner, id string, celebrity bool) error {
	if celebrity {
		return nil
	}
	p, err := s.ent.Photos.Get(Photo{Owner: owner, ID: id}).Consistent().Run(ctx)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil // deleted since: DeletePhoto removed its entries
	case err != nil:
		return err
	}
	return s.fanOut(ctx, p)
}

// Refanout puts the photo id of owner into the timelines of owner's
// followers again and clears it from the owner's pending fan-outs: the
// repair of an UploadPhoto that returned ErrFanoutIncomplete, or whose
// process stopped after storing the photo. (The owner's next upload does
// the same for every photo still pending.) It is idempotent. Requests: a
// GetItem of the profile and of the photo, the fan-out (see UploadPhoto),
// one UpdateItem. A missing user is ErrNotFound; a missing photo is not
// an error.
func (s *Service) Refanout(ctx context.Context, owner, id string) error {
	if err := checkUsername(owner); err != nil {
		return err
	}
	if err := checkPhotoID(id); err != nil {
		return err
	}
	prof, err := s.ent.Users.Get(User{Username: owner}).Consistent().Run(ctx)
	if err != nil {
		return fmt.Errorf("social: refan-out photo %s of %q: %w", id, owner, err)
	}
	if err := s.refanout(ctx, owner, id, prof.Celebrity); err != nil {
		return fmt.Errorf("social: refan-out photo %s of %q: %w", id, owner, err)
	}
	if _, err := s.ent.Users.Update(User{Username: owner}).DeleteFromSet("pending", id).Run(ctx); err != nil {
		return fmt.Errorf("social: refan-out photo %s of %q: %w", id, owner, err)
	}
	return nil
}

// makeCelebrity turns name into a celebrity: a CelebrityFollow for each
// follower, then the profile's flag, then the CelebrityFollows again for
// anyone who followed in between (a follower who follows after the flag
// is set writes their own; see afterFollow). Until the flag is set,
// uploads are still fanned out, so no follower misses a photo; a
// conversion cut short is redone by the next follow or upload. Requests:
// two passes over the followers (Queries and BatchWriteItems of 25), one
// UpdateItem.
func (s *Service) makeCelebrity(ctx context.Context, name string) error {
	if err := s.starFollowers(ctx, name); err != nil {
		return err
	}
	if _, err := s.ent.Users.Update(User{Username: name}).Set("celebrity", true).Run(ctx); err != nil {
		return err
	}
	return s.starFollowers(ctx, name)
}

func (s *Service) starFollowers(ctx context.Context, name string) error {
	w := s.batcher()
	for f, err := range s.ent.Follows.Query(Follow{Followed: name}).Consistent().All(ctx) {
		if err != nil {
			return err
		}
		if err := w.put(ctx, s.ent.CelebrityFollows.Put(CelebrityFollow{User: f.Follower, Celebrity: name})); err != nil {
			return err
		}
	}
	return w.flush(ctx)
}

// afterFollow brings follower's timeline up to date with a follow of
// followed: a GetItem of followed's profile, then for a celebrity a
// CelebrityFollow (one PutItem; the whole conversion when followed just
// crossed the threshold), else the backfill.
func (s *Service) afterFollow(ctx context.Context, follower, followed string) error {
	prof, err := s.ent.Users.Get(User{Username: followed}).Consistent().Run(ctx)
	if err != nil {
		return err
	}
	switch {
	case prof.Celebrity:
		return s.ent.CelebrityFollows.Put(CelebrityFollow{User: follower, Celebrity: followed}).Run(ctx)
	case prof.Followers > int64(s.celebrity):
		return s.makeCelebrity(ctx, followed)
	}
	return s.backfillTimeline(ctx, follower, followed)
}

// backfillTimeline copies followed's most recent photos, up to the
// backfill and not older than the timeline TTL, into follower's timeline:
// one Query of GSI1 and a BatchWriteItem per 25 photos.
func (s *Service) backfillTimeline(ctx context.Context, follower, followed string) error {
	if s.backfill == 0 {
		return nil
	}
	page, err := s.ent.Photos.Query(Photo{Owner: followed}).Index("GSI1").Newest().
		SKGreater(Photo{Uploaded: s.now().Add(-s.ttl)}).Limit(s.backfill).Page(ctx, "")
	if err != nil {
		return err
	}
	w := s.batcher()
	for _, p := range page.Items {
		if err := w.put(ctx, s.ent.Timelines.Put(s.entryOf(follower, p))); err != nil {
			return err
		}
	}
	return w.flush(ctx)
}

// afterUnfollow takes followed out of follower's timeline: one Query of
// the whole timeline partition filtered on the owner (its read capacity is
// that of every entry), then BatchWriteItems deleting the entries and the
// CelebrityFollow, 25 at a time.
func (s *Service) afterUnfollow(ctx context.Context, follower, followed string) error {
	w := s.batcher()
	if err := w.delete(ctx, s.ent.CelebrityFollows.Delete(CelebrityFollow{User: follower, Celebrity: followed})); err != nil {
		return err
	}
	q := s.ent.Timelines.Query(TimelineEntry{User: follower}).Consistent().
		Filter(expression.Name("owner").Equal(expression.Value(followed))).Project("owner")
	return s.deleteEntries(ctx, w, q)
}

// deleteEntries deletes the timeline entries q finds through w, then
// flushes w.
func (s *Service) deleteEntries(ctx context.Context, w *batcher, q *tablemap.Query[TimelineEntry]) error {
	for e, err := range q.All(ctx) {
		if err != nil {
			return err
		}
		if err := w.delete(ctx, s.ent.Timelines.Delete(e)); err != nil {
			return err
		}
	}
	return w.flush(ctx)
}

// removeEntries deletes p's entries from every timeline: one Query of the
// inverted index partition of the entries' sort key (the page holds every
// follower whose timeline has p; about 1 MB of entries a request), then
// BatchWriteItems of 25 deletes.
func (s *Service) removeEntries(ctx context.Context, p Photo) error {
	q := s.ent.Timelines.Query(TimelineEntry{Uploaded: p.Uploaded, Owner: p.Owner, ID: p.ID}).
		Index(tablemap.InvertedIndex).Project("owner")
	return s.deleteEntries(ctx, s.batcher(), q)
}
