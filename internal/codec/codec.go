// Package codec converts Go values to and from DynamoDB attribute values.
//
// It writes what attributevalue's defaults write, so tables written by
// existing Go code read back unchanged, but compiles a plan per type once
// (fields, offsets, an encoder and a decoder each) instead of walking tags
// and reflect.Values on every call.
//
// Struct tags: `dynamo:"name,opts"`; a field without one falls back to
// `dynamodbav`, then to the Go field name; "-" skips the field. Options:
//
//	omitempty     zero values are not written (nil, "", 0, false, the zero time)
//	set           a slice as a string, number or binary set (SS, NS, BS); empty is an error unless omitempty
//	unixtime      a time.Time as N seconds since the epoch
//	string        a number as S
//	stringset, numberset, binaryset, omitemptyelem, nullempty, nullemptyelem
//	              as in attributevalue
//
// Other options (version, created, updated, ttl, ...) are kept in
// Field.Options for the layers above. Embedded structs are flattened like
// encoding/json; a tagged embedded struct is a named field.
//
// Where attributevalue silently writes something DynamoDB rejects or drops a
// field, the codec returns an *Error naming the type and field path: chan,
// func and complex fields, NaN and infinite numbers, empty `set` fields,
// times whose year RFC3339 cannot hold.
// omitempty also omits a zero time.Time (attributevalue's OmitEmptyTime),
// and a types.AttributeValue field is passed through as it is.
//
// Where attributevalue crashes or silently corrupts, the codec returns an
// *Error wrapping ErrInvalidValue instead: a string, set element, map key
// or attribute name that is not valid UTF-8 (the SDK would send U+FFFD in
// place of the bad bytes); a value nested deeper than MaxDepth, such as a
// pointer, map or slice that holds itself (a fatal stack overflow in
// attributevalue); a nil *types.AttributeValueMember… inside a value a
// Marshaler returned or passed through, or inside an item to decode (a
// nil-pointer panic). A nil member as a whole field or interface value is
// NULL, as attributevalue writes it, and so is a nil *T inside a **T even
// when T has a Marshaler (attributevalue calls it on the nil pointer).
//
// Element types follow attributevalue: a pointer-receiver Marshaler is
// called on slice elements and on elements of an addressable array, not on
// map values; an Unmarshaler on any element. Set elements are decoded one by
// one, as attributevalue does with FixUnmarshalIndividualSetValues (its
// default hands the whole set to the first element).
package codec

import (
	"fmt"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Marshal encodes a struct or a pointer to one as an item. Any other value
// that encodes as M (a map, a type with a Marshaler) is accepted too.
func Marshal(v any) (map[string]types.AttributeValue, error) {
	t := reflect.TypeOf(v)
	if t != nil && t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct {
		p := reflect.ValueOf(v).UnsafePointer()
		if p == nil {
			return nil, &Error{Type: t, Err: fmt.Errorf("cannot marshal a nil pointer")}
		}
		s, err := plan(t.Elem(), true)
		if err != nil {
			return nil, err
		}
		return s.MarshalPtr(p)
	}
	if t != nil && t.Kind() == reflect.Struct {
		s, err := plan(t, false)
		if err != nil {
			return nil, err
		}
		c := reflect.New(t)
		c.Elem().Set(reflect.ValueOf(v))
		return s.MarshalPtr(c.UnsafePointer())
	}
	av, err := MarshalValue(v)
	if err != nil {
		return nil, err
	}
	m, ok := av.(*types.AttributeValueMemberM)
	if !ok {
		return nil, &Error{Type: t, Err: fmt.Errorf("encodes as %s, not M: an item needs a struct or a map", TypeName(av))}
	}
	return m.Value, nil
}

// Unmarshal decodes an item into out, a non-nil pointer to a struct (or to
// anything an M decodes into). Attributes the item lacks leave their
// fields unchanged.
func Unmarshal(item map[string]types.AttributeValue, out any) error {
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &Error{Type: reflect.TypeOf(out), Err: fmt.Errorf("cannot unmarshal into a non-pointer or nil pointer")}
	}
	t := rv.Type().Elem()
	if t.Kind() == reflect.Struct {
		s, err := plan(t, true)
		if err != nil {
			return err
		}
		return s.UnmarshalPtr(item, rv.UnsafePointer())
	}
	return UnmarshalValue(&types.AttributeValueMemberM{Value: item}, out)
}

// MarshalValue encodes any Go value as attributevalue.Marshal does; nil
// encodes as NULL.
func MarshalValue(v any) (types.AttributeValue, error) {
	if v == nil {
		return null(), nil
	}
	t := reflect.TypeOf(v)
	fn, err := dynamicEncoder(t, opts{}, true)
	if err != nil {
		return nil, top(err, t)
	}
	c := reflect.New(t)
	c.Elem().Set(reflect.ValueOf(v))
	av, err := fn(newEncState(), c.UnsafePointer())
	if err != nil {
		return nil, top(err, t)
	}
	if av == nil {
		return null(), nil
	}
	return av, nil
}

// UnmarshalValue decodes av into out, a non-nil pointer.
func UnmarshalValue(av types.AttributeValue, out any) (err error) {
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &Error{Type: reflect.TypeOf(out), Err: fmt.Errorf("cannot unmarshal into a non-pointer or nil pointer")}
	}
	t := rv.Type().Elem()
	fn, err := dynamicDecoder(t)
	if err != nil {
		return top(err, t)
	}
	defer rescue(&err, t, "", av)
	return top(fn(av, rv.UnsafePointer()), t)
}
