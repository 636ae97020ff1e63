package codec_test

import (
	"maps"
	"reflect"
	"testing"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tablemap/tablemap/internal/codec"
)

type skipped struct {
	PK   string `dynamo:"pk"`
	Name string `dynamo:"name"`
	Age  int    `dynamo:"age"`
}

// TestUnmarshalPtrSkip: skipped attributes decode into no field, not even
// one matching case-insensitively; other attributes still match that way;
// the item is not modified.
func TestUnmarshalPtrSkip(t *testing.T) {
	plan, err := codec.StructOf(reflect.TypeFor[skipped]())
	if err != nil {
		t.Fatal(err)
	}
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	for _, tc := range []struct {
		name string
		item map[string]types.AttributeValue
		skip []string
		want skipped
	}{
		{"skipped key", map[string]types.AttributeValue{"PK": s("USER#ann"), "name": s("ann")}, []string{"PK", "SK"}, skipped{Name: "ann"}},
		{"not skipped folds", map[string]types.AttributeValue{"PK": s("USER#ann"), "name": s("ann")}, nil, skipped{PK: "USER#ann", Name: "ann"}},
		{"others still fold", map[string]types.AttributeValue{"PK": s("x"), "SK": s("y"), "NAME": s("ann")}, []string{"PK", "SK"}, skipped{Name: "ann"}},
		{"exact beats folded", map[string]types.AttributeValue{"pk": s("a"), "PK": s("b")}, []string{"SK"}, skipped{PK: "a"}},
		{"skip absent", map[string]types.AttributeValue{"name": s("ann"), "age": &types.AttributeValueMemberN{Value: "3"}}, []string{"PK", "SK", "_type"}, skipped{Name: "ann", Age: 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := maps.Clone(tc.item)
			var got skipped
			if err := plan.UnmarshalPtrSkip(tc.item, unsafe.Pointer(&got), tc.skip); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("decoded (-want +got):\n%s", d)
			}
			if d := cmp.Diff(before, tc.item, avOpts); d != "" {
				t.Errorf("item modified (-before +after):\n%s", d)
			}
		})
	}
}

type skipUnmarshaler struct{ names []string }

func (u *skipUnmarshaler) UnmarshalDynamoDBAttributeValue(av types.AttributeValue) error {
	for k := range av.(*types.AttributeValueMemberM).Value {
		u.names = append(u.names, k)
	}
	return nil
}

// TestUnmarshalPtrSkipUnmarshaler: a type's own Unmarshaler does not see
// the skipped attributes, and the caller's item keeps them.
func TestUnmarshalPtrSkipUnmarshaler(t *testing.T) {
	plan, err := codec.StructOf(reflect.TypeFor[skipUnmarshaler]())
	if err != nil {
		t.Fatal(err)
	}
	item := map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "k"}, "x": &types.AttributeValueMemberS{Value: "v"}}
	var u skipUnmarshaler
	if err := plan.UnmarshalPtrSkip(item, unsafe.Pointer(&u), []string{"PK"}); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"x"}, u.names); d != "" {
		t.Errorf("attributes seen (-want +got):\n%s", d)
	}
	if len(item) != 2 {
		t.Errorf("item has %d attributes, want 2", len(item))
	}
}
