package expr

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// benchShape is an Update of three attributes and a counter, guarded by the
// item's existence, its entity type and its version:
// attribute_exists(PK) AND _type = :t AND v = :v, SET a, b, c ADD n.
func benchShape() Shape {
	return Shape{
		Condition: And(Name("PK").Exists(), Name("_type").Equal(), Name("v").Equal()),
		Update:    Update{Set("a"), Set("b"), Set("c"), Add("n")},
	}
}

// benchKey is the kind of key a caller would use: its entity and the
// optional parts of its request.
type benchKey struct {
	entity *int
	flags  uint16
}

// The values of one request, in shape order: _type, v, a, b, c, n.
var benchValues = testValues(6)

// Sinks keep the compiler from dropping the work.
var (
	sinkStrings [2]*string
	sinkNames   map[string]string
	sinkValues  map[string]types.AttributeValue
)

// BenchmarkUpdate compares building benchShape's expressions per request
// with the expression package and rendering them from a Cache.
func BenchmarkUpdate(b *testing.B) {
	v := benchValues
	b.Run("expression", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			cond := expression.And(expression.Name("PK").AttributeExists(),
				expression.Name("_type").Equal(expression.Value(v[0])),
				expression.Name("v").Equal(expression.Value(v[1])))
			ub := expression.Set(expression.Name("a"), expression.Value(v[2])).
				Set(expression.Name("b"), expression.Value(v[3])).
				Set(expression.Name("c"), expression.Value(v[4])).
				Add(expression.Name("n"), expression.Value(v[5]))
			e, err := expression.NewBuilder().WithCondition(cond).WithUpdate(ub).Build()
			if err != nil {
				b.Fatal(err)
			}
			sinkStrings = [2]*string{e.Condition(), e.Update()}
			sinkNames, sinkValues = e.Names(), e.Values()
		}
	})
	b.Run("compiled", func(b *testing.B) {
		b.ReportAllocs()
		var cache Cache[benchKey]
		key := benchKey{entity: new(int), flags: 3}
		for b.Loop() {
			comp, err := cache.Get(key, benchShape)
			if err != nil {
				b.Fatal(err)
			}
			vals := [...]types.AttributeValue{v[0], v[1], v[2], v[3], v[4], v[5]}
			m, err := comp.Values(vals[:])
			if err != nil {
				b.Fatal(err)
			}
			sinkStrings = [2]*string{comp.Condition(), comp.Update()}
			sinkNames, sinkValues = comp.Names(), m
		}
	})
}
