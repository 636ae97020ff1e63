// Package codec is a TEMPORARY stand-in for the codec being written on branch
// `codec`, implementing the contract API (see the session contract) on top of
// attributevalue so the entity layer compiles and runs. It is replaced
// wholesale when branch `codec` is merged.
package codec

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Error is a codec error naming the Go type and field path.
type Error struct {
	Type reflect.Type
	Path string
	Err  error
}

func (e *Error) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("codec: %v: %v", e.Type, e.Err)
	}
	return fmt.Sprintf("codec: %v.%s: %v", e.Type, e.Path, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Struct is a compiled plan for a struct type.
type Struct struct {
	Type   reflect.Type
	Fields []*Field
	byName map[string]*Field
}

// Field is one attribute of a struct plan.
type Field struct {
	Name                     string
	Path                     string
	Index                    []int
	Type                     reflect.Type
	OmitEmpty, Set, UnixTime bool
	Options                  []string
	parent                   reflect.Type
}

var cache sync.Map // reflect.Type -> *Struct

// StructOf returns the plan of struct type t.
func StructOf(t reflect.Type) (*Struct, error) {
	if s, ok := cache.Load(t); ok {
		return s.(*Struct), nil
	}
	if t.Kind() != reflect.Struct {
		return nil, &Error{Type: t, Err: fmt.Errorf("not a struct")}
	}
	s := &Struct{Type: t, byName: map[string]*Field{}}
	if err := s.collect(t, nil, ""); err != nil {
		return nil, err
	}
	cache.Store(t, s)
	return s, nil
}

func (s *Struct) collect(t reflect.Type, index []int, path string) error {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if sf.Name == "_" || !sf.IsExported() && !sf.Anonymous {
			continue
		}
		tag, ok := sf.Tag.Lookup("dynamo")
		if !ok {
			tag = sf.Tag.Get("dynamodbav")
		}
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		idx := append(append([]int(nil), index...), i)
		if sf.Anonymous && name == "" && sf.Type.Kind() == reflect.Struct {
			if err := s.collect(sf.Type, idx, path+sf.Name+"."); err != nil {
				return err
			}
			continue
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		f := &Field{Name: name, Path: path + sf.Name, Index: idx, Type: sf.Type, parent: s.Type}
		if opts != "" {
			f.Options = strings.Split(opts, ",")
		}
		for _, o := range f.Options {
			switch o {
			case "omitempty":
				f.OmitEmpty = true
			case "set":
				f.Set = true
			case "unixtime":
				f.UnixTime = true
			}
		}
		if _, dup := s.byName[name]; dup {
			return &Error{Type: s.Type, Path: f.Path, Err: fmt.Errorf("duplicate attribute %q", name)}
		}
		s.byName[name] = f
		s.Fields = append(s.Fields, f)
	}
	return nil
}

// Field returns the field of attribute attr, or nil.
func (s *Struct) Field(attr string) *Field { return s.byName[attr] }

// MarshalPtr encodes the struct p points to.
func (s *Struct) MarshalPtr(p unsafe.Pointer) (map[string]types.AttributeValue, error) {
	item := make(map[string]types.AttributeValue, len(s.Fields))
	for _, f := range s.Fields {
		v := f.Value(p)
		if f.OmitEmpty && v.IsZero() {
			continue
		}
		av, err := f.Marshal(v)
		if err != nil {
			return nil, &Error{Type: s.Type, Path: f.Path, Err: err}
		}
		if av == nil {
			continue
		}
		item[f.Name] = av
	}
	return item, nil
}

// UnmarshalPtr decodes item into the struct p points to.
func (s *Struct) UnmarshalPtr(item map[string]types.AttributeValue, p unsafe.Pointer) error {
	for _, f := range s.Fields {
		av, ok := item[f.Name]
		if !ok {
			continue
		}
		if err := f.Unmarshal(av, f.Value(p)); err != nil {
			return &Error{Type: s.Type, Path: f.Path, Err: err}
		}
	}
	return nil
}

// Value returns the field inside *p.
func (f *Field) Value(p unsafe.Pointer) reflect.Value {
	return reflect.NewAt(f.parent, p).Elem().FieldByIndex(f.Index)
}

var timeType = reflect.TypeFor[time.Time]()

// Marshal encodes v, a value of f.Type.
func (f *Field) Marshal(v reflect.Value) (types.AttributeValue, error) {
	if f.UnixTime && v.Type() == timeType {
		return &types.AttributeValueMemberN{Value: strconv.FormatInt(v.Interface().(time.Time).Unix(), 10)}, nil
	}
	if v.Type() == timeType {
		return &types.AttributeValueMemberS{Value: v.Interface().(time.Time).Format(time.RFC3339Nano)}, nil
	}
	if f.Set && v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String {
		ss := make([]string, v.Len())
		for i := range ss {
			ss[i] = v.Index(i).String()
		}
		return &types.AttributeValueMemberSS{Value: ss}, nil
	}
	return attributevalue.Marshal(v.Interface())
}

// Unmarshal decodes av into v, an addressable value of f.Type.
func (f *Field) Unmarshal(av types.AttributeValue, v reflect.Value) error {
	if f.UnixTime && v.Type() == timeType {
		n, ok := av.(*types.AttributeValueMemberN)
		if !ok {
			return fmt.Errorf("unixtime: want N, got %T", av)
		}
		sec, err := strconv.ParseInt(n.Value, 10, 64)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(time.Unix(sec, 0)))
		return nil
	}
	return attributevalue.Unmarshal(av, v.Addr().Interface())
}

// Marshal encodes a struct or *struct.
func Marshal(v any) (map[string]types.AttributeValue, error) { return attributevalue.MarshalMap(v) }

// Unmarshal decodes item into out, a *struct.
func Unmarshal(item map[string]types.AttributeValue, out any) error {
	return attributevalue.UnmarshalMap(item, out)
}

// MarshalValue encodes any Go value.
func MarshalValue(v any) (types.AttributeValue, error) { return attributevalue.Marshal(v) }

// UnmarshalValue decodes av into out, a pointer.
func UnmarshalValue(av types.AttributeValue, out any) error { return attributevalue.Unmarshal(av, out) }
