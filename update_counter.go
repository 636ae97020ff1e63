package tablemap

import (
	"math"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/engine"
)

// Incr adds n (negative to subtract) to the number attribute attr, the
// counter of the edge-and-counter pattern (a follow item and the followers
// count of the followed user, written in one WriteTx). A missing attribute
// counts as 0, so counters need no stored zeros. Like every Update, it
// applies only to an existing item (a missing one is ErrNotFound). Unlike
// Add, a decrement also requires attr >= -n, so the counter never goes
// below zero: a smaller counter is ErrConditionFailed, and so is a missing
// one, since a condition on a missing attribute does not hold.
func (op *Update[T]) Incr(attr string, n int64) *Update[T] {
	f := op.e.s.Codec.Field(attr)
	if f == nil && strings.ContainsAny(attr, ".[") {
		if op.err != nil {
			return op
		}
		u, cond, err := op.e.s.PathIncr(attr, n)
		if op.pathAction(u, err); cond != nil && op.err == nil {
			op.If(*cond)
		}
		return op
	}
	mag := uint64(n)
	if n < 0 {
		mag = -mag // two's complement: right for math.MinInt64 too
	}
	if f != nil && (f.Set || !engine.IsNumber(f.Type.Kind())) {
		return op.fails("Incr %q: a counter is a number attribute, not %s", attr, f.Type)
	}
	before := len(op.actions)
	// The magnitude fits unsigned counters too; action checks the
	// attribute and encodes the number like the field. An increment of an
	// int or int64 field is given as the field's type: no conversion.
	var v any = mag
	if f != nil && n >= 0 {
		switch f.Type {
		case reflect.TypeFor[int]():
			if n <= math.MaxInt {
				v = int(n)
			}
		case reflect.TypeFor[int64]():
			v = n
		}
	}
	op.action(engine.UpdateAdd, attr, v)
	if n >= 0 || len(op.actions) == before {
		return op
	}
	// Encoded like the field, the magnitude is the decrement's lower bound;
	// negated, it is the number to add.
	a := &op.actions[len(op.actions)-1]
	limit, ok := a.Av.(*types.AttributeValueMemberN)
	if !ok {
		return op.fails("Incr %q: the field encodes as %T, not a number", attr, a.Av)
	}
	a.Av = &types.AttributeValueMemberN{Value: "-" + limit.Value}
	return op.If(expression.Name(attr).GreaterThanEqual(expression.Value(limit)))
}
