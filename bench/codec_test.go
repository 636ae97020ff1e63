package bench

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/guregu/dynamo/v2"

	"github.com/tablemap/tablemap"
)

// impl is one way to convert a struct of type T.
type impl[T any] struct {
	name      string
	marshal   func(*T) (map[string]types.AttributeValue, error)
	unmarshal func(map[string]types.AttributeValue, *T) error
}

func impls[T any](hand func(*T) map[string]types.AttributeValue, handBack func(map[string]types.AttributeValue, *T) error) []impl[T] {
	return []impl[T]{
		{"hand",
			func(v *T) (map[string]types.AttributeValue, error) { return hand(v), nil },
			handBack},
		{"tablemap",
			func(v *T) (map[string]types.AttributeValue, error) { return tablemap.MarshalItem(v) },
			func(item map[string]types.AttributeValue, v *T) error { return tablemap.UnmarshalItem(item, v) }},
		{"attributevalue",
			func(v *T) (map[string]types.AttributeValue, error) { return attributevalue.MarshalMap(v) },
			func(item map[string]types.AttributeValue, v *T) error { return attributevalue.UnmarshalMap(item, v) }},
		{"guregu",
			func(v *T) (map[string]types.AttributeValue, error) { return dynamo.MarshalItem(v) },
			func(item map[string]types.AttributeValue, v *T) error { return dynamo.UnmarshalItem(item, v) }},
	}
}

var avOpts = cmpopts.IgnoreUnexported(
	types.AttributeValueMemberS{}, types.AttributeValueMemberN{}, types.AttributeValueMemberBOOL{},
	types.AttributeValueMemberNULL{}, types.AttributeValueMemberL{}, types.AttributeValueMemberM{},
)

// TestAllAgree checks that the four implementations write the same item
// and read it back into the same struct, so the benchmarks compare equal
// work.
func TestAllAgree(t *testing.T) {
	testAgree(t, SamplePhoto(), impls(MarshalPhoto, UnmarshalPhoto))
	testAgree(t, SampleUser(), impls(MarshalUser, UnmarshalUser))
}

func testAgree[T any](t *testing.T, v *T, impls []impl[T]) {
	want, err := attributevalue.MarshalMap(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, im := range impls {
		item, err := im.marshal(v)
		if err != nil {
			t.Fatalf("%T/%s: %v", v, im.name, err)
		}
		if diff := cmp.Diff(want, item, avOpts); diff != "" {
			t.Errorf("%T/%s Marshal differs from attributevalue (-want +got):\n%s", v, im.name, diff)
		}
		var back T
		if err := im.unmarshal(want, &back); err != nil {
			t.Fatalf("%T/%s: %v", v, im.name, err)
		}
		if diff := cmp.Diff(v, &back); diff != "" {
			t.Errorf("%T/%s Unmarshal (-want +got):\n%s", v, im.name, diff)
		}
	}
}

// BenchmarkCodec/<Struct>/<Op>/<impl>.
func BenchmarkCodec(b *testing.B) {
	b.Run("Photo", func(b *testing.B) { benchStruct(b, SamplePhoto(), impls(MarshalPhoto, UnmarshalPhoto)) })
	b.Run("User", func(b *testing.B) { benchStruct(b, SampleUser(), impls(MarshalUser, UnmarshalUser)) })
}

var sink map[string]types.AttributeValue

func benchStruct[T any](b *testing.B, v *T, impls []impl[T]) {
	item, err := attributevalue.MarshalMap(v)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Marshal", func(b *testing.B) {
		for _, im := range impls {
			b.Run(im.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					m, err := im.marshal(v)
					if err != nil {
						b.Fatal(err)
					}
					sink = m
				}
			})
		}
	})
	b.Run("Unmarshal", func(b *testing.B) {
		for _, im := range impls {
			b.Run(im.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					var out T
					if err := im.unmarshal(item, &out); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	})
}
