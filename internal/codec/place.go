package codec

import (
	"fmt"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A Place is where a value sits inside an item: a struct field, or an
// element of a list or map below one, with the Go type and the tag options
// in force there. It encodes a value alone exactly as the codec encodes it
// in place, for updates and conditions on document paths ("tags[0]",
// "address.city").
type Place struct {
	Type  reflect.Type
	Field *Field // the struct field the place is, or nil for an element

	opts  opts
	addr  bool         // pointer-receiver marshalers apply (slice elements, struct fields)
	owner reflect.Type // for messages
	path  string
}

// Place returns the place of the field itself.
func (f *Field) Place() Place {
	return Place{Type: f.Type, Field: f, opts: f.opts, addr: true, owner: f.owner, path: f.Path}
}

// Elem returns the place of the elements of the list, array or map at p
// (pointers looked through), with the options the codec gives elements: a
// map value is not addressable, a slice element is, an array element is
// when the array is. index is the element's key or index, for messages.
func (p Place) Elem(index string) Place {
	t := p.Type
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	addr := t.Kind() == reflect.Slice || t.Kind() == reflect.Array && p.addr
	return Place{Type: t.Elem(), opts: p.opts.elem(), addr: addr, owner: p.owner, path: p.path + index}
}

// Struct returns the plan of the struct at p (pointers looked through),
// compiled as the codec compiles it there.
func (p Place) Struct() (*Struct, error) {
	t := p.Type
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil, &Error{Type: p.owner, Path: p.path, Err: fmt.Errorf("%s is not a struct", t)}
	}
	return plan(t, p.addr)
}

// IsSet reports whether the value at p is written as a set (SS, NS, BS).
func (p Place) IsSet() bool {
	if p.opts.set != setNone {
		return true
	}
	t := p.Type
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t == byteSlicesType
}

// AsString reports whether numbers at p are written as S (the string
// option).
func (p Place) AsString() bool { return p.opts.asString }

// UnixTime reports whether a time at p is written as N epoch seconds.
func (p Place) UnixTime() bool { return p.opts.unixTime }

// Marshal encodes v, a value of p.Type, as the codec encodes it at p. A nil
// AttributeValue and nil error mean the value is omitted there (omitempty,
// omitemptyelem).
func (p Place) Marshal(v reflect.Value) (types.AttributeValue, error) {
	if p.Field != nil {
		return p.Field.Marshal(v)
	}
	if !v.IsValid() || v.Type() != p.Type {
		return nil, &Error{Type: p.owner, Path: p.path, Err: fmt.Errorf("cannot encode %s as %s", typeOf(v), p.Type)}
	}
	fn, err := newCompiler().encField(p.Type, p.opts, p.addr)
	if err != nil {
		return nil, within(err, p.owner, p.path)
	}
	c := reflect.New(p.Type)
	c.Elem().Set(v)
	av, err := fn(newEncState(), c.UnsafePointer())
	if err != nil {
		return nil, within(err, p.owner, p.path)
	}
	return av, nil
}
