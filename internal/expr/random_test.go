package expr

import (
	"math/rand/v2"
	"testing"
)

// paths are the attribute paths random shapes use: few, so that names
// repeat and deduplication is exercised, some nested, and a few malformed
// ones that expression refuses.
var paths = []string{"PK", "SK", "_type", "v", "a", "b", "a.b", "b.a", "a[0]", "l[1][2]",
	"m.n[3].o", "x.y.z", "a[1]b", "ü", "a b"}

var badPaths = []string{"", "a..b", ".a", "a.", "a[", "a[x]", "[1]", "a]b[", "a[]", "a[[1]]", "a[0]$[1]", "a[0]$v[1]"}

func randPath(r *rand.Rand) string {
	if r.IntN(40) == 0 {
		return badPaths[r.IntN(len(badPaths))]
	}
	return paths[r.IntN(len(paths))]
}

func randCond(r *rand.Rand, depth int) Cond {
	if r.IntN(60) == 0 {
		return Cond{}
	}
	if depth > 0 && r.IntN(3) > 0 {
		switch r.IntN(3) {
		case 0:
			return Not(randCond(r, depth-1))
		default:
			kids := make([]Cond, 2+r.IntN(3))
			for i := range kids {
				kids[i] = randCond(r, depth-1)
			}
			if r.IntN(2) == 0 {
				return And(kids...)
			}
			return Or(kids...)
		}
	}
	o := Name(randPath(r))
	switch r.IntN(4) {
	case 0:
		return o.Exists()
	case 1:
		return o.NotExists()
	case 2:
		return o.BeginsWith()
	}
	if r.IntN(4) == 0 {
		o.size = true
	}
	ops := []func() Cond{o.Equal, o.NotEqual, o.LessThan, o.LessThanEqual, o.GreaterThan, o.GreaterThanEqual, o.Between,
		func() Cond { return o.In(1 + r.IntN(4)) }}
	return ops[r.IntN(len(ops))]()
}

func randUpdate(r *rand.Rand) Update {
	actions := []func(string) Clause{Set, SetIfNotExists, AppendList, Add, Remove, Delete}
	u := make(Update, r.IntN(7))
	for i := range u {
		u[i] = actions[r.IntN(len(actions))](randPath(r))
	}
	return u
}

func randKey(r *rand.Rand) KeyCond {
	keys := []string{"PK", "SK", "a", "a.b", "GSI1PK"}
	if r.IntN(40) == 0 {
		keys = append(keys, "")
	}
	k := PartitionKey(keys[r.IntN(len(keys))])
	if op := KeyOp(r.IntN(int(KeyBeginsWith) + 1)); op != keyNone {
		k = k.And(keys[r.IntN(len(keys))], op)
	}
	return k
}

// randShape gives each kind of expression with probability one half.
func randShape(r *rand.Rand) Shape {
	var s Shape
	if r.IntN(2) == 0 {
		s.Condition = randCond(r, 3)
	}
	if r.IntN(2) == 0 {
		s.Filter = randCond(r, 3)
	}
	if r.IntN(2) == 0 {
		s.KeyCondition = randKey(r)
	}
	if r.IntN(2) == 0 {
		s.Projection = make(Projection, r.IntN(4))
		for i := range s.Projection {
			s.Projection[i] = randPath(r)
		}
	}
	if r.IntN(2) == 0 {
		s.Update = randUpdate(r)
	}
	return s
}

// TestRandomShapes compares random shapes with expression; a mismatch in
// strings, names, values or in failing fails the test.
func TestRandomShapes(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 2000
	}
	built := 0
	for seed := range uint64(n) {
		if sameAsExpression(t, randShape(rand.New(rand.NewPCG(seed, 20)))) {
			built++
		}
	}
	if built < n/2 { // the generator must mostly make valid shapes
		t.Fatalf("only %d of %d random shapes were valid", built, n)
	}
}

// FuzzShapes is TestRandomShapes driven by the fuzzer's seeds.
func FuzzShapes(f *testing.F) {
	for _, seed := range []uint64{0, 1, 2, 1 << 40} {
		f.Add(seed, seed)
	}
	f.Fuzz(func(t *testing.T, a, b uint64) {
		sameAsExpression(t, randShape(rand.New(rand.NewPCG(a, b))))
	})
}

// FuzzPath compares the parsing of any attribute path with expression's, in
// a projection, a condition and an update.
func FuzzPath(f *testing.F) {
	for _, p := range append(append([]string{"a[1].b[2][3]", "a.b.c", "[", "]", "a[01]", "a[1]]"}, paths...), badPaths...) {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		sameAsExpression(t, Shape{Projection: Projection{p, "a"}})
		sameAsExpression(t, Shape{Condition: Size(p).Equal(), Update: Update{SetIfNotExists(p), Remove(p)}})
	})
}
