package keys

import (
	"fmt"
	"reflect"
	"time"
	"unicode/utf8"
	"unsafe"
)

// A Codec is the key field encoding of one Go type (see the package doc),
// compiled once: it works on a pointer to a value of the type, with no
// reflection, and appends to a caller's buffer. It gives the same results
// and errors as Encode, Decode and IsZero. A Codec is immutable and safe
// for concurrent use.
type Codec struct {
	typ  reflect.Type
	kind codecKind
	bits uint // of an integer
}

type codecKind uint8

const (
	kString codecKind = iota
	kBool
	kInt
	kUint
	kTime
)

// Compile returns the Codec of type t, or an error wrapping ErrUnsupported.
func Compile(t reflect.Type) (*Codec, error) {
	if !Supported(t) {
		if t == nil {
			return nil, fmt.Errorf("keys: invalid value: %w", ErrUnsupported)
		}
		return nil, fmt.Errorf("keys: %s: %w", t, ErrUnsupported)
	}
	c := &Codec{typ: t}
	switch t.Kind() {
	case reflect.String:
		c.kind = kString
	case reflect.Bool:
		c.kind = kBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		c.kind, c.bits = kInt, uint(t.Size()*8)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		c.kind, c.bits = kUint, uint(t.Size()*8)
	default:
		c.kind = kTime
	}
	return c, nil
}

// Type returns the Go type the codec encodes.
func (c *Codec) Type() reflect.Type { return c.typ }

// Append appends the encoding of the value at p to b. An empty string
// appends nothing; Template.Build would reject it.
func (c *Codec) Append(b []byte, p unsafe.Pointer) ([]byte, error) {
	switch c.kind {
	case kString:
		return appendString(b, *(*string)(p))
	case kBool:
		if *(*bool)(p) {
			return append(b, "true"...), nil
		}
		return append(b, "false"...), nil
	case kInt:
		return appendInt(b, c.int(p)), nil
	case kUint:
		return appendUint(b, c.uint(p)), nil
	}
	return AppendTime(b, *(*time.Time)(p))
}

// Decode parses s, an encoding made by Encode, into the value at p. Values
// out of the type's range are an error.
func (c *Codec) Decode(s string, p unsafe.Pointer) error {
	switch c.kind {
	case kString:
		u, err := Unescape(s)
		if err != nil {
			return err
		}
		*(*string)(p) = u
		return nil
	case kBool:
		switch s {
		case "false":
			*(*bool)(p) = false
			return nil
		case "true":
			*(*bool)(p) = true
			return nil
		}
	case kInt:
		mag, neg, ok := decodeInt(s)
		if !ok || !neg && mag > 1<<63-1 {
			break
		}
		n := int64(mag)
		if neg {
			n = int64(-mag) // two's complement; exact for mag == 1<<63
		}
		if n<<(64-c.bits)>>(64-c.bits) != n {
			break
		}
		c.setInt(p, n)
		return nil
	case kUint:
		mag, neg, ok := decodeInt(s)
		if !ok || neg || c.bits < 64 && mag>>c.bits != 0 {
			break
		}
		c.setUint(p, mag)
		return nil
	default:
		if t, ok := parseTime(s); ok {
			*(*time.Time)(p) = t
			return nil
		}
	}
	return fmt.Errorf("keys: cannot decode %s into %s", Quote(s), c.typ)
}

// Zero reports whether the value at p is its type's zero value (see
// IsZero).
func (c *Codec) Zero(p unsafe.Pointer) bool {
	switch c.kind {
	case kString:
		return *(*string)(p) == ""
	case kBool:
		return !*(*bool)(p)
	case kInt:
		return c.int(p) == 0
	case kUint:
		return c.uint(p) == 0
	}
	return (*time.Time)(p).IsZero()
}

// Empty reports whether the value at p is no key field value: an empty
// string or a zero time. Zero numbers and false are values.
func (c *Codec) Empty(p unsafe.Pointer) bool {
	switch c.kind {
	case kString:
		return *(*string)(p) == ""
	case kTime:
		return (*time.Time)(p).IsZero()
	}
	return false
}

func (c *Codec) int(p unsafe.Pointer) int64 {
	return load[int8, int16, int32, int64](p, c.bits)
}

func (c *Codec) setInt(p unsafe.Pointer, n int64) {
	store[int8, int16, int32, int64](p, c.bits, n)
}

func (c *Codec) uint(p unsafe.Pointer) uint64 {
	return load[uint8, uint16, uint32, uint64](p, c.bits)
}

func (c *Codec) setUint(p unsafe.Pointer, n uint64) {
	store[uint8, uint16, uint32, uint64](p, c.bits, n)
}

// load returns the integer of the given bits at p (of type I8, I16, I32 or
// W), widened to W; store stores n there, truncated. Signed and unsigned
// integers are each one instantiation.
func load[I8, I16, I32 integer, W int64 | uint64](p unsafe.Pointer, bits uint) W {
	switch bits {
	case 8:
		return W(*(*I8)(p))
	case 16:
		return W(*(*I16)(p))
	case 32:
		return W(*(*I32)(p))
	}
	return *(*W)(p)
}

func store[I8, I16, I32 integer, W int64 | uint64](p unsafe.Pointer, bits uint, n W) {
	switch bits {
	case 8:
		*(*I8)(p) = I8(n)
	case 16:
		*(*I16)(p) = I16(n)
	case 32:
		*(*I32)(p) = I32(n)
	default:
		*(*W)(p) = n
	}
}

type integer interface {
	~int8 | ~int16 | ~int32 | ~uint8 | ~uint16 | ~uint32
}

// appendString appends s escaped (see Escape).
func appendString(b []byte, s string) ([]byte, error) {
	if !utf8.ValidString(s) {
		return b, fmt.Errorf("keys: string %s is not valid UTF-8", Quote(s))
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; escaped(c) {
			b = append(b, EscapeChar, upperHex[c>>4], upperHex[c&0xF])
		} else {
			b = append(b, c)
		}
	}
	return b, nil
}

// appendUint appends u in intWidth zero-padded digits.
func appendUint(b []byte, u uint64) []byte {
	var d [intWidth]byte
	for i := intWidth - 1; i >= 0; i-- {
		d[i] = byte('0' + u%10)
		u /= 10
	}
	return append(b, d[:]...)
}

// appendInt appends n's encoding (see encodeInt).
func appendInt(b []byte, n int64) []byte {
	if n >= 0 {
		return appendUint(b, uint64(n))
	}
	var d [intWidth]byte
	u := tenPow19 - uint64(-n)
	for i := intWidth - 1; i >= 1; i-- {
		d[i] = byte('0' + u%10)
		u /= 10
	}
	d[0] = '-'
	return append(b, d[:]...)
}

// AppendTime appends t's encoding, "2006-01-02T15:04:05.000000000Z" in
// UTC, written digit by digit (what t.UTC().AppendFormat(b, TimeLayout)
// writes). A year outside 0000..9999 is an error.
func AppendTime(b []byte, t time.Time) ([]byte, error) {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return b, fmt.Errorf("keys: time %s: year %d outside 0000..9999", t.Format(time.RFC3339Nano), year)
	}
	hour, min, sec := t.Clock()
	var d [len(TimeLayout)]byte
	put := func(at, width, v int) {
		for i := at + width - 1; i >= at; i-- {
			d[i] = byte('0' + v%10)
			v /= 10
		}
	}
	put(0, 4, year)
	d[4] = '-'
	put(5, 2, int(month))
	d[7] = '-'
	put(8, 2, day)
	d[10] = 'T'
	put(11, 2, hour)
	d[13] = ':'
	put(14, 2, min)
	d[16] = ':'
	put(17, 2, sec)
	d[19] = '.'
	put(20, 9, t.Nanosecond())
	d[29] = 'Z'
	return append(b, d[:]...), nil
}

// parseTime parses the canonical encoding of a time (what AppendTime
// writes, and nothing else) without time.Parse.
func parseTime(s string) (time.Time, bool) {
	if len(s) != len(TimeLayout) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' || s[29] != 'Z' {
		return time.Time{}, false
	}
	ok := true
	num := func(at, width int) int {
		v := 0
		for i := at; i < at+width; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				ok = false
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	year, month, day := num(0, 4), num(5, 2), num(8, 2)
	hour, min, sec, nsec := num(11, 2), num(14, 2), num(17, 2), num(20, 9)
	if !ok || month < 1 || month > 12 || day < 1 || hour > 23 || min > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, min, sec, nsec, time.UTC)
	if t.Day() != day { // day past the month's end: Date normalized it
		return time.Time{}, false
	}
	return t, true
}
