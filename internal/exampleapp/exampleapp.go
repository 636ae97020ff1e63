// Package exampleapp is what every program in examples/ shares: where the
// DynamoDB comes from, and one printed line per access pattern.
//
// By default an example starts DynamoDB Local in a container (see
// internal/dynamotest); with DYNAMODB_ENDPOINT set it uses that endpoint; with
// the -aws flag it uses the AWS configuration of the environment (a real
// account: the example creates and, unless -keep, deletes its table). With
// -design workbench|cloudformation|terraform|markdown it prints its table's
// design in that format and exits, without a database.
package exampleapp

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/design"
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
	// design is the -design format: print the design to designOut, run
	// nothing.
	design    string
	designOut io.Writer
}

// Open parses the example's flags and connects to DynamoDB.
func Open(ctx context.Context, name string) (*App, error) {
	useAWS := flag.Bool("aws", false, "use the AWS configuration of the environment instead of DynamoDB Local")
	table := flag.String("table", "tablemap-"+name, "the table to create and use")
	keep := flag.Bool("keep", false, "keep the table when done")
	format := flag.String("design", "", "print the table's design as "+strings.Join(design.Formats, "|")+" and exit, without a database")
	flag.Parse()

	app := &App{Meter: tablemap.NewMeter(), Table: *table, Keep: *keep, Out: os.Stdout, design: *format}
	if app.design != "" {
		if !slices.Contains(design.Formats, app.design) {
			return nil, fmt.Errorf("-design %q: want one of %s", app.design, strings.Join(design.Formats, ", "))
		}
		// No client: nothing may reach a database. Client is a nil
		// *dynamodb.Client, which tables hold but never call before
		// CreateTable prints the design. Only the design goes to stdout.
		app.close = func() error { return nil }
		app.designOut, app.Out = app.Out, io.Discard
		return app, nil
	}
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

// errDesignPrinted ends an example run with -design after CreateTable
// printed the design: Main exits with success.
var errDesignPrinted = errors.New("design printed")

// CreateTable creates tbl, printing a setup line that names its indexes,
// and, unless -keep, makes Close delete it. Define every entity first.
// patterns add the example's access patterns to the design (social's
// Service.Patterns …): with -design, CreateTable prints tbl's design with
// them instead and returns an error that makes Main exit with success.
func (a *App) CreateTable(ctx context.Context, tbl *tablemap.Table, patterns ...func(*tablemap.Design) error) error {
	if a.design != "" {
		return a.printDesign(tbl, patterns)
	}
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

func (a *App) printDesign(tbl *tablemap.Table, patterns []func(*tablemap.Design) error) error {
	d := tbl.Design()
	for _, add := range patterns {
		if err := add(&d); err != nil {
			return err
		}
	}
	out, err := design.Render(d, a.design)
	if err != nil {
		return err
	}
	if _, err := a.designOut.Write(out); err != nil {
		return err
	}
	return errDesignPrinted
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
	switch {
	case errors.Is(runErr, errDesignPrinted):
		runErr = nil
	case runErr == nil && app.design != "":
		runErr = errors.New("-design: the example created no table, so printed no design")
	}
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
