package engine

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestPlaintextForm round-trips every kind of attribute value through the
// binary form encrypted attributes are sealed in, And refuses every
// truncation of it.
func TestPlaintextForm(t *testing.T) {
	av := &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
		"s":     &types.AttributeValueMemberS{Value: "héllo"},
		"empty": &types.AttributeValueMemberS{Value: ""},
		"n":     &types.AttributeValueMemberN{Value: "-12.5e3"},
		"b":     &types.AttributeValueMemberB{Value: []byte{0, 255}},
		"t":     &types.AttributeValueMemberBOOL{Value: true},
		"f":     &types.AttributeValueMemberBOOL{Value: false},
		"null":  &types.AttributeValueMemberNULL{Value: true},
		"ss":    &types.AttributeValueMemberSS{Value: []string{"a", "b"}},
		"ns":    &types.AttributeValueMemberNS{Value: []string{"1", "2"}},
		"bs":    &types.AttributeValueMemberBS{Value: [][]byte{{1}, {2, 3}}},
		"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{
			&types.AttributeValueMemberS{Value: "x"},
			&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}},
		}},
	}}
	b, err := AppendValue(nil, av)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseValue(b)
	if err != nil {
		t.Fatal(err)
	}
	opts := cmpopts.IgnoreUnexported(types.AttributeValueMemberS{}, types.AttributeValueMemberN{},
		types.AttributeValueMemberB{}, types.AttributeValueMemberBOOL{}, types.AttributeValueMemberNULL{},
		types.AttributeValueMemberSS{}, types.AttributeValueMemberNS{}, types.AttributeValueMemberBS{},
		types.AttributeValueMemberL{}, types.AttributeValueMemberM{})
	if d := cmp.Diff(types.AttributeValue(av), got, opts); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}
	for i := range len(b) {
		if _, err := ParseValue(b[:i]); err == nil {
			t.Errorf("the first %d of %d bytes parsed", i, len(b))
		}
	}
	if _, err := ParseValue(append(b, 0)); err == nil {
		t.Error("trailing byte parsed")
	}
}
