package tablemap

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tablemap/tablemap/internal/engine"
)

// FileCheckpoint returns a checkpoint store that keeps the checkpoint in a
// JSON file at path. Each save writes a temporary file beside it, syncs
// it and renames it over path, so a process killed at any point leaves
// the last complete checkpoint.
func FileCheckpoint(path string) CheckpointStore { return fileCheckpoint(path) }

type fileCheckpoint string

func (f fileCheckpoint) Load(ctx context.Context) (*MigrateCheckpoint, error) {
	b, err := os.ReadFile(string(f))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var c MigrateCheckpoint
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("checkpoint file %s: %w", string(f), err)
	}
	return &c, nil
}

func (f fileCheckpoint) Save(ctx context.Context, c *MigrateCheckpoint) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(string(f)), filepath.Base(string(f))+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename, there is nothing to remove
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), string(f))
}

// TableCheckpoint returns a checkpoint store that keeps the checkpoint of
// migration name as an item of table t: partition and sort key
// "_tablemap#migration#" + name, without a type attribute (so no entity
// reads it), the checkpoint in its string attribute "checkpoint". A save
// never replaces an item that is not a checkpoint. Delete the item (or
// use another name) to run the migration from the start again.
func TableCheckpoint(t *Table, name string) CheckpointStore {
	return engine.TableCheckpoint{T: t.core, Name: name}
}
