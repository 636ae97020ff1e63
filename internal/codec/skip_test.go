package codec_test

import (
	"maps"
	"reflect"
	"strconv"
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
		// missing: the fields lacking by exact name (pk 1, name 2, age 4)
		missing codec.Missing
	}{
		{"skipped key", map[string]types.AttributeValue{"PK": s("USER#ann"), "name": s("ann")}, []string{"PK", "SK"}, skipped{Name: "ann"}, 1 | 4},
		{"not skipped folds", map[string]types.AttributeValue{"PK": s("USER#ann"), "name": s("ann")}, nil, skipped{PK: "USER#ann", Name: "ann"}, 1 | 4},
		{"others still fold", map[string]types.AttributeValue{"PK": s("x"), "SK": s("y"), "NAME": s("ann")}, []string{"PK", "SK"}, skipped{Name: "ann"}, 1 | 2 | 4},
		{"exact beats folded", map[string]types.AttributeValue{"pk": s("a"), "PK": s("b")}, []string{"SK"}, skipped{PK: "a"}, 2 | 4},
		{"skip absent", map[string]types.AttributeValue{"name": s("ann"), "age": &types.AttributeValueMemberN{Value: "3"}}, []string{"PK", "SK", "_type"}, skipped{Name: "ann", Age: 3}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := maps.Clone(tc.item)
			var got skipped
			missing, err := plan.UnmarshalPtrSkip(tc.item, unsafe.Pointer(&got), tc.skip)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("decoded (-want +got):\n%s", d)
			}
			if missing != tc.missing {
				t.Errorf("missing %b, want %b", missing, tc.missing)
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
	missing, err := plan.UnmarshalPtrSkip(item, unsafe.Pointer(&u), []string{"PK"})
	if err != nil {
		t.Fatal(err)
	}
	if missing != ^codec.Missing(0) {
		t.Errorf("missing %b for a type that unmarshals itself, want every bit", missing)
	}
	if d := cmp.Diff([]string{"x"}, u.names); d != "" {
		t.Errorf("attributes seen (-want +got):\n%s", d)
	}
	if len(item) != 2 {
		t.Errorf("item has %d attributes, want 2", len(item))
	}
}

// TestMissingPastBit63: fields from the 64th on share the last bit of
// Missing, in what UnmarshalPtrSkip reports and in MaskOf.
func TestMissingPastBit63(t *testing.T) {
	fs := make([]reflect.StructField, 70)
	item := map[string]types.AttributeValue{}
	for i := range fs {
		name := "F" + strconv.Itoa(i)
		fs[i] = reflect.StructField{Name: name, Type: reflect.TypeFor[int](), Tag: reflect.StructTag(`dynamo:"` + name + `"`)}
		if i != 2 && i != 66 {
			item[name] = &types.AttributeValueMemberN{Value: "1"}
		}
	}
	typ := reflect.StructOf(fs)
	plan, err := codec.StructOf(typ)
	if err != nil {
		t.Fatal(err)
	}
	v := reflect.New(typ)
	missing, err := plan.UnmarshalPtrSkip(item, v.UnsafePointer(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := codec.Missing(1<<2 | 1<<63); missing != want {
		t.Errorf("missing %b, want %b", missing, want)
	}
	if got, want := plan.MaskOf([]*codec.Field{plan.Fields[2], plan.Fields[69]}), codec.Missing(1<<2|1<<63); got != want {
		t.Errorf("MaskOf = %b, want %b", got, want)
	}
}
