package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
)

// TestShapeMemoManyShapes: with more write shapes in use than the memo
// has slots, so that shapes share slots, every write renders as it did
// the first time, whatever the order: a slot answers only for its own
// shape.
func TestShapeMemoManyShapes(t *testing.T) {
	_, user, _, _ := writeTable(t)
	attrs := []struct {
		name  string
		value any
	}{{"name", "n"}, {"photos", 1}, {"tags", []string{"t"}}, {"labels", []string{"l"}}, {"city", "c"}, {"blob", "b"}}
	kinds := []UpdateKind{UpdateSet, UpdateRemove, UpdateSetIfNotExists}
	cond := expression.Name("city").Equal(expression.Value("x"))
	const n = 3 * memoSlots
	specs := make([]func() WriteSpec, 0, n)
	seen := map[string]bool{}
	r := rand.New(rand.NewPCG(1, 2))
	for len(specs) < n {
		var acts []UpdateAction
		var shape string
		for _, a := range attrs {
			k := r.IntN(len(kinds) + 1)
			if k == len(kinds) {
				continue
			}
			acts = append(acts, action(t, user, kinds[k], a.name, a.value))
			shape += fmt.Sprint(a.name, k, " ")
		}
		withCond := r.IntN(2) == 0
		shape += fmt.Sprint(withCond)
		if len(acts) == 0 || seen[shape] {
			continue
		}
		seen[shape] = true
		specs = append(specs, func() WriteSpec {
			w := WriteSpec{Kind: WriteUpdate, S: user, P: unsafe.Pointer(&wUser{Username: "ann"}), Actions: acts}
			if withCond {
				w.Cond = &cond
			}
			return w
		})
	}
	render := func(i int) string {
		spec := specs[i]()
		var req WriteRequest
		err := spec.Compile(context.Background(), &req)
		if err != nil {
			t.Fatalf("shape %d: %v", i, err)
		}
		in := req.Update
		return fmt.Sprint(aws.ToString(in.UpdateExpression), " | ", aws.ToString(in.ConditionExpression), " | ", in.ExpressionAttributeNames)
	}
	want := make([]string, n)
	for i := range n {
		want[i] = render(i)
	}
	for round := range 3 {
		for _, i := range r.Perm(n) {
			if got := render(i); got != want[i] {
				t.Fatalf("round %d, shape %d: rendered %q, first %q", round, i, got, want[i])
			}
		}
	}
}
