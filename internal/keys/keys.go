// Package keys builds and parses DynamoDB key strings from templates such as
// "USER#{username}#PHOTO#{taken}", and encodes Go values as key fields that are
// safe (distinct values never give the same key) and sortable (the byte order
// of keys is the natural order of their values).
//
// # Templates
//
// A template is literal text and {name} placeholders. Each placeholder must be
// followed by the end of the template or by literal text that starts with the
// delimiter '#', so a key parses back without ambiguity: an encoded value never
// holds '#', hence a value runs to the next '#' or to the end of the key.
// Literal text may not hold the escape character '%' or a brace; names may not
// be empty, hold a brace, or repeat. A template without placeholders (a
// constant such as "PROFILE") is allowed; an empty template is not.
//
// Build joins encoded values into a key and rejects an empty value (ErrEmpty):
// an empty field would make the key of a partial value look like a full key.
// Prefix joins the leading values of a partial value and then the literal text
// up to the next placeholder: for "USER#{username}#PHOTO#{taken}" it gives
// "USER#" for no values and "USER#ann#PHOTO#" for username "ann". Because that
// literal starts with '#', a prefix ends on a field boundary and
// begins_with(SK, "USER#ann#PHOTO#") never matches user "anne". With every
// value given, Prefix equals Build: a full key, to be matched with equality.
//
// # Escaping strings
//
// A string is written as its bytes, except that every byte at or below '%'
// (0x25: control characters, space, '!', '"', '#', '$', '%') becomes '%' and
// two upper-case hex digits, as in URL percent-encoding: "ann#PHOTO" is
// "ann%23PHOTO", "a b" is "a%20b". Escaping every byte below the escape
// character, not just '#' and '%', keeps order exact: escaped strings compare
// byte-wise as the originals do, and the delimiter sorts below every byte an
// encoded value can hold, so a key whose field is a proper prefix of another's
// ("ann" vs "anne", "ann" vs "ann!") sorts first. Keys of one template sort as
// their field tuples, with no caveat. Only the canonical form decodes (no raw
// byte <= '%', upper-case hex, escapes only of bytes <= '%'), so every value has
// exactly one encoding. Strings must be valid UTF-8: DynamoDB would replace
// invalid bytes, and distinct values would collide.
//
// # Encoding other values
//
// All int and uint kinds share one 20-character form, so a key is unchanged
// when a field's type widens. n >= 0 is n in 20 zero-padded digits
// ("00000000000000000042", math.MaxUint64 is "18446744073709551615"); n < 0 is
// '-' and 10^19+n in 19 zero-padded digits ("-9999999999999999999" for -1,
// "-0776627963145224192" for math.MinInt64). '-' sorts below the digits and a
// more negative n has a smaller complement, so byte order is numeric order.
//
// A time.Time is written in UTC with exactly nine fractional digits,
// "2006-01-02T15:04:05.000000000Z" (RFC3339Nano trims trailing zeros, which
// breaks order); years outside 0000..9999 are an error. A bool is "false" or
// "true". Named types encode by their kind; other types are unsupported.
package keys

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	// Delimiter separates a placeholder from the literal text after it.
	Delimiter = '#'
	// EscapeChar starts a two-hex-digit escape inside an encoded string.
	EscapeChar = '%'
)

var (
	// ErrEmpty reports an empty key field value.
	ErrEmpty = errors.New("empty key value")
	// ErrUnsupported reports a Go type that cannot be a key field.
	ErrUnsupported = errors.New("type not supported in a key")
	// ErrNoMatch reports a key that does not have the shape of a template.
	ErrNoMatch = errors.New("key does not match template")
)

// Template is a parsed key template. It is immutable and safe for concurrent use.
type Template struct {
	src   string
	attrs []string
	lits  []string // len(attrs)+1: text before, between and after the placeholders
}

// Parse parses a key template such as "USER#{username}#PHOTO#{taken}".
func Parse(s string) (*Template, error) {
	fail := func(format string, args ...any) (*Template, error) {
		return nil, fmt.Errorf("keys: template %q: %s", s, fmt.Sprintf(format, args...))
	}
	if s == "" {
		return fail("empty template")
	}
	t := &Template{src: s}
	lit, litStart := "", 0
	flush := func(end int) { lit, litStart = s[litStart:end], end }
	seen := map[string]bool{}
	for i := 0; i < len(s); {
		switch s[i] {
		case '{':
			flush(i)
			if len(t.attrs) > 0 && !startsWithDelim(lit) {
				return fail("placeholder {%s} must be followed by %q or the end", t.attrs[len(t.attrs)-1], Delimiter)
			}
			n := strings.IndexByte(s[i+1:], '}')
			if n < 0 {
				return fail("unbalanced %q at offset %d", '{', i)
			}
			name := s[i+1 : i+1+n]
			switch {
			case name == "":
				return fail("empty placeholder {} at offset %d", i)
			case strings.IndexByte(name, '{') >= 0:
				return fail("unbalanced %q at offset %d", '{', i)
			case seen[name]:
				return fail("duplicate placeholder {%s}", name)
			}
			seen[name] = true
			t.lits = append(t.lits, lit)
			t.attrs = append(t.attrs, name)
			i += n + 2
			litStart = i
		case '}':
			return fail("unbalanced %q at offset %d", '}', i)
		case EscapeChar:
			return fail("literal text contains the escape character %q at offset %d", EscapeChar, i)
		default:
			i++
		}
	}
	flush(len(s))
	if len(t.attrs) > 0 && lit != "" && !startsWithDelim(lit) {
		return fail("placeholder {%s} must be followed by %q or the end", t.attrs[len(t.attrs)-1], Delimiter)
	}
	t.lits = append(t.lits, lit)
	return t, nil
}

func startsWithDelim(s string) bool { return s != "" && s[0] == Delimiter }

// String returns the template text.
func (t *Template) String() string { return t.src }

// Attrs returns the placeholder attribute names, in order.
func (t *Template) Attrs() []string { return append([]string(nil), t.attrs...) }

// Build returns the key for vals, one encoded value (see Encode) per attribute.
// An empty value is an error wrapping ErrEmpty that names the attribute.
func (t *Template) Build(vals []string) (string, error) {
	if len(vals) != len(t.attrs) {
		return "", fmt.Errorf("keys: template %q: got %d values for %d attributes", t.src, len(vals), len(t.attrs))
	}
	for i, v := range vals {
		if v == "" {
			return "", fmt.Errorf("keys: template %q: attribute %q: %w", t.src, t.attrs[i], ErrEmpty)
		}
		if !encoded(v) {
			return "", fmt.Errorf("keys: template %q: attribute %q: value %s is not encoded (use keys.Encode)", t.src, t.attrs[i], Quote(v))
		}
	}
	return t.join(vals), nil
}

// Prefix returns the key prefix for the leading values of a partial value:
// the literal text, vals joined as in Build, and the literal text after the
// last given value up to the next placeholder. It stops at the first empty
// value, so a prefix always ends on a field boundary. With no values it is the
// literal text before the first placeholder (possibly ""); with all values it
// equals Build. It panics if vals are more than the attributes or a value is
// not encoded, since either means the caller skipped Encode or miscounted.
func (t *Template) Prefix(vals []string) string {
	if len(vals) > len(t.attrs) {
		panic(fmt.Sprintf("keys: template %q: Prefix got %d values for %d attributes", t.src, len(vals), len(t.attrs)))
	}
	for i, v := range vals {
		if v == "" {
			vals = vals[:i]
			break
		}
		if !encoded(v) {
			panic(fmt.Sprintf("keys: template %q: attribute %q: value %s is not encoded (use keys.Encode)", t.src, t.attrs[i], Quote(v)))
		}
	}
	return t.join(vals)
}

func (t *Template) join(vals []string) string {
	if len(vals) == 0 {
		return t.lits[0] // a query's usual prefix: no copy of it
	}
	n := len(t.lits[0])
	for i, v := range vals {
		n += len(v) + len(t.lits[i+1])
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(t.lits[0])
	for i, v := range vals {
		b.WriteString(v)
		b.WriteString(t.lits[i+1])
	}
	return b.String()
}

// NumAttrs returns the number of placeholders.
func (t *Template) NumAttrs() int { return len(t.attrs) }

// Literal returns the literal text before placeholder i, or after the last
// one for i == NumAttrs().
func (t *Template) Literal(i int) string { return t.lits[i] }

// Parse splits a key built by Build back into its encoded values. A key of
// another shape is an error wrapping ErrNoMatch.
func (t *Template) Parse(key string) ([]string, error) {
	vals := make([]string, len(t.attrs))
	if err := t.Split(key, vals); err != nil {
		return nil, err
	}
	return vals, nil
}

// Matches reports whether Parse accepts key; it allocates nothing when it
// does.
func (t *Template) Matches(key string) bool {
	var buf [8]string
	var vals []string
	if n := len(t.attrs); n <= len(buf) {
		vals = buf[:n]
	} else {
		vals = make([]string, n)
	}
	return t.Split(key, vals) == nil
}

// Split is Parse into vals, which must have NumAttrs elements.
func (t *Template) Split(key string, vals []string) error {
	fail := func(why string) error {
		return fmt.Errorf("keys: key %s: %w %q: %s", Quote(key), ErrNoMatch, t.src, why)
	}
	rest, ok := strings.CutPrefix(key, t.lits[0])
	if !ok {
		return fail("missing literal " + strconv.Quote(t.lits[0]))
	}
	for i, attr := range t.attrs {
		v := rest
		if j := strings.IndexByte(rest, Delimiter); j >= 0 {
			v = rest[:j]
		}
		if v == "" {
			return fail("empty value for " + strconv.Quote(attr))
		}
		if !encoded(v) {
			return fail("malformed value for " + strconv.Quote(attr))
		}
		vals[i] = v
		if rest, ok = strings.CutPrefix(rest[len(v):], t.lits[i+1]); !ok {
			return fail("missing literal " + strconv.Quote(t.lits[i+1]) + " after " + strconv.Quote(attr))
		}
	}
	if rest != "" {
		return fail("trailing text " + strconv.Quote(rest))
	}
	return nil
}

// escaped reports whether byte c is written as an escape inside a value.
func escaped(c byte) bool { return c <= EscapeChar }

const upperHex = "0123456789ABCDEF"

// Escape returns s with every byte <= '%' written as '%' and two upper-case
// hex digits. It preserves byte order and never yields the delimiter.
func Escape(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if escaped(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		if c := s[i]; escaped(c) {
			b = append(b, EscapeChar, upperHex[c>>4], upperHex[c&0xF])
		} else {
			b = append(b, c)
		}
	}
	return string(b)
}

// Unescape reverses Escape. It accepts only Escape's output, so each string
// has one encoding.
func Unescape(s string) (string, error) {
	if !encoded(s) {
		return "", fmt.Errorf("keys: malformed escaped string %s", Quote(s))
	}
	if strings.IndexByte(s, EscapeChar) < 0 {
		return s, nil
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == EscapeChar {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		} else {
			b = append(b, s[i])
		}
	}
	return string(b), nil
}

// encoded reports whether s is in the canonical escaped form: no raw byte
// <= '%', and each '%' followed by two upper-case hex digits naming such a byte.
func encoded(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !escaped(c) {
			continue
		}
		if c != EscapeChar || i+2 >= len(s) || !isUpperHex(s[i+1]) || !isUpperHex(s[i+2]) ||
			!escaped(unhex(s[i+1])<<4|unhex(s[i+2])) {
			return false
		}
		i += 2
	}
	return true
}

func isUpperHex(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c - 'A' + 10
}

// TimeLayout is the layout of an encoded time: UTC, nine fractional digits.
const TimeLayout = "2006-01-02T15:04:05.000000000Z"

var timeType = reflect.TypeFor[time.Time]()

// Supported reports whether values of type t can be key fields.
func Supported(t reflect.Type) bool {
	if t == nil {
		return false
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	case reflect.Struct:
		return t == timeType
	}
	return false
}

// IsZero reports whether v is its type's zero value (for time.Time, the zero
// instant in any location). The entity layer treats zero trailing key fields
// of a partial value as missing.
func IsZero(v reflect.Value) bool {
	if !v.IsValid() {
		return true
	}
	if v.Type() == timeType {
		return v.Interface().(time.Time).IsZero()
	}
	return v.IsZero()
}

// Encode returns v's key field encoding (see the package doc). An empty
// string encodes as ""; Build rejects it.
func Encode(v reflect.Value) (string, error) {
	if !v.IsValid() || !Supported(v.Type()) {
		return "", unsupported(v)
	}
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		if !utf8.ValidString(s) {
			return "", fmt.Errorf("keys: string %s is not valid UTF-8", Quote(s))
		}
		return Escape(s), nil
	case reflect.Bool:
		return strconv.FormatBool(v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return encodeInt(v.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return encodeUint(v.Uint()), nil
	}
	t := v.Interface().(time.Time).UTC()
	if y := t.Year(); y < 0 || y > 9999 {
		return "", fmt.Errorf("keys: time %s: year %d outside 0000..9999", t.Format(time.RFC3339Nano), y)
	}
	return t.Format(TimeLayout), nil
}

func unsupported(v reflect.Value) error {
	if !v.IsValid() {
		return fmt.Errorf("keys: invalid value: %w", ErrUnsupported)
	}
	return fmt.Errorf("keys: %s: %w", v.Type(), ErrUnsupported)
}

const (
	intWidth = 20
	tenPow19 = 10_000_000_000_000_000_000
)

func encodeUint(u uint64) string {
	var b [intWidth]byte
	for i := intWidth - 1; i >= 0; i-- {
		b[i] = byte('0' + u%10)
		u /= 10
	}
	return string(b[:])
}

func encodeInt(n int64) string {
	if n >= 0 {
		return encodeUint(uint64(n))
	}
	// uint64(-n) is |n| even for math.MinInt64, whose negation wraps to itself.
	s := encodeUint(tenPow19 - uint64(-n))
	return "-" + s[1:] // 10^19-|n| < 10^19 has at most 19 digits, so s[0] is '0'
}

// decodeInt parses an encoded integer; neg reports a negative value, whose
// magnitude is returned.
func decodeInt(s string) (mag uint64, neg bool, ok bool) {
	if len(s) != intWidth {
		return 0, false, false
	}
	neg = s[0] == '-'
	digits := s
	if neg {
		digits = s[1:]
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false, false
		}
	}
	u, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		return 0, false, false
	}
	if !neg {
		return u, false, true
	}
	mag = tenPow19 - u // u < 10^19 since it has 19 digits, so mag >= 1
	if mag > 1<<63 {
		return 0, false, false
	}
	return mag, true, true
}

// Decode parses s, an encoding made by Encode, into v, which must be settable
// and of a supported type. Values out of v's range are an error.
func Decode(s string, v reflect.Value) error {
	if !v.IsValid() || !Supported(v.Type()) {
		return unsupported(v)
	}
	if !v.CanSet() {
		return fmt.Errorf("keys: cannot decode into unsettable %s", v.Type())
	}
	bad := func() error { return fmt.Errorf("keys: cannot decode %s into %s", Quote(s), v.Type()) }
	switch v.Kind() {
	case reflect.String:
		u, err := Unescape(s)
		if err != nil {
			return err
		}
		v.SetString(u)
	case reflect.Bool:
		switch s {
		case "false":
			v.SetBool(false)
		case "true":
			v.SetBool(true)
		default:
			return bad()
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		mag, neg, ok := decodeInt(s)
		if !ok || !neg && mag > 1<<63-1 {
			return bad()
		}
		n := int64(mag)
		if neg {
			n = int64(-mag) // two's complement; exact for mag == 1<<63
		}
		if v.OverflowInt(n) {
			return bad()
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		mag, neg, ok := decodeInt(s)
		if !ok || neg || v.OverflowUint(mag) {
			return bad()
		}
		v.SetUint(mag)
	default: // time.Time
		t, err := time.Parse(TimeLayout, s)
		// Parse is lenient in places; only the canonical form is accepted.
		if err != nil || t.Format(TimeLayout) != s {
			return bad()
		}
		v.Set(reflect.ValueOf(t))
	}
	return nil
}

// QuoteLimit is the most bytes of a key or value Quote quotes.
const QuoteLimit = 100

// Quote returns s quoted for a message: whole when at most QuoteLimit
// bytes, else its first QuoteLimit bytes (cut at a rune boundary), an
// ellipsis and its length, so that no message carries a whole large key.
func Quote(s string) string {
	if len(s) <= QuoteLimit {
		return strconv.Quote(s)
	}
	n := QuoteLimit
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strconv.Quote(s[:n]) + "… (" + strconv.Itoa(len(s)) + " bytes)"
}
