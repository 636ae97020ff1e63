package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// The per-operation benchmarks send DynamoDB requests through a real SDK
// client (serialization, signing, middleware) to an in-process HTTP client
// that answers with canned responses, so what differs between the
// implementations is their own work on the client: building keys and
// expressions, encoding and decoding items. No server is involved.

// A Request is one request the stub received: its operation
// ("GetItem", …) and JSON body.
type Request struct {
	Op   string
	Body []byte
}

// stub is an http client answering DynamoDB requests in memory: respond
// returns the response body for an operation and the request body. When
// record is set, it appends every request to reqs. It waits latency
// before answering: with none, concurrent requests only gain by using idle
// cores.
type stub struct {
	respond func(op string, req []byte) io.Reader
	record  bool
	latency time.Duration
	mu      sync.Mutex
	reqs    []Request
}

func (s *stub) Do(r *http.Request) (*http.Response, error) {
	var req []byte
	if r.Body != nil {
		req, _ = io.ReadAll(r.Body)
		r.Body.Close()
	}
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "DynamoDB_20120810.")
	if s.record {
		s.mu.Lock()
		s.reqs = append(s.reqs, Request{Op: op, Body: req})
		s.mu.Unlock()
	}
	if s.latency > 0 {
		select {
		case <-time.After(s.latency):
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
	}
	return &http.Response{
		StatusCode:    200,
		Status:        "200 OK",
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
		Body:          io.NopCloser(s.respond(op, req)),
		ContentLength: -1,
		Request:       r,
	}, nil
}

// answer makes a stub's respond from one returning bytes.
func answer(f func(op string, req []byte) []byte) func(op string, req []byte) io.Reader {
	return func(op string, req []byte) io.Reader { return bytes.NewReader(f(op, req)) }
}

// take returns the requests recorded so far and forgets them.
func (s *stub) take() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	reqs := s.reqs
	s.reqs = nil
	return reqs
}

// awsConfig returns an SDK configuration (signing requests, as in
// production) whose requests st answers.
func awsConfig(st *stub) aws.Config {
	return aws.Config{
		Region: "us-east-1",
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "bench", SecretAccessKey: "bench", Source: "bench"}, nil
		}),
		BaseEndpoint: aws.String("http://dynamodb.stub"),
		HTTPClient:   st,
	}
}

// stubClient returns an SDK client whose requests st answers.
func stubClient(st *stub) *dynamodb.Client {
	return dynamodb.NewFromConfig(awsConfig(st))
}

// keyTime is the layout of a time in a key: the encoding tablemap's key
// templates give a time.Time, sortable as text.
const keyTime = "2006-01-02T15:04:05.000000000Z"

// photoTaken is the time photo i of ann was taken.
func photoTaken(i int) time.Time { return opTaken.Add(time.Duration(i) * time.Second) }

// photoJSON is the wire form of photo i of ann, as DynamoDB returns it.
func photoJSON(i int) string {
	taken := photoTaken(i)
	return fmt.Sprintf(`{"PK":{"S":"USER#ann"},"SK":{"S":"PHOTO#%s"},"_type":{"S":"Photo"},`+
		`"username":{"S":"ann"},"taken":{"S":"%s"},"url":{"S":"https://img.example.com/ann/2024/06/01/sunset.jpg"},`+
		`"width":{"N":"4032"},"height":{"N":"3024"},"tags":{"L":[{"S":"sea"},{"S":"sunset"},{"S":"norway"}]}}`,
		taken.Format(keyTime), taken.Format(time.RFC3339Nano))
}

// projectedJSON is photo i of ann as a query projecting the keys, the
// type, url and width returns it.
func projectedJSON(i int) string {
	return fmt.Sprintf(`{"PK":{"S":"USER#ann"},"SK":{"S":"PHOTO#%s"},"_type":{"S":"Photo"},`+
		`"url":{"S":"https://img.example.com/ann/2024/06/01/sunset.jpg"},"width":{"N":"%d"}}`,
		photoTaken(i).Format(keyTime), 4032+i)
}

// photoIndex returns the index of the first photo key in a request body
// (its time less opTaken, in seconds), or -1.
func photoIndex(req []byte) int {
	const mark = `"S":"PHOTO#`
	i := bytes.Index(req, []byte(mark))
	if i < 0 || len(req) < i+len(mark)+len(keyTime) {
		return -1
	}
	t, err := time.Parse(keyTime, string(req[i+len(mark):i+len(mark)+len(keyTime)]))
	if err != nil {
		return -1
	}
	return int(t.Sub(opTaken) / time.Second)
}

func itemList(n int, item func(int) string) string {
	items := make([]string, n)
	for i := range items {
		items[i] = item(i)
	}
	return strings.Join(items, ",")
}
