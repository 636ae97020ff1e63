package tablemap_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/dynamotest"
)

// orderV1 is the old design: orders sorted by id in the customer's
// partition.
type orderV1 struct {
	_        struct{}  `tablemap:"Order" pk:"CUST#{customer}" sk:"ORDER#{id}"`
	Customer string    `dynamo:"customer"`
	ID       int       `dynamo:"id"`
	Placed   time.Time `dynamo:"placed"`
	Status   string    `dynamo:"status"`
	Note     string    `dynamo:"note,omitempty"`
	Tags     []string  `dynamo:"tags,omitempty,set"`
}

// orderV2 is the new design: sorted by time in the partition (a changed
// sort key template), and by status in a new index GSI1.
type orderV2 struct {
	_        struct{}  `tablemap:"Order" pk:"CUST#{customer}" sk:"ORDER#{placed}#{id}" gsi1pk:"STATUS#{status}" gsi1sk:"{placed}#{id}"`
	Customer string    `dynamo:"customer"`
	ID       int       `dynamo:"id"`
	Placed   time.Time `dynamo:"placed"`
	Status   string    `dynamo:"status"`
	Note     string    `dynamo:"note,omitempty"`
	Tags     []string  `dynamo:"tags,omitempty,set"`
}

var (
	migCtx    = context.Background()
	migPlaced = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
)

func order(i int) orderV1 {
	o := orderV1{Customer: fmt.Sprintf("c%03d", i%300), ID: i, Placed: migPlaced.Add(time.Duration(i*7919%100000) * time.Second),
		Status: []string{"new", "paid", "sent"}[i%3]}
	if i%4 == 0 {
		o.Tags = []string{"gift", fmt.Sprint("t", i%7)}
	}
	return o
}

func upgrade(o orderV1) (orderV2, tablemap.MigrateAction, error) {
	return orderV2(o), tablemap.MigrateRewrite, nil
}

// migrateSize is the number of items of the big migration tests: 20,000
// when CI=true or the test was asked for by -run; 2,000 otherwise, to keep
// the default suite short on a shared DynamoDB Local. TABLEMAP_MIGRATE_ITEMS
// sets another.
func migrateSize() int {
	if n, err := strconv.Atoi(os.Getenv("TABLEMAP_MIGRATE_ITEMS")); err == nil {
		return n
	}
	if os.Getenv("CI") == "true" {
		return 20000
	}
	if f := flag.Lookup("test.run"); f != nil && strings.Contains(f.Value.String(), "Migrate") {
		return 20000
	}
	return 2000
}

// orderDesigns are the two designs of one table: the old on one Table
// value, the new on another of the same name and client.
type orderDesigns struct {
	name       string
	client     *dynamodb.Client
	meter      *tablemap.Meter
	tOld, tNew *tablemap.Table
	old        *tablemap.Entity[orderV1]
	new        *tablemap.Entity[orderV2]
}

func newOrderDesigns(t *testing.T, name string) *orderDesigns {
	t.Helper()
	d := &orderDesigns{name: name, meter: tablemap.NewMeter()}
	d.client = dynamotest.Client(t, d.meter.Attach)
	d.tOld, d.tNew = tablemap.NewTable(d.client, name), tablemap.NewTable(d.client, name)
	var err1, err2 error
	d.old, err1 = tablemap.Define[orderV1](d.tOld)
	d.new, err2 = tablemap.Define[orderV2](d.tNew)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	return d
}

// orderTable creates a table for the test, with GSI1 (the new design's
// index, empty), and stores n orders of the old design.
func orderTable(t *testing.T, n int) *orderDesigns {
	t.Helper()
	d := newOrderDesigns(t, dynamotest.TableName(t))
	if err := d.tNew.CreateTable(migCtx); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for lo := 0; lo < n; lo += 1000 {
		w := d.tOld.BatchWrite()
		for i := lo; i < min(lo+1000, n); i++ {
			w.Put(d.old.Put(order(i)))
		}
		if err := w.Run(migCtx); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("stored %d orders in %v", n, time.Since(start).Round(time.Millisecond))
	d.meter.Reset()
	return d
}

// rawItems reads every item of the table with the SDK.
func rawItems(t *testing.T, client dynamodb.ScanAPIClient, name string) []map[string]types.AttributeValue {
	t.Helper()
	var items []map[string]types.AttributeValue
	p := dynamodb.NewScanPaginator(client, &dynamodb.ScanInput{TableName: aws.String(name)})
	for p.HasMorePages() {
		out, err := p.NextPage(migCtx)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, out.Items...)
	}
	return items
}

// checkOrders checks that the table holds orders 0…n-1 exactly once each,
// in the new design (keys, index keys and values, notes as the writer left
// them), and nothing else but checkpoints.
func checkOrders(t *testing.T, d *orderDesigns, n int, notes map[int]string) {
	t.Helper()
	seen := map[int]int{}
	wrong := 0
	for _, item := range rawItems(t, d.client, d.name) {
		if _, ok := item["_type"]; !ok {
			continue // a checkpoint
		}
		v, err := d.new.Decode(item)
		if err != nil {
			t.Fatal(err)
		}
		seen[v.ID]++
		want, _, _ := upgrade(order(v.ID))
		want.Note = notes[v.ID]
		k, err := d.new.Key(v)
		if err != nil {
			t.Fatal(err)
		}
		gsi, ok := item["GSI1PK"].(*types.AttributeValueMemberS)
		sk := item["SK"].(*types.AttributeValueMemberS).Value
		if d := cmp.Diff(want, v); d != "" || sk != k.SK || !ok || gsi.Value != "STATUS#"+want.Status {
			if wrong++; wrong <= 5 {
				t.Errorf("order %d (SK %q, want %q; GSI1PK %v) differs (-want +got):\n%s", v.ID, sk, k.SK, item["GSI1PK"], d)
			}
		}
	}
	lost, dup := 0, 0
	for i := range n {
		switch c := seen[i]; {
		case c == 0:
			lost++
		case c > 1:
			dup++
		}
	}
	if lost != 0 || dup != 0 || len(seen) != n || wrong != 0 {
		t.Errorf("%d orders lost, %d duplicated, %d of %d stored, %d wrong", lost, dup, len(seen), n, wrong)
	}
}

// wantClean checks a migration's report: every item migrated or skipped
// (a resumed run skips what an earlier run moved but did not count),
// nothing failed, verification clean.
func wantClean(t *testing.T, rep tablemap.MigrateReport, err error, n int) {
	t.Helper()
	if err != nil {
		t.Fatalf("migration: %v (report %+v)", err, rep.MigrateCounts)
	}
	c := rep.MigrateCounts
	if c.Failed != 0 || c.Changed+c.Rekeyed+c.Skipped != c.Items || c.Rekeyed == 0 || c.Rekeyed+c.Skipped < int64(n) {
		t.Errorf("counts %+v, want %d re-keyed or skipped and none failed", c, n)
	}
	if v := rep.Verified; v == nil || v.Checked != int64(n) || v.Mismatched != 0 {
		t.Errorf("verification %+v, want %d items checked, no mismatch", v, n)
	}
}

func TestMigrateRekeyAndIndex(t *testing.T) {
	t.Parallel()
	n := migrateSize()
	d := orderTable(t, n)
	start := time.Now()
	var last tablemap.MigrateProgress
	rep, err := tablemap.Migrate(d.old, d.new, upgrade).Segments(4).Verify().
		Progress(time.Second, func(p tablemap.MigrateProgress) { last = p }).Run(migCtx)
	t.Logf("migrated %d orders in %v: %+v, %.0f RCU %.0f WCU", n, time.Since(start).Round(time.Millisecond), rep.MigrateCounts, rep.ReadUnits, rep.WriteUnits)
	wantClean(t, rep, err, n)
	if rep.Rekeyed != int64(n) {
		t.Errorf("%d re-keyed, want %d", rep.Rekeyed, n)
	}
	if !last.Done || last.MigrateCounts != rep.MigrateCounts || last.Total != int64(n) {
		t.Errorf("last progress %+v, want done with the report's counts and a total of %d", last, n)
	}
	checkOrders(t, d, n, nil)

	// The new access pattern: GSI1 by status.
	paid := 0
	for _, err := range d.new.Query(orderV2{Status: "paid"}).Index("GSI1").All(migCtx) {
		if err != nil {
			t.Fatal(err)
		}
		paid++
	}
	if want := (n + 1) / 3; paid != want {
		t.Errorf("%d paid orders in GSI1, want %d", paid, want)
	}

	// Run again: nothing changes, nothing is written.
	d.meter.Reset()
	rep, err = tablemap.Migrate(d.old, d.new, upgrade).Run(migCtx)
	if err != nil {
		t.Fatal(err)
	}
	if w := d.meter.Requests("PutItem", "DeleteItem", "TransactWriteItems"); w != 0 || rep.Skipped != int64(n) || rep.Items != int64(n) {
		t.Errorf("second run: %d writes, counts %+v; want none and %d skipped", w, rep.MigrateCounts, n)
	}
}
