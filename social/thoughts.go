package social

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"sync"
	"time"

	tokens "github.com/tablemap/tablemap/internal/token"
	"github.com/tablemap/tablemap/internal/ulid"
)

// A Thought is a short text a user posts (Deep Thoughts). It lives in the
// user's partition, newest last by its time-ordered id, and in the feed:
// GSI1, partition "FEED#{shard}", sorted by id.
type Thought struct {
	_        struct{}  `tablemap:"social.Thought" pk:"USER#{username}" sk:"THOUGHT#{id}" gsi1pk:"FEED#{shard}" gsi1sk:"{id}"`
	Username string    `dynamo:"username"`
	ID       string    `dynamo:"id"`
	Text     string    `dynamo:"text"`
	Posted   time.Time `dynamo:"posted"`
	// Shard is the feed partition the thought is in, "0" … "n-1" for n
	// feed shards (see WithFeedShards). A thought without one is not in
	// the feed.
	Shard string `dynamo:"shard"`
}

// shardOf returns the feed shard of a thought id: a hash of the id, so the
// shards fill evenly and a thought's shard never changes.
func (s *Service) shardOf(id string) string {
	h := fnv.New32a()
	h.Write([]byte(id))
	return strconv.Itoa(int(h.Sum32() % uint32(s.shards)))
}

// PostThought posts text as username's thought, with a new time-ordered id,
// to the user's thoughts and the feed: one transaction (one
// TransactWriteItems) that puts the thought and checks that the user
// exists (ErrNotFound otherwise). Without a Token each call posts a new
// thought; with one, the same call run again returns the thought the
// first run posted (see Token), at the cost of a GetItem before the
// transaction, which also records the token.
func (s *Service) PostThought(ctx context.Context, username, text string, opts ...WriteOption) (Thought, error) {
	if err := checkUsername(username); err != nil {
		return Thought{}, err
	}
	if text == "" {
		return Thought{}, fmt.Errorf("social: post thought of %q: empty text: %w", username, ErrInvalidInput)
	}
	id := s.ids.New()
	th := Thought{Username: username, ID: id, Text: text, Posted: s.now().UTC(), Shard: s.shardOf(id)}
	mark, err := writeOpts(opts).tokenRecord(username, id, th.Posted, "thought", text)
	if err != nil {
		return Thought{}, err
	}
	if mark != nil {
		if th, done, err := s.postedBefore(ctx, mark, text); done || err != nil {
			return th, err
		}
	}
	tx := s.tbl.WriteTx().
		Put(s.ent.Thoughts.Put(th).IfNotExists()).
		Check(s.ent.Users.Check(User{Username: username}).Exists())
	if mark != nil {
		tx.Put(s.ent.WriteTokens.Put(*mark).IfNotExists())
	}
	err = tx.Run(ctx)
	switch {
	case err == nil:
		return th, nil
	case tokens.FailedAt(err, 2, ErrExists):
		// Another run recorded the token first.
		th, done, err := s.postedBefore(ctx, mark, text)
		if err == nil && !done {
			err = fmt.Errorf("social: post thought of %q: token %q recorded, then gone (expired): %w", username, mark.Token, ErrConflict)
		}
		return th, err
	case tokens.FailedAt(err, 1, ErrNotFound):
		return Thought{}, fmt.Errorf("social: post thought: user %q: %w: %w", username, ErrNotFound, err)
	}
	return Thought{}, fmt.Errorf("social: post thought of %q: %w", username, err)
}

// postedBefore returns the thought an earlier post with mark's token
// made; done is false when there was none.
func (s *Service) postedBefore(ctx context.Context, mark *WriteToken, text string) (th Thought, done bool, err error) {
	rec, ok, err := s.recorded(ctx, mark)
	if err != nil {
		return Thought{}, false, fmt.Errorf("social: post thought of %q: %w", mark.User, err)
	}
	if !ok {
		return Thought{}, false, nil
	}
	return Thought{Username: mark.User, ID: rec.ID, Text: text, Posted: rec.At, Shard: s.shardOf(rec.ID)}, true, nil
}

// UserThoughts returns a page of username's thoughts, newest first: one
// Query, PK = USER#{username} AND begins_with(SK, "THOUGHT#"), descending.
func (s *Service) UserThoughts(ctx context.Context, username, cursor string, limit int) (*Page[Thought], error) {
	return userList(ctx, username, s.ent.Thoughts.Query(Thought{Username: username}).Newest(), cursor, limit, "thoughts of %q")
}

// Feed returns a page of everyone's thoughts, newest first, from GSI1 —
// never a Scan. Unsharded (the default) it is one Query,
// GSI1PK = "FEED#0", descending. With n feed shards it is n Queries, one
// per shard, sent at once, whose results are merged by id.
//
// The cursor holds the id of the last thought of the page; the next page
// is the thoughts with smaller ids (GSI1SK < id), which is exact across
// shards since ids are unique and time-ordered.
func (s *Service) Feed(ctx context.Context, cursor string, limit int) (*Page[Thought], error) {
	before, err := decodeFeedCursor(cursor)
	if err != nil {
		return nil, fmt.Errorf("social: feed: %w", err)
	}
	n := pageSize(limit)
	pages := make([]*Page[Thought], s.shards)
	errs := make([]error, s.shards)
	read := func(i int) {
		q := s.ent.Thoughts.Query(Thought{Shard: strconv.Itoa(i)}).Index("GSI1").Newest().Limit(n)
		if before != "" {
			q = q.SKLess(Thought{ID: before})
		}
		pages[i], errs[i] = q.Page(ctx, "")
	}
	if s.shards == 1 {
		read(0)
	} else {
		var wg sync.WaitGroup
		for i := range s.shards {
			wg.Go(func() { read(i) })
		}
		wg.Wait()
	}
	var all []Thought
	more := false
	for i, p := range pages {
		if errs[i] != nil {
			return nil, fmt.Errorf("social: feed: shard %d: %w", i, errs[i])
		}
		all = append(all, p.Items...)
		more = more || p.Next != ""
	}
	slices.SortFunc(all, func(a, b Thought) int { return cmp.Compare(b.ID, a.ID) })
	if len(all) > n {
		all, more = all[:n], true
	}
	page := &Page[Thought]{Items: all}
	if more && len(all) > 0 {
		page.Next = encodeFeedCursor(all[len(all)-1].ID)
	}
	return page, nil
}

// A feed cursor is base64url of 'f' and the id of the last thought read.
const feedCursorVersion = 'f'

func encodeFeedCursor(id string) string {
	return base64.RawURLEncoding.EncodeToString(append([]byte{feedCursorVersion}, id...))
}

func decodeFeedCursor(cursor string) (string, error) {
	if cursor == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(cursor)
	if err != nil || len(b) == 0 || b[0] != feedCursorVersion {
		return "", fmt.Errorf("%w: not a feed cursor", ErrInvalidCursor)
	}
	id := string(b[1:])
	if _, ok := ulid.Time(id); !ok {
		return "", fmt.Errorf("%w: not a feed cursor", ErrInvalidCursor)
	}
	return id, nil
}
