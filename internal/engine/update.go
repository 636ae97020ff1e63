package engine

import (
	"math"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/codec"
)

type UpdateKind int

const (
	UpdateSet UpdateKind = iota
	UpdateSetIfNotExists
	UpdateAdd
	UpdateRemove
	UpdateAppend
	UpdateDeleteFromSet
)

var UpdateKindNames = [...]string{"Set", "SetIfNotExists", "Add", "Remove", "Append", "DeleteFromSet"}

// An UpdateAction is one action of an Update: on a top-level attribute
// (F), or on a nested document path (X.Path, F nil), checked by PathAction.
type UpdateAction struct {
	Kind UpdateKind
	F    *codec.Field
	Av   types.AttributeValue
	// X is what few actions have, nil for the others, which keeps the
	// actions an Update builder holds small.
	X *ActionExtra
}

// ActionExtra is what an UpdateAction has beyond the others: its path,
// for an action on a nested path, or else its value.
type ActionExtra struct {
	Path DocPath
	// V is the value, of the field's type, of a Set of a field an index
	// key reads, which recomputes the key (indexKeys).
	V reflect.Value
}

// NestedPath returns the path of an action on a nested path; nil for an
// action on a top-level attribute.
func (a *UpdateAction) NestedPath() *DocPath {
	if a.F != nil {
		return nil
	}
	return &a.X.Path
}

func IsNumber(k reflect.Kind) bool {
	return reflect.Int <= k && k <= reflect.Float64
}

// Convert returns value as a value of type t: assigned when it can be, else
// converted between numbers or between strings when no information is lost.
func Convert(value any, t reflect.Type) (reflect.Value, bool) {
	rv := reflect.ValueOf(value)
	if !rv.IsValid() {
		return rv, false
	}
	if rv.Type() == t {
		return rv, true // not addressable; the ValueEncoder reads it in place
	}
	v := reflect.New(t).Elem()
	if rv.Type().AssignableTo(t) {
		v.Set(rv)
		return v, true
	}
	from, to := rv.Kind(), t.Kind()
	if isInt(from) && isInt(to) {
		return v, setInt(v, rv)
	}
	switch {
	case IsNumber(from) && IsNumber(to):
		negative := reflect.Int <= from && from <= reflect.Int64 && rv.Int() < 0 ||
			(from == reflect.Float32 || from == reflect.Float64) && rv.Float() < 0
		if negative && reflect.Uint <= to && to <= reflect.Uintptr {
			return v, false
		}
	case from == reflect.String && to == reflect.String:
	default:
		return v, false
	}
	c := rv.Convert(t)
	if !c.Convert(rv.Type()).Equal(rv) {
		return v, false // precision lost
	}
	v.Set(c)
	return v, true
}

func isInt(k reflect.Kind) bool { return reflect.Int <= k && k <= reflect.Uintptr }

func isSigned(k reflect.Kind) bool { return k <= reflect.Int64 }

// setInt sets v, of an integer kind, to rv's integer, reporting whether it
// fits (without the allocations of reflect's Convert).
func setInt(v, rv reflect.Value) bool {
	switch from, to := isSigned(rv.Kind()), isSigned(v.Kind()); {
	case from && to:
		n := rv.Int()
		v.SetInt(n)
		return !v.OverflowInt(n)
	case from:
		n := rv.Int()
		v.SetUint(uint64(n))
		return n >= 0 && !v.OverflowUint(uint64(n))
	case to:
		n := rv.Uint()
		v.SetInt(int64(n))
		return n <= math.MaxInt64 && !v.OverflowInt(int64(n))
	}
	n := rv.Uint()
	v.SetUint(n)
	return !v.OverflowUint(n)
}

// Touches reports whether any of fields is named in attrs.
func Touches(fields []*codec.Field, attrs map[string]bool) bool {
	for _, f := range fields {
		if attrs[f.Name] {
			return true
		}
	}
	return false
}

// IsKeyField reports whether attr is a field of the table's key, as
// KeyFields does, by comparing the names of the key's few fields: cheaper
// than hashing attr, for every action of an Update.
func (s *Schema) IsKeyField(attr string) bool {
	for _, p := range [...]*KeyPart{s.Primary.PK, s.Primary.SK} {
		if p == nil {
			continue
		}
		for _, f := range p.Fields {
			if f.Name == attr {
				return true
			}
		}
	}
	return false
}

// EncodeAction encodes v, an action's value converted to f's type, as
// EncodeValue does; value is what the caller gave, read in place when it
// already has f's type. enc shares one scratch state among the values of
// a request.
func (s *Schema) EncodeAction(enc *codec.ValueEncoder, f *codec.Field, v reflect.Value, value any) (types.AttributeValue, error) {
	if f == s.TTL && s.TTLEpoch {
		return s.EncodeValue(f, v)
	}
	if av, ok, err := enc.MarshalAny(f, value); ok {
		return av, err
	}
	return enc.Marshal(f, v)
}
