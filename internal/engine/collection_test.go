package engine

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// holds reports whether sort key k meets condition c, comparing bytes as
// DynamoDB does.
func (c SkKey) holds(k string) bool {
	switch c.Op {
	case KeyAny:
		return true
	case KeyBeginsWith:
		return strings.HasPrefix(k, c.A)
	case KeyGreaterOrEqual:
		return k >= c.A
	case KeyBetween:
		return c.A <= k && k <= c.B
	}
	panic("unexpected op")
}

// TestSpanCoversEveryKey: every key starting with one of the prefixes
// meets the collection's condition, whatever follows the prefix, down to
// the edges of UTF-8 (U+10FFFF, the surrogate gap, NUL).
func TestSpanCoversEveryKey(t *testing.T) {
	suffixes := []string{"", "\x00", "!", "#", "%00", "%25", "-0776627963145224192", "00000000000000000000",
		"18446744073709551615", "0000-01-01T00:00:00.000000000Z", "9999-12-31T23:59:59.999999999Z",
		"\x7f", "é", "\uD7FF", "\uE000", "\uFFFF", strings.Repeat("\U0010FFFF", 250) + "\U0010FFFF\x7f"}
	for _, tc := range []struct {
		prefixes []string
		want     SkKey
	}{
		{nil, SkKey{}},
		{[]string{"A", ""}, SkKey{}},
		{[]string{"REACTION#", "REACTION#"}, SkKey{Op: KeyBeginsWith, A: "REACTION#"}},
		{[]string{"A", "A#B"}, SkKey{Op: KeyBeginsWith, A: "A"}},
		{[]string{"REPO", "ISSUE#"}, SkKey{Op: KeyBetween, A: "ISSUE#", B: "REPP"}},
		{[]string{"A", "REACTION#", "COMMENT#"}, SkKey{Op: KeyBetween, A: "A", B: "REACTION$"}},
		{[]string{"X\U0010FFFF", "A"}, SkKey{Op: KeyBetween, A: "A", B: "Y"}},
		{[]string{"\U0010FFFF", "A"}, SkKey{Op: KeyGreaterOrEqual, A: "A"}},
		{[]string{"B\uD7FF", "A"}, SkKey{Op: KeyBetween, A: "A", B: "B\uE000"}},
		{[]string{"B\x7f", "A"}, SkKey{Op: KeyBetween, A: "A", B: "B\u0080"}},
		{[]string{"Bé", "A"}, SkKey{Op: KeyBetween, A: "A", B: "Bê"}},
	} {
		got := Span(tc.prefixes)
		if got != tc.want {
			t.Errorf("span(%q) = %+v, want %+v", tc.prefixes, got, tc.want)
		}
		if got.Op == KeyBetween && !utf8.ValidString(got.B) {
			t.Errorf("span(%q): upper bound %q is not valid UTF-8", tc.prefixes, got.B)
		}
		for _, p := range tc.prefixes {
			for _, s := range suffixes {
				if k := p + s; !got.holds(k) {
					t.Errorf("span(%q) = %+v excludes key %q", tc.prefixes, got, k)
				}
			}
		}
	}
}

// FuzzSpan: no key starting with one of two prefixes falls outside their
// span.
func FuzzSpan(f *testing.F) {
	f.Add("REPO", "ISSUE#", "\U0010FFFF")
	f.Add("A", "A#", "")
	f.Fuzz(func(t *testing.T, a, b, suffix string) {
		if !utf8.ValidString(a) || !utf8.ValidString(b) || !utf8.ValidString(suffix) {
			return
		}
		c := Span([]string{a, b})
		for _, k := range []string{a + suffix, b + suffix} {
			if !c.holds(k) {
				t.Fatalf("span(%q, %q) = %+v excludes %q", a, b, c, k)
			}
		}
	})
}
