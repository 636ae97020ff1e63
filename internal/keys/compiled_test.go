package keys

import (
	"reflect"
	"testing"
	"time"
	"unsafe"

	gocmp "github.com/google/go-cmp/cmp"
)

// errText is err's message, "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// sameEncoding checks that the compiled codec of v's type encodes v as
// Encode does (same text, same error) and agrees with IsZero.
func sameEncoding[T any](t *testing.T, v T) {
	t.Helper()
	c, err := Compile(reflect.TypeFor[T]())
	if err != nil {
		t.Fatal(err)
	}
	want, wantErr := Encode(reflect.ValueOf(v))
	got, gotErr := c.Append([]byte("prefix"), unsafe.Pointer(&v))
	if errText(gotErr) != errText(wantErr) || wantErr == nil && string(got) != "prefix"+want {
		t.Fatalf("%T %v: compiled %q, %v; reflective %q, %v", v, v, got, gotErr, want, wantErr)
	}
	if z := IsZero(reflect.ValueOf(v)); c.Zero(unsafe.Pointer(&v)) != z {
		t.Fatalf("%T %v: compiled Zero %t, IsZero %t", v, v, !z, z)
	}
}

// sameDecoding checks that the compiled codec of T decodes s as Decode
// does: same value, same error.
func sameDecoding[T any](t *testing.T, s string) {
	t.Helper()
	c, err := Compile(reflect.TypeFor[T]())
	if err != nil {
		t.Fatal(err)
	}
	var want, got T
	wantErr := Decode(s, reflect.ValueOf(&want).Elem())
	gotErr := c.Decode(s, unsafe.Pointer(&got))
	if errText(gotErr) != errText(wantErr) {
		t.Fatalf("decode %q into %T: compiled error %v, reflective %v", s, got, gotErr, wantErr)
	}
	if wantErr == nil {
		if d := gocmp.Diff(want, got); d != "" {
			t.Fatalf("decode %q into %T (-reflective +compiled):\n%s", s, got, d)
		}
		if tm, ok := any(got).(time.Time); ok && tm.Location() != time.UTC {
			t.Fatalf("decode %q: location %v, want UTC", s, tm.Location())
		}
	}
}

type (
	named    string
	namedInt int16
)

// sameDecodingAll decodes s into every supported kind both ways.
func sameDecodingAll(t *testing.T, s string) {
	t.Helper()
	sameDecoding[string](t, s)
	sameDecoding[named](t, s)
	sameDecoding[bool](t, s)
	sameDecoding[int](t, s)
	sameDecoding[int8](t, s)
	sameDecoding[int16](t, s)
	sameDecoding[namedInt](t, s)
	sameDecoding[int32](t, s)
	sameDecoding[int64](t, s)
	sameDecoding[uint](t, s)
	sameDecoding[uint8](t, s)
	sameDecoding[uint16](t, s)
	sameDecoding[uint32](t, s)
	sameDecoding[uint64](t, s)
	sameDecoding[time.Time](t, s)
}

// FuzzCompiledDecode: the compiled decoders accept and reject exactly what
// Decode does, for any text, into every kind; in particular the time
// decoder, which does without time.Parse.
func FuzzCompiledDecode(f *testing.F) {
	for _, s := range []string{
		"2024-05-06T07:08:09.123456789Z", "0000-01-01T00:00:00.000000000Z", "9999-12-31T23:59:59.999999999Z",
		"2024-02-29T00:00:00.000000000Z", "2023-02-29T00:00:00.000000000Z", "2024-04-31T00:00:00.000000000Z",
		"2024-13-01T00:00:00.000000000Z", "2024-00-01T00:00:00.000000000Z", "2024-01-00T00:00:00.000000000Z",
		"2024-01-01T24:00:00.000000000Z", "2024-01-01T23:60:00.000000000Z", "2024-01-01T23:59:60.000000000Z",
		"2024-01-01T00:00:00.00000000Z", "2024-01-01T00:00:00.0000000000", "+024-01-01T00:00:00.000000000Z",
		"2024-01-01 00:00:00.000000000Z", "2024-1-01T00:00:00.0000000000Z", "2024-01-01T00:00:00,000000000Z",
		"00000000000000000042", "-9999999999999999999", "-0776627963145224192", "18446744073709551615",
		"09223372036854775807", "09223372036854775808", "-0000000000000000000", "0000000000000000004a",
		"true", "false", "True", "", "ann", "a%23b", "a%2", "a%41", "a%2a", "é",
	} {
		f.Add(s)
	}
	f.Fuzz(sameDecodingAll)
}

func TestCompileUnsupported(t *testing.T) {
	for _, typ := range []reflect.Type{nil, reflect.TypeFor[float64](), reflect.TypeFor[[]byte](), reflect.TypeFor[struct{}](), reflect.TypeFor[uintptr]()} {
		if _, err := Compile(typ); err == nil {
			t.Errorf("Compile(%v): no error", typ)
		}
	}
}

func TestCompiledZeroValues(t *testing.T) {
	sameEncoding(t, "")
	sameEncoding(t, time.Time{})
	sameEncoding(t, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))
	sameEncoding(t, time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC))
	sameEncoding(t, time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("X", 3600)))
	sameEncoding(t, false)
	sameEncoding(t, int64(0))
	sameEncoding(t, "a\xffb") // invalid UTF-8: the same error
}
