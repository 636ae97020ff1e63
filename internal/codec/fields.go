package codec

import (
	"reflect"
	"sort"
	"strings"
)

// Tag keys, in the order they are read: a field without a dynamo tag falls
// back to dynamodbav, so structs written for attributevalue work unchanged.
const (
	tagKey         = "dynamo"
	fallbackTagKey = "dynamodbav"
)

// opts are the tag options that change how a value is encoded or decoded.
// It is comparable: it is part of cache keys.
type opts struct {
	omitEmpty     bool
	omitEmptyElem bool
	nullEmpty     bool
	nullEmptyElem bool
	asString      bool // "string": numbers as S
	unixTime      bool
	set           setKind
}

type setKind uint8

const (
	setNone   setKind = iota
	setAuto           // "set": SS, NS or BS by element type
	setString         // "stringset" (attributevalue)
	setNumber         // "numberset" (attributevalue)
	setBinary         // "binaryset" (attributevalue)
)

// elem returns the options for the elements of a list, set or map, as
// attributevalue derives them.
func (o opts) elem() opts {
	return opts{omitEmpty: o.omitEmptyElem, omitEmptyElem: o.omitEmptyElem, nullEmpty: o.nullEmptyElem}
}

type tagInfo struct {
	raw     string // the tag text, for messages
	key     string // which tag key it came from
	name    string
	ignore  bool
	options []string
	opts    opts
}

func parseTag(sf reflect.StructField) tagInfo {
	key := tagKey
	s := sf.Tag.Get(key)
	if s == "" {
		key = fallbackTagKey
		s = sf.Tag.Get(key)
	}
	ti := tagInfo{raw: s, key: key}
	if s == "" {
		return ti
	}
	parts := strings.Split(s, ",")
	if parts[0] == "-" {
		ti.ignore = true
		return ti
	}
	ti.name = parts[0]
	for _, o := range parts[1:] {
		if o == "" {
			continue
		}
		ti.options = append(ti.options, o)
		switch o {
		case "omitempty":
			ti.opts.omitEmpty = true
		case "omitemptyelem":
			ti.opts.omitEmptyElem = true
		case "nullempty":
			ti.opts.nullEmpty = true
		case "nullemptyelem":
			ti.opts.nullEmptyElem = true
		case "string":
			ti.opts.asString = true
		case "unixtime":
			ti.opts.unixTime = true
		case "set":
			ti.opts.set = setAuto
		case "stringset":
			ti.opts.set = setString
		case "numberset":
			ti.opts.set = setNumber
		case "binaryset":
			ti.opts.set = setBinary
		}
	}
	return ti
}

// candidate is a field found while walking a struct and its embedded structs.
type candidate struct {
	name    string
	fromTag bool
	index   []int
	sf      reflect.StructField
	tag     tagInfo
}

// visibleFields lists the encoded fields of struct type t, flattening
// embedded structs by Go's visibility rules as encoding/json and
// attributevalue do: the shallowest field wins, a tagged one breaks a tie,
// and an unresolved tie drops the name. The result is in index order.
func visibleFields(t reflect.Type) []candidate {
	return dominantFields(candidateFields(t))
}

// candidateFields walks struct type t and its embedded structs breadth
// first and lists every field that could carry a name, with repeats where
// one name is found more than once.
func candidateFields(t reflect.Type) []candidate {
	type walk struct {
		t     reflect.Type
		index []int
	}
	var current []walk
	next := []walk{{t: t}}
	var count map[reflect.Type]int
	nextCount := map[reflect.Type]int{}
	visited := map[reflect.Type]bool{}
	var fields []candidate

	for len(next) > 0 {
		current, next = next, current[:0]
		count, nextCount = nextCount, map[reflect.Type]int{}
		for _, w := range current {
			if visited[w.t] {
				continue
			}
			visited[w.t] = true
			for i := 0; i < w.t.NumField(); i++ {
				sf := w.t.Field(i)
				if !sf.IsExported() && !sf.Anonymous {
					continue
				}
				ti := parseTag(sf)
				if ti.ignore {
					continue
				}
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if sf.Anonymous && !sf.IsExported() && ft.Kind() != reflect.Struct {
					continue // like encoding/json: nothing to promote
				}
				index := make([]int, len(w.index)+1)
				copy(index, w.index)
				index[len(w.index)] = i

				if !sf.Anonymous || ti.name != "" || ft.Kind() != reflect.Struct {
					c := candidate{name: sf.Name, index: index, sf: sf, tag: ti}
					if ti.name != "" {
						c.name, c.fromTag = ti.name, true
					}
					fields = append(fields, c)
					if count[w.t] > 1 {
						// Embedded twice at this depth: a duplicate makes
						// the dominance check below drop the name.
						fields = append(fields, c)
					}
					continue
				}
				nextCount[ft]++
				if nextCount[ft] == 1 {
					next = append(next, walk{t: ft, index: index})
				}
			}
		}
	}
	return fields
}

// dominantFields keeps, for each name among fields, the one field that
// wins by dominant, and returns them in index order.
func dominantFields(fields []candidate) []candidate {
	sort.SliceStable(fields, func(i, j int) bool {
		a, b := fields[i], fields[j]
		if a.name != b.name {
			return a.name < b.name
		}
		if len(a.index) != len(b.index) {
			return len(a.index) < len(b.index)
		}
		if a.fromTag != b.fromTag {
			return a.fromTag
		}
		return indexLess(a.index, b.index)
	})
	out := fields[:0]
	for i := 0; i < len(fields); {
		j := i + 1
		for j < len(fields) && fields[j].name == fields[i].name {
			j++
		}
		if f, ok := dominant(fields[i:j]); ok {
			out = append(out, f)
		}
		i = j
	}
	sort.Slice(out, func(i, j int) bool { return indexLess(out[i].index, out[j].index) })
	return out
}

// dominant picks the field that wins among fields of one name, sorted by
// depth then tag: the shallowest, unless two share that depth and neither
// or both are tagged.
func dominant(fields []candidate) (candidate, bool) {
	if len(fields) == 1 {
		return fields[0], true
	}
	depth := len(fields[0].index)
	tagged := -1
	for i, f := range fields {
		if len(f.index) > depth {
			fields = fields[:i]
			break
		}
		if f.fromTag {
			if tagged >= 0 {
				return candidate{}, false
			}
			tagged = i
		}
	}
	if tagged >= 0 {
		return fields[tagged], true
	}
	if len(fields) > 1 {
		return candidate{}, false
	}
	return fields[0], true
}

func indexLess(a, b []int) bool {
	for k, x := range a {
		if k >= len(b) {
			return false
		}
		if x != b[k] {
			return x < b[k]
		}
	}
	return len(a) < len(b)
}
