package codec

import (
	"reflect"
	"strconv"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// MaxDepth is how many maps, lists, structs and pointers to pointers a value
// may nest before the codec refuses it (ErrInvalidValue). DynamoDB itself
// stores 32 levels; a Go value deeper than MaxDepth is in all likelihood
// cyclic (a pointer, map or slice that holds itself), which attributevalue
// follows until the stack overflows and the program dies.
const MaxDepth = 100

// enter counts one more level of nesting.
func (e *encState) enter() error {
	e.depth++
	if e.depth > MaxDepth {
		return tooDeep()
	}
	return nil
}

func tooDeep() error {
	return invalidf("nested deeper than %d levels: is the value cyclic?", MaxDepth)
}

// badString reports a string that is not valid UTF-8: the SDK would send
// U+FFFD in place of the bad bytes, and what is read back would differ from
// what was written.
func badString(s string) error {
	return invalidf("string %s is not valid UTF-8 (DynamoDB would store U+FFFD in place of the bad bytes)", quote(s))
}

func badName(s string) error {
	return invalidf("attribute name %s is not valid UTF-8", quote(s))
}

func nilMember(av types.AttributeValue) error {
	return invalidf("a nil %T", av)
}

// isNilMember reports a typed nil *types.AttributeValueMember….
func isNilMember(av types.AttributeValue) bool {
	if av == nil {
		return false
	}
	v := reflect.ValueOf(av)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// checkAV checks an attribute value the codec did not build itself (one a
// Marshaler returned, or a types.AttributeValue passed through): no nil
// members or elements, which the SDK would dereference, no nesting deeper
// than MaxDepth, and, when the value is to be sent, no nil elements and
// valid UTF-8 in strings and names.
func checkAV(av types.AttributeValue, depth int, send bool) error {
	if depth > MaxDepth {
		return tooDeep()
	}
	if isNilMember(av) {
		return nilMember(av)
	}
	switch v := av.(type) {
	case nil:
		if send {
			return invalidf("a nil attribute value")
		}
	case *types.AttributeValueMemberS:
		if send && !utf8.ValidString(v.Value) {
			return badString(v.Value)
		}
	case *types.AttributeValueMemberSS:
		for i, s := range v.Value {
			if send && !utf8.ValidString(s) {
				return at(badString(s), "["+strconv.Itoa(i)+"]")
			}
		}
	case *types.AttributeValueMemberL:
		for i, x := range v.Value {
			if err := checkAV(x, depth+1, send); err != nil {
				return at(err, "["+strconv.Itoa(i)+"]")
			}
		}
	case *types.AttributeValueMemberM:
		for k, x := range v.Value {
			if send && !utf8.ValidString(k) {
				return badName(k)
			}
			if err := checkAV(x, depth+1, send); err != nil {
				return at(err, "["+strconv.Quote(k)+"]")
			}
		}
	}
	return nil
}

// checkItem is checkAV for the attributes of an item, named like fields.
func checkItem(item map[string]types.AttributeValue, send bool) error {
	for k, x := range item {
		if err := checkAV(x, 1, send); err != nil {
			return at(err, k)
		}
	}
	return nil
}

// rescue, deferred by the decoding entry points, turns the panic that a nil
// *types.AttributeValueMember… in av causes into an error naming where it
// is; checking every value up front would slow every decode for a mistake
// only hand-built items make. Any other panic goes on.
func rescue(err *error, t reflect.Type, path string, av types.AttributeValue) {
	if r := recover(); r != nil {
		bad := checkAV(av, 0, false)
		if bad == nil {
			panic(r)
		}
		*err = within(bad, t, path)
	}
}

// rescueItem is rescue for an item.
func rescueItem(err *error, t reflect.Type, item map[string]types.AttributeValue) {
	if r := recover(); r != nil {
		bad := checkItem(item, false)
		if bad == nil {
			panic(r)
		}
		*err = top(bad, t)
	}
}
