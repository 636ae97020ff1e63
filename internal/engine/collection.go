package engine

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// NewCollection returns the collection of schemas' items in the partition
// of the value at p, on the index of the first schema's query. A collection
// is one partition holding the items of several entities —
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
func NewCollection(schemas []*Schema, o ReadOptions, p unsafe.Pointer, sk *SkArg) (*Read, error) {
	plan := planOf(schemas, o.Index)
	r, err := newQueryIn(&Read{ReadOptions: o}, KindCollection, schemas[0], plan, p, sk)
	if err != nil {
		return nil, err
	}
	if err := r.members(); err != nil {
		return nil, r.Wrap(err)
	}
	if sk == nil {
		r.SK = plan.span
	}
	return r, r.finish()
}

// A collectionPlan is what a collection's entities and index decide of it,
// kept in the table's Collections so that a collection read builds none
// of it again: its entities, its name and, without a sort key condition,
// its span.
type collectionPlan struct {
	schemas []*Schema // a copy of the caller's
	ident   string
	span    SkKey
}

// collectionKey is a plan's key: the index and the entities in order.
type collectionKey struct {
	index string
	s     [3]*Schema
}

func planOf(schemas []*Schema, index string) *collectionPlan {
	k := collectionKey{index: index}
	cacheable := len(schemas) <= len(k.s)
	if cacheable {
		copy(k.s[:], schemas)
		if v, ok := schemas[0].Table.Collections.Load(k); ok {
			return v.(*collectionPlan)
		}
	}
	names := make([]string, len(schemas))
	var prefixes []string
	for i, s := range schemas {
		names[i] = s.Name
		if g := s.IndexNamed(index); g != nil && g.SK != nil {
			prefixes = append(prefixes, g.SK.Tmpl.Prefix(nil))
		}
	}
	plan := &collectionPlan{schemas: slices.Clone(schemas), ident: strings.Join(names, "+"), span: Span(prefixes)}
	if cacheable {
		schemas[0].Table.Collections.Store(k, plan)
	}
	return plan
}

// members checks that the collection's entities can share its partition.
func (r *Read) members() error {
	types := r.Types()
	first := types[0]
	for i, s := range types {
		for _, prev := range types[:i] {
			if prev.Name == s.Name {
				return fmt.Errorf("entity %s is in the collection twice", s.Name)
			}
		}
		if s.Table != r.T {
			return fmt.Errorf("entity %s is defined on table %s, not %s", s.Name, s.Table.Name, r.T.Name)
		}
		g := s.IndexNamed(r.Index)
		if g == nil {
			return fmt.Errorf("entity %s has no index %q", s.Name, r.Index)
		}
		if !g.PK.Tmpl.Matches(r.PK) {
			return fmt.Errorf("entity %s cannot have items in partition %q: its template %s does not produce it", s.Name, r.PK, g.PK.Tag)
		}
		if (g.SK == nil) != (r.G.SK == nil) {
			return fmt.Errorf("entities %s and %s disagree on whether index %q has a sort key", first.Name, s.Name, r.Index)
		}
	}
	return nil
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
