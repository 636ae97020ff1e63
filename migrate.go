package tablemap

import (
	"context"
	"fmt"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/engine"
)

// A MigrateAction says what a migration does with an item: MigrateRewrite,
// MigrateSkip or MigrateDelete.
type MigrateAction = engine.MigrateAction

const (
	// MigrateRewrite writes the transform's new item in place of the old
	// one: at the same key, or, when its table key differs, by deleting
	// the old key and putting the new one in one transaction.
	MigrateRewrite = engine.MigrateRewrite
	// MigrateSkip leaves the item as it is.
	MigrateSkip = engine.MigrateSkip
	// MigrateDelete deletes the item.
	MigrateDelete = engine.MigrateDelete
)

type (
	// MigrateCounts counts what a migration did with the items it read.
	MigrateCounts = engine.MigrateCounts
	// MigrateProgress is a migration's state, passed to its Progress
	// callback.
	MigrateProgress = engine.MigrateProgress
	// MigrateReport is what a migration did: its counts, the items that
	// failed, the changes of a dry run, the capacity consumed and the
	// verification's findings.
	MigrateReport = engine.MigrateReport
	// MigrateFailure is an item a migration did not migrate, and why.
	MigrateFailure = engine.MigrateFailure
	// MigrateChange is a change a dry run would make.
	MigrateChange = engine.MigrateChange
	// VerifyReport is what a migration's verification pass found.
	VerifyReport = engine.VerifyReport
	// VerifyMismatch is an item that does not decode or whose stored keys
	// are not those its templates build.
	VerifyMismatch = engine.VerifyMismatch
	// MigrateCheckpoint is where a migration stands (see CheckpointStore).
	MigrateCheckpoint = engine.MigrateCheckpoint
	// MigrateSegment is one scan segment's state in a checkpoint.
	MigrateSegment = engine.MigrateSegment
	// CheckpointStore keeps a migration's checkpoint between runs:
	// FileCheckpoint and TableCheckpoint are two.
	CheckpointStore = engine.CheckpointStore
)

// A Migration rewrites the stored items of one entity into the form of
// another: a new key template, a new index, renamed attributes. Make one
// with Migrate, set its options, and Run it.
type Migration[T, U any] struct {
	m   engine.Migration
	err error
}

// Migrate returns a migration of every item of entity from into entity to
// through fn, which says what becomes of each item: MigrateRewrite with
// the new value, MigrateSkip or MigrateDelete. An error from fn fails that
// item alone (it is counted and listed in the report).
//
// from and to are usually the same physical table declared twice: the old
// design on one *Table and the new design on another *Table value of the
// same name and client (and cipher, for encrypted entities), with the same
// entity type name. Backfilling the keys of a new index is the identity
// transform of an entity onto itself:
//
//	tablemap.Migrate(photos, photos, func(p Photo) (Photo, tablemap.MigrateAction, error) {
//		return p, tablemap.MigrateRewrite, nil
//	})
//
// The rules:
//   - Items are read by a parallel scan (Segments) of the items whose type
//     attribute is from's name; fn sees each decoded as a T. A rewritten
//     item is encoded as a U: its keys and index keys come from to's
//     templates. Managed fields are kept as fn returns them (created and
//     updated are not set), except the version, which a rewrite increments.
//   - Every write is conditional on the stored item being unchanged since
//     it was read: its version when from has a version field, else every
//     attribute read (raw stored values, so encrypted ciphertexts compare
//     too) and every attribute either entity may hold still absent. A
//     concurrent application write wins: the item is read again and
//     migrated anew (Retries times), else reported; it is never
//     overwritten. A re-keyed item's new key must be free; an item there is
//     reported, not overwritten.
//   - An item whose stored attributes already equal what fn would write
//     (sets in any order, numbers by value, encrypted values decrypted) is
//     skipped, so running a finished migration again changes nothing. fn
//     must therefore map an item already in the new form to itself: the
//     scan can also meet a re-keyed item again at its new key.
//   - A Checkpoint store makes the migration resumable: stopped at any
//     point, it resumes from the last page each segment finished; the
//     items of an unfinished page are read again and skipped if done.
//
// Throttled requests are sent again after a backoff; Capacity keeps the
// consumed capacity near a target.
func Migrate[T, U any](from *Entity[T], to *Entity[U], fn func(old T) (U, MigrateAction, error)) *Migration[T, U] {
	g := &Migration[T, U]{m: engine.Migration{
		From: from.s, To: to.s, Segments: 4, PageSize: 100, Retries: 5, ProgressEvery: time.Second,
		Name: fmt.Sprintf("%s/%s->%s", from.t.Name(), from.s.Name, to.s.Name),
	}}
	if err := migrateTables(from.t.core, to.t.core); err != nil {
		g.err = fmt.Errorf("tablemap: migrate %s to %s: %w; nothing was sent", from.s.Name, to.s.Name, err)
	}
	g.m.Transform = func(ctx context.Context, stored map[string]types.AttributeValue) (engine.MigratePlan, error) {
		var old T
		if err := from.s.DecodeInto(ctx, stored, unsafe.Pointer(&old)); err != nil {
			return engine.MigratePlan{}, fmt.Errorf("decode %s: %w", from.s.Name, err)
		}
		v, action, err := fn(old)
		if err != nil || action != MigrateRewrite {
			return engine.MigratePlan{Action: action}, err
		}
		item, key, err := to.s.Encode(ctx, unsafe.Pointer(&v))
		if err != nil {
			return engine.MigratePlan{}, fmt.Errorf("encode %s: %w", to.s.Name, err)
		}
		return engine.MigratePlan{Action: action, Item: item, Key: key}, nil
	}
	return g
}

// migrateTables refuses entities of two different physical tables.
func migrateTables(a, b *engine.Table) error {
	if a.Name != b.Name || a.PK != b.PK || a.SK != b.SK || a.TypeAttr != b.TypeAttr {
		return fmt.Errorf("%w: the entities are on tables %s and %s, or their key or type attributes differ", ErrInvalidMigration, a.Name, b.Name)
	}
	return nil
}

// Segments sets the number of parallel scan segments (default 4).
func (g *Migration[T, U]) Segments(n int) *Migration[T, U] {
	if n < 1 && g.err == nil {
		g.err = fmt.Errorf("tablemap: migrate %s: %d segments; give at least 1: %w", g.m.Name, n, ErrInvalidMigration)
	}
	g.m.Segments = n
	return g
}

// PageSize sets the number of items each scan request reads (default
// 100). A checkpoint is saved after each page.
func (g *Migration[T, U]) PageSize(n int) *Migration[T, U] {
	if n < 1 && g.err == nil {
		g.err = fmt.Errorf("tablemap: migrate %s: page size %d; give at least 1: %w", g.m.Name, n, ErrInvalidMigration)
	}
	g.m.PageSize = n
	return g
}

// Capacity sets targets of read and write capacity units consumed per
// second (0: no limit), measured from the ConsumedCapacity of every
// request; over any 10 s the migration consumes at most about the target.
func (g *Migration[T, U]) Capacity(read, write float64) *Migration[T, U] {
	g.m.ReadRate, g.m.WriteRate = read, write
	return g
}

// Retries sets how many times an item that a concurrent write changed is
// read again and migrated anew before it is reported as failed (default 5).
func (g *Migration[T, U]) Retries(n int) *Migration[T, U] {
	g.m.Retries = max(n, 0)
	return g
}

// Checkpoint makes the migration resumable: it loads the checkpoint from
// store (refusing one of another migration or segment count) and saves it
// after every page.
func (g *Migration[T, U]) Checkpoint(store CheckpointStore) *Migration[T, U] {
	g.m.Store = store
	return g
}

// Progress calls fn with the migration's state at most once per every
// (default one second, when every is 0) while it runs, and once at the end.
// fn is never called concurrently.
func (g *Migration[T, U]) Progress(every time.Duration, fn func(MigrateProgress)) *Migration[T, U] {
	if every > 0 {
		g.m.ProgressEvery = every
	}
	g.m.Progress = fn
	return g
}

// DryRun makes the migration write nothing, neither items nor checkpoint:
// its report counts what it would change and lists the first changes.
func (g *Migration[T, U]) DryRun() *Migration[T, U] {
	g.m.DryRun = true
	return g
}

// Verify adds a verification pass after the migration: every item of the
// entity to must decode, and store the table and index keys its templates
// build, and no key of an index it does not declare. Mismatches are listed
// in the report's Verified and make Run's error ErrMigrationIncomplete.
func (g *Migration[T, U]) Verify() *Migration[T, U] {
	g.m.Verify = true
	return g
}

// Run runs the migration to its end, or until ctx is done (then, with a
// checkpoint, a later Run resumes it). Its error is ErrMigrationIncomplete
// when items failed or the verification found mismatches; the report says
// which.
func (g *Migration[T, U]) Run(ctx context.Context) (MigrateReport, error) {
	if g.err != nil {
		return MigrateReport{}, g.err
	}
	m := g.m // a Run of its own: the builder can run again
	return m.Run(ctx)
}
