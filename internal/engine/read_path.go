package engine

import (
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"sync/atomic"
)

// A program's reads project a few lists of attributes, checked for their
// entity (CheckProjectPaths) each time a read is built. Checked lists are
// memoized: a read whose list sits in its slot takes the memo's, neither
// copied nor checked again. A list is never changed in place (its
// capacity is its length, so an append copies it).

// A projection is a list of attributes checked for an entity.
type projection struct {
	s     *Schema
	attrs []string
}

var projectionMemo [memoSlots]atomic.Pointer[projection]

// Projection returns attrs, checked as CheckProjectPaths does, as a list
// of the read's own: the memo's when it holds the same list for the
// entity, else a copy. With an error, the list is a copy too.
func (s *Schema) Projection(attrs []string) ([]string, error) {
	var h maphash.Hash
	h.SetSeed(memoSeed)
	for _, a := range attrs {
		h.WriteString(a)
		h.WriteByte(0)
	}
	slot := &projectionMemo[h.Sum64()%memoSlots]
	if p := slot.Load(); p != nil && p.s == s && slices.Equal(p.attrs, attrs) {
		return p.attrs, nil
	}
	own := slices.Clip(slices.Clone(attrs))
	if err := s.CheckProjectPaths(own); err != nil {
		return own, err
	}
	slot.Store(&projection{s: s, attrs: own})
	return own, nil
}

// CheckProjectPaths returns an error naming the first of attrs that does
// not fit the entity, for Project: a top-level attribute, or a nested
// document path ("address.city", `reactions.heart`) resolved against the
// entity's Go type (see ResolvePath). A path through a list index is
// refused: DynamoDB returns the projected elements of a list packed at its
// start, so they would decode at the wrong indexes. So are two paths of
// which one holds the other, which DynamoDB refuses.
func (s *Schema) CheckProjectPaths(attrs []string) error {
	if s.distinctAttributes(attrs) {
		return nil
	}
	paths := make([]DocPath, 0, len(attrs))
	for _, a := range attrs {
		p, err := s.ResolvePath(a)
		if err != nil {
			return fmt.Errorf("project: %w", err)
		}
		for _, seg := range p.Segs {
			if seg.IsIndex {
				return fmt.Errorf("project: %w", &PathError{Entity: s.Name, Path: a, Seg: seg.String(),
					Err: errors.New("a projection cannot pick list elements: DynamoDB returns them packed at the start of the list, where they would decode at the wrong indexes (project the list)")})
			}
		}
		paths = append(paths, p)
	}
	if a, b, ok := FirstOverlap(paths); ok {
		return fmt.Errorf("project: %s: paths %s and %s overlap, which DynamoDB refuses", s.Name, quotePath(a), quotePath(b))
	}
	return nil
}

// distinctAttributes reports whether attrs are top-level attributes of the
// entity, no two the same: the common projection, which passes every
// check of CheckProjectPaths, told without resolving paths.
func (s *Schema) distinctAttributes(attrs []string) bool {
	for i, a := range attrs {
		if s.Codec.Field(a) == nil {
			return false
		}
		for _, b := range attrs[:i] {
			if a == b {
				return false
			}
		}
	}
	return true
}
