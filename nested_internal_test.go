package tablemap

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tablemap/tablemap/internal/dynamotest"
	"github.com/tablemap/tablemap/internal/engine"
)

type nestedPlace struct {
	City string `dynamo:"city"`
	Zip  int    `dynamo:"zip,string"`
}

type nestedDoc struct {
	_         struct{}            `tablemap:"Doc" pk:"DOC#{id}"`
	ID        string              `dynamo:"id"`
	Address   nestedPlace         `dynamo:"address"`
	Reactions map[string]int      `dynamo:"reactions"`
	Lists     map[string][]string `dynamo:"lists"`
	Tags      []string            `dynamo:"tags"`
}

// nestedUpdate sends the UpdateItem the ready functions of
// engine/path_update.go build for the actions, as the Update builder will
// once wired: each action through PathAction (or PathIncr), Apply, the
// entity's own condition and the caller's.
func nestedUpdate(t *testing.T, e *Entity[nestedDoc], key nestedDoc, cond *expression.ConditionBuilder, actions ...func(*engine.Schema) (engine.PathUpdate, *expression.ConditionBuilder, error)) (nestedDoc, error) {
	t.Helper()
	s := e.s
	k, err := s.Key(unsafe.Pointer(&key))
	if err != nil {
		t.Fatal(err)
	}
	var ub expression.UpdateBuilder
	c, _ := s.OwnCondition()
	var paths []engine.DocPath
	for _, a := range actions {
		u, ac, err := a(s)
		if err != nil {
			return nestedDoc{}, err
		}
		ub, paths = u.Apply(ub), append(paths, u.Path)
		if ac != nil {
			c = c.And(*ac)
		}
	}
	if err := engine.PathsOverlap(paths); err != nil {
		return nestedDoc{}, err
	}
	if cond != nil {
		c = c.And(*cond)
	}
	expr, err := expression.NewBuilder().WithUpdate(ub).WithCondition(c).Build()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CheckCond("Update", k, cond, expr); err != nil {
		return nestedDoc{}, err
	}
	out, err := s.Table.Client.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName: aws.String(s.Table.Name), Key: s.Table.KeyItem(k),
		UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		ReturnValues: types.ReturnValueAllNew,
	})
	if engine.MissingParent(err) {
		return nestedDoc{}, engine.MissingParentErr(paths, err)
	}
	if err != nil {
		return nestedDoc{}, err
	}
	return e.decode(context.Background(), out.Attributes)
}

func act(kind engine.UpdateKind, path string, v any) func(*engine.Schema) (engine.PathUpdate, *expression.ConditionBuilder, error) {
	return func(s *engine.Schema) (engine.PathUpdate, *expression.ConditionBuilder, error) {
		u, err := s.PathAction(kind, path, v)
		return u, nil, err
	}
}

func incr(path string, n int64) func(*engine.Schema) (engine.PathUpdate, *expression.ConditionBuilder, error) {
	return func(s *engine.Schema) (engine.PathUpdate, *expression.ConditionBuilder, error) {
		return s.PathIncr(path, n)
	}
}

// TestNestedUpdateFunctions runs the nested Update actions of
// engine/path_update.go on DynamoDB Local: Set, SetIfNotExists, Incr
// (up, down, and below zero refused), Append, Remove, a condition on a
// nested path, and a missing parent told apart.
func TestNestedUpdateFunctions(t *testing.T) {
	t.Parallel()
	tbl := NewTable(dynamotest.Client(t), dynamotest.TableName(t))
	docs, err := Define[nestedDoc](tbl)
	if err != nil {
		t.Fatal(err)
	}
	if err := tbl.CreateTable(context.Background()); err != nil {
		t.Fatal(err)
	}
	doc := nestedDoc{ID: "a", Address: nestedPlace{City: "Oslo", Zip: 150}, Reactions: map[string]int{"heart": 1}, Lists: map[string][]string{}, Tags: []string{"x", "y", "z"}}
	if err := docs.Put(doc).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	key := nestedDoc{ID: "a"}
	inOslo := expression.Name("address.city").Equal(expression.Value("Oslo"))
	got, err := nestedUpdate(t, docs, key, &inOslo,
		act(engine.UpdateSet, "address.zip", 75001),
		incr("reactions.heart", 2),
		incr("reactions.laugh", 5), // missing: counts as 0
		act(engine.UpdateSetIfNotExists, "reactions.heart2", 9),
		act(engine.UpdateAppend, "lists.todo", "milk"),
		act(engine.UpdateRemove, "tags[1]", nil),
	)
	if err != nil {
		t.Fatal(err)
	}
	want := nestedDoc{ID: "a", Address: nestedPlace{City: "Oslo", Zip: 75001},
		Reactions: map[string]int{"heart": 3, "laugh": 5, "heart2": 9},
		Lists:     map[string][]string{"todo": {"milk"}}, Tags: []string{"x", "z"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("after the update (-want +got):\n%s", d)
	}

	// A decrement below zero and a nested condition that fails are both
	// ErrConditionFailed-shaped refusals by DynamoDB.
	_, err = nestedUpdate(t, docs, key, nil, incr("reactions.heart", -4))
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		t.Errorf("Incr -4 of 3: %v, want a failed condition", err)
	}
	inParis := expression.Name("address.city").Equal(expression.Value("Paris"))
	if _, err = nestedUpdate(t, docs, key, &inParis, incr("reactions.heart", 1)); !errors.As(err, &ccf) {
		t.Errorf("condition on address.city: %v, want a failed condition", err)
	}
	if got, err = nestedUpdate(t, docs, key, nil, incr("reactions.heart", -3)); err != nil || got.Reactions["heart"] != 0 {
		t.Errorf("Incr -3 of 3: %v, %v; want 0", got.Reactions, err)
	}

	// A nested condition of the wrong type is refused before sending.
	bad := expression.Name("address.zip").Equal(expression.Value(75001))
	if _, err = nestedUpdate(t, docs, key, &bad, incr("reactions.heart", 1)); !errors.Is(err, ErrInvalidCondition) {
		t.Errorf("address.zip compared with a number: %v, want ErrInvalidCondition", err)
	}
	if _, err = nestedUpdate(t, docs, key, nil, incr("reactions.heart", 1), act(engine.UpdateRemove, "reactions", nil)); err == nil || !strings.Contains(err.Error(), "overlap") {
		t.Errorf("overlapping paths: %v", err)
	}

	// A nil map is stored as NULL: a path below it is refused by DynamoDB,
	// told apart, nothing applied.
	if err := docs.Put(nestedDoc{ID: "b"}).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, err = nestedUpdate(t, docs, nestedDoc{ID: "b"}, nil, incr("reactions.heart", 1), act(engine.UpdateSet, "address.city", "Rome"))
	if err == nil || !strings.Contains(err.Error(), `above "reactions.heart", "address.city"`) {
		t.Errorf("missing parent: %v", err)
	}
	if b, err := docs.Get(nestedDoc{ID: "b"}).Run(context.Background()); err != nil || b.Address.City != "" {
		t.Errorf("after a refused update: %+v, %v; want nothing applied", b, err)
	}
}
