package codec

import (
	"encoding"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// decFn decodes av into the value at p. av may be nil (a missing list or
// map element), which decodes like NULL.
type decFn func(av types.AttributeValue, p unsafe.Pointer) error

func isNull(av types.AttributeValue) bool {
	switch av.(type) {
	case nil, *types.AttributeValueMemberNULL:
		return true
	}
	return false
}

// decField compiles the decoder of a value of type t: pointers are
// allocated as needed and set to nil by NULL, and a type whose pointer
// implements attributevalue.Unmarshaler decodes itself.
func (c *compiler) decField(t reflect.Type, o opts) (decFn, error) {
	k := decKey{t, o}
	if fn, ok := c.decs[k]; ok {
		return fn, nil
	}
	var fn decFn
	c.decs[k] = func(av types.AttributeValue, p unsafe.Pointer) error { return fn(av, p) }
	f, err := c.newDecField(t, o)
	if err != nil {
		delete(c.decs, k)
		return nil, err
	}
	fn = f
	c.decs[k] = f
	return f, nil
}

func (c *compiler) newDecField(t reflect.Type, o opts) (decFn, error) {
	if t.Implements(attributeValueType) {
		return decAttributeValue(t), nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		return c.decPointer(t, o)
	case reflect.Interface:
		return decInterface(t), nil
	}
	if t.Name() != "" && reflect.PointerTo(t).Implements(unmarshalerType) {
		return func(av types.AttributeValue, p unsafe.Pointer) error {
			return reflect.NewAt(t, p).Interface().(unmarshaler).UnmarshalDynamoDBAttributeValue(av)
		}, nil
	}
	return c.decKind(t, o)
}

func decAttributeValue(t reflect.Type) decFn {
	return func(av types.AttributeValue, p unsafe.Pointer) error {
		if t == attributeValueType {
			*(*types.AttributeValue)(p) = av
			return nil
		}
		v := reflect.ValueOf(av)
		if av == nil || v.Type() != t {
			return typeError(TypeName(av), t)
		}
		reflect.NewAt(t, p).Elem().Set(v)
		return nil
	}
}

func (c *compiler) decPointer(t reflect.Type, o opts) (decFn, error) {
	et := t.Elem()
	custom := t.Implements(unmarshalerType)
	var inner decFn
	if !custom {
		var err error
		if inner, err = c.decField(et, o); err != nil {
			return nil, err
		}
	}
	return func(av types.AttributeValue, p unsafe.Pointer) error {
		slot := (*unsafe.Pointer)(p)
		if isNull(av) {
			*slot = nil
			return nil
		}
		if *slot == nil {
			*slot = reflect.New(et).UnsafePointer()
		}
		if custom {
			return reflect.NewAt(et, *slot).Interface().(unmarshaler).UnmarshalDynamoDBAttributeValue(av)
		}
		return inner(av, *slot)
	}, nil
}

// decInterface decodes into an interface: into the value its non-nil
// pointer points to, else as the natural Go value (string, float64, bool,
// []byte, []any, map[string]any, []string, []float64, [][]byte, nil).
func decInterface(t reflect.Type) decFn {
	empty := t.NumMethod() == 0
	return func(av types.AttributeValue, p unsafe.Pointer) error {
		iv := reflect.NewAt(t, p).Elem()
		if isNull(av) {
			iv.SetZero()
			return nil
		}
		if !iv.IsNil() {
			if e := iv.Elem(); e.Kind() == reflect.Pointer && !e.IsNil() {
				fn, err := dynamicDecoder(e.Type())
				if err != nil {
					return err
				}
				q := reflect.New(e.Type())
				q.Elem().Set(e)
				return fn(av, q.UnsafePointer())
			}
		}
		x, err := decodeAny(av)
		if err != nil {
			return err
		}
		if empty {
			*(*any)(p) = x
			return nil
		}
		xv := reflect.ValueOf(x)
		if x == nil || !xv.Type().AssignableTo(t) {
			return typeError(TypeName(av), t)
		}
		iv.Set(xv)
		return nil
	}
}

func decodeAny(av types.AttributeValue) (any, error) {
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		return v.Value, nil
	case *types.AttributeValueMemberN:
		f, err := strconv.ParseFloat(v.Value, 64)
		if err != nil {
			return nil, errorf("cannot decode N %q: %w", v.Value, err)
		}
		return f, nil
	case *types.AttributeValueMemberBOOL:
		return v.Value, nil
	case *types.AttributeValueMemberB:
		return append([]byte{}, v.Value...), nil
	case *types.AttributeValueMemberL:
		l := make([]any, len(v.Value))
		for i, e := range v.Value {
			x, err := decodeAny(e)
			if err != nil {
				return nil, at(err, "["+strconv.Itoa(i)+"]")
			}
			l[i] = x
		}
		return l, nil
	case *types.AttributeValueMemberM:
		m := make(map[string]any, len(v.Value))
		for k, e := range v.Value {
			x, err := decodeAny(e)
			if err != nil {
				return nil, at(err, "["+strconv.Quote(k)+"]")
			}
			m[k] = x
		}
		return m, nil
	case *types.AttributeValueMemberSS:
		return append([]string{}, v.Value...), nil
	case *types.AttributeValueMemberNS:
		fs := make([]float64, len(v.Value))
		for i, n := range v.Value {
			f, err := strconv.ParseFloat(n, 64)
			if err != nil {
				return nil, at(errorf("cannot decode N %q: %w", n, err), "["+strconv.Itoa(i)+"]")
			}
			fs[i] = f
		}
		return fs, nil
	case *types.AttributeValueMemberBS:
		bs := make([][]byte, len(v.Value))
		for i, b := range v.Value {
			bs[i] = append([]byte{}, b...)
		}
		return bs, nil
	case nil, *types.AttributeValueMemberNULL:
		return nil, nil
	}
	return nil, errorf("unsupported AttributeValue %T", av)
}

// dynamicDecoder is the cached decoder of a type met at run time.
func dynamicDecoder(t reflect.Type) (decFn, error) {
	k := dynKey{t: t, dec: true}
	if v, ok := dynamic.Load(k); ok {
		d := v.(*dynEntry)
		return d.dec, cloneErr(d.err)
	}
	fn, err := newCompiler().decField(t, opts{})
	dynamic.LoadOrStore(k, &dynEntry{dec: fn, err: err})
	return fn, cloneErr(err)
}

func (c *compiler) decKind(t reflect.Type, o opts) (decFn, error) {
	switch t.Kind() {
	case reflect.Bool:
		return decBool(t), nil
	case reflect.String:
		return decString(t), nil
	case reflect.Int:
		return decInt[int](t, o), nil
	case reflect.Int8:
		return decInt[int8](t, o), nil
	case reflect.Int16:
		return decInt[int16](t, o), nil
	case reflect.Int32:
		return decInt[int32](t, o), nil
	case reflect.Int64:
		return decInt[int64](t, o), nil
	case reflect.Uint:
		return decUint[uint](t, o), nil
	case reflect.Uint8:
		return decUint[uint8](t, o), nil
	case reflect.Uint16:
		return decUint[uint16](t, o), nil
	case reflect.Uint32:
		return decUint[uint32](t, o), nil
	case reflect.Uint64:
		return decUint[uint64](t, o), nil
	case reflect.Float32:
		return decFloat[float32](t, o), nil
	case reflect.Float64:
		return decFloat[float64](t, o), nil
	case reflect.Struct:
		if isTime(t) {
			return decTime(t, o), nil
		}
		s, err := c.structPlan(t, true)
		if err != nil {
			return nil, err
		}
		return func(av types.AttributeValue, p unsafe.Pointer) error {
			switch v := av.(type) {
			case *types.AttributeValueMemberM:
				return s.unmarshal(v.Value, p)
			case nil, *types.AttributeValueMemberNULL:
				reflect.NewAt(t, p).Elem().SetZero()
				return nil
			}
			return typeError(TypeName(av), t)
		}, nil
	case reflect.Map:
		return c.decMap(t, o)
	case reflect.Slice, reflect.Array:
		return c.decList(t, o)
	}
	return nil, unsupported(t)
}

func decBool(t reflect.Type) decFn {
	return func(av types.AttributeValue, p unsafe.Pointer) error {
		switch v := av.(type) {
		case *types.AttributeValueMemberBOOL:
			*(*bool)(p) = v.Value
		case nil, *types.AttributeValueMemberNULL:
			*(*bool)(p) = false
		default:
			return typeError(TypeName(av), t)
		}
		return nil
	}
}

func decString(t reflect.Type) decFn {
	return func(av types.AttributeValue, p unsafe.Pointer) error {
		switch v := av.(type) {
		case *types.AttributeValueMemberS:
			*(*string)(p) = v.Value
		case *types.AttributeValueMemberN:
			*(*string)(p) = v.Value
		case nil, *types.AttributeValueMemberNULL:
			*(*string)(p) = ""
		default:
			return typeError(TypeName(av), t)
		}
		return nil
	}
}

// numberText is the text of an N, or of an S with the string option.
func numberText(av types.AttributeValue, o opts) (string, bool) {
	switch v := av.(type) {
	case *types.AttributeValueMemberN:
		return v.Value, true
	case *types.AttributeValueMemberS:
		if o.asString {
			return v.Value, true
		}
	}
	return "", false
}

func decInt[T int | int8 | int16 | int32 | int64](t reflect.Type, o opts) decFn {
	return func(av types.AttributeValue, p unsafe.Pointer) error {
		s, ok := numberText(av, o)
		if !ok {
			if isNull(av) {
				*(*T)(p) = 0
				return nil
			}
			return typeError(TypeName(av), t)
		}
		i, err := strconv.ParseInt(s, 10, 64)
		if err != nil || int64(T(i)) != i {
			return errorf("cannot decode N %q into %s: not an integer in range", s, t)
		}
		*(*T)(p) = T(i)
		return nil
	}
}

func decUint[T uint | uint8 | uint16 | uint32 | uint64](t reflect.Type, o opts) decFn {
	return func(av types.AttributeValue, p unsafe.Pointer) error {
		s, ok := numberText(av, o)
		if !ok {
			if isNull(av) {
				*(*T)(p) = 0
				return nil
			}
			return typeError(TypeName(av), t)
		}
		u, err := strconv.ParseUint(s, 10, 64)
		if err != nil || uint64(T(u)) != u {
			return errorf("cannot decode N %q into %s: not an unsigned integer in range", s, t)
		}
		*(*T)(p) = T(u)
		return nil
	}
}

func decFloat[T float32 | float64](t reflect.Type, o opts) decFn {
	bits := t.Bits()
	return func(av types.AttributeValue, p unsafe.Pointer) error {
		s, ok := numberText(av, o)
		if !ok {
			if isNull(av) {
				*(*T)(p) = 0
				return nil
			}
			return typeError(TypeName(av), t)
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return errorf("cannot decode N %q into %s: %w", s, t, err)
		}
		if a := math.Abs(f); bits == 32 && a > math.MaxFloat32 && a <= math.MaxFloat64 {
			return errorf("cannot decode N %q into %s: out of range", s, t)
		}
		*(*T)(p) = T(f)
		return nil
	}
}

// decTime reads RFC3339 strings, and numbers of seconds as unixtime writes
// them (whether or not the field says unixtime).
func decTime(t reflect.Type, o opts) decFn {
	return func(av types.AttributeValue, p unsafe.Pointer) error {
		tp := (*time.Time)(p)
		switch v := av.(type) {
		case *types.AttributeValueMemberS:
			if o.asString {
				return decUnix(v.Value, tp)
			}
			tm, err := time.Parse(time.RFC3339, v.Value)
			if err != nil {
				return errorf("cannot decode S %q into %s: %w", v.Value, t, err)
			}
			*tp = tm
		case *types.AttributeValueMemberN:
			return decUnix(v.Value, tp)
		case nil, *types.AttributeValueMemberNULL:
			*tp = time.Time{}
		default:
			return typeError(TypeName(av), t)
		}
		return nil
	}
}

func decUnix(s string, tp *time.Time) error {
	sec, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return errorf("cannot decode N %q into a time: want whole seconds", s)
	}
	*tp = time.Unix(sec, 0)
	return nil
}

// mapKeyDecoder sets a map key from an attribute name: UnmarshalText, else
// by the key's kind.
func mapKeyDecoder(kt reflect.Type) (func(string, reflect.Value) error, error) {
	switch {
	case kt.Kind() == reflect.Pointer && kt.Implements(textUnmarshalerType):
		return func(s string, k reflect.Value) error {
			v := reflect.New(kt.Elem())
			k.Set(v)
			return v.Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s))
		}, nil
	case reflect.PointerTo(kt).Implements(textUnmarshalerType):
		return func(s string, k reflect.Value) error {
			return k.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s))
		}, nil
	}
	switch kt.Kind() {
	case reflect.String:
		return func(s string, k reflect.Value) error { k.SetString(s); return nil }, nil
	case reflect.Bool:
		return func(s string, k reflect.Value) error {
			b, err := strconv.ParseBool(s)
			if err != nil {
				return err
			}
			k.SetBool(b)
			return nil
		}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(s string, k reflect.Value) error {
			i, err := strconv.ParseInt(s, 10, 64)
			if err != nil || k.OverflowInt(i) {
				return fmt.Errorf("not an integer in range of %s", kt)
			}
			k.SetInt(i)
			return nil
		}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return func(s string, k reflect.Value) error {
			u, err := strconv.ParseUint(s, 10, 64)
			if err != nil || k.OverflowUint(u) {
				return fmt.Errorf("not an unsigned integer in range of %s", kt)
			}
			k.SetUint(u)
			return nil
		}, nil
	case reflect.Float32, reflect.Float64:
		return func(s string, k reflect.Value) error {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil || k.OverflowFloat(f) {
				return fmt.Errorf("not a number in range of %s", kt)
			}
			k.SetFloat(f)
			return nil
		}, nil
	}
	return nil, errorf("map key type %s must be a string, number, bool or encoding.TextUnmarshaler", kt)
}

func (c *compiler) decMap(t reflect.Type, o opts) (decFn, error) {
	switch t {
	case reflect.TypeFor[map[string]string]():
		return decStringMap(t), nil
	case reflect.TypeFor[map[string]int]():
		return decIntMap[int](t), nil
	case reflect.TypeFor[map[string]int64]():
		return decIntMap[int64](t), nil
	case reflect.TypeFor[map[string]float64]():
		return decFloatMap(t), nil
	case reflect.TypeFor[map[string]bool]():
		return decBoolMap(t), nil
	}
	setKey, err := mapKeyDecoder(t.Key())
	if err != nil {
		return nil, err
	}
	elem, err := c.decField(t.Elem(), o.elem())
	if err != nil {
		return nil, err
	}
	kt, et := t.Key(), t.Elem()
	return func(av types.AttributeValue, p unsafe.Pointer) error {
		var m map[string]types.AttributeValue
		switch v := av.(type) {
		case *types.AttributeValueMemberM:
			m = v.Value
		case nil, *types.AttributeValueMemberNULL:
			*(*unsafe.Pointer)(p) = nil
			return nil
		default:
			return typeError(TypeName(av), t)
		}
		mv := reflect.NewAt(t, p).Elem()
		if mv.IsNil() {
			mv.Set(reflect.MakeMapWithSize(t, len(m)))
		}
		k := reflect.New(kt).Elem()
		v := reflect.New(et).Elem()
		vp := v.Addr().UnsafePointer()
		for name, eav := range m {
			k.SetZero()
			if err := setKey(name, k); err != nil {
				return errorf("cannot decode map key %q into %s: %w", name, kt, err)
			}
			v.SetZero()
			if err := elem(eav, vp); err != nil {
				return at(err, "["+strconv.Quote(name)+"]")
			}
			mv.SetMapIndex(k, v)
		}
		return nil
	}, nil
}

func decStringMap(t reflect.Type) decFn {
	return func(av types.AttributeValue, p unsafe.Pointer) error {
		var m map[string]types.AttributeValue
		switch v := av.(type) {
		case *types.AttributeValueMemberM:
			m = v.Value
		case nil, *types.AttributeValueMemberNULL:
			*(*map[string]string)(p) = nil
			return nil
		default:
			return typeError(TypeName(av), t)
		}
		out := *(*map[string]string)(p)
		if out == nil {
			out = make(map[string]string, len(m))
			*(*map[string]string)(p) = out
		}
		for k, eav := range m {
			switch v := eav.(type) {
			case *types.AttributeValueMemberS:
				out[k] = v.Value
			case *types.AttributeValueMemberN:
				out[k] = v.Value
			case nil, *types.AttributeValueMemberNULL:
				out[k] = ""
			default:
				return at(typeError(TypeName(eav), t.Elem()), "["+strconv.Quote(k)+"]")
			}
		}
		return nil
	}
}

// mapSource returns the M of av, or reports NULL (done) or a type error.
func mapSource(av types.AttributeValue, t reflect.Type) (m map[string]types.AttributeValue, null bool, err error) {
	switch v := av.(type) {
	case *types.AttributeValueMemberM:
		return v.Value, false, nil
	case nil, *types.AttributeValueMemberNULL:
		return nil, true, nil
	}
	return nil, false, typeError(TypeName(av), t)
}

func decIntMap[V int | int64](t reflect.Type) decFn {
	return func(av types.AttributeValue, p unsafe.Pointer) error {
		src, null, err := mapSource(av, t)
		if err != nil || null {
			*(*map[string]V)(p) = nil
			return err
		}
		m := *(*map[string]V)(p)
		if m == nil {
			m = make(map[string]V, len(src))
			*(*map[string]V)(p) = m
		}
		for k, e := range src {
			switch v := e.(type) {
			case *types.AttributeValueMemberN:
				i, err := strconv.ParseInt(v.Value, 10, 64)
				if err != nil || int64(V(i)) != i {
					return at(errorf("cannot decode N %q into %s: not an integer in range", v.Value, t.Elem()), "["+strconv.Quote(k)+"]")
				}
				m[k] = V(i)
			case nil, *types.AttributeValueMemberNULL:
				m[k] = 0
			default:
				return at(typeError(TypeName(e), t.Elem()), "["+strconv.Quote(k)+"]")
			}
		}
		return nil
	}
}

func decFloatMap(t reflect.Type) decFn {
	return func(av types.AttributeValue, p unsafe.Pointer) error {
		src, null, err := mapSource(av, t)
		if err != nil || null {
			*(*map[string]float64)(p) = nil
			return err
		}
		m := *(*map[string]float64)(p)
		if m == nil {
			m = make(map[string]float64, len(src))
			*(*map[string]float64)(p) = m
		}
		for k, e := range src {
			switch v := e.(type) {
			case *types.AttributeValueMemberN:
				f, err := strconv.ParseFloat(v.Value, 64)
				if err != nil {
					return at(errorf("cannot decode N %q into float64: %w", v.Value, err), "["+strconv.Quote(k)+"]")
				}
				m[k] = f
			case nil, *types.AttributeValueMemberNULL:
				m[k] = 0
			default:
				return at(typeError(TypeName(e), t.Elem()), "["+strconv.Quote(k)+"]")
			}
		}
		return nil
	}
}

func decBoolMap(t reflect.Type) decFn {
	return func(av types.AttributeValue, p unsafe.Pointer) error {
		src, null, err := mapSource(av, t)
		if err != nil || null {
			*(*map[string]bool)(p) = nil
			return err
		}
		m := *(*map[string]bool)(p)
		if m == nil {
			m = make(map[string]bool, len(src))
			*(*map[string]bool)(p) = m
		}
		for k, e := range src {
			switch v := e.(type) {
			case *types.AttributeValueMemberBOOL:
				m[k] = v.Value
			case nil, *types.AttributeValueMemberNULL:
				m[k] = false
			default:
				return at(typeError(TypeName(e), t.Elem()), "["+strconv.Quote(k)+"]")
			}
		}
		return nil
	}
}

// grow makes the slice at p n long, reusing its array when it is big
// enough as attributevalue does, and returns where its elements start.
func grow(t reflect.Type, p unsafe.Pointer, n int) unsafe.Pointer {
	h := (*sliceHeader)(p)
	if h.Data == nil || h.Cap < n {
		reflect.NewAt(t, p).Elem().Set(reflect.MakeSlice(t, n, n))
	} else {
		h.Len = n
	}
	return h.Data
}

func (c *compiler) decList(t reflect.Type, o opts) (decFn, error) {
	et := t.Elem()
	array := t.Kind() == reflect.Array
	size := et.Size()
	elem, err := c.decField(et, o.elem())
	if err != nil {
		return nil, err
	}
	plainStrings := plainString(et, true) // elements are addressable: no Unmarshaler on *et
	bytes := et.Kind() == reflect.Uint8
	if plainStrings && !array {
		return decStrings(t, elem), nil
	}

	// start returns where n decoded elements go and how many fit.
	start := func(p unsafe.Pointer, n int) (unsafe.Pointer, int) {
		if array {
			return p, min(n, t.Len())
		}
		return grow(t, p, n), n
	}
	return func(av types.AttributeValue, p unsafe.Pointer) error {
		switch v := av.(type) {
		case *types.AttributeValueMemberL:
			data, n := start(p, len(v.Value))
			for i := 0; i < n; i++ {
				if err := elem(v.Value[i], unsafe.Add(data, uintptr(i)*size)); err != nil {
					return at(err, "["+strconv.Itoa(i)+"]")
				}
			}
		case *types.AttributeValueMemberSS:
			data, n := start(p, len(v.Value))
			for i := 0; i < n; i++ {
				ep := unsafe.Add(data, uintptr(i)*size)
				if plainStrings {
					*(*string)(ep) = v.Value[i]
				} else if err := elem(&types.AttributeValueMemberS{Value: v.Value[i]}, ep); err != nil {
					return at(err, "["+strconv.Itoa(i)+"]")
				}
			}
		case *types.AttributeValueMemberNS:
			data, n := start(p, len(v.Value))
			for i := 0; i < n; i++ {
				if err := elem(&types.AttributeValueMemberN{Value: v.Value[i]}, unsafe.Add(data, uintptr(i)*size)); err != nil {
					return at(err, "["+strconv.Itoa(i)+"]")
				}
			}
		case *types.AttributeValueMemberBS:
			data, n := start(p, len(v.Value))
			for i := 0; i < n; i++ {
				if err := elem(&types.AttributeValueMemberB{Value: v.Value[i]}, unsafe.Add(data, uintptr(i)*size)); err != nil {
					return at(err, "["+strconv.Itoa(i)+"]")
				}
			}
		case *types.AttributeValueMemberB:
			if !bytes {
				return typeError("B", t)
			}
			if array {
				copy(unsafe.Slice((*byte)(p), t.Len()), v.Value)
				return nil
			}
			b := (*[]byte)(p)
			if *b == nil || cap(*b) < len(v.Value) {
				*b = make([]byte, len(v.Value))
			} else {
				*b = (*b)[:len(v.Value)]
			}
			copy(*b, v.Value)
		case nil, *types.AttributeValueMemberNULL:
			reflect.NewAt(t, p).Elem().SetZero()
		default:
			return typeError(TypeName(av), t)
		}
		return nil
	}, nil
}

// decStrings decodes lists and string and number sets into a slice of a
// string type without methods. An empty binary set decodes too, as in
// attributevalue (DynamoDB never returns one).
func decStrings(t reflect.Type, elem decFn) decFn {
	return func(av types.AttributeValue, p unsafe.Pointer) error {
		sp := (*[]string)(p)
		var n int
		switch v := av.(type) {
		case *types.AttributeValueMemberL:
			n = len(v.Value)
		case *types.AttributeValueMemberSS:
			n = len(v.Value)
		case *types.AttributeValueMemberNS:
			n = len(v.Value)
		case *types.AttributeValueMemberBS:
			if len(v.Value) > 0 {
				return at(typeError("B", t.Elem()), "[0]")
			}
		case nil, *types.AttributeValueMemberNULL:
			*sp = nil
			return nil
		default:
			return typeError(TypeName(av), t)
		}
		if *sp == nil || cap(*sp) < n {
			*sp = make([]string, n)
		} else {
			*sp = (*sp)[:n]
		}
		ss := *sp
		switch v := av.(type) {
		case *types.AttributeValueMemberL:
			for i, e := range v.Value {
				if s, ok := e.(*types.AttributeValueMemberS); ok {
					ss[i] = s.Value
				} else if err := elem(e, unsafe.Pointer(&ss[i])); err != nil {
					return at(err, "["+strconv.Itoa(i)+"]")
				}
			}
		case *types.AttributeValueMemberSS:
			copy(ss, v.Value)
		case *types.AttributeValueMemberNS:
			copy(ss, v.Value)
		}
		return nil
	}
}
