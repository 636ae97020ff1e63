// Command migrate evolves a live table's design: it stores orders under an
// old design (sorted by id in the customer's partition), adds an index
// (orders by status) and changes the sort key template (orders by time),
// migrates every order with a progress bar (plain lines when its output is
// not a terminal), and checks every access pattern of the new design.
// It runs on DynamoDB Local (started in a container, or DYNAMODB_ENDPOINT,
// or AWS with -aws).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/exampleapp"
)

// OrderV1 is the old design: a customer's orders sorted by id.
type OrderV1 struct {
	_        struct{}  `tablemap:"Order" pk:"CUST#{customer}" sk:"ORDER#{id}"`
	Customer string    `dynamo:"customer"`
	ID       int       `dynamo:"id"`
	Placed   time.Time `dynamo:"placed"`
	Status   string    `dynamo:"status"`
	Total    int       `dynamo:"total"`
}

// Order is the new design: a customer's orders sorted by time, and every
// order by status and time in GSI1.
type Order struct {
	_        struct{}  `tablemap:"Order" pk:"CUST#{customer}" sk:"ORDER#{placed}#{id}" gsi1pk:"STATUS#{status}" gsi1sk:"{placed}#{id}"`
	Customer string    `dynamo:"customer"`
	ID       int       `dynamo:"id"`
	Placed   time.Time `dynamo:"placed"`
	Status   string    `dynamo:"status"`
	Total    int       `dynamo:"total"`
}

var count = flag.Int("n", 5000, "the number of orders to store and migrate")

var start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func order(i int) OrderV1 {
	return OrderV1{Customer: fmt.Sprintf("c%02d", i%50), ID: i, Placed: start.Add(time.Duration(i*7919%86400) * time.Second),
		Status: []string{"placed", "paid", "shipped"}[i%3], Total: 100 + i%900}
}

func main() {
	exampleapp.Main("migrate", func(ctx context.Context, app *exampleapp.App) error {
		orders, err := declare[OrderV1](app)
		if err != nil {
			return err
		}
		if err := app.CreateTable(ctx, orders.Table()); err != nil {
			return err
		}
		if err := app.Setup(ctx, fmt.Sprintf("store %d orders of the old design", *count), func(ctx context.Context) error {
			w := orders.Table().BatchWrite()
			for i := range *count {
				w.Put(orders.Put(order(i)))
			}
			return w.Run(ctx)
		}); err != nil {
			return err
		}

		newOrders, err := declare[Order](app)
		if err != nil {
			return err
		}
		if err := app.Setup(ctx, "add index GSI1", func(ctx context.Context) error { return addIndex(ctx, app.Client, newOrders.Table()) }); err != nil {
			return err
		}
		return migrate(ctx, app, orders, newOrders)
	})
}

// declare declares the example's table with the orders of one design on
// it: the old design and the new are two declarations of the same table.
func declare[T any](app *exampleapp.App) (*tablemap.Entity[T], error) {
	return tablemap.Define[T](tablemap.NewTable(app.Client, app.Table))
}

func upgrade(o OrderV1) (Order, tablemap.MigrateAction, error) {
	return Order(o), tablemap.MigrateRewrite, nil
}

func migrate(ctx context.Context, app *exampleapp.App, orders *tablemap.Entity[OrderV1], newOrders *tablemap.Entity[Order]) error {
	plan, err := tablemap.Migrate(orders, newOrders, upgrade).DryRun().Run(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(app.Out, "dry run: %d orders would move to a new key, %d are already in the new form\n", plan.Rekeyed, plan.Skipped)

	dir, err := os.MkdirTemp("", "tablemap-migrate")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bar := newProgressBar(app.Out)
	rep, err := tablemap.Migrate(orders, newOrders, upgrade).Segments(4).
		Checkpoint(tablemap.FileCheckpoint(filepath.Join(dir, "checkpoint.json"))).
		Progress(100*time.Millisecond, bar.show).Verify().Run(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(app.Out, "migrated: %d re-keyed, %d skipped, %d failed in %v (%.0f RCU, %.0f WCU); verified %d orders, %d mismatches\n",
		rep.Rekeyed, rep.Skipped, rep.Failed, rep.Elapsed.Round(time.Millisecond), rep.ReadUnits, rep.WriteUnits, rep.Verified.Checked, rep.Verified.Mismatched)
	again, err := tablemap.Migrate(orders, newOrders, upgrade).Run(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(app.Out, "migrated again: %d changed, %d skipped\n", again.Changed+again.Rekeyed+again.Deleted, again.Skipped)
	checkPatterns(ctx, app, newOrders)
	return nil
}

// checkPatterns runs every access pattern of the new design.
func checkPatterns(ctx context.Context, app *exampleapp.App, orders *tablemap.Entity[Order]) {
	want := Order(order(42))
	app.Step(ctx, "get order", func(ctx context.Context) (string, error) {
		got, err := orders.Get(Order{Customer: want.Customer, Placed: want.Placed, ID: want.ID}).Run(ctx)
		if err != nil || got != want {
			return "", errors.Join(err, fmt.Errorf("got %+v, want %+v", got, want))
		}
		return fmt.Sprintf("order %d of %s, %s", got.ID, got.Customer, got.Status), nil
	})
	app.Step(ctx, "customer's orders by time", func(ctx context.Context) (string, error) {
		var last time.Time
		n := 0
		for o, err := range orders.Query(Order{Customer: want.Customer}).All(ctx) {
			if err != nil {
				return "", err
			}
			if o.Placed.Before(last) {
				return "", fmt.Errorf("order %d placed %v after %v: not sorted by time", o.ID, o.Placed, last)
			}
			last, n = o.Placed, n+1
		}
		if w := (*count - 42 + 49) / 50; n != w {
			return "", fmt.Errorf("%d orders of %s, want %d", n, want.Customer, w)
		}
		return fmt.Sprintf("%d orders of %s, oldest first", n, want.Customer), nil
	})
	app.Step(ctx, "orders by status (GSI1)", func(ctx context.Context) (string, error) {
		n := 0
		for _, err := range orders.Query(Order{Status: "paid"}).Index("GSI1").All(ctx) {
			if err != nil {
				return "", err
			}
			n++
		}
		if w := (*count + 1) / 3; n != w {
			return "", fmt.Errorf("%d paid orders, want %d", n, w)
		}
		return fmt.Sprintf("%d paid orders", n), nil
	})
}

// addIndex adds the new design's index GSI1 to the table and waits until
// it is active.
func addIndex(ctx context.Context, client *dynamodb.Client, design *tablemap.Table) error {
	in := design.CreateTableInput()
	var update []types.GlobalSecondaryIndexUpdate
	for _, g := range in.GlobalSecondaryIndexes {
		update = append(update, types.GlobalSecondaryIndexUpdate{Create: &types.CreateGlobalSecondaryIndexAction{
			IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection, ProvisionedThroughput: g.ProvisionedThroughput}})
	}
	if _, err := client.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: in.TableName, AttributeDefinitions: in.AttributeDefinitions,
		GlobalSecondaryIndexUpdates: update}); err != nil {
		return err
	}
	for {
		out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: in.TableName})
		if err != nil {
			return err
		}
		active := len(out.Table.GlobalSecondaryIndexes) == len(update)
		for _, g := range out.Table.GlobalSecondaryIndexes {
			active = active && g.IndexStatus == types.IndexStatusActive
		}
		if active {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// A progressBar draws a migration's progress on one terminal line, or
// prints one line per report when its output is not a terminal.
type progressBar struct {
	out      interface{ Write([]byte) (int, error) }
	terminal bool
}

func newProgressBar(out interface{ Write([]byte) (int, error) }) *progressBar {
	f, ok := out.(*os.File)
	terminal := false
	if ok {
		st, err := f.Stat()
		terminal = err == nil && st.Mode()&os.ModeCharDevice != 0
	}
	return &progressBar{out: out, terminal: terminal}
}

func (b *progressBar) show(p tablemap.MigrateProgress) {
	frac := 1.0
	if p.Total > 0 && !p.Done {
		frac = min(float64(p.Scanned)/float64(p.Total), 1)
	}
	counts := fmt.Sprintf("%d/%d scanned, %d changed, %d skipped, %d failed, %.0f items/s, ETA %v",
		p.Scanned, p.Total, p.Changed+p.Rekeyed+p.Deleted, p.Skipped, p.Failed, p.Rate, p.ETA.Round(time.Second))
	if !b.terminal {
		fmt.Fprintf(b.out, "progress: %3.0f%% %s\n", 100*frac, counts)
		return
	}
	const width = 30
	done := int(frac * width)
	fmt.Fprintf(b.out, "\r[%s%s] %3.0f%% %s\x1b[K", strings.Repeat("#", done), strings.Repeat(".", width-done), 100*frac, counts)
	if p.Done {
		fmt.Fprintln(b.out)
	}
}
