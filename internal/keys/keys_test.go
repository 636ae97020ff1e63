package keys

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func mustParse(t *testing.T, s string) *Template {
	t.Helper()
	tpl, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func mustEncode(t *testing.T, v any) string {
	t.Helper()
	s, err := Encode(reflect.ValueOf(v))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestParseTemplate(t *testing.T) {
	tests := []struct {
		tpl   string
		attrs []string
		lits  []string
	}{
		{"USER#{username}", []string{"username"}, []string{"USER#", ""}},
		{"USER#{username}#PHOTO#{taken}", []string{"username", "taken"}, []string{"USER#", "#PHOTO#", ""}},
		{"{a}#{b}#END", []string{"a", "b"}, []string{"", "#", "#END"}},
		{"PROFILE", nil, []string{"PROFILE"}},
		{"#META", nil, []string{"#META"}},
		{"ORG{org}", []string{"org"}, []string{"ORG", ""}},
		{"A B!{x}#c d", []string{"x"}, []string{"A B!", "#c d"}},
		{"É#{名前}", []string{"名前"}, []string{"É#", ""}},
	}
	for _, tt := range tests {
		tpl := mustParse(t, tt.tpl)
		if diff := cmp.Diff(tt.attrs, tpl.attrs); diff != "" {
			t.Errorf("Parse(%q) attrs (-want +got):\n%s", tt.tpl, diff)
		}
		if diff := cmp.Diff(tt.lits, tpl.lits); diff != "" {
			t.Errorf("Parse(%q) literals (-want +got):\n%s", tt.tpl, diff)
		}
		if tpl.String() != tt.tpl {
			t.Errorf("String() = %q, want %q", tpl.String(), tt.tpl)
		}
	}
}

func TestParseTemplateErrors(t *testing.T) {
	tests := []struct{ tpl, want string }{
		{"", "empty template"},
		{"USER#{}", "empty placeholder"},
		{"USER#{name", `unbalanced '{'`},
		{"USER#name}", `unbalanced '}'`},
		{"USER#{a{b}", `unbalanced '{'`},
		{"USER#{a}}", `unbalanced '}'`},
		{"{a}#{a}", "duplicate placeholder {a}"},
		{"{a}{b}", "placeholder {a} must be followed by '#'"},
		{"{a}x{b}", "placeholder {a} must be followed by '#'"},
		{"USER#{a}x", "placeholder {a} must be followed by '#'"},
		{"USER%#{a}", "escape character '%'"},
		{"{a}#100%", "escape character '%'"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.tpl)
		if err == nil {
			t.Errorf("Parse(%q) succeeded, want error %q", tt.tpl, tt.want)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "template "+`"`+tt.tpl+`"`) {
			t.Errorf("Parse(%q) error = %q, want it to name the template and contain %q", tt.tpl, err, tt.want)
		}
	}
}

func TestAttrsIsACopy(t *testing.T) {
	tpl := mustParse(t, "{a}#{b}")
	tpl.Attrs()[0] = "x"
	if diff := cmp.Diff([]string{"a", "b"}, tpl.Attrs()); diff != "" {
		t.Errorf("Attrs changed by caller (-want +got):\n%s", diff)
	}
}

func TestBuildPrefixParse(t *testing.T) {
	photo := mustParse(t, "USER#{username}#PHOTO#{taken}")
	taken := mustEncode(t, time.Date(2024, 5, 6, 7, 8, 9, 500, time.UTC))
	tests := []struct {
		tpl    *Template
		vals   []string
		key    string
		prefix map[int]string // Prefix(vals[:n]) for n values
	}{
		{
			tpl:  photo,
			vals: []string{"ann", taken},
			key:  "USER#ann#PHOTO#2024-05-06T07:08:09.000000500Z",
			prefix: map[int]string{
				0: "USER#",
				1: "USER#ann#PHOTO#",
				2: "USER#ann#PHOTO#2024-05-06T07:08:09.000000500Z",
			},
		},
		{
			tpl:    photo,
			vals:   []string{mustEncode(t, "ann#PHOTO"), taken},
			key:    "USER#ann%23PHOTO#PHOTO#2024-05-06T07:08:09.000000500Z",
			prefix: map[int]string{1: "USER#ann%23PHOTO#PHOTO#"},
		},
		{
			tpl:    mustParse(t, "{a}#{b}#END"),
			vals:   []string{"x", "-9999999999999999999"},
			key:    "x#-9999999999999999999#END",
			prefix: map[int]string{0: "", 1: "x#", 2: "x#-9999999999999999999#END"},
		},
		{
			tpl:    mustParse(t, "PROFILE"),
			vals:   []string{},
			key:    "PROFILE",
			prefix: map[int]string{0: "PROFILE"},
		},
	}
	for _, tt := range tests {
		key, err := tt.tpl.Build(tt.vals)
		if err != nil {
			t.Fatalf("%s.Build(%q): %v", tt.tpl, tt.vals, err)
		}
		if key != tt.key {
			t.Errorf("%s.Build(%q) = %q, want %q", tt.tpl, tt.vals, key, tt.key)
		}
		for n, want := range tt.prefix {
			if got := tt.tpl.Prefix(tt.vals[:n]); got != want {
				t.Errorf("%s.Prefix(%q) = %q, want %q", tt.tpl, tt.vals[:n], got, want)
			}
		}
		got, err := tt.tpl.Parse(key)
		if err != nil {
			t.Fatalf("%s.Parse(%q): %v", tt.tpl, key, err)
		}
		if diff := cmp.Diff(tt.vals, got); diff != "" {
			t.Errorf("%s.Parse(%q) (-want +got):\n%s", tt.tpl, key, diff)
		}
	}
}

func TestBuildErrors(t *testing.T) {
	tpl := mustParse(t, "USER#{username}#PHOTO#{taken}")
	_, err := tpl.Build([]string{"ann", ""})
	if !errors.Is(err, ErrEmpty) || !strings.Contains(err.Error(), `"taken"`) {
		t.Errorf("Build with empty value: err = %v, want ErrEmpty naming \"taken\"", err)
	}
	if _, err := tpl.Build([]string{"ann"}); err == nil {
		t.Error("Build with a missing value succeeded")
	}
	for _, raw := range []string{"ann#PHOTO", "a b", "50%", "%41", "%2a"} {
		if _, err := tpl.Build([]string{raw, "x"}); err == nil || !strings.Contains(err.Error(), "not encoded") {
			t.Errorf("Build(%q) err = %v, want \"not encoded\"", raw, err)
		}
	}
}

func TestPrefixStopsAtEmpty(t *testing.T) {
	tpl := mustParse(t, "USER#{username}#PHOTO#{taken}")
	if got, want := tpl.Prefix([]string{"ann", ""}), "USER#ann#PHOTO#"; got != want {
		t.Errorf("Prefix(ann, \"\") = %q, want %q", got, want)
	}
	if got, want := tpl.Prefix([]string{"", "x"}), "USER#"; got != want {
		t.Errorf("Prefix(\"\", x) = %q, want %q", got, want)
	}
}

func TestPrefixPanics(t *testing.T) {
	tpl := mustParse(t, "USER#{username}")
	for _, vals := range [][]string{{"a", "b"}, {"ann#x"}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Prefix(%q) did not panic", vals)
				}
			}()
			tpl.Prefix(vals)
		}()
	}
}

func TestParseKeyErrors(t *testing.T) {
	tpl := mustParse(t, "USER#{username}#PHOTO#{taken}")
	for _, key := range []string{
		"",
		"USER#",
		"USER#ann",
		"USER#ann#PHOTO#",
		"USER##PHOTO#x",
		"USER#ann#POST#x",
		"USER#ann#PHOTO#x#y",
		"USR#ann#PHOTO#x",
		"USER#a b#PHOTO#x",
		"USER#a%2#PHOTO#x",
	} {
		if vals, err := tpl.Parse(key); !errors.Is(err, ErrNoMatch) {
			t.Errorf("Parse(%q) = %q, %v; want ErrNoMatch", key, vals, err)
		}
	}
	last := mustParse(t, "A#{a}")
	if vals, err := last.Parse("A#x#y"); !errors.Is(err, ErrNoMatch) {
		t.Errorf("Parse(A#x#y) = %q, %v; want ErrNoMatch", vals, err)
	}
}

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"ann", "ann"},
		{"ann#PHOTO", "ann%23PHOTO"},
		{"100%", "100%25"},
		{"%23", "%2523"},
		{"a b", "a%20b"},
		{"!\"$", "%21%22%24"},
		{"\x00\n\x1f", "%00%0A%1F"},
		{"&'()~{}", "&'()~{}"},
		{"é漢字🙂", "é漢字🙂"},
	}
	for _, tt := range tests {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got, err := Unescape(tt.want); err != nil || got != tt.in {
			t.Errorf("Unescape(%q) = %q, %v; want %q", tt.want, got, err, tt.in)
		}
	}
}

func TestUnescapeRejectsNonCanonical(t *testing.T) {
	for _, s := range []string{"a#b", "a b", "%", "%2", "%2a", "%41", "%FF", "%G0", "x%", "!"} {
		if got, err := Unescape(s); err == nil {
			t.Errorf("Unescape(%q) = %q, want error", s, got)
		}
	}
}

type (
	userID  string
	counter int16
	flag    bool
)

func TestEncode(t *testing.T) {
	tests := []struct {
		v    any
		want string
	}{
		{"ann#PHOTO", "ann%23PHOTO"},
		{userID("bob smith"), "bob%20smith"},
		{"", ""},
		{true, "true"},
		{flag(false), "false"},
		{0, "00000000000000000000"},
		{42, "00000000000000000042"},
		{-1, "-9999999999999999999"},
		{-42, "-9999999999999999958"},
		{int8(math.MinInt8), "-9999999999999999872"},
		{counter(7), "00000000000000000007"},
		{int64(math.MaxInt64), "09223372036854775807"},
		{int64(math.MinInt64), "-0776627963145224192"},
		{uint8(255), "00000000000000000255"},
		{uint64(math.MaxUint64), "18446744073709551615"},
		{time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), "2024-01-02T03:04:05.000000000Z"},
		{time.Date(2024, 1, 2, 3, 4, 5, 120, time.FixedZone("X", 2*3600)), "2024-01-02T01:04:05.000000120Z"},
		{time.Time{}, "0001-01-01T00:00:00.000000000Z"},
		{time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), "0000-01-01T00:00:00.000000000Z"},
		{time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), "9999-12-31T23:59:59.999999999Z"},
	}
	for _, tt := range tests {
		got, err := Encode(reflect.ValueOf(tt.v))
		if err != nil {
			t.Errorf("Encode(%T %v): %v", tt.v, tt.v, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Encode(%T %v) = %q, want %q", tt.v, tt.v, got, tt.want)
		}
		// Round trip through Decode into a fresh value of the same type.
		p := reflect.New(reflect.TypeOf(tt.v))
		if err := Decode(got, p.Elem()); err != nil {
			t.Errorf("Decode(%q, %T): %v", got, tt.v, err)
			continue
		}
		back := p.Elem().Interface()
		if want, ok := tt.v.(time.Time); ok {
			if bt := back.(time.Time); !bt.Equal(want) || bt.Location() != time.UTC {
				t.Errorf("Decode(%q) = %v, want %v in UTC", got, bt, want)
			}
		} else if back != tt.v {
			t.Errorf("Decode(%q, %T) = %v, want %v", got, tt.v, back, tt.v)
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	tests := []any{
		1.5, float32(2), []byte("x"), []string{"a"}, map[string]int{}, struct{}{},
		new(string), uintptr(1), complex(1, 2), nil,
	}
	for _, v := range tests {
		rv := reflect.ValueOf(v)
		if _, err := Encode(rv); !errors.Is(err, ErrUnsupported) {
			t.Errorf("Encode(%T): err = %v, want ErrUnsupported", v, err)
		}
		if v != nil && Supported(rv.Type()) {
			t.Errorf("Supported(%T) = true", v)
		}
	}
	for _, v := range []any{
		"bad\xffutf8",
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 12, 31, 0, 0, 0, 0, time.UTC),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.FixedZone("E", 3600)), // UTC is year -1
	} {
		if s, err := Encode(reflect.ValueOf(v)); err == nil {
			t.Errorf("Encode(%v) = %q, want error", v, s)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	var (
		i8  int8
		u8  uint8
		i64 int64
		u64 uint64
		b   bool
		s   string
		tm  time.Time
		f   float64
	)
	tests := []struct {
		s string
		v any // pointer
	}{
		{"00000000000000000128", &i8},
		{"-9999999999999999871", &i8}, // -129
		{"00000000000000000256", &u8},
		{"-9999999999999999999", &u64},
		{"09223372036854775808", &i64}, // MaxInt64+1
		{"-0776627963145224191", &i64}, // MinInt64-1
		{"18446744073709551616", &u64}, // MaxUint64+1
		{"42", &i64},
		{"+0000000000000000042", &i64},
		{"-000000000000000004x", &i64},
		{"0000000000000000004 ", &i64},
		{"-10000000000000000000", &i64},
		{"1", &b},
		{"True", &b},
		{"a#b", &s},
		{"a%2", &s},
		{"2024-01-02T03:04:05Z", &tm},
		{"2024-01-02T03:04:05.123Z", &tm},
		{"2024-01-02T03:04:05.000000000+01:00", &tm},
		{"2024-1-02T03:04:05.000000000Z", &tm},
		{"2024-02-30T03:04:05.000000000Z", &tm},
		{"00000000000000000001", &f},
	}
	for _, tt := range tests {
		if err := Decode(tt.s, reflect.ValueOf(tt.v).Elem()); err == nil {
			t.Errorf("Decode(%q, %T) succeeded", tt.s, tt.v)
		}
	}
	if err := Decode("x", reflect.ValueOf("x")); err == nil {
		t.Error("Decode into an unsettable value succeeded")
	}
}

func TestIsZero(t *testing.T) {
	tests := []struct {
		v    any
		want bool
	}{
		{"", true},
		{"a", false},
		{0, true},
		{-1, false},
		{uint8(0), true},
		{false, true},
		{time.Time{}, true},
		{time.Time{}.In(time.FixedZone("X", 3600)), true},
		{time.Unix(0, 0), false},
		{nil, true},
	}
	for _, tt := range tests {
		if got := IsZero(reflect.ValueOf(tt.v)); got != tt.want {
			t.Errorf("IsZero(%#v) = %v, want %v", tt.v, got, tt.want)
		}
	}
}

func Example() {
	photo, _ := Parse("USER#{username}#PHOTO#{taken}")
	user, _ := Encode(reflect.ValueOf("ann#PHOTO"))
	taken, _ := Encode(reflect.ValueOf(time.Date(2024, 5, 6, 7, 8, 9, 0, time.FixedZone("CEST", 2*3600))))
	key, _ := photo.Build([]string{user, taken})
	fmt.Println(key)
	fmt.Println(photo.Prefix([]string{user}))
	vals, _ := photo.Parse(key)
	var back string
	_ = Decode(vals[0], reflect.ValueOf(&back).Elem())
	fmt.Println(back)
	// Output:
	// USER#ann%23PHOTO#PHOTO#2024-05-06T05:08:09.000000000Z
	// USER#ann%23PHOTO#PHOTO#
	// ann#PHOTO
}

func TestQuote(t *testing.T) {
	if got := Quote("ann#1"); got != `"ann#1"` {
		t.Errorf("Quote(short) = %s", got)
	}
	long := strings.Repeat("é", 2000) // 4,000 bytes, 2-byte runes
	got := Quote(long)
	if len(got) > QuoteLimit+30 || !strings.HasSuffix(got, "… (4000 bytes)") {
		t.Errorf("Quote(4,000 bytes) = %s (%d bytes)", got, len(got))
	}
	if _, err := strconv.Unquote(got[:strings.Index(got, "…")]); err != nil || strings.Contains(got, `\x`) {
		t.Errorf("Quote cut a rune: %s", got)
	}
	_, err := mustParse(t, "USER#{u}").Parse("USER#" + strings.Repeat("x", 3000) + "#y")
	if err == nil || len(err.Error()) > 300 {
		t.Errorf("Parse of a 3 KB key: message of %d bytes", len(err.Error()))
	}
}

// TestMatches checks Matches agrees with Parse and allocates nothing on a
// match.
func TestMatches(t *testing.T) {
	tmpl, err := Parse("USER#{user}#PHOTO#{taken}")
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"USER#ann#PHOTO#2026", "USER#ann", "USER##PHOTO#x", "ORG#a#PHOTO#b", "USER#a#PHOTO#b#c"} {
		_, err := tmpl.Parse(key)
		if got := tmpl.Matches(key); got != (err == nil) {
			t.Errorf("Matches(%q) = %v, Parse error %v", key, got, err)
		}
	}
	if n := testing.AllocsPerRun(100, func() { tmpl.Matches("USER#ann#PHOTO#2026") }); n != 0 {
		t.Errorf("Matches allocates %v times", n)
	}
}
