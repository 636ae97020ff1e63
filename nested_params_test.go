package tablemap_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap"
)

// Journal is a document with a list in a map, for a nested Append.
type Journal struct {
	_     struct{}            `tablemap:"Journal" pk:"JOURNAL#{id}"`
	ID    string              `dynamo:"id"`
	Place Address             `dynamo:"place"`
	Count map[string]int      `dynamo:"count"`
	Lists map[string][]string `dynamo:"lists"`
	Tags  []string            `dynamo:"tags"`
	Notes []string            `dynamo:"notes"`
}

// TestNestedUpdateParams checks the request of an Update of nested paths
// against what expression builds for the same update: Set encoded like
// the field (a string-encoded int), SetIfNotExists, Incr up and down (a
// missing counter as 0, the decrement's floor as a condition), Append to
// a list in a map, Remove of a list element and of a struct field, beside
// a top-level Append, under a caller's condition on a nested path.
func TestNestedUpdateParams(t *testing.T) {
	t.Parallel()
	journals := define[Journal](t, shopTable())
	inOslo := expression.Name("place.city").Equal(expression.Value("Oslo"))
	in := updateOf(t, journals.Update(Journal{ID: "j"}).
		Set("place.zip", 75001).
		Incr("count.heart", 2).
		SetIfNotExists("count.wow", 9).
		Append("lists.todo", "milk").
		Remove("tags[1]", "place.city").
		Append("notes", []string{"q"}).
		Incr("count.laugh", -3).
		If(inOslo))

	n := func(v string) expression.ValueBuilder {
		return expression.Value(&types.AttributeValueMemberN{Value: v})
	}
	list := func(vs ...string) expression.ValueBuilder {
		l := &types.AttributeValueMemberL{Value: []types.AttributeValue{}}
		for _, v := range vs {
			l.Value = append(l.Value, &types.AttributeValueMemberS{Value: v})
		}
		return expression.Value(l)
	}
	sum := func(path, v string) expression.SetValueBuilder {
		return expression.Plus(expression.IfNotExists(expression.Name(path), n("0")), n(v))
	}
	app := func(path string, vs ...string) expression.SetValueBuilder {
		return expression.ListAppend(expression.IfNotExists(expression.Name(path), list()), list(vs...))
	}
	ub := expression.Set(expression.Name("place.zip"), expression.Value(&types.AttributeValueMemberS{Value: "75001"})).
		Set(expression.Name("count.heart"), sum("count.heart", "2")).
		Set(expression.Name("count.wow"), expression.IfNotExists(expression.Name("count.wow"), n("9"))).
		Set(expression.Name("lists.todo"), app("lists.todo", "milk")).
		Remove(expression.Name("tags[1]")).
		Remove(expression.Name("place.city")).
		Set(expression.Name("notes"), app("notes", "q")).
		Set(expression.Name("count.laugh"), sum("count.laugh", "-3"))
	user := expression.And(expression.Name("count.laugh").GreaterThanEqual(n("3")), inOslo)
	cond := expression.Name("_type").Equal(expression.Value("Journal")).And(user)
	want, err := expression.NewBuilder().WithUpdate(ub).WithCondition(cond).Build()
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "update", *want.Update(), *in.UpdateExpression)
	diff(t, "condition", *want.Condition(), *in.ConditionExpression)
	diff(t, "names", want.Names(), in.ExpressionAttributeNames)
	diff(t, "values", want.Values(), in.ExpressionAttributeValues, rawOpts)
	update, _ := updateText(in)
	if !strings.Contains(update, `place.zip = "75001"`) || !strings.Contains(update, "REMOVE tags[1], place.city") {
		t.Errorf("update %q: want place.zip set to the string 75001 and tags[1] removed", update)
	}
}

// TestNestedUpdateRefused checks the nested actions refused before
// sending, each naming the path: overlapping paths (nested with nested,
// top-level with nested, either first), a path the type does not have, a
// value that does not fit, Add of a non-number and DeleteFromSet.
func TestNestedUpdateRefused(t *testing.T) {
	t.Parallel()
	journals := define[Journal](t, shopTable())
	key := Journal{ID: "j"}
	for name, tt := range map[string]struct {
		u   *tablemap.Update[Journal]
		msg string
	}{
		"same path":          {journals.Update(key).Incr("count.a", 1).Set("count.a", 2), `paths "count.a" and "count.a" overlap`},
		"parent after":       {journals.Update(key).Incr("count.a", 1).Remove("count"), `paths "count.a" and "count" overlap`},
		"parent before":      {journals.Update(key).Set("count", map[string]int{}).Incr("count.a", 1), `paths "count" and "count.a" overlap`},
		"element and list":   {journals.Update(key).Remove("tags[0]").Append("tags", "x"), `paths "tags[0]" and "tags" overlap`},
		"no such field":      {journals.Update(key).Set("place.town", "x"), `"town"`},
		"wrong type":         {journals.Update(key).Set("count.a", "many"), `does not fit`},
		"Add of a string":    {journals.Update(key).Add("place.city", "x"), `needs a number`},
		"Incr of a string":   {journals.Update(key).Incr("place.city", 1), `needs a number`},
		"DeleteFromSet":      {journals.Update(key).DeleteFromSet("lists.todo", "x"), `top-level set attributes only`},
		"below a list value": {journals.Update(key).Set("tags[0].x", "x"), `tags[0].x`},
	} {
		_, err := tt.u.Params()
		var ie *tablemap.ItemError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: %v, want an *ItemError with %q", name, err, tt.msg)
		}
	}
	// Paths that do not overlap are fine, siblings and cousins alike.
	updateOf(t, journals.Update(key).Incr("count.a", 1).Incr("count.ab", 1).Set("place.city", "x").Remove("tags[0]", "tags[1]"))
}
