package notes

import (
	"fmt"

	"github.com/tablemap/tablemap"
)

// Sample values of the design's requests.
const (
	sampleUser = "ann"
	sampleNote = "01JCZ8W3T0P5Q6R7S8T9V0W1X2"
)

// Patterns adds the store's access patterns (those of the package
// documentation) to d, each with the request its method sends, built the
// way the method builds it for the user "ann" and a fixed note id. d is
// the design of the store's table, which may hold other entities and
// patterns too.
func (s *Store) Patterns(d *tablemap.Design) error {
	key := Note{UserID: sampleUser, ID: sampleNote}
	list, err := s.listInput(sampleUser, "", DefaultPageSize)
	if err != nil {
		return err
	}
	patterns := []struct {
		name    string
		request any
	}{
		{"create a note", s.notes.Put(Note{UserID: sampleUser, ID: sampleNote, Content: "buy milk"})},
		{"get a note", s.notes.Get(key).Consistent()},
		{"list notes, newest first", list},
		{"update a note", s.notes.Update(Note{UserID: sampleUser, ID: sampleNote, Version: 1}).Set("content", "buy oat milk")},
		{"delete a note", s.notes.Delete(key)},
	}
	for _, p := range patterns {
		if err := d.Pattern(p.name, p.request); err != nil {
			return fmt.Errorf("notes: %w", err)
		}
	}
	return nil
}
