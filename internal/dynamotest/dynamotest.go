// Package dynamotest runs tests and examples against a real DynamoDB Local.
//
// A test package starts one DynamoDB Local container from TestMain and gives
// each test its own table, so tests run in parallel without seeing each other:
//
//	func TestMain(m *testing.M) { os.Exit(dynamotest.Main(m)) }
//
//	func TestPut(t *testing.T) {
//		client := dynamotest.Client(t)
//		name := dynamotest.CreateTable(t, &dynamodb.CreateTableInput{...})
//		...
//	}
//
// The environment steers it:
//   - DYNAMODB_ENDPOINT: use that endpoint (e.g. a DynamoDB Local started as a
//     Java process) and start no container;
//   - DYNAMODB_LOCAL_IMAGE: the image to run. Unset, the official image at a
//     pinned tag is used when present locally, else the image that
//     scripts/provision builds from the npm package, else the official one.
//
// The package depends only on the SDK and testcontainers, never on tablemap,
// so tablemap's own tests can use it.
package dynamotest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/localaws"
)

const (
	// OfficialImage is the image users with a registry run.
	OfficialImage = "amazon/dynamodb-local:2.5.2"
	// LocalImage is the image scripts/provision builds from the npm package
	// amplify-dynamodb-simulator, for machines that reach no container registry.
	LocalImage = "tablemap/dynamodb-local:1.25.1"
	// Region is the region every client here signs for; DynamoDB Local runs
	// with -sharedDb, so region and credentials do not partition its data.
	Region = "us-east-1"
)

var (
	mu     sync.Mutex
	active *Local // set by Main for the duration of the package's tests
)

// Main starts DynamoDB Local (or uses DYNAMODB_ENDPOINT), runs the tests and
// stops the container again, returning the exit code for os.Exit.
// If the test binary dies (a panic, a timeout, a kill), a watcher process
// removes the container, so none is left behind.
//
// With -short it starts nothing: the package's pure tests and examples run,
// and every test that asks for DynamoDB Local (Client, Config, TableName,
// CreateTable, Endpoint) is skipped, so `go test -short ./...` passes on a
// machine with no Docker and no endpoint.
func Main(m *testing.M) int {
	flag.Parse()
	if testing.Short() {
		return m.Run()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	local, err := Start(ctx)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "dynamotest:", err)
		return 1
	}
	mu.Lock()
	active = local
	mu.Unlock()
	defer local.Close()
	return m.Run()
}

// Local is a running DynamoDB Local: an endpoint and a client for it.
type Local struct {
	Endpoint string
	Client   *dynamodb.Client
	stop     func() error
}

// Start connects to DYNAMODB_ENDPOINT when it is set, or else starts a
// DynamoDB Local container, and returns once DynamoDB itself answers.
// Close stops what Start started.
func Start(ctx context.Context) (*Local, error) {
	endpoint := os.Getenv("DYNAMODB_ENDPOINT")
	stop := func() error { return nil }
	if endpoint == "" {
		var err error
		endpoint, stop, err = startContainer(ctx)
		if err != nil {
			return nil, err
		}
	}
	l := &Local{Endpoint: endpoint, stop: stop}
	l.Client = dynamodb.NewFromConfig(config(endpoint))
	if err := waitReady(ctx, l.Client); err != nil {
		_ = stop()
		return nil, fmt.Errorf("DynamoDB Local at %s does not answer: %w", endpoint, err)
	}
	return l, nil
}

// Close stops the container Start started, if any.
func (l *Local) Close() error { return l.stop() }

// Config returns an aws.Config for this DynamoDB Local, for clients with
// options of their own (a request meter, say).
func (l *Local) Config() aws.Config { return config(l.Endpoint) }

// config returns an aws.Config for the endpoint: static credentials, the
// Region, and a connection pool sized for parallel tests.
func config(endpoint string) aws.Config {
	c := localaws.Config(endpoint, Region, 64)
	// Enough attempts that a throttled burst in a concurrency test retries
	// rather than fails.
	c.RetryMaxAttempts = 10
	return c
}

func waitReady(ctx context.Context, c *dynamodb.Client) error {
	var last error
	for {
		attempt, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := c.ListTables(attempt, &dynamodb.ListTablesInput{Limit: aws.Int32(1)})
		cancel()
		if err == nil {
			return nil
		}
		last = err
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), last)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func current(tb testing.TB) *Local {
	tb.Helper()
	mu.Lock()
	defer mu.Unlock()
	if active == nil {
		if testing.Short() {
			tb.Skip("dynamotest: needs DynamoDB Local; skipped with -short")
		}
		tb.Fatal("dynamotest: no DynamoDB Local; call dynamotest.Main from TestMain")
	}
	return active
}

// Endpoint returns the endpoint of the package's DynamoDB Local.
func Endpoint(tb testing.TB) string { return current(tb).Endpoint }

// Config returns an aws.Config for the package's DynamoDB Local.
func Config(tb testing.TB) aws.Config { return config(current(tb).Endpoint) }

// Client returns a new client of the package's DynamoDB Local; optFns adjust
// it (for example a request meter's Attach).
func Client(tb testing.TB, optFns ...func(*dynamodb.Options)) *dynamodb.Client {
	tb.Helper()
	if len(optFns) == 0 {
		return current(tb).Client
	}
	return dynamodb.NewFromConfig(Config(tb), optFns...)
}

// TableName returns a table name unique to this test and deletes the table of
// that name, if one was created, when the test ends.
func TableName(tb testing.TB) string {
	tb.Helper()
	client := current(tb).Client
	name := tableName(tb.Name())
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
		var missing *types.ResourceNotFoundException
		if err != nil && !errors.As(err, &missing) {
			tb.Errorf("dynamotest: delete table %s: %v", name, err)
		}
	})
	return name
}

// CreateTable creates a table from in under a name unique to this test,
// waits until it is ACTIVE, deletes it when the test ends and returns its name.
func CreateTable(tb testing.TB, in *dynamodb.CreateTableInput) string {
	tb.Helper()
	client := current(tb).Client
	def := *in
	def.TableName = aws.String(TableName(tb))
	if def.BillingMode == "" && def.ProvisionedThroughput == nil {
		def.BillingMode = types.BillingModePayPerRequest
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := client.CreateTable(ctx, &def); err != nil {
		tb.Fatalf("dynamotest: create table %s: %v", *def.TableName, err)
	}
	w := dynamodb.NewTableExistsWaiter(client, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay = 50 * time.Millisecond
		o.MaxDelay = time.Second
	})
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: def.TableName}, time.Minute); err != nil {
		tb.Fatalf("dynamotest: table %s not active: %v", *def.TableName, err)
	}
	return *def.TableName
}

// tableName makes a valid, unique table name ([a-zA-Z0-9_.-], at most 255)
// that still says which test owns it.
func tableName(test string) string {
	var b strings.Builder
	for _, r := range test {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '.', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := b.String()
	if len(s) > 200 {
		s = s[:200]
	}
	var suffix [6]byte
	_, _ = rand.Read(suffix[:])
	return s + "-" + hex.EncodeToString(suffix[:])
}
