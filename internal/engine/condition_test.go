package engine

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
)

// The checks of CheckCondition rest on parsing every form the expression
// package writes; a form it cannot parse is let through unchecked, so each
// must parse, to the atoms it holds.
func TestConditionParserReadsEveryForm(t *testing.T) {
	a, b, v := expression.Name("a"), expression.Name("b.c[1]"), expression.Value(1)
	tests := []struct {
		cond  expression.ConditionBuilder
		atoms int
	}{
		{a.Equal(v), 1},
		{a.NotEqual(v).And(a.LessThan(v), a.LessThanEqual(v)), 3},
		{a.GreaterThan(v).Or(a.GreaterThanEqual(v)).Not(), 2},
		{a.Between(v, v), 1},
		{a.In(v, v, v), 1},
		{expression.Size(b).GreaterThan(v), 1},
		{a.AttributeExists().And(b.AttributeNotExists()), 2},
		{a.AttributeType(expression.Number), 1},
		{a.BeginsWith("x").And(a.Contains("y")), 2},
		{expression.Value(2).LessThan(b), 1},
		{a.Equal(expression.Plus(b, v)), 1},
		{a.Equal(expression.IfNotExists(b, v)), 1},
		{a.Equal(b), 1},
	}
	for _, tt := range tests {
		expr, err := expression.NewBuilder().WithCondition(tt.cond).Build()
		if err != nil {
			t.Fatal(err)
		}
		s := aws.ToString(expr.Condition())
		if err := CheckCondition(NewTable(nil, "t"), nil, "c", expr.Condition(), expr.Names(), expr.Values()); err == nil {
			t.Errorf("%q: attribute a of no entity not refused", s)
		}
		p := &CondParser{Toks: CondTokens(s), Names: expr.Names(), Values: expr.Values()}
		if !p.Condition() || p.I != len(p.Toks) {
			t.Errorf("%q does not parse (stopped at token %d of %q)", s, p.I, p.Toks)
			continue
		}
		if len(p.Atoms) != tt.atoms {
			t.Errorf("%q: %d atoms, want %d", s, len(p.Atoms), tt.atoms)
		}
	}
}

type guarded struct {
	_       struct{}  `tablemap:"Guarded" pk:"G#{id}"`
	ID      string    `dynamo:"id"`
	Count   int       `dynamo:"count"`
	Secret  string    `dynamo:"secret,encrypted"`
	Expires time.Time `dynamo:"expires,ttl"`
}

// checked builds cond and runs the condition check of Guarded's writes on it.
func checked(t *testing.T, cond expression.ConditionBuilder) error {
	t.Helper()
	sch := schemaOf[guarded](t, cipherTable())
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		t.Fatal(err)
	}
	return sch.CheckCond("Put", Key{PK: "G#a", SK: "G#a"}, &cond, expr)
}

func refusedCond(t *testing.T, cond expression.ConditionBuilder, msg string) {
	t.Helper()
	err := checked(t, cond)
	var ie *ItemError
	if !errors.As(err, &ie) || ie.Op != "Put" || ie.Entity != "Guarded" || !errors.Is(err, ErrInvalidCondition) {
		t.Fatalf("condition refused with %v, want an *ItemError of Put Guarded wrapping ErrInvalidCondition", err)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Errorf("%q does not say %q", err, msg)
	}
}

func TestConditionRefusesUnknownAttribute(t *testing.T) {
	refusedCond(t, expression.Name("cuont").Equal(expression.Value(1)), `the condition names attribute "cuont", which Guarded does not have`)
}

func TestConditionRefusesEncryptedRead(t *testing.T) {
	refusedCond(t, expression.Name("secret").Equal(expression.Value("x")), `reads attribute "secret", which Guarded encrypts`)
}

func TestConditionAllowsEncryptedExistence(t *testing.T) {
	if err := checked(t, expression.Name("secret").AttributeExists()); err != nil {
		t.Errorf("attribute_exists(secret) refused: %v", err)
	}
}

func TestConditionRefusesTypeMismatch(t *testing.T) {
	refusedCond(t, expression.Name("count").GreaterThan(expression.Value("3")), `compares attribute "count", stored as N, with a value of type S`)
}

func TestConditionHintsEpochSecondsForTTL(t *testing.T) {
	refusedCond(t, expression.Name("expires").LessThan(expression.Value(time.Unix(5, 0))), "(epoch seconds: expression.Value(t.Unix()))")
}

func TestConditionRefusesBeginsWithOnNumber(t *testing.T) {
	refusedCond(t, expression.Name("count").BeginsWith("1"), `applies begins_with to attribute "count", stored as N`)
}

func TestConditionAcceptsMatchingTypes(t *testing.T) {
	cond := expression.Name("count").GreaterThan(expression.Value(3)).
		And(expression.Name("expires").LessThan(expression.Value(5)), expression.Name("PK").BeginsWith("G#"))
	if err := checked(t, cond); err != nil {
		t.Errorf("a condition of matching types refused: %v", err)
	}
}

func TestCheckCondSkipsLibraryConditions(t *testing.T) {
	sch := schemaOf[guarded](t, cipherTable())
	expr, err := expression.NewBuilder().WithCondition(expression.Name("nope").Equal(expression.Value(1))).Build()
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.CheckCond("Put", Key{}, nil, expr); err != nil {
		t.Errorf("with no caller's condition: %v, want no check", err)
	}
}
