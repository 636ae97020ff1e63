// Package exampleapp is what every program in examples/ shares: where the
// DynamoDB comes from, and one printed line per access pattern.
//
// By default an example starts DynamoDB Local in a container (see
// internal/dynamotest); with DYNAMODB_ENDPOINT set it uses that endpoint; with
// the -aws flag it uses the AWS configuration of the environment (a real
// account: the example creates and, unless -keep, deletes its table).
package exampleapp

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/dynamotest"
)

// App is an example's connection to DynamoDB and its request meter.
type App struct {
	Client *dynamodb.Client
	Meter  *tablemap.Meter
	// Table is the table name the example should use.
	Table string
	// Keep says the example should leave its table in place.
	Keep  bool
	Out   io.Writer
	close func() error
	fails int
	// drop deletes the tables CreateTable created, unless Keep.
	drop []func() error
}

// Open parses the example's flags and connects to DynamoDB.
func Open(ctx context.Context, name string) (*App, error) {
	useAWS := flag.Bool("aws", false, "use the AWS configuration of the environment instead of DynamoDB Local")
	table := flag.String("table", "tablemap-"+name, "the table to create and use")
	keep := flag.Bool("keep", false, "keep the table when done")
	flag.Parse()

	app := &App{Meter: tablemap.NewMeter(), Table: *table, Keep: *keep, Out: os.Stdout}
	if *useAWS {
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("load AWS configuration: %w", err)
		}
		app.Client = dynamodb.NewFromConfig(cfg, app.Meter.Attach)
		app.close = func() error { return nil }
		fmt.Fprintf(app.Out, "using AWS (region %s), table %s\n", cfg.Region, app.Table)
		return app, nil
	}
	dynamotest.Quiet()
	local, err := dynamotest.Start(ctx)
	if err != nil {
		return nil, err
	}
	app.Client = dynamodb.NewFromConfig(local.Config(), app.Meter.Attach)
	app.close = local.Close
	fmt.Fprintf(app.Out, "using DynamoDB Local at %s, table %s\n", local.Endpoint, app.Table)
	return app, nil
}

// Step runs one access pattern and prints
// `<pattern name>  requests=<n>  <latency>  <what came back>`.
// A failing step prints its error and makes Close report failure.
func (a *App) Step(ctx context.Context, name string, run func(ctx context.Context) (string, error)) {
	a.Meter.Reset()
	start := time.Now()
	got, err := run(ctx)
	elapsed := time.Since(start).Round(10 * time.Microsecond)
	if err != nil {
		a.fails++
		got = "ERROR: " + err.Error()
	}
	fmt.Fprintf(a.Out, "%-34s requests=%d  %8v  %s\n", name, a.Meter.Requests(), elapsed, oneLine(got))
}

// Setup runs work that is not an access pattern (creating the table, loading
// sample data) and prints what it cost in one line.
func (a *App) Setup(ctx context.Context, what string, run func(ctx context.Context) error) error {
	a.Meter.Reset()
	start := time.Now()
	if err := run(ctx); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	fmt.Fprintf(a.Out, "setup: %s (%d requests, %v)\n", what, a.Meter.Requests(), time.Since(start).Round(time.Millisecond))
	return nil
}

// CreateTable creates tbl, printing a setup line that names its indexes,
// and, unless -keep, makes Close delete it. Define every entity first.
func (a *App) CreateTable(ctx context.Context, tbl *tablemap.Table) error {
	what := "create table " + tbl.Name()
	var indexes []string
	for _, g := range tbl.CreateTableInput().GlobalSecondaryIndexes {
		indexes = append(indexes, aws.ToString(g.IndexName))
	}
	if len(indexes) > 0 {
		what += " with indexes " + strings.Join(indexes, ", ")
	}
	if err := a.Setup(ctx, what, tbl.CreateTable); err != nil {
		return err
	}
	if !a.Keep {
		a.drop = append(a.drop, func() error { return tbl.DeleteTable(context.Background()) })
	}
	return nil
}

// Close deletes the tables CreateTable created (unless -keep), stops what
// Open started, and returns an error if a step failed.
func (a *App) Close() error {
	var errs []error
	for _, drop := range a.drop {
		errs = append(errs, drop())
	}
	errs = append(errs, a.close())
	if a.fails > 0 {
		return fmt.Errorf("%d access patterns failed", a.fails)
	}
	return errors.Join(errs...)
}

// Main runs an example: open, run, close, and exit non-zero on failure.
func Main(name string, run func(ctx context.Context, app *App) error) {
	ctx := context.Background()
	app, err := Open(ctx, name)
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
	runErr := run(ctx, app)
	closeErr := app.Close()
	for _, err := range []error{runErr, closeErr} {
		if err != nil {
			fmt.Fprintln(os.Stderr, name+":", err)
			os.Exit(1)
		}
	}
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 160 {
		s = s[:157] + "..."
	}
	return s
}
