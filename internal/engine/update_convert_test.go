package engine

import (
	"fmt"
	"math"
	"reflect"
	"testing"
)

// TestConvertIntegers checks Convert between integer kinds: a value
// converts exactly when the target type holds the same number. (Before,
// a round trip through reflect's conversion decided, so uint8 255 became
// int8 -1.)
func TestConvertIntegers(t *testing.T) {
	type myInt int32
	values := []any{0, 1, -1, int8(-128), int8(127), int16(300), int32(-70000), int64(math.MaxInt64), int64(math.MinInt64),
		uint(7), uint8(255), uint16(65535), uint32(math.MaxUint32), uint64(math.MaxUint64), uint64(1 << 63), uintptr(9), myInt(-5)}
	targets := []reflect.Type{reflect.TypeFor[int](), reflect.TypeFor[int8](), reflect.TypeFor[int16](), reflect.TypeFor[int32](),
		reflect.TypeFor[int64](), reflect.TypeFor[uint](), reflect.TypeFor[uint8](), reflect.TypeFor[uint16](),
		reflect.TypeFor[uint32](), reflect.TypeFor[uint64](), reflect.TypeFor[uintptr](), reflect.TypeFor[myInt]()}
	for _, x := range values {
		rv := reflect.ValueOf(x)
		for _, to := range targets {
			c := rv.Convert(to)
			wantOK := fmt.Sprint(x) == fmt.Sprint(c.Interface())
			v, ok := Convert(x, to)
			if ok != wantOK {
				t.Errorf("Convert(%T %v, %s) ok = %v, want %v", x, x, to, ok, wantOK)
				continue
			}
			if ok && (v.Type() != to || !v.Equal(c)) {
				t.Errorf("Convert(%T %v, %s) = %v, want %v", x, x, to, v, c)
			}
		}
	}
}
