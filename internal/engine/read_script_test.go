package engine

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// The read tests need no DynamoDB: they check the requests the engine
// builds, and drive its paging loop with a scripted Client answering
// canned responses shaped like DynamoDB's. DynamoDB's own behaviour is
// tested on DynamoDB Local by the root package's tests.

type rpost struct {
	_       struct{}  `tablemap:"Post" pk:"USER#{user}" sk:"POST#{id}" gsi1pk:"TAG#{tag}" gsi1sk:"{id}"`
	User    string    `dynamo:"user"`
	ID      string    `dynamo:"id"`
	Tag     string    `dynamo:"tag"`
	Body    string    `dynamo:"body"`
	Expires time.Time `dynamo:"expires,ttl"`
}

type rcomment struct {
	_    struct{} `tablemap:"Comment" pk:"USER#{user}" sk:"COMMENT#{id}"`
	User string   `dynamo:"user"`
	ID   string   `dynamo:"id"`
}

// A reply is a canned response of the scripted client.
type reply struct {
	items   []map[string]types.AttributeValue
	last    map[string]types.AttributeValue
	scanned int // items read before the filter; 0: len(items)
	count   int // the Count of a Select COUNT response
	err     error
}

// A script is a Client answering Query and Scan with its replies in order
// (per scan segment), recording the requests. Other calls panic.
type script struct {
	Client
	mu      sync.Mutex
	replies map[int32][]reply
	queries []*dynamodb.QueryInput
	scans   []*dynamodb.ScanInput
}

func newScript(replies ...reply) *script {
	return &script{replies: map[int32][]reply{0: replies}}
}

// answer pops the next reply of segment seg, refusing one that reads more
// items than the request's Limit allows, as DynamoDB never would.
func (s *script) answer(seg int32, limit *int32, sel types.Select) (items []map[string]types.AttributeValue, count, scanned int32, last map[string]types.AttributeValue, err error) {
	q := s.replies[seg]
	if len(q) == 0 {
		return nil, 0, 0, nil, fmt.Errorf("script: no reply left for segment %d", seg)
	}
	r := q[0]
	s.replies[seg] = q[1:]
	if r.err != nil {
		return nil, 0, 0, nil, r.err
	}
	n := max(r.scanned, len(r.items))
	if limit != nil && n > int(*limit) {
		return nil, 0, 0, nil, fmt.Errorf("script: a reply reading %d items to a request with Limit %d", n, *limit)
	}
	if sel == types.SelectCount {
		return nil, int32(r.count), int32(max(n, r.count)), r.last, nil
	}
	return r.items, int32(len(r.items)), int32(n), r.last, nil
}

func (s *script) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queries = append(s.queries, in)
	items, count, scanned, last, err := s.answer(0, in.Limit, in.Select)
	if err != nil {
		return nil, err
	}
	return &dynamodb.QueryOutput{Items: items, Count: count, ScannedCount: scanned, LastEvaluatedKey: last}, nil
}

func (s *script) Scan(_ context.Context, in *dynamodb.ScanInput, _ ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scans = append(s.scans, in)
	var seg int32
	if in.Segment != nil {
		seg = *in.Segment
	}
	items, count, scanned, last, err := s.answer(seg, in.Limit, in.Select)
	if err != nil {
		return nil, err
	}
	return &dynamodb.ScanOutput{Items: items, Count: count, ScannedCount: scanned, LastEvaluatedKey: last}, nil
}

// limits returns the Limit of each query the script received (0: none).
func (s *script) limits() []int32 {
	var got []int32
	for _, in := range s.queries {
		var n int32
		if in.Limit != nil {
			n = *in.Limit
		}
		got = append(got, n)
	}
	return got
}

// readTable returns a table on client with the Post and Comment entities
// and a clock fixed at epoch second 1000.
func readTable(t *testing.T, client Client) (post, comment *Schema) {
	t.Helper()
	tbl := NewTable(client, "app")
	tbl.Now = func() time.Time { return time.Unix(1000, 0) }
	post, err := NewSchema(tbl, reflect.TypeFor[rpost]())
	if err != nil {
		t.Fatal(err)
	}
	comment, err = NewSchema(tbl, reflect.TypeFor[rcomment]())
	if err != nil {
		t.Fatal(err)
	}
	return post, comment
}

// postQuery builds the query of ann's posts with o, and sk if not nil.
func postQuery(t *testing.T, s *Schema, o ReadOptions, sk *SkArg) *Read {
	t.Helper()
	v := rpost{User: "ann", Tag: "go"}
	r, err := NewQuery(s, o, unsafe.Pointer(&v), sk)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// postItem returns the stored item of ann's post id, tagged go.
func postItem(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"PK": str("USER#ann"), "SK": str("POST#" + id), "_type": str("Post"),
		"gsi1pk": str("TAG#go"), "gsi1sk": str(id), "user": str("ann"), "id": str(id), "tag": str("go"),
	}
}

// commentItem returns the stored item of ann's comment id.
func commentItem(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"PK": str("USER#ann"), "SK": str("COMMENT#" + id), "_type": str("Comment"), "user": str("ann"), "id": str(id),
	}
}

// keyOfPost is the table key of ann's post id, as a LastEvaluatedKey.
func keyOfPost(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": str("USER#ann"), "SK": str("POST#" + id)}
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func num(s string) types.AttributeValue { return &types.AttributeValueMemberN{Value: s} }

// inputOpts compares SDK inputs, ignoring the SDK's unexported fields.
var inputOpts = cmpopts.IgnoreUnexported(dynamodb.QueryInput{}, dynamodb.ScanInput{}, dynamodb.GetItemInput{},
	types.AttributeValueMemberS{}, types.AttributeValueMemberN{})

// ids collects the id attribute of each item handed, and stops after stop
// items if stop > 0.
func ids(got *[]string, stop int) Each {
	return func(item map[string]types.AttributeValue, _ int) (bool, error) {
		*got = append(*got, item["id"].(*types.AttributeValueMemberS).Value)
		return stop == 0 || len(*got) < stop, nil
	}
}

func diff(t *testing.T, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got, inputOpts); d != "" {
		t.Errorf("%s differs (-want +got):\n%s", what, d)
	}
}

// ptr returns the address of a value as the engine takes it.
func ptr[T any](v *T) unsafe.Pointer { return unsafe.Pointer(v) }
