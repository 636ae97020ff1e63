package social

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/tablemap/tablemap"
)

// A TimelineEntry is one row of a user's home timeline: a photo of someone
// the user follows, with what the row shows (owner, time, URL, caption),
// so a timeline renders without a second read. Entries live in the
// partition "TIMELINE#{user}"; the sort key orders them by upload time,
// then owner and photo id, which makes it unique per photo. In the
// inverted index, the partition of that sort key holds the entries of one
// photo in every follower's timeline (see DeletePhoto).
//
// Expires is the entry's time to live (upload time plus the timeline TTL,
// see WithTimelineTTL); entries that Timeline reads from a celebrity's
// photos have none.
type TimelineEntry struct {
	_        struct{}  `tablemap:"social.TimelineEntry" pk:"TIMELINE#{user}" sk:"ENTRY#{uploaded}#{owner}#{id}"`
	User     string    `dynamo:"user"`
	Owner    string    `dynamo:"owner"`
	ID       string    `dynamo:"id"`
	URL      string    `dynamo:"url"`
	Caption  string    `dynamo:"caption,omitempty"`
	Uploaded time.Time `dynamo:"uploaded"`
	Expires  time.Time `dynamo:"expires,omitempty,ttl"`
}

// A CelebrityFollow records in User's timeline partition that User follows
// the celebrity Celebrity, whose photos Timeline reads at view time. Its
// sort key "STAR#…" sorts above every entry "ENTRY#…", so a Query of the
// timeline partition in descending order returns the celebrities first.
// The celebrity's name is the attribute "star": "celebrity" is the
// profile's flag (a boolean), and one attribute name with two types in
// one table cannot be declared in a data model (see design.Workbench).
type CelebrityFollow struct {
	_         struct{} `tablemap:"social.CelebrityFollow" pk:"TIMELINE#{user}" sk:"STAR#{star}"`
	User      string   `dynamo:"user"`
	Celebrity string   `dynamo:"star"`
}

// celebrityReads is the most celebrity partitions one page of a timeline
// queries at once.
const celebrityReads = 8

// Timeline returns a page of user's home timeline: the photos of the users
// user follows, newest first (by upload time, then owner and id), after
// cursor ("" for the first page), at most limit of them (see pageSize).
//
// Photos of accounts with at most the celebrity threshold of followers
// are copied into user's timeline partition when uploaded (see
// UploadPhoto), so for a user who follows no celebrity a page is one
// Query: PK = TIMELINE#{user}, descending. A user who follows celebrities
// has a CelebrityFollow item for each in that partition; a page then also
// reads each celebrity's photos from GSI1 ("PHOTOS#{celebrity}", in
// timeline order), one Query each, up to eight at once, and merges them
// with the timeline: the first page is 1 + k requests for k celebrities
// (one more when the celebrity items fill the first Query), every next
// page 2 + k (the timeline, its celebrity items, the k celebrities). A
// photo both copied and read (an account that became a celebrity after
// the copy) appears once.
//
// The cursor holds the position (time, owner, id) of the page's last photo
// and whether user followed celebrities; the next page is the photos below
// that position in every source, so paging neither repeats nor skips a
// photo. A cursor of another user's timeline is ErrInvalidCursor. Photos
// older than the timeline TTL are not shown, from any source.
//
// Timelines are eventually consistent with uploads, follows and deletes:
// see the package documentation's section on the home timeline.
func (s *Service) Timeline(ctx context.Context, user, cursor string, limit int) (*Page[TimelineEntry], error) {
	if err := checkUsername(user); err != nil {
		return nil, err
	}
	pos, err := decodeTimelineCursor(user, cursor)
	if err != nil {
		return nil, fmt.Errorf("social: timeline of %q: %w", user, err)
	}
	n := pageSize(limit)
	// Each source is read one item past the page, so that the last page
	// says it is the last.
	own, stars, err := s.readTimeline(ctx, user, pos, n+1)
	if err != nil {
		return nil, fmt.Errorf("social: timeline of %q: %w", user, err)
	}
	sources := []timelineSource{own}
	if len(stars) > 0 {
		more, err := s.readCelebrities(ctx, user, stars, pos, n+1)
		if err != nil {
			return nil, fmt.Errorf("social: timeline of %q: %w", user, err)
		}
		sources = append(sources, more...)
	}
	items, more, err := mergeTimeline(sources, n, s.now().Add(-s.ttl))
	if err != nil {
		return nil, fmt.Errorf("social: timeline of %q: %w", user, err)
	}
	page := &Page[TimelineEntry]{Items: items}
	if more {
		last := items[len(items)-1]
		page.Next = encodeTimelineCursor(timelinePos{User: user, Uploaded: last.Uploaded, Owner: last.Owner, ID: last.ID, Stars: len(stars) > 0})
	}
	return page, nil
}

// A timelineSource is a page of one source of a timeline, newest first:
// the user's timeline partition or a celebrity's photos.
type timelineSource struct {
	items []TimelineEntry
	more  bool // the source has items after these
}

// readTimeline reads a page of user's timeline partition below pos (nil
// for the first page) and the celebrities user follows.
func (s *Service) readTimeline(ctx context.Context, user string, pos *timelinePos, n int) (timelineSource, []string, error) {
	if pos != nil && !pos.Stars {
		page, err := s.entryQuery(user, pos, n).Page(ctx, "")
		if err != nil {
			return timelineSource{}, nil, err
		}
		return timelineSource{page.Items, page.Next != ""}, nil, nil
	}
	if pos == nil {
		// One Query of the whole partition: the celebrity items sort first.
		page, err := tablemap.Collect2(s.entryQuery(user, nil, n), s.ent.CelebrityFollows).Page(ctx, "")
		if err != nil {
			return timelineSource{}, nil, err
		}
		own := timelineSource{page.A, page.Next != ""}
		if !own.more || len(page.B) == 0 {
			return own, celebrities(page.B), nil
		}
		if len(page.A) > 0 {
			// Every celebrity item came first, and took room: read on.
			last := page.A[len(page.A)-1]
			rest, err := s.entryQuery(user, &timelinePos{Uploaded: last.Uploaded, Owner: last.Owner, ID: last.ID}, n-len(page.A)).Page(ctx, "")
			if err != nil {
				return timelineSource{}, nil, err
			}
			return timelineSource{append(own.items, rest.Items...), rest.Next != ""}, celebrities(page.B), nil
		}
		// Celebrity items filled the page: read both in full.
	}
	var (
		own      *Page[TimelineEntry]
		stars    []string
		errs     [2]error
		wg       sync.WaitGroup
		entryQry = s.entryQuery(user, pos, n)
	)
	wg.Go(func() { own, errs[0] = entryQry.Page(ctx, "") })
	wg.Go(func() {
		for c, err := range s.ent.CelebrityFollows.Query(CelebrityFollow{User: user}).All(ctx) {
			if err != nil {
				errs[1] = err
				return
			}
			stars = append(stars, c.Celebrity)
		}
	})
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		return timelineSource{}, nil, err
	}
	return timelineSource{own.Items, own.Next != ""}, stars, nil
}

// entryQuery is the Query of user's timeline entries below pos, newest
// first.
func (s *Service) entryQuery(user string, pos *timelinePos, n int) *tablemap.Query[TimelineEntry] {
	q := s.ent.Timelines.Query(TimelineEntry{User: user}).Newest().Limit(n)
	if pos != nil {
		q = q.SKLess(TimelineEntry{Uploaded: pos.Uploaded, Owner: pos.Owner, ID: pos.ID})
	}
	return q
}

func celebrities(follows []CelebrityFollow) []string {
	names := make([]string, len(follows))
	for i, c := range follows {
		names[i] = c.Celebrity
	}
	return names
}

// readCelebrities reads a page of each celebrity's photos below pos from
// GSI1, at most celebrityReads Queries at a time, as timeline entries of
// user.
func (s *Service) readCelebrities(ctx context.Context, user string, stars []string, pos *timelinePos, n int) ([]timelineSource, error) {
	out := make([]timelineSource, len(stars))
	errs := make([]error, len(stars))
	sem := make(chan struct{}, celebrityReads)
	var wg sync.WaitGroup
	for i, c := range stars {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			q := s.ent.Photos.Query(Photo{Owner: c}).Index("GSI1").Newest().Limit(n)
			if pos != nil {
				q = q.SKLess(Photo{Uploaded: pos.Uploaded, Owner: pos.Owner, ID: pos.ID})
			}
			page, err := q.Page(ctx, "")
			if err != nil {
				errs[i] = fmt.Errorf("photos of celebrity %q: %w", c, err)
				return
			}
			src := timelineSource{items: make([]TimelineEntry, len(page.Items)), more: page.Next != ""}
			for j, p := range page.Items {
				src.items[j] = TimelineEntry{User: user, Owner: p.Owner, ID: p.ID, URL: p.URL, Caption: p.Caption, Uploaded: p.Uploaded}
			}
			out[i] = src
		})
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// compareEntries orders entries as timelines do, newest first: by upload
// time, then owner, then id, all descending — the order of their sort
// keys, read backwards.
func compareEntries(a, b TimelineEntry) int {
	if c := b.Uploaded.Compare(a.Uploaded); c != 0 {
		return c
	}
	if a.Owner != b.Owner {
		if a.Owner > b.Owner {
			return -1
		}
		return 1
	}
	switch {
	case a.ID > b.ID:
		return -1
	case a.ID < b.ID:
		return 1
	}
	return 0
}

// mergeTimeline merges the sources' pages into one page of at most n
// entries, newest first, without entries uploaded at or before horizon,
// and reports whether entries follow it.
//
// Every source gave its first n+1 items below the cursor, or all it has,
// so the n newest of their union are the timeline's n newest, and an
// (n+1)th says another page follows. A source that reported more yet gave
// fewer (none does) is known only down to its last item: the page then
// ends there, so that nothing below it is skipped.
func mergeTimeline(sources []timelineSource, n int, horizon time.Time) ([]TimelineEntry, bool, error) {
	var all []TimelineEntry
	var bound *TimelineEntry
	for _, src := range sources {
		items := src.items
		if i := slices.IndexFunc(items, func(e TimelineEntry) bool { return !e.Uploaded.After(horizon) }); i >= 0 {
			items, src.more = items[:i], false // the rest is older still
		}
		all = append(all, items...)
		if !src.more {
			continue
		}
		if len(items) == 0 {
			return nil, false, errors.New("a source of the timeline returned no item and reported more")
		}
		if last := items[len(items)-1]; bound == nil || compareEntries(last, *bound) < 0 {
			bound = &last
		}
	}
	slices.SortFunc(all, compareEntries)
	// A photo copied into the timeline and read from its celebrity owner
	// has one position: the copies are neighbours.
	all = slices.CompactFunc(all, func(a, b TimelineEntry) bool { return a.Owner == b.Owner && a.ID == b.ID })
	more := false
	if bound != nil {
		i, _ := slices.BinarySearchFunc(all, *bound, compareEntries)
		all, more = all[:i+1], true
	}
	if len(all) > n {
		all, more = all[:n], true
	}
	if all == nil {
		all = []TimelineEntry{}
	}
	return all, more, nil
}

// A timelinePos is the position a timeline cursor holds.
type timelinePos struct {
	User     string    `json:"u"`
	Uploaded time.Time `json:"t"`
	Owner    string    `json:"o"`
	ID       string    `json:"i"`
	Stars    bool      `json:"s,omitempty"` // the user followed celebrities
}

// A timeline cursor is base64url of 't' and the JSON of its position.
const timelineCursorVersion = 't'

func encodeTimelineCursor(pos timelinePos) string {
	b, _ := json.Marshal(pos) // strings and a time: cannot fail
	return base64.RawURLEncoding.EncodeToString(append([]byte{timelineCursorVersion}, b...))
}

func decodeTimelineCursor(user, cursor string) (*timelinePos, error) {
	if cursor == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(cursor)
	if err != nil || len(b) == 0 || b[0] != timelineCursorVersion {
		return nil, fmt.Errorf("%w: not a timeline cursor", ErrInvalidCursor)
	}
	var pos timelinePos
	if err := json.Unmarshal(b[1:], &pos); err != nil || pos.Uploaded.IsZero() ||
		checkUsername(pos.Owner) != nil || checkPhotoID(pos.ID) != nil {
		return nil, fmt.Errorf("%w: not a timeline cursor", ErrInvalidCursor)
	}
	if pos.User != user {
		return nil, fmt.Errorf("%w: a cursor of another user's timeline", ErrInvalidCursor)
	}
	return &pos, nil
}
