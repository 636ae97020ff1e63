package tablemap_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/dynamotest"
)

func TestMigrateDryRun(t *testing.T) {
	t.Parallel()
	d := orderTable(t, 50)
	before := rawItems(t, d.client, d.name)
	rep, err := tablemap.Migrate(d.old, d.new, upgrade).DryRun().Verify().Run(migCtx)
	if !errors.Is(err, tablemap.ErrMigrationIncomplete) {
		t.Fatalf("dry run with verification of the old items: %v, want ErrMigrationIncomplete", err)
	}
	if w := d.meter.Requests("PutItem", "DeleteItem", "TransactWriteItems", "UpdateItem", "BatchWriteItem"); w != 0 {
		t.Errorf("a dry run sent %d writes", w)
	}
	if rep.Rekeyed != 50 || len(rep.Changes) != 50 {
		t.Fatalf("dry run: %+v and %d changes, want 50 re-keys listed", rep.MigrateCounts, len(rep.Changes))
	}
	ch := rep.Changes[0]
	o := order(0)
	for _, c := range rep.Changes {
		if strings.HasSuffix(c.Old.SK, "00000000000000000000") {
			ch = c
		}
	}
	oldKey, _ := d.old.Key(o)
	newKey, _ := d.new.Key(orderV2(o))
	diff(t, "the change of order 0", tablemap.MigrateChange{Action: tablemap.MigrateRewrite, Old: oldKey, New: newKey}, ch)
	if v := rep.Verified; v == nil || v.Mismatched != 50 || !strings.Contains(v.Mismatches[0].Problem, "SK is") {
		t.Errorf("verification of the old items: %+v, want 50 mismatched sort keys", v)
	}
	if diff := cmp.Diff(len(before), len(rawItems(t, d.client, d.name))); diff != "" {
		t.Errorf("items after a dry run: %s", diff)
	}
}

// account has a version, so a migration's condition is on the version.
type account struct {
	_       struct{} `tablemap:"Account" pk:"ACCT#{id}" sk:"ACCT"`
	ID      int      `dynamo:"id"`
	Plan    string   `dynamo:"plan"`
	Balance int      `dynamo:"balance"`
	Version int      `dynamo:"v,version"`
}

func accountTable(t *testing.T, n int) (*tablemap.Table, *tablemap.Meter, *tablemap.Entity[account]) {
	t.Helper()
	m := tablemap.NewMeter()
	tbl := tablemap.NewTable(dynamotest.Client(t, m.Attach), dynamotest.TableName(t))
	accounts, err := tablemap.Define[account](tbl)
	if err != nil {
		t.Fatal(err)
	}
	if err := tbl.CreateTable(migCtx); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := accounts.Put(account{ID: i, Plan: "basic", Balance: i}).Run(migCtx); err != nil {
			t.Fatal(err)
		}
	}
	m.Reset()
	return tbl, m, accounts
}

// upperPlan deletes accounts whose id is a multiple of 3, skips those one
// more, and writes the plan in capitals for the others.
func upperPlan(a account) (account, tablemap.MigrateAction, error) {
	switch a.ID % 3 {
	case 0:
		return a, tablemap.MigrateDelete, nil
	case 1:
		return a, tablemap.MigrateSkip, nil
	}
	a.Plan = strings.ToUpper(a.Plan)
	return a, tablemap.MigrateRewrite, nil
}

func TestMigrateActionsAndVersion(t *testing.T) {
	t.Parallel()
	const n = 300
	tbl, m, accounts := accountTable(t, n)
	// Increments of random accounts while the migration runs, slowed by
	// its write capacity target.
	increments := map[int]int{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, i := range rand.Perm(n)[:100] {
			if _, err := accounts.Update(account{ID: i}).Incr("balance", 1000).Run(migCtx); err != nil && !errors.Is(err, tablemap.ErrNotFound) {
				t.Errorf("increment account %d: %v", i, err)
			} else if err == nil {
				increments[i] = 1000
			}
			time.Sleep(15 * time.Millisecond)
		}
	}()
	rep, err := tablemap.Migrate(accounts, accounts, upperPlan).PageSize(20).Capacity(0, 150).Verify().Run(migCtx)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", rep.MigrateCounts)
	want := tablemap.MigrateCounts{Scanned: n, Items: n, Changed: n / 3, Deleted: n / 3, Skipped: n / 3, Retried: rep.Retried}
	diff(t, "counts", want, rep.MigrateCounts)
	got := map[int]account{}
	for _, item := range rawItems(t, tbl.Client(), tbl.Name()) {
		a, err := accounts.Decode(item)
		if err != nil {
			t.Fatal(err)
		}
		got[a.ID] = a
	}
	wrong := 0
	for i := range n {
		a, ok := got[i]
		inc := increments[i]
		want := account{ID: i, Plan: "basic", Balance: i + inc, Version: 1}
		if inc != 0 {
			want.Version++
		}
		switch i % 3 {
		case 0:
			if ok {
				t.Errorf("account %d not deleted", i)
			}
			continue
		case 2:
			want.Plan, want.Version = "BASIC", want.Version+1 // a rewrite increments the version
		}
		if d := cmp.Diff(want, a); d != "" {
			if wrong++; wrong < 5 {
				t.Errorf("account %d (-want +got):\n%s", i, d)
			}
		}
	}

	// Again: nothing to do.
	m.Reset()
	rep, err = tablemap.Migrate(accounts, accounts, upperPlan).Run(migCtx)
	if w := m.Requests("PutItem", "DeleteItem", "TransactWriteItems"); err != nil || w != 0 || rep.Skipped != rep.Items {
		t.Errorf("second run: %v, %d writes, counts %+v; want every item skipped", err, w, rep.MigrateCounts)
	}
}

func TestMigrateCancelledAndResumedFromTable(t *testing.T) {
	t.Parallel()
	const n = 400
	d := orderTable(t, n)
	store := tablemap.TableCheckpoint(d.tNew, "orders-v2")
	ctx, cancel := context.WithCancel(migCtx)
	defer cancel()
	_, err := tablemap.Migrate(d.old, d.new, upgrade).PageSize(25).Checkpoint(store).
		Progress(time.Nanosecond, func(p tablemap.MigrateProgress) {
			if p.Items >= n/3 {
				cancel()
			}
		}).Run(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: %v, want context.Canceled", err)
	}
	c, err := store.Load(migCtx)
	if err != nil || c == nil {
		t.Fatalf("checkpoint %+v, %v; want one", c, err)
	}
	resumed, done := false, 0 // a segment stopped inside the scan; segments that finished
	for _, seg := range c.Segments {
		resumed = resumed || seg.Last != nil && !seg.Done
		if seg.Done {
			done++
		}
	}
	if !resumed || done == len(c.Segments) {
		t.Fatalf("checkpoint %+v; want a segment stopped at a last key and not every segment done", c)
	}

	_, err = tablemap.Migrate(d.old, d.new, upgrade).Segments(2).Checkpoint(store).Run(migCtx)
	wantErr(t, err, tablemap.ErrInvalidMigration)

	rep, err := tablemap.Migrate(d.old, d.new, upgrade).PageSize(25).Checkpoint(store).Verify().Run(migCtx)
	wantClean(t, rep, err, n)
	checkOrders(t, d, n, nil)
}

func TestMigrateNewKeyTaken(t *testing.T) {
	t.Parallel()
	d := orderTable(t, 10)
	taken := orderV2(order(3))
	taken.Note = "written by the new application"
	if err := d.new.Put(taken).Run(migCtx); err != nil {
		t.Fatal(err)
	}
	rep, err := tablemap.Migrate(d.old, d.new, upgrade).Run(migCtx)
	wantErr(t, err, tablemap.ErrMigrationIncomplete)
	oldKey, _ := d.old.Key(order(3))
	if rep.Failed != 1 || len(rep.Failures) != 1 || rep.Failures[0].Key != oldKey || !errors.Is(rep.Failures[0].Err, tablemap.ErrExists) {
		t.Fatalf("report %+v %v, want order 3 failed with ErrExists", rep.MigrateCounts, rep.Failures)
	}
	got, err := d.new.Get(taken).Run(migCtx)
	if err != nil || got.Note != taken.Note {
		t.Errorf("the item at the new key: %+v, %v; want it untouched", got, err)
	}
	if _, err := d.old.Get(order(3)).Run(migCtx); err != nil {
		t.Errorf("the old item: %v, want it kept", err)
	}
}

func TestMigrateOtherTable(t *testing.T) {
	a := tablemap.NewTable(nil, "a")
	b := tablemap.NewTable(nil, "b")
	old, _ := tablemap.Define[orderV1](a)
	new, _ := tablemap.Define[orderV2](b)
	_, err := tablemap.Migrate(old, new, upgrade).Run(migCtx)
	wantErr(t, err, tablemap.ErrInvalidMigration)
	_, err = tablemap.Migrate(old, old, func(o orderV1) (orderV1, tablemap.MigrateAction, error) { return o, tablemap.MigrateSkip, nil }).Segments(0).Run(migCtx)
	wantErr(t, err, tablemap.ErrInvalidMigration)
}

func TestFileCheckpointRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cp.json")
	store := tablemap.FileCheckpoint(path)
	if c, err := store.Load(migCtx); c != nil || err != nil {
		t.Fatalf("no file: %v, %v; want nil, nil", c, err)
	}
	want := &tablemap.MigrateCheckpoint{Name: "t/A->B", Segments: []tablemap.MigrateSegment{
		{Last: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "a#b"}, "N": &types.AttributeValueMemberN{Value: "-1.5"}, "B": &types.AttributeValueMemberB{Value: []byte{0, 1, 255}}},
			Counts: tablemap.MigrateCounts{Scanned: 3, Items: 2, Rekeyed: 1, Skipped: 1}},
		{Done: true},
	}}
	if err := store.Save(migCtx, want); err != nil {
		t.Fatal(err)
	}
	got, err := store.Load(migCtx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "checkpoint", want, got, cmpopts.IgnoreUnexported(types.AttributeValueMemberS{}, types.AttributeValueMemberN{}, types.AttributeValueMemberB{}))
}
