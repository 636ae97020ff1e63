// Package faults injects the failures a DynamoDB client meets in
// production into requests to a DynamoDB Local on 127.0.0.1, for tests: a
// response lost after the server handled the request, a server error
// before or after handling it, a throttling answer. Its choices come from
// a seeded generator, so a test run is repeatable.
package faults

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"syscall"
)

// Rates are the probabilities, per request, of each fault; their sum is at
// most 1. A request gets at most one.
type Rates struct {
	Drop        float64 // served, then the response lost (connection reset)
	ServerAfter float64 // served, then answered 500 InternalServerError
	ServerFirst float64 // answered 500 without reaching the server
	Throttle    float64 // answered 400 ThrottlingException without reaching the server
	Hang        float64 // served, then no answer until the request's context ends (a paused server)
}

// A Transport is an http.RoundTripper that forwards requests to Base and
// injects faults at Rates into those whose X-Amz-Target operation Ops
// names (every operation when Ops is empty). It refuses any host but
// 127.0.0.1. It is safe for concurrent use.
type Transport struct {
	Base  http.RoundTripper
	Rates Rates
	Ops   []string // "PutItem", "TransactWriteItems", …

	mu     sync.Mutex
	rng    *rand.Rand
	counts map[string]int
}

// New returns a Transport over a clone of http.DefaultTransport whose
// choices follow seed.
func New(seed uint64, rates Rates, ops ...string) *Transport {
	return &Transport{
		Base:  http.DefaultTransport.(*http.Transport).Clone(),
		Rates: rates, Ops: ops,
		rng:    rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		counts: map[string]int{},
	}
}

// Client returns an *http.Client using t.
func (t *Transport) Client() *http.Client { return &http.Client{Transport: t} }

// SetRates changes the rates of the requests to come.
func (t *Transport) SetRates(r Rates) {
	t.mu.Lock()
	t.Rates = r
	t.mu.Unlock()
}

// Count returns how many times the named fault ("drop", "server-after",
// "server-first", "throttle", "hang", "none") was chosen.
func (t *Transport) Count(fault string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.counts[fault]
}

func (t *Transport) choose(op string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	fault := "none"
	if len(t.Ops) == 0 || slices.Contains(t.Ops, op) {
		x, r := t.rng.Float64(), t.Rates
		switch {
		case x < r.Drop:
			fault = "drop"
		case x < r.Drop+r.ServerAfter:
			fault = "server-after"
		case x < r.Drop+r.ServerAfter+r.ServerFirst:
			fault = "server-first"
		case x < r.Drop+r.ServerAfter+r.ServerFirst+r.Throttle:
			fault = "throttle"
		case x < r.Drop+r.ServerAfter+r.ServerFirst+r.Throttle+r.Hang:
			fault = "hang"
		}
	}
	t.counts[fault]++
	return fault
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if host := req.URL.Hostname(); host != "127.0.0.1" {
		return nil, fmt.Errorf("faults: refusing host %q: only 127.0.0.1", host)
	}
	_, op, _ := strings.Cut(req.Header.Get("X-Amz-Target"), ".")
	switch t.choose(op) {
	case "server-first":
		drain(req)
		return answer(req, 500, "InternalServerError", "injected before the server"), nil
	case "throttle":
		drain(req)
		return answer(req, 400, "ThrottlingException", "Rate of requests exceeds the allowed throughput."), nil
	case "drop":
		if err := t.handle(req); err != nil {
			return nil, err
		}
		return nil, &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	case "hang":
		if err := t.handle(req); err != nil {
			return nil, err
		}
		<-req.Context().Done()
		return nil, req.Context().Err()
	case "server-after":
		if err := t.handle(req); err != nil {
			return nil, err
		}
		return answer(req, 500, "InternalServerError", "injected after the server"), nil
	}
	return t.Base.RoundTrip(req)
}

// handle sends req to the server and throws its answer away: the server
// has handled the request, and the client is not to learn how.
func (t *Transport) handle(req *http.Request) error {
	resp, err := t.Base.RoundTrip(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return nil
}

// drain consumes a request the server never sees, as a real transport
// would have written it.
func drain(req *http.Request) {
	if req.Body != nil {
		io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
}

// answer is a DynamoDB error response of the given type.
func answer(req *http.Request, status int, typ, msg string) *http.Response {
	body := fmt.Sprintf(`{"__type":"com.amazonaws.dynamodb.v20120810#%s","message":%q}`, typ, msg)
	h := http.Header{}
	h.Set("Content-Type", "application/x-amz-json-1.0")
	h.Set("X-Amzn-Requestid", "faults")
	return &http.Response{
		Status: fmt.Sprintf("%d %s", status, http.StatusText(status)), StatusCode: status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(bytes.NewReader([]byte(body))), ContentLength: int64(len(body)),
		Request: req,
	}
}
