package engine

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestCopyValueIsDeep: changing anything inside a copy leaves the
// original as it was.
func TestCopyValueIsDeep(t *testing.T) {
	mk := func() types.AttributeValue {
		return &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"s":  &types.AttributeValueMemberS{Value: "a"},
			"n":  &types.AttributeValueMemberN{Value: "1"},
			"b":  &types.AttributeValueMemberB{Value: []byte("x")},
			"t":  &types.AttributeValueMemberBOOL{Value: true},
			"0":  &types.AttributeValueMemberNULL{Value: true},
			"ss": &types.AttributeValueMemberSS{Value: []string{"a"}},
			"ns": &types.AttributeValueMemberNS{Value: []string{"1"}},
			"bs": &types.AttributeValueMemberBS{Value: [][]byte{[]byte("y")}},
			"l":  &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: "e"}}},
		}}
	}
	orig, want := mk(), mk()
	c := CopyValue(orig).(*types.AttributeValueMemberM)
	for _, v := range c.Value {
		switch v := v.(type) {
		case *types.AttributeValueMemberS:
			v.Value = "changed"
		case *types.AttributeValueMemberN:
			v.Value = "2"
		case *types.AttributeValueMemberB:
			v.Value[0] = 'z'
		case *types.AttributeValueMemberBOOL:
			v.Value = false
		case *types.AttributeValueMemberNULL:
			v.Value = false
		case *types.AttributeValueMemberSS:
			v.Value[0] = "changed"
		case *types.AttributeValueMemberNS:
			v.Value[0] = "2"
		case *types.AttributeValueMemberBS:
			v.Value[0][0] = 'z'
		case *types.AttributeValueMemberL:
			v.Value[0].(*types.AttributeValueMemberS).Value = "changed"
		}
	}
	c.Value["new"] = &types.AttributeValueMemberS{Value: "new"}
	opts := cmpopts.IgnoreUnexported(types.AttributeValueMemberM{}, types.AttributeValueMemberS{}, types.AttributeValueMemberN{},
		types.AttributeValueMemberB{}, types.AttributeValueMemberBOOL{}, types.AttributeValueMemberNULL{}, types.AttributeValueMemberSS{},
		types.AttributeValueMemberNS{}, types.AttributeValueMemberBS{}, types.AttributeValueMemberL{})
	if d := cmp.Diff(want, orig, opts); d != "" {
		t.Errorf("original after its copy changed (-want +got):\n%s", d)
	}
	if d := cmp.Diff(want, CopyValue(want), opts); d != "" {
		t.Errorf("copy differs (-want +got):\n%s", d)
	}
}
