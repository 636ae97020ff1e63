package keys

import (
	"reflect"
	"testing"
	"time"
)

func TestOverlap(t *testing.T) {
	str, i64, tm, b := reflect.TypeFor[string](), reflect.TypeFor[int64](), reflect.TypeFor[time.Time](), reflect.TypeFor[bool]()
	type side struct {
		tmpl  string
		types []reflect.Type
	}
	tests := []struct {
		a, b side
		want bool
	}{
		{side{"C#{a}", []reflect.Type{str}}, side{"C#{x}", []reflect.Type{str}}, true},
		{side{"USER#{u}", []reflect.Type{str}}, side{"PHOTO#{u}", []reflect.Type{str}}, false},
		{side{"PROFILE", nil}, side{"PHOTO#{t}", []reflect.Type{tm}}, false},
		{side{"PROFILE", nil}, side{"PROFILE", nil}, true},
		// A string can hold any literal text without '#' or low bytes.
		{side{"{a}", []reflect.Type{str}}, side{"PROFILE", nil}, true},
		{side{"{a}", []reflect.Type{str}}, side{"A B", nil}, false}, // a space is always escaped
		{side{"U{a}", []reflect.Type{str}}, side{"USER", nil}, true},
		// Segments count: values never hold '#'.
		{side{"{a}", []reflect.Type{str}}, side{"A#B", nil}, false},
		{side{"{a}#{b}", []reflect.Type{str, str}}, side{"X#{c}", []reflect.Type{str}}, true},
		// Fixed-width encodings.
		{side{"N#{n}", []reflect.Type{i64}}, side{"N#{s}", []reflect.Type{str}}, true},
		{side{"N#{n}", []reflect.Type{i64}}, side{"N#LATEST", nil}, false},
		{side{"N#{n}", []reflect.Type{i64}}, side{"N#{t}", []reflect.Type{tm}}, false},
		{side{"N#{n}", []reflect.Type{i64}}, side{"N#00000000000000000042", nil}, true},
		{side{"N#{n}", []reflect.Type{i64}}, side{"N#0000000000000000042", nil}, false},
		{side{"B#{b}", []reflect.Type{b}}, side{"B#true", nil}, true},
		{side{"B#{b}", []reflect.Type{b}}, side{"B#yes", nil}, false},
		{side{"T#{t}", []reflect.Type{tm}}, side{"T#2025-01-02T03:04:05.000000000Z", nil}, true},
		{side{"T#{t}", []reflect.Type{tm}}, side{"T#2025-01-02", nil}, false},
		// A literal prefix inside a value's segment.
		{side{"V{n}", []reflect.Type{i64}}, side{"V-{s}", []reflect.Type{str}}, true},
		{side{"V{n}", []reflect.Type{i64}}, side{"VX{s}", []reflect.Type{str}}, false},
	}
	for _, tt := range tests {
		a, err := Parse(tt.a.tmpl)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Parse(tt.b.tmpl)
		if err != nil {
			t.Fatal(err)
		}
		if got := Overlap(a, tt.a.types, b, tt.b.types); got != tt.want {
			t.Errorf("Overlap(%q, %q) = %v, want %v", tt.a.tmpl, tt.b.tmpl, got, tt.want)
		}
		if got := Overlap(b, tt.b.types, a, tt.a.types); got != tt.want {
			t.Errorf("Overlap(%q, %q) = %v, want %v", tt.b.tmpl, tt.a.tmpl, got, tt.want)
		}
	}
}

// A key built from one template's values that parses with another's is an
// overlap Overlap must report: a check of soundness on built keys.
func TestOverlapSoundOnBuiltKeys(t *testing.T) {
	str, i64 := reflect.TypeFor[string](), reflect.TypeFor[int64]()
	templates := []struct {
		src   string
		types []reflect.Type
	}{
		{"C#{a}", []reflect.Type{str}}, {"C#{a}#{b}", []reflect.Type{str, i64}},
		{"{a}", []reflect.Type{str}}, {"C#00000000000000000007", nil}, {"C#{n}", []reflect.Type{i64}},
		{"C", nil}, {"C#x", nil},
	}
	values := map[reflect.Type][]string{
		str: {"x", "C", "00000000000000000007", "a%20b"},
		i64: {"00000000000000000007", "-9999999999999999999"},
	}
	for _, ta := range templates {
		a, _ := Parse(ta.src)
		keys := []string{}
		var build func(i int, vals []string)
		build = func(i int, vals []string) {
			if i == len(ta.types) {
				k, err := a.Build(vals)
				if err != nil {
					t.Fatal(err)
				}
				keys = append(keys, k)
				return
			}
			for _, v := range values[ta.types[i]] {
				build(i+1, append(vals, v))
			}
		}
		build(0, nil)
		for _, tb := range templates {
			b, _ := Parse(tb.src)
			for _, k := range keys {
				if decodes(b, tb.types, k) && !Overlap(a, ta.types, b, tb.types) {
					t.Errorf("key %q of %q parses with %q, but Overlap says they are disjoint", k, ta.src, tb.src)
				}
			}
		}
	}
}

// decodes reports whether key is a key of template t with values of types.
func decodes(t *Template, types []reflect.Type, key string) bool {
	vals, err := t.Parse(key)
	if err != nil {
		return false
	}
	for i, v := range vals {
		if Decode(v, reflect.New(types[i]).Elem()) != nil {
			return false
		}
	}
	return true
}
