// Package kmstest runs tests and examples against local-kms
// (github.com/nsmithuk/local-kms), a server that speaks the AWS KMS API and
// enforces encryption contexts, started as a process on 127.0.0.1 with a
// temporary data directory.
//
//	func TestSeal(t *testing.T) {
//		kms := kmstest.New(t)            // stopped when the test ends
//		key := kms.CreateKey(t)          // a new symmetric key's ARN
//		client := kms.Client(counter.Attach)
//		...
//	}
//
// local-kms listens on every interface of the machine (it has no option to
// bind one); everything here talks to it on 127.0.0.1 only.
//
// scripts/provision installs the binary (go install, pinned version); the
// package looks for it on the PATH, then in $(go env GOPATH)/bin. A test run
// without it fails, saying so, unless it is a -short run, which skips.
//
// Like internal/dynamotest, it depends only on the SDK, never on tablemap.
package kmstest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go/middleware"
	"github.com/tablemap/tablemap/internal/localaws"
)

const (
	// Version is the local-kms module version scripts/provision installs.
	Version = "v0.0.0-20260228092603-2a5e92d09ab6"
	// Module is the module path to go install.
	Module = "github.com/nsmithuk/local-kms"
	// Region and Account are what local-kms puts in its key ARNs.
	Region  = "us-east-1"
	Account = "111122223333"
)

// Local is a running local-kms.
type Local struct {
	Endpoint string
	cmd      *exec.Cmd
	dir      string
	log      *syncBuffer
	exited   chan struct{}
	stopOnce sync.Once
}

// Binary returns the path of the local-kms binary: on the PATH, else in
// $(go env GOPATH)/bin.
func Binary() (string, error) {
	if p, err := exec.LookPath("local-kms"); err == nil {
		return p, nil
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		out, err := exec.Command("go", "env", "GOPATH").Output()
		if err == nil {
			gopath = strings.TrimSpace(string(out))
		}
	}
	for _, dir := range filepath.SplitList(gopath) {
		p := filepath.Join(dir, "bin", "local-kms")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("local-kms not found on the PATH nor in $(go env GOPATH)/bin: run scripts/provision (or go install %s@%s)", Module, Version)
}

// Start starts local-kms on a free port of 127.0.0.1 with a temporary data
// directory and returns once it answers. Close stops it and removes the
// directory.
func Start(ctx context.Context) (*Local, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	var last error
	for range 3 { // another process may take the free port first
		l, err := start(ctx, bin)
		if err == nil {
			return l, nil
		}
		last = err
		if ctx.Err() != nil {
			break
		}
	}
	return nil, last
}

func start(ctx context.Context, bin string) (*Local, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "local-kms-")
	if err != nil {
		return nil, err
	}
	l := &Local{Endpoint: "http://127.0.0.1:" + strconv.Itoa(port), dir: dir, log: &syncBuffer{}, exited: make(chan struct{})}
	l.cmd = exec.Command(bin)
	l.cmd.Env = append(os.Environ(),
		"PORT="+strconv.Itoa(port),
		"KMS_REGION="+Region,
		"KMS_ACCOUNT_ID="+Account,
		"KMS_DATA_PATH="+filepath.Join(dir, "data"),
		"KMS_SEED_PATH="+filepath.Join(dir, "seed.yaml"), // absent: no seeding
	)
	l.cmd.Stdout, l.cmd.Stderr = l.log, l.log
	l.cmd.SysProcAttr = sysProcAttr()
	if err := l.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { _ = l.cmd.Wait(); close(l.exited) }()
	if err := l.waitReady(ctx); err != nil {
		l.Close()
		return nil, fmt.Errorf("local-kms on port %d: %w; its log: %s", port, err, l.log.tail(500))
	}
	return l, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func (l *Local) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	client := l.Client(func(o *kms.Options) { o.RetryMaxAttempts = 1 })
	for {
		_, err := client.ListKeys(ctx, &kms.ListKeysInput{})
		if err == nil {
			return nil
		}
		select {
		case <-l.exited:
			return errors.New("exited before answering")
		case <-ctx.Done():
			return errors.Join(ctx.Err(), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Close stops local-kms and removes its data.
func (l *Local) Close() error {
	l.stopOnce.Do(func() {
		_ = l.cmd.Process.Kill()
		<-l.exited
		os.RemoveAll(l.dir)
	})
	return nil
}

// Config returns an aws.Config for this local-kms: static credentials and
// the Region.
func (l *Local) Config() aws.Config { return Config(l.Endpoint) }

// Config returns an aws.Config for a KMS endpoint on this machine.
func Config(endpoint string) aws.Config { return localaws.Config(endpoint, Region, 0) }

// Client returns a KMS client of this local-kms; optFns adjust it (a
// Counter's Attach, say).
func (l *Local) Client(optFns ...func(*kms.Options)) *kms.Client {
	return kms.NewFromConfig(l.Config(), optFns...)
}

// CreateKey creates a symmetric encryption key and returns its ARN.
func (l *Local) CreateKey(ctx context.Context, description string) (string, error) {
	out, err := l.Client().CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String(description)})
	if err != nil {
		return "", fmt.Errorf("local-kms CreateKey: %w", err)
	}
	return aws.ToString(out.KeyMetadata.Arn), nil
}

// New starts a local-kms for the test and stops it when the test ends. A
// missing binary fails the test (it skips in a -short run).
func New(tb testing.TB) *Local {
	tb.Helper()
	if _, err := Binary(); err != nil {
		if testing.Short() {
			tb.Skip("kmstest:", err)
		}
		tb.Fatal("kmstest:", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, err := Start(ctx)
	if err != nil {
		tb.Fatal("kmstest:", err)
	}
	tb.Cleanup(func() { l.Close() })
	return l
}

// Key creates a symmetric key for the test and returns its ARN.
func (l *Local) Key(tb testing.TB) string {
	tb.Helper()
	arn, err := l.CreateKey(context.Background(), tb.Name())
	if err != nil {
		tb.Fatal(err)
	}
	return arn
}

// A Counter counts the requests a KMS client sends, per operation, retries
// included. It is safe for concurrent use.
type Counter struct {
	mu sync.Mutex
	n  map[string]int
}

// Attach installs the counter on a client's options.
func (c *Counter) Attach(o *kms.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		return s.Finalize.Add(middleware.FinalizeMiddlewareFunc("kmstest.Counter",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				c.mu.Lock()
				if c.n == nil {
					c.n = map[string]int{}
				}
				c.n[middleware.GetOperationName(ctx)]++
				c.mu.Unlock()
				return next.HandleFinalize(ctx, in)
			}), middleware.After)
	})
}

// Requests returns the requests sent for the named operations
// ("GenerateDataKey", "Decrypt", …), or for all when none is named.
func (c *Counter) Requests(ops ...string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for op, k := range c.n {
		if len(ops) == 0 || contains(ops, op) {
			n += k
		}
	}
	return n
}

// Reset forgets the requests counted.
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.n)
}

// String lists the requests per operation, "GenerateDataKey=1 Decrypt=2",
// or "none".
func (c *Counter) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var parts []string
	for _, op := range []string{"GenerateDataKey", "Decrypt", "DescribeKey"} {
		if c.n[op] > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", op, c.n[op]))
		}
	}
	for op, k := range c.n {
		if k > 0 && !contains([]string{"GenerateDataKey", "Decrypt", "DescribeKey"}, op) {
			parts = append(parts, fmt.Sprintf("%s=%d", op, k))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// syncBuffer keeps the process's output for error messages.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.b.Len() > 1<<20 { // keep memory bounded on a chatty server
		s.b.Reset()
	}
	return s.b.Write(p)
}

func (s *syncBuffer) tail(n int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.b.Bytes()
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
