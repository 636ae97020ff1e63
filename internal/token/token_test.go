package token

import (
	"strings"
	"testing"
)

func TestValid(t *testing.T) {
	for _, tc := range []struct {
		t    string
		want bool
	}{
		{"", false},
		{"a", true},
		{strings.Repeat("x", MaxLen), true},
		{strings.Repeat("x", MaxLen+1), false},
		{"caf\xe9", false},
		{"café", true},
	} {
		if got := Valid(tc.t); got != tc.want {
			t.Errorf("Valid(%q) = %v, want %v", tc.t, got, tc.want)
		}
	}
}

// TestDigest pins the digest: token records in tables hold it, so a
// change would turn every retry after an upgrade into ErrTokenReused.
func TestDigest(t *testing.T) {
	for _, tc := range []struct {
		fields []string
		want   string
	}{
		// printf '' | sha256sum
		{nil, "e3b0c44298fc1c149afbf4c8996fb924"},
		// printf '5:photo6:s3://a0:' | sha256sum
		{[]string{"photo", "s3://a", ""}, "eba5f775df40f401c5072a81a6c01c1d"},
	} {
		if got := Digest(tc.fields...); got != tc.want {
			t.Errorf("Digest(%q) = %s, want %s", tc.fields, got, tc.want)
		}
	}
	if Digest("ab", "c") == Digest("a", "bc") {
		t.Error(`Digest("ab", "c") = Digest("a", "bc")`)
	}
}
