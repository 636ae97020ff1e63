package tablemap_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/dynamotest"
)

// childEnv names the table and checkpoint file of TestMigrateChildProcess.
const childEnv = "TABLEMAP_MIGRATE_CHILD"

// TestMigrateChildProcess is the migration TestMigrateKilledAndResumed
// runs in a child process and kills; it does nothing in a normal run.
func TestMigrateChildProcess(t *testing.T) {
	spec := os.Getenv(childEnv)
	if spec == "" {
		t.Skip("the child process of TestMigrateKilledAndResumed")
	}
	name, path, _ := strings.Cut(spec, ";")
	d := newOrderDesigns(t, name)
	_, err := tablemap.Migrate(d.old, d.new, upgrade).Segments(4).PageSize(50).Checkpoint(tablemap.FileCheckpoint(path)).Run(migCtx)
	if err != nil {
		t.Fatal(err)
	}
}

// checkpointItems returns how many items the checkpoint at path counts.
func checkpointItems(t *testing.T, path string) int64 {
	c, err := tablemap.FileCheckpoint(path).Load(migCtx)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	if c != nil {
		for _, g := range c.Segments {
			n += g.Counts.Items
		}
	}
	return n
}

// killAt runs the migration in a child process and kills it with SIGKILL
// once its checkpoint counts at least items.
func killAt(t *testing.T, d *orderDesigns, path string, items int64) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestMigrateChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "DYNAMODB_ENDPOINT="+dynamotest.Endpoint(t), childEnv+"="+d.name+";"+path)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for {
		select {
		case err := <-done:
			t.Fatalf("the child ended before it was killed (%v):\n%s", err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if checkpointItems(t, path) >= items {
			break
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := <-done
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child: %v, want killed:\n%s", err, out.String())
	}
	t.Logf("killed the child at %d items (wanted %d)", checkpointItems(t, path), items)
}

func TestMigrateKilledAndResumed(t *testing.T) {
	t.Parallel()
	n := migrateSize()
	d := orderTable(t, n)
	path := filepath.Join(t.TempDir(), "checkpoint.json")
	killAt(t, d, path, int64(n)/4)
	killAt(t, d, path, int64(n)*3/5)

	start := time.Now()
	rep, err := tablemap.Migrate(d.old, d.new, upgrade).Segments(4).PageSize(50).Checkpoint(tablemap.FileCheckpoint(path)).Verify().Run(migCtx)
	t.Logf("resumed and finished in %v: %+v", time.Since(start).Round(time.Millisecond), rep.MigrateCounts)
	wantClean(t, rep, err, n)
	checkOrders(t, d, n, nil)
}

// updateOrders sets the note of k random orders, one at a time, through
// whichever design's key the order has when it is updated, and returns the
// notes.
func updateOrders(t *testing.T, d *orderDesigns, n, k int, pause time.Duration) map[int]string {
	notes := map[int]string{}
	for _, i := range rand.Perm(n)[:k] {
		note := fmt.Sprint("updated by the application ", i)
		o := order(i)
		for try := 0; ; try++ {
			_, err := d.old.Update(orderV1{Customer: o.Customer, ID: o.ID}).Set("note", note).Run(migCtx)
			if errors.Is(err, tablemap.ErrNotFound) {
				_, err = d.new.Update(orderV2{Customer: o.Customer, ID: o.ID, Placed: o.Placed}).Set("note", note).Run(migCtx)
			}
			if err == nil {
				break
			}
			if !errors.Is(err, tablemap.ErrNotFound) || try == 10 {
				t.Errorf("update order %d: %v", i, err)
				break
			}
		}
		notes[i] = note
		time.Sleep(pause)
	}
	return notes
}

func TestMigrateConcurrentWriter(t *testing.T) {
	t.Parallel()
	n := migrateSize()
	d := orderTable(t, n)
	var (
		wg    sync.WaitGroup
		notes map[int]string
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		notes = updateOrders(t, d, n, 500, time.Duration(n)*time.Microsecond)
	}()
	start := time.Now()
	rep, err := tablemap.Migrate(d.old, d.new, upgrade).Segments(4).Verify().Run(migCtx)
	t.Logf("migrated in %v beside the writer: %+v", time.Since(start).Round(time.Millisecond), rep.MigrateCounts)
	wg.Wait()
	wantClean(t, rep, err, n)
	checkOrders(t, d, n, notes)
}
