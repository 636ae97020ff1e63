package engine

import (
	"errors"
	"fmt"
)

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
