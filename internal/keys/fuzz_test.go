package keys

// Property tests. Each property is a fuzz target; its seed corpus holds the
// edge cases plus a few hundred values from a fixed-seed generator, so plain
// `go test` checks every property deterministically and
// `go test -fuzz=FuzzX` explores further.

import (
	"cmp"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
)

const randomSeeds = 300

func newRand() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

// tricky holds the pieces of strings most likely to break escaping: the
// delimiter, the escape character, escapes spelled out, bytes just below and
// above '%', a control byte and multi-byte runes.
var tricky = []string{"a", "n", "e", "#", "%", "%23", "%25", "2", "3", " ", "!", "$", "&", "\x00", "\x7f", "é", "🙂", "~"}

func randString(r *rand.Rand) string {
	var b strings.Builder
	for range r.IntN(6) {
		b.WriteString(tricky[r.IntN(len(tricky))])
	}
	return b.String()
}

var intEdges = []int64{math.MinInt64, math.MinInt64 + 1, -1 << 32, -1, 0, 1, 1 << 32, math.MaxInt64 - 1, math.MaxInt64}

func randInt(r *rand.Rand) int64 {
	if r.IntN(4) == 0 {
		return intEdges[r.IntN(len(intEdges))]
	}
	n := r.Int64() >> r.IntN(64) // spread over magnitudes
	if r.IntN(2) == 0 {
		n = -n
	}
	return n
}

// Encodable instants: 0000-01-01T00:00:00Z .. 9999-12-31T23:59:59Z.
const minSec, maxSec, span = -62167219200, 253402300799, maxSec - minSec + 1

func randTime(r *rand.Rand) (sec int64, nsec uint32, zoneMin int16) {
	sec = minSec + r.Int64N(maxSec-minSec+1)
	switch r.IntN(3) {
	case 0: // whole seconds
	case 1:
		nsec = uint32(r.IntN(1000)) * 1e6
	default:
		nsec = uint32(r.IntN(1e9))
	}
	return sec, nsec, int16(r.IntN(28*60+1) - 14*60)
}

func fuzzTime(sec int64, nsec uint32, zoneMin int16) time.Time {
	return time.Unix(sec, int64(nsec%1e9)).In(time.FixedZone("Z", int(zoneMin)*60))
}

func enc(t *testing.T, v any) string {
	t.Helper()
	s, err := Encode(reflect.ValueOf(v))
	if err != nil {
		t.Fatalf("Encode(%T %v): %v", v, v, err)
	}
	return s
}

func dec[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := Decode(s, reflect.ValueOf(&v).Elem()); err != nil {
		t.Fatalf("Decode(%q, %T): %v", s, v, err)
	}
	return v
}

// FuzzEscape: Escape round-trips, never yields the delimiter, preserves byte
// order, and Unescape accepts exactly Escape's outputs.
func FuzzEscape(f *testing.F) {
	r := newRand()
	for _, s := range tricky {
		f.Add(s, s+"a")
	}
	for range randomSeeds {
		f.Add(randString(r), randString(r))
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ea, eb := Escape(a), Escape(b)
		if strings.IndexByte(ea, Delimiter) >= 0 || !encoded(ea) {
			t.Fatalf("Escape(%q) = %q holds the delimiter or is not canonical", a, ea)
		}
		if got, err := Unescape(ea); err != nil || got != a {
			t.Fatalf("Unescape(Escape(%q)) = %q, %v", a, got, err)
		}
		if strings.Compare(a, b) != strings.Compare(ea, eb) {
			t.Fatalf("order: %q vs %q, but Escape gives %q vs %q", a, b, ea, eb)
		}
		// Any string Unescape accepts is canonical: escaping it again gives it back.
		if u, err := Unescape(a); err == nil && Escape(u) != a {
			t.Fatalf("Unescape(%q) = %q, which escapes to %q", a, u, Escape(u))
		}
	})
}

var userPhoto = "USER#{username}#PHOTO#{title}"

// FuzzStringKeys: for two string tuples, keys are equal exactly when the
// tuples are, sort as the tuples, parse back, and a one-field prefix matches
// exactly the keys with that first field.
func FuzzStringKeys(f *testing.F) {
	r := newRand()
	f.Add("ann", "x", "anne", "x")
	f.Add("ann", "x", "ann!", "x")
	f.Add("ann#PHOTO", "x", "ann", "PHOTO#x")
	f.Add("ann%23", "x", "ann#", "x")
	f.Add("a#b", "c", "a", "b#c")
	for range randomSeeds {
		f.Add(randString(r), randString(r), randString(r), randString(r))
	}
	tpl, err := Parse(userPhoto)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, a1, a2, b1, b2 string) {
		if a1 == "" || a2 == "" || b1 == "" || b2 == "" {
			return // rejected by Build; see TestEmptyVersusMissing
		}
		for _, s := range []string{a1, a2, b1, b2} {
			sameEncoding(t, s)
			sameEncoding(t, named(s))
			sameDecoding[string](t, s)
		}
		ta, tb := []string{a1, a2}, []string{b1, b2}
		ea := []string{Escape(a1), Escape(a2)}
		eb := []string{Escape(b1), Escape(b2)}
		ka, err := tpl.Build(ea)
		if err != nil {
			t.Fatal(err)
		}
		kb, err := tpl.Build(eb)
		if err != nil {
			t.Fatal(err)
		}
		if (ka == kb) != slices.Equal(ta, tb) {
			t.Fatalf("tuples %q and %q give keys %q and %q", ta, tb, ka, kb)
		}
		if got, want := strings.Compare(ka, kb), slices.Compare(ta, tb); got != want {
			t.Fatalf("tuples %q vs %q compare %d, keys %q vs %q compare %d", ta, tb, want, ka, kb, got)
		}
		got, err := tpl.Parse(ka)
		if err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(ea, got); diff != "" {
			t.Fatalf("Parse(%q) (-want +got):\n%s", ka, diff)
		}
		p := tpl.Prefix(ea[:1])
		if !strings.HasPrefix(ka, p) {
			t.Fatalf("Prefix(%q) = %q is not a prefix of its own key %q", a1, p, ka)
		}
		if strings.HasPrefix(kb, p) != (a1 == b1) {
			t.Fatalf("Prefix(%q) = %q vs key %q of %q", a1, p, kb, tb)
		}
	})
}

// FuzzInts: encoded integers are fixed-width, sort as their values and decode
// back, for int64 and uint64 alike (they share one form).
func FuzzInts(f *testing.F) {
	r := newRand()
	for _, x := range intEdges {
		f.Add(x, int64(0), uint64(x))
	}
	f.Add(int64(-1), int64(1), uint64(math.MaxUint64))
	for range randomSeeds {
		f.Add(randInt(r), randInt(r), r.Uint64()>>r.IntN(64))
	}
	f.Fuzz(func(t *testing.T, x, y int64, u uint64) {
		ex, ey, eu := enc(t, x), enc(t, y), enc(t, u)
		sameEncoding(t, x)
		sameEncoding(t, int(y))
		sameEncoding(t, int8(x))
		sameEncoding(t, namedInt(x))
		sameEncoding(t, int32(y))
		sameEncoding(t, u)
		sameEncoding(t, uint8(u))
		sameEncoding(t, uint16(u))
		sameEncoding(t, uint32(u))
		sameEncoding(t, uint(u))
		sameEncoding(t, x < y)
		for _, e := range []string{ex, ey, eu} {
			sameDecodingAll(t, e)
		}
		if len(ex) != intWidth || len(ey) != intWidth || len(eu) != intWidth {
			t.Fatalf("widths: %q %q %q", ex, ey, eu)
		}
		if got, want := strings.Compare(ex, ey), cmp.Compare(x, y); got != want {
			t.Fatalf("%d vs %d compare %d, but %q vs %q compare %d", x, y, want, ex, ey, got)
		}
		want := 1 // u against x: any uint beyond MaxInt64 or x < 0 is larger
		if x >= 0 && u <= math.MaxInt64 {
			want = cmp.Compare(int64(u), x)
		} else if x >= 0 {
			want = cmp.Compare(u, uint64(x))
		}
		if got := strings.Compare(eu, ex); got != want {
			t.Fatalf("%d vs %d compare %d, but %q vs %q compare %d", u, x, want, eu, ex, got)
		}
		if got := dec[int64](t, ex); got != x {
			t.Fatalf("Decode(%q) = %d, want %d", ex, got, x)
		}
		if got := dec[uint64](t, eu); got != u {
			t.Fatalf("Decode(%q) = %d, want %d", eu, got, u)
		}
		// Narrow kinds decode when the value fits and fail when it does not.
		var i16 int16
		err := Decode(ex, reflect.ValueOf(&i16).Elem())
		if fits := x >= math.MinInt16 && x <= math.MaxInt16; fits != (err == nil) || fits && int64(i16) != x {
			t.Fatalf("Decode(%q) into int16 = %d, %v", ex, i16, err)
		}
	})
}

// FuzzTimes: encoded times are fixed-width, sort as instants whatever their
// zone and fraction, and decode to an equal UTC time.
func FuzzTimes(f *testing.F) {
	r := newRand()
	f.Add(int64(0), uint32(0), int16(0), int64(0), uint32(1), int16(0))
	f.Add(int64(1), uint32(0), int16(0), int64(0), uint32(999999999), int16(60))     // "…01Z" vs "…00.999999999Z"
	f.Add(int64(100), uint32(5e8), int16(-600), int64(100), uint32(5e8), int16(840)) // same instant, different zones
	f.Add(int64(minSec), uint32(0), int16(0), int64(maxSec), uint32(999999999), int16(0))
	for range randomSeeds {
		s1, n1, z1 := randTime(r)
		s2, n2, z2 := randTime(r)
		f.Add(s1, n1, z1, s2, n2, z2)
	}
	f.Fuzz(func(t *testing.T, s1 int64, n1 uint32, z1 int16, s2 int64, n2 uint32, z2 int16) {
		// Fold seconds into years 0000..9999 (outside them: TestEncodeErrors).
		fold := func(s int64) int64 { return minSec + (s%span+span)%span }
		a, b := fuzzTime(fold(s1), n1, z1), fuzzTime(fold(s2), n2, z2)
		ea, eb := enc(t, a), enc(t, b)
		sameEncoding(t, a)
		sameEncoding(t, fuzzTime(s1, n1, z1)) // any year: outside 0000..9999 both fail alike
		sameDecoding[time.Time](t, ea)
		sameDecoding[time.Time](t, eb)
		if len(ea) != len(TimeLayout) || len(eb) != len(TimeLayout) {
			t.Fatalf("widths: %q %q", ea, eb)
		}
		if got, want := strings.Compare(ea, eb), a.Compare(b); got != want {
			t.Fatalf("%v vs %v compare %d, but %q vs %q compare %d", a, b, want, ea, eb, got)
		}
		if got := dec[time.Time](t, ea); !got.Equal(a) || got.Location() != time.UTC {
			t.Fatalf("Decode(%q) = %v, want %v in UTC", ea, got, a)
		}
	})
}

// FuzzTemplate: whatever template Parse accepts, keys built from it parse
// back to their values; Parse never panics on any template or key.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{userPhoto, "{a}#{b}#END", "PROFILE", "X{a}", "{a}##{b}#", "{a}{b}", "{", "}{a}", "a%{b}"} {
		f.Add(s, "ann", "USER#ann#PHOTO#x")
	}
	f.Fuzz(func(t *testing.T, s, v, key string) {
		tpl, err := Parse(s)
		if err != nil {
			return
		}
		tpl.Parse(key) // must not panic
		vals := make([]string, len(tpl.Attrs()))
		for i := range vals {
			vals[i] = Escape(v) + strconv.Itoa(i)
		}
		k, err := tpl.Build(vals)
		if err != nil {
			t.Fatal(err)
		}
		got, err := tpl.Parse(k)
		if err != nil {
			t.Fatalf("template %q: Parse(Build(%q)): %v", s, vals, err)
		}
		if diff := gocmp.Diff(vals, got); diff != "" {
			t.Fatalf("template %q: Parse(%q) (-want +got):\n%s", s, k, diff)
		}
		// A partial prefix is a prefix of the key and ends with the literal
		// after its last value, which starts with the delimiter.
		for n := 1; n < len(vals); n++ {
			p := tpl.Prefix(vals[:n])
			if !strings.HasPrefix(k, p) || !strings.HasSuffix(p, tpl.lits[n]) || !startsWithDelim(tpl.lits[n]) {
				t.Fatalf("template %q: Prefix(%q) = %q, key %q", s, vals[:n], p, k)
			}
		}
	})
}

// TestStringKeysExhaustive builds the key of every pair of short strings over
// the tricky alphabet and checks that no two pairs share a key, that the one-
// field prefixes ("empty" second field) are no one's full key, and that every
// key parses and decodes back.
func TestStringKeysExhaustive(t *testing.T) {
	alphabet := []string{"a", "#", "%", "2", "3", " ", "é"}
	var words []string
	var grow func(prefix string, n int)
	grow = func(prefix string, n int) {
		if prefix != "" {
			words = append(words, prefix)
		}
		if n == 0 {
			return
		}
		for _, c := range alphabet {
			grow(prefix+c, n-1)
		}
	}
	grow("", 3)
	tpl := mustParse(t, userPhoto)
	seen := make(map[string][2]string, len(words)*len(words))
	for _, a := range words {
		for _, b := range words {
			key, err := tpl.Build([]string{enc(t, a), enc(t, b)})
			if err != nil {
				t.Fatal(err)
			}
			if prev, ok := seen[key]; ok {
				t.Fatalf("%q and %q both give key %q", prev, [2]string{a, b}, key)
			}
			seen[key] = [2]string{a, b}
			vals, err := tpl.Parse(key)
			if err != nil {
				t.Fatal(err)
			}
			if got := [2]string{dec[string](t, vals[0]), dec[string](t, vals[1])}; got != [2]string{a, b} {
				t.Fatalf("key %q decodes to %q, want %q", key, got, [2]string{a, b})
			}
		}
	}
	for _, a := range words {
		if p := tpl.Prefix([]string{enc(t, a)}); seen[p] != [2]string{} {
			t.Fatalf("prefix %q of %q is the full key of %q", p, a, seen[p])
		}
	}
	t.Logf("%d distinct keys", len(seen))
}

// TestEmptyVersusMissing: an empty field is an error, never a key that a
// partial value's prefix could be confused with.
func TestEmptyVersusMissing(t *testing.T) {
	tpl := mustParse(t, userPhoto)
	for _, vals := range [][]string{{"", "x"}, {"ann", ""}, {"", ""}} {
		if _, err := tpl.Build(vals); err == nil {
			t.Errorf("Build(%q) succeeded", vals)
		}
	}
	if p, want := tpl.Prefix([]string{"ann"}), "USER#ann#PHOTO#"; p != want {
		t.Errorf("Prefix(ann) = %q, want %q", p, want)
	}
}

// TestMixedKeysSortAsTuples: a key mixing a string, an int and a time sorts as
// its tuple of values.
func TestMixedKeysSortAsTuples(t *testing.T) {
	type tuple struct {
		s string
		n int64
		t time.Time
	}
	r := newRand()
	tpl := mustParse(t, "U#{s}#N#{n}#T#{t}")
	build := func(v tuple) string {
		k, err := tpl.Build([]string{enc(t, v.s), enc(t, v.n), enc(t, v.t)})
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	var tuples []tuple
	for range 2000 {
		sec, nsec, zone := randTime(r)
		// Few distinct strings and ints so later fields decide the order too.
		s := tricky[r.IntN(len(tricky))] + tricky[r.IntN(3)]
		tuples = append(tuples, tuple{s[:len(s)-r.IntN(2)], randInt(r) % 3, fuzzTime(sec, nsec, zone)})
	}
	byValue := func(a, b tuple) int {
		return cmp.Or(strings.Compare(a.s, b.s), cmp.Compare(a.n, b.n), a.t.Compare(b.t))
	}
	for i := 1; i < len(tuples); i++ {
		a, b := tuples[i-1], tuples[i]
		if got, want := strings.Compare(build(a), build(b)), byValue(a, b); got != want {
			t.Fatalf("%v vs %v compare %d, keys %q vs %q compare %d", a, b, want, build(a), build(b), got)
		}
	}
}
