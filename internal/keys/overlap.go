package keys

import "reflect"

// Overlap reports whether templates a and b can build the same key from
// some values, at and bt being the Go types of their attributes, in order.
// It is conservative: false is a proof that no values of those types give
// one key; true means it could not prove that.
//
// The proof rests on the encodings of the package doc. An encoded value
// never holds the delimiter, so a key splits on '#' into as many segments
// as its template has (the literal text's '#' and those before each
// value's following literal), each segment being literal text optionally
// ended by one value. Two templates overlap only if they have as many
// segments and each pair of segments can be equal. A value is matched
// against what its type can encode to: 20 digits or '-' and 19 digits for
// an integer, the fixed layout of a time, "true" or "false", or any run of
// bytes above the escape range for a string (taken as possibly empty, so
// the answer holds even for values Build would refuse).
func Overlap(a *Template, at []reflect.Type, b *Template, bt []reflect.Type) bool {
	sa, sb := a.segments(at), b.segments(bt)
	if len(sa) != len(sb) {
		return false
	}
	for i := range sa {
		if !sa[i].meets(sb[i]) {
			return false
		}
	}
	return true
}

// A byteSet is a set of bytes, one bit each.
type byteSet [4]uint64

func (s *byteSet) add(c byte)            { s[c>>6] |= 1 << (c & 63) }
func (s *byteSet) meets(o *byteSet) bool { return s[0]&o[0]|s[1]&o[1]|s[2]&o[2]|s[3]&o[3] != 0 }
func single(c byte) byteSet              { var s byteSet; s.add(c); return s }
func rangeSet(lo, hi byte) (s byteSet) {
	for c := int(lo); c <= int(hi); c++ {
		s.add(byte(c))
	}
	return s
}

var (
	digits = rangeSet('0', '9')
	// stringBytes are the bytes an escaped string can hold: those above
	// the escape range, and the escape character itself.
	stringBytes = rangeSet(EscapeChar, 0xFF)
	// anyBytes is every byte but the delimiter: what a value of a type
	// this file does not know could hold.
	anyBytes = func() byteSet { s := rangeSet(0, 0xFF); s[Delimiter>>6] &^= 1 << (Delimiter & 63); return s }()
)

// A pattern is a set of strings: one byte of fixed[i] at each position i,
// then, if tail, any number (zero included) of bytes of tailSet.
type pattern struct {
	fixed   []byteSet
	tail    bool
	tailSet byteSet
}

// meets reports whether two patterns share a string.
func (p pattern) meets(q pattern) bool {
	if len(p.fixed) > len(q.fixed) {
		p, q = q, p
	}
	for i := range p.fixed {
		if !p.fixed[i].meets(&q.fixed[i]) {
			return false
		}
	}
	if len(p.fixed) == len(q.fixed) {
		return true
	}
	if !p.tail {
		return false // p has ended; q needs more bytes
	}
	for i := len(p.fixed); i < len(q.fixed); i++ {
		if !p.tailSet.meets(&q.fixed[i]) {
			return false
		}
	}
	return true
}

// A segment is the text between two delimiters of a key: the strings it
// can be, as alternatives.
type segment []pattern

func (s segment) meets(o segment) bool {
	for _, p := range s {
		for _, q := range o {
			if p.meets(q) {
				return true
			}
		}
	}
	return false
}

// segments splits the template's keys on the delimiter. A value is always
// last in its segment: the literal after it starts with the delimiter.
func (t *Template) segments(types []reflect.Type) []segment {
	var segs []segment
	var lit []byteSet
	value := -1 // the index of the segment's value, if it has one
	end := func() {
		if value < 0 {
			segs = append(segs, segment{{fixed: lit}})
		} else {
			var typ reflect.Type
			if value < len(types) {
				typ = types[value]
			}
			var seg segment
			for _, v := range valuePatterns(typ) {
				fixed := append(append([]byteSet(nil), lit...), v.fixed...)
				seg = append(seg, pattern{fixed: fixed, tail: v.tail, tailSet: v.tailSet})
			}
			segs = append(segs, seg)
		}
		lit, value = nil, -1
	}
	for i, l := range t.lits {
		for j := 0; j < len(l); j++ {
			if l[j] == Delimiter {
				end()
			} else {
				lit = append(lit, single(l[j]))
			}
		}
		if i < len(t.attrs) {
			value = i
		}
	}
	end()
	return segs
}

// valuePatterns returns the strings a value of type typ encodes to.
func valuePatterns(typ reflect.Type) []pattern {
	if typ == nil || !Supported(typ) {
		return []pattern{{tail: true, tailSet: anyBytes}}
	}
	switch typ.Kind() {
	case reflect.String:
		return []pattern{{tail: true, tailSet: stringBytes}}
	case reflect.Bool:
		return []pattern{literal("true"), literal("false")}
	case reflect.Struct: // time.Time
		var p pattern
		for i := 0; i < len(TimeLayout); i++ {
			c := TimeLayout[i]
			if '0' <= c && c <= '9' {
				p.fixed = append(p.fixed, digits)
			} else {
				p.fixed = append(p.fixed, single(c))
			}
		}
		return []pattern{p}
	}
	// Integers: 20 digits, or '-' and 19 digits.
	p := pattern{fixed: make([]byteSet, intWidth)}
	for i := range p.fixed {
		p.fixed[i] = digits
	}
	p.fixed[0].add('-')
	return []pattern{p}
}

func literal(s string) pattern {
	p := pattern{fixed: make([]byteSet, len(s))}
	for i := 0; i < len(s); i++ {
		p.fixed[i] = single(s[i])
	}
	return p
}
