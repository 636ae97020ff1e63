package tablemap

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap/internal/codec"
)

// MarshalItem encodes v, a struct or a pointer to one, as a DynamoDB item.
//
// It writes what attributevalue.MarshalMap writes, so items stay readable
// by existing Go code, from a plan compiled once per type. Fields are named
// by the `dynamo:"name,opts"` tag, else by a `dynamodbav` tag, else by the
// Go name; "-" skips a field. Options: omitempty, set (SS, NS or BS by
// element type), unixtime (a time.Time as N seconds, e.g. for TTL), and
// attributevalue's own. A value DynamoDB cannot store (a chan, a NaN, an
// empty set) is an error naming the type and the field path.
//
// Where attributevalue would crash or silently store something else, the
// error wraps ErrInvalidValue: a string, set element, map key or attribute
// name that is not valid UTF-8 (the SDK would send U+FFFD in place of the
// bad bytes), a value nested more than 100 levels deep (a cycle, a fatal
// stack overflow in attributevalue), a nil *types.AttributeValueMember…
// inside a types.AttributeValue field or a Marshaler's result. A nil
// member as a whole field is NULL, as attributevalue writes it.
func MarshalItem(v any) (map[string]types.AttributeValue, error) {
	return codec.Marshal(v)
}

// UnmarshalItem decodes item into out, a non-nil pointer to a struct.
// Attributes the item lacks leave their fields unchanged; times are read
// from RFC3339 strings or from unixtime numbers.
// A nil *types.AttributeValueMember… in item is an error wrapping
// ErrInvalidValue, where attributevalue panics.
func UnmarshalItem(item map[string]types.AttributeValue, out any) error {
	return codec.Unmarshal(item, out)
}
