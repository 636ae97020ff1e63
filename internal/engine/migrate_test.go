package engine

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

type migItem struct {
	_    struct{} `tablemap:"Item" pk:"I#{id}" sk:"I"`
	ID   string   `dynamo:"id"`
	Tags []string `dynamo:"tags,set"`
	N    float64  `dynamo:"n"`
}

type migVersioned struct {
	_       struct{} `tablemap:"V" pk:"V#{id}" sk:"V"`
	ID      string   `dynamo:"id"`
	Version int      `dynamo:"v,version"`
}

func migSchema[T any](t *testing.T) *Schema {
	t.Helper()
	s, err := NewSchema(NewTable(nil, "t"), reflect.TypeFor[T]())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// The condition of a rewrite: every attribute read equal and every known
// absent attribute still absent; or the version alone when there is one.
func TestMigrateUnchangedCondition(t *testing.T) {
	is := migSchema[migItem](t)
	m := &Migration{From: is, To: is}
	m.known = knownAttrs(is, is)
	stored := map[string]types.AttributeValue{"PK": s("I#a"), "SK": s("I"), "_type": s("Item"), "id": s("a")}
	got, err := expression.NewBuilder().WithCondition(m.unchanged(stored)).Build()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := expression.NewBuilder().WithCondition(expression.And(
		expression.Name("PK").Equal(expression.Value(stored["PK"])),
		expression.Name("SK").Equal(expression.Value(stored["SK"])),
		expression.Name("_type").Equal(expression.Value(stored["_type"])),
		expression.Name("id").Equal(expression.Value(stored["id"])),
		expression.Name("n").AttributeNotExists(),
		expression.Name("tags").AttributeNotExists(),
	)).Build()
	if aws.ToString(got.Condition()) != aws.ToString(want.Condition()) || !reflect.DeepEqual(got.Names(), want.Names()) {
		t.Errorf("condition %s %v, want %s %v", aws.ToString(got.Condition()), got.Names(), aws.ToString(want.Condition()), want.Names())
	}

	vs := migSchema[migVersioned](t)
	m = &Migration{From: vs, To: vs}
	stored = map[string]types.AttributeValue{"PK": s("V#a"), "SK": s("V"), "v": &types.AttributeValueMemberN{Value: "3"}}
	got, _ = expression.NewBuilder().WithCondition(m.unchanged(stored)).Build()
	if c := aws.ToString(got.Condition()); c != "#0 = :0" || got.Names()["#0"] != "v" {
		t.Errorf("versioned condition %s %v, want the version's alone", c, got.Names())
	}
}

func TestMigrateEqualItems(t *testing.T) {
	a := map[string]types.AttributeValue{
		"n":  &types.AttributeValueMemberN{Value: "1.50"},
		"ss": &types.AttributeValueMemberSS{Value: []string{"a", "b"}},
		"m":  &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"x": &types.AttributeValueMemberNS{Value: []string{"1", "2E1"}}}},
	}
	b := map[string]types.AttributeValue{
		"n":  &types.AttributeValueMemberN{Value: "15E-1"},
		"ss": &types.AttributeValueMemberSS{Value: []string{"b", "a"}},
		"m":  &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"x": &types.AttributeValueMemberNS{Value: []string{"20", "1"}}}},
	}
	if !equalItems(a, b) {
		t.Error("items equal but for number forms and set order compare unequal")
	}
	b["ss"] = &types.AttributeValueMemberSS{Value: []string{"a", "c"}}
	if equalItems(a, b) {
		t.Error("items with different sets compare equal")
	}
	b["ss"] = a["ss"]
	b["extra"] = s("x")
	if equalItems(a, b) {
		t.Error("items with different attributes compare equal")
	}
}

// A failed transaction is classified by its cancellation reasons.
func TestMigrateClassifyWrite(t *testing.T) {
	reasons := func(codes ...string) error {
		var rs []types.CancellationReason
		for _, c := range codes {
			rs = append(rs, types.CancellationReason{Code: aws.String(c)})
		}
		return &types.TransactionCanceledException{CancellationReasons: rs}
	}
	tests := []struct {
		err  error
		want error
	}{
		{&types.ConditionalCheckFailedException{}, errChanged},
		{reasons("ConditionalCheckFailed", "None"), errChanged},
		{reasons("None", "ConditionalCheckFailed"), ErrExists},
		{reasons("TransactionConflict", "None"), errChanged},
		{&OutcomeError{Kind: ErrUnknownOutcome, Err: errors.New("timeout")}, errChanged},
	}
	for _, tt := range tests {
		if got := classifyWrite(tt.err); !errors.Is(got, tt.want) {
			t.Errorf("classifyWrite(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

// The limiter holds requests back to its rate: 100 units at 100 per
// second take about a second (not less), whatever the estimates were.
func TestCapacityLimiter(t *testing.T) {
	l := NewCapacityLimiter(100)
	start := time.Now()
	for spent := 0; spent < 100; spent += 5 {
		est, err := l.Wait(context.Background(), "Scan")
		if err != nil {
			t.Fatal(err)
		}
		l.Settle("Scan", est, 5)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("100 units at 100/s took %v, want about 1 s", d)
	}
	var none *CapacityLimiter
	if _, err := none.Wait(context.Background(), "Scan"); err != nil {
		t.Errorf("no limit: %v", err)
	}
}
