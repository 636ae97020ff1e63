package expr

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestBuilderLayout fails when expression's builders are no longer laid
// out as the mirrors of builder.go say: callers' conditions would then all
// take the slow way (Supported is false), silently.
func TestBuilderLayout(t *testing.T) {
	if err := checkLayout(); err != nil {
		t.Fatal(err)
	}
	if !Supported() {
		t.Fatal("the condition modes of expression are not the ones probed")
	}
	if len(modes) != int(uContains) {
		t.Fatalf("%d modes probed, want %d", len(modes), uContains)
	}
}

var allAVs = cmpopts.IgnoreUnexported(types.AttributeValueMemberS{}, types.AttributeValueMemberN{},
	types.AttributeValueMemberB{}, types.AttributeValueMemberBOOL{}, types.AttributeValueMemberNULL{},
	types.AttributeValueMemberL{}, types.AttributeValueMemberM{}, types.AttributeValueMemberSS{},
	types.AttributeValueMemberNS{}, types.AttributeValueMemberBS{})

// TestMarshalFastPaths holds Marshal equal to what expression makes of a
// value: attributevalue.Marshal, but for attribute value members given as
// values, which it takes by a copy's address.
func TestMarshalFastPaths(t *testing.T) {
	for _, v := range []any{"", "a", "ü 𝄞", "\x00", 0, 1, -1, math.MaxInt, math.MinInt, int64(0), int64(math.MinInt64),
		int64(math.MaxInt64), true, false,
		types.AttributeValueMemberS{Value: "s"}, types.AttributeValueMemberN{Value: "1"}, types.AttributeValueMemberB{Value: []byte("b")},
		types.AttributeValueMemberSS{Value: []string{"a"}}, types.AttributeValueMemberNS{Value: []string{"2"}},
		types.AttributeValueMemberBS{Value: [][]byte{{1}}}, types.AttributeValueMemberNULL{Value: true},
		types.AttributeValueMemberBOOL{Value: true}, types.AttributeValueMemberL{Value: []types.AttributeValue{}},
		types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}}, &types.AttributeValueMemberS{Value: "p"},
		types.UnknownUnionMember{Tag: "X"}, []string{"x"}, 1.5} {
		e, err := expression.NewBuilder().WithCondition(expression.Name("a").Equal(expression.Value(v))).Build()
		if err != nil {
			t.Fatal(err)
		}
		want := e.Values()[":0"]
		got, typ := Marshal(v)
		if d := cmp.Diff(want, got, allAVs); d != "" || typ != avType(want) {
			t.Errorf("Marshal(%#v) = %#v, %c; expression (-want +got):\n%s", v, got, typ, d)
		}
	}
}

// userPaths are the attribute names of random conditions, with splitting
// and indexing cases.
var userPaths = []string{"a", "b", "a.b", "x[1]", "m.n[2].o", "PK", "ü", "a b"}

// A userGen makes random conditions; its values come from vals, so that
// two generators with the same tree seed and other value seeds make the
// same structure with other values.
type userGen struct {
	r, vals *rand.Rand
	odd     bool // make forms Read refuses too
	mix     bool // let the value seed pick some values' types
}

func (g *userGen) name() expression.NameBuilder {
	p := userPaths[g.r.IntN(len(userPaths))]
	if g.odd && g.r.IntN(30) == 0 {
		p = badPaths[g.r.IntN(len(badPaths))]
	}
	switch g.r.IntN(8) {
	case 0:
		return expression.NameNoDotSplit(p)
	case 1:
		return expression.Name(p).AppendName(expression.Name("[3]"))
	case 2:
		return expression.Name(p).AppendName(expression.Name("c"))
	}
	return expression.Name(p)
}

// value is a value whose type the tree seed fixes and whose content the
// value seed picks.
func (g *userGen) value() expression.OperandBuilder {
	n := g.vals.IntN(1000)
	k := g.r.IntN(12)
	if g.mix && g.vals.IntN(8) == 0 {
		k = g.vals.IntN(10)
	}
	switch k {
	case 0:
		return expression.Value(strconv.Itoa(n))
	case 1:
		return expression.Value(int64(n))
	case 2:
		return expression.Value(n%2 == 0)
	case 3:
		return expression.Value(float64(n) / 8)
	case 4:
		return expression.Value([]string{"x", strconv.Itoa(n)})
	case 5:
		return expression.Value(map[string]int{"k": n})
	case 6:
		return expression.Value(time.Unix(int64(n), 0).UTC())
	case 7:
		return expression.Value(&types.AttributeValueMemberN{Value: strconv.Itoa(n)})
	case 8:
		return expression.Value(types.AttributeValueMemberS{Value: strconv.Itoa(n)})
	case 9:
		return expression.Value(nil)
	case 10:
		if g.odd {
			return expression.ValueWithOptions(n, withEncoderOption)
		}
	}
	return expression.Value(n)
}

func (g *userGen) operand() expression.OperandBuilder {
	switch g.r.IntN(6) {
	case 0:
		return g.name().Size()
	case 1:
		return g.name()
	case 2:
		if g.odd {
			return expression.Plus(g.name(), expression.Value(1))
		}
	case 3:
		if g.odd {
			return expression.Key("k")
		}
	}
	return g.value()
}

func (g *userGen) cond(depth int) expression.ConditionBuilder {
	if g.odd && g.r.IntN(40) == 0 {
		return expression.ConditionBuilder{}
	}
	if depth > 0 && g.r.IntN(3) > 0 {
		switch g.r.IntN(3) {
		case 0:
			return g.cond(depth - 1).Not()
		case 1:
			return expression.And(g.cond(depth-1), g.cond(depth-1), g.conds(depth-1)...)
		}
		return expression.Or(g.cond(depth-1), g.cond(depth-1), g.conds(depth-1)...)
	}
	n := g.name()
	switch g.r.IntN(10) {
	case 0:
		return n.AttributeExists()
	case 1:
		return n.AttributeNotExists()
	case 2:
		return n.BeginsWith(strconv.Itoa(g.vals.IntN(9)))
	case 3:
		return n.Contains(g.value())
	case 4:
		return n.AttributeType(expression.DynamoDBAttributeType([]string{"S", "N", "L"}[g.vals.IntN(3)]))
	case 5:
		return expression.Between(g.operand(), g.value(), g.value())
	case 6:
		ops := make([]expression.OperandBuilder, g.r.IntN(4))
		for i := range ops {
			ops[i] = g.value()
		}
		return expression.In(g.operand(), g.value(), ops...)
	}
	compare := []func(l, r expression.OperandBuilder) expression.ConditionBuilder{expression.Equal, expression.NotEqual,
		expression.LessThan, expression.LessThanEqual, expression.GreaterThan, expression.GreaterThanEqual}
	return compare[g.r.IntN(len(compare))](g.operand(), g.operand())
}

func (g *userGen) conds(depth int) []expression.ConditionBuilder {
	cs := make([]expression.ConditionBuilder, g.r.IntN(2))
	for i := range cs {
		cs[i] = g.cond(depth)
	}
	return cs
}

// built is what expression builds for a condition.
type built struct {
	Text   string
	Names  map[string]string
	Values map[string]types.AttributeValue
}

func build(cb expression.ConditionBuilder) (built, error) {
	e, err := expression.NewBuilder().WithCondition(cb).Build()
	if err != nil {
		return built{}, err
	}
	return built{*e.Condition(), e.Names(), e.Values()}, nil
}

const testMark = "\x00mark "

// viaMarks builds cb as the fast path would: the text and names of its
// Marked form, the values Read gives at the placeholders of their marks.
func viaMarks(t *testing.T, cb expression.ConditionBuilder, u *UserCond) (built, error) {
	t.Helper()
	b, err := build(Marked(&cb, func(i int) string { return testMark + strconv.Itoa(i) }))
	if err != nil {
		return b, err
	}
	if len(b.Values) != len(u.Values) {
		t.Fatalf("%d values in the marked condition, %d read", len(b.Values), len(u.Values))
	}
	for ph, v := range b.Values {
		i, err := strconv.Atoi(strings.TrimPrefix(v.(*types.AttributeValueMemberS).Value, testMark))
		if err != nil {
			t.Fatalf("value %s is not a mark", ph)
		}
		b.Values[ph] = u.Values[i]
	}
	return b, nil
}

// TestUserCondSameAsExpression: for random conditions Read reads, the text,
// names and values of the fast path are expression's, or both fail; and
// conditions of one structure key build to one text and names map.
func TestUserCondSameAsExpression(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 2000
	}
	read, failed := 0, 0
	texts := map[string]built{} // by key
	var u UserCond
	for seed := range uint64(n) {
		g := &userGen{r: rand.New(rand.NewPCG(seed, 1)), vals: rand.New(rand.NewPCG(seed, 2)), odd: seed%4 == 0}
		cb := g.cond(3)
		want, wantErr := build(cb)
		if !u.Read(&cb) {
			continue
		}
		read++
		got, err := viaMarks(t, cb, &u)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("seed %d: fast path error %v, expression error %v", seed, err, wantErr)
		}
		if err != nil {
			failed++
			continue
		}
		if d := cmp.Diff(want, got, allAVs); d != "" {
			t.Fatalf("seed %d: fast path differs from expression (-want +got):\n%s", seed, d)
		}
		got.Values = nil
		if prev, ok := texts[string(u.Key)]; ok {
			if d := cmp.Diff(prev, got); d != "" {
				t.Fatalf("seed %d: one structure key, two renderings (-before +now):\n%s", seed, d)
			}
		}
		texts[string(u.Key)] = got
	}
	t.Logf("%d of %d conditions read, %d of them failing to build", read, n, failed)
	if read < n/2 || failed == read {
		t.Fatalf("%d of %d conditions read, %d of them failing to build", read, n, failed)
	}
}

// TestUserCondKeyHoldsStructure: the same tree with other values has the
// same key when its values have the same types, another key otherwise.
func TestUserCondKeyHoldsStructure(t *testing.T) {
	var a, b UserCond
	same, differ := 0, 0
	for seed := range uint64(3000) {
		ga := &userGen{r: rand.New(rand.NewPCG(seed, 1)), vals: rand.New(rand.NewPCG(seed, 2))}
		gb := &userGen{r: rand.New(rand.NewPCG(seed, 1)), vals: rand.New(rand.NewPCG(seed, 3)), mix: true}
		ca, cb := ga.cond(3), gb.cond(3)
		if !a.Read(&ca) || !b.Read(&cb) {
			t.Fatalf("seed %d: a plain condition not read", seed)
		}
		types := func(u *UserCond) string {
			var s []string
			for _, v := range u.Values {
				s = append(s, fmt.Sprintf("%T", v))
			}
			return strings.Join(s, ",")
		}
		if (string(a.Key) == string(b.Key)) != (types(&a) == types(&b)) {
			t.Fatalf("seed %d: keys equal %v, value types %s and %s", seed, string(a.Key) == string(b.Key), types(&a), types(&b))
		}
		if string(a.Key) == string(b.Key) {
			same++
		} else {
			differ++
		}
	}
	if same == 0 || differ == 0 {
		t.Fatalf("%d same, %d differing: the test does not test", same, differ)
	}
}

func withEncoderOption(o *expression.ValueBuilderOptions) {
	o.EncoderOptions = append(o.EncoderOptions, func(e *attributevalue.EncoderOptions) { e.EncodeTime = nil })
}

// TestUserCondRefuses lists forms Read leaves to expression.
func TestUserCondRefuses(t *testing.T) {
	a := expression.Name("a")
	for name, cb := range map[string]expression.ConditionBuilder{
		"unset":         {},
		"unset inside":  expression.And(a.Equal(expression.Value(1)), expression.ConditionBuilder{}),
		"empty name":    expression.Name("").Equal(expression.Value(1)),
		"options":       a.Equal(expression.ValueWithOptions(1, withEncoderOption)),
		"key operand":   expression.Equal(expression.Key("k"), expression.Value(1)),
		"arithmetic":    expression.Equal(expression.Plus(a, expression.Value(1)), expression.Value(2)),
		"not marshaled": a.Equal(expression.Value(make(chan int))),
	} {
		var u UserCond
		if u.Read(&cb) {
			t.Errorf("%s: read, key %q", name, u.Key)
		}
	}
}

// BenchmarkUserCond compares building a caller's condition with
// expression, as every request did, with reading it (the cost a request
// keeps).
func BenchmarkUserCond(b *testing.B) {
	cb := expression.Name("photos").LessThan(expression.Value(1000)).And(expression.Name("name").BeginsWith("a"))
	b.Run("expression.Build", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := expression.NewBuilder().WithCondition(cb).Build(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("UserCond.Read", func(b *testing.B) {
		b.ReportAllocs()
		var u UserCond
		for b.Loop() {
			if !u.Read(&cb) {
				b.Fatal("not read")
			}
		}
	})
}
