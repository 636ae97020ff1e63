package engine

import (
	"context"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A collection is one partition holding the items of several entities —
// a photo and its reactions, a user and their followers — read with one
// Query and decoded, item by item, into the Go type of its entity.
//
// Collect2 and Collect3 make one from a Query of the first entity, whose
// partial value gives the partition on the query's index, and the other
// entities, which must have that index and a partition key template that
// can produce that partition. The query's options apply to the collection:
// Index, Newest/Oldest, Limit (counting items of every entity), Filter,
// Project, Consistent, IncludeExpired and a sort key condition (on the
// first entity's sort key template). Expired items of the entities with a
// ttl field are left out by the request's filter (see Entity); items of the
// others never expire. Without a sort key condition the collection reads
// every item of its entities in the partition, and only the span of sort
// keys their templates can build: from the least of the literal prefixes
// of their sort key templates ("ISSUE#" of "ISSUE#{number}", "REPO#" of
// "REPO#{name}") to just above the greatest, or begins_with the prefix
// they share when that is one of them. Other entities' items outside that
// span are not read, so they cost no capacity and no requests; those
// inside it (a "PULL#…" between "ISSUE#" and "REPO#…") are read and
// filtered out, never decoded. An entity whose sort key template starts
// with a placeholder has no such prefix: the collection then reads the
// whole partition. The partial value's sort key fields are not used.
//
// Items come in sort key order, so an entity whose sort key sorts first
// (a photo "A" before its reactions "REACTION#…") arrives on the first
// page.
//
// Options set on the query apply to every call of the collection made
// after them, as they do to the query's own calls.
type Collection struct {
	Build   func() Collection // builds the collection from the query as it is now
	Version func() uint64     // the query's option count
	Built   bool
	Seen    uint64 // the option count spec and err were built at
	Spec    *QuerySpec
	Err     error
}

// Ready builds the collection unless it is built from the query's current
// options, and returns its error.
func (c *Collection) Ready() error {
	if v := c.Version(); !c.Built || v != c.Seen {
		b := c.Build()
		c.Spec, c.Err, c.Seen, c.Built = b.Spec, b.Err, v, true
	}
	return c.Err
}

// Span returns the narrowest sort key condition that holds for every key
// starting with one of prefixes (the literal text before the first
// placeholder of each entity's sort key template): begins_with their
// common prefix when that is one of them, else BETWEEN the least prefix
// and the greatest prefix's successor (see successor). Without prefixes or
// with an empty one, any key may be an entity's: no condition.
//
// Sort keys compare as UTF-8 bytes, which is code point order, so a key
// starting with P sorts at or above P and below P's successor.
func Span(prefixes []string) SkKey {
	if len(prefixes) == 0 {
		return SkKey{}
	}
	lo, common := prefixes[0], prefixes[0]
	for _, p := range prefixes[1:] {
		lo, common = min(lo, p), CommonPrefix(common, p)
	}
	if common == lo {
		if lo == "" {
			return SkKey{}
		}
		return SkKey{Op: KeyBeginsWith, A: lo}
	}
	hi := ""
	for _, p := range prefixes {
		succ, ok := Successor(p)
		if !ok {
			// No string is above every key starting with p.
			return SkKey{Op: KeyGreaterOrEqual, A: lo}
		}
		hi = max(hi, succ)
	}
	return SkKey{Op: KeyBetween, A: lo, B: hi}
}

// Successor returns the least valid UTF-8 string as short as p that sorts
// above every string starting with p: p with its last code point below
// U+10FFFF raised by one (skipping the surrogates) and what follows that
// code point dropped. ok is false when there is none (p is empty, invalid
// UTF-8, or all U+10FFFF).
func Successor(p string) (string, bool) {
	if !utf8.ValidString(p) {
		return "", false
	}
	for len(p) > 0 {
		r, n := utf8.DecodeLastRuneInString(p)
		p = p[:len(p)-n]
		if r == utf8.MaxRune {
			continue
		}
		if r++; r == 0xD800 {
			r = 0xE000
		}
		return p + string(r), true
	}
	return "", false
}

func CommonPrefix(a, b string) string {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return a[:i]
		}
	}
	return a[:n]
}

// Page reads from cursor, handing each item to decode with its entity's
// position, and returns the cursor after the last item read.
func (c *Collection) Page(ctx context.Context, cursor string, onePage bool, decode func(item map[string]types.AttributeValue, typ int) error) (string, error) {
	if err := c.Ready(); err != nil {
		return "", err
	}
	start, err := c.Spec.DecodeCursor(cursor)
	if err != nil {
		return "", err
	}
	next, err := c.Spec.Run(ctx, start, c.Spec.Limit, onePage, func(item map[string]types.AttributeValue, typ int) (bool, error) {
		return true, decode(item, typ)
	})
	if err != nil {
		return "", err
	}
	return c.Spec.EncodeCursor(next)
}

func (c *Collection) Params() (*dynamodb.QueryInput, error) {
	if err := c.Ready(); err != nil {
		return nil, err
	}
	return c.Spec.Params(nil, c.Spec.Limit), nil
}
