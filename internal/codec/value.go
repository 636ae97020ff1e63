package codec

import (
	"reflect"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A ValueEncoder encodes the values of one request one at a time (the
// values of an Update's actions), sharing one scratch state, which it
// allocates for the first value that needs one: flat values (see
// Field.flat), the most common, need none, so that an Update's builder,
// which holds its ValueEncoder, stays small. The zero ValueEncoder is
// ready to use; it is not safe for concurrent use.
type ValueEncoder struct {
	st *encState
}

// Marshal encodes v, a value of f.Type, as f.Marshal does.
func (e *ValueEncoder) Marshal(f *Field, v reflect.Value) (types.AttributeValue, error) {
	if !v.IsValid() || v.Type() != f.Type || !v.CanAddr() {
		return f.Marshal(v)
	}
	return e.enc(f, v.Addr().UnsafePointer())
}

// MarshalAny encodes x, whose dynamic type must be f.Type, as f.Marshal
// does, reading the value where the interface holds it instead of copying
// it into a new variable. ok is false when x's type is not f.Type or is one
// an interface holds in its data word (pointers, maps, funcs, channels and
// structs or arrays of one of those): the caller then converts x and calls
// Marshal.
func (e *ValueEncoder) MarshalAny(f *Field, x any) (av types.AttributeValue, ok bool, err error) {
	t := reflect.TypeOf(x)
	if t != f.Type || !indirect(t) {
		return nil, false, nil
	}
	// An interface holding a value of an indirect type points to it with
	// its data word; the value is only read.
	p := (*[2]unsafe.Pointer)(unsafe.Pointer(&x))[1]
	av, err = e.enc(f, p)
	return av, true, err
}

func (e *ValueEncoder) enc(f *Field, p unsafe.Pointer) (types.AttributeValue, error) {
	var st *encState
	if !f.flat {
		if e.st == nil {
			e.st = newEncState()
		}
		st = e.st
	}
	av, err := f.enc(st, p)
	if err != nil {
		return nil, within(err, f.owner, f.Path)
	}
	return av, nil
}

// indirect reports whether an interface holds a value of type t through a
// pointer: every type but the pointer-shaped ones (pointers, maps, funcs,
// channels, and structs or arrays of exactly one pointer-shaped element),
// the compiler's rule.
func indirect(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Func, reflect.Chan, reflect.UnsafePointer:
		return false
	case reflect.Array:
		return t.Len() != 1 || indirect(t.Elem())
	case reflect.Struct:
		return t.NumField() != 1 || indirect(t.Field(0).Type)
	}
	return true
}
