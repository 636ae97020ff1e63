package engine

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
)

// The cache of callers' conditions must give the requests of the old way,
// which built every request with expression: these tests compile the same
// writes and reads with the cache (warm after the first) and without it.

// uncached runs f with the cache of callers' conditions off.
func uncached[T any](f func() T) T {
	userCache = false
	defer func() { userCache = true }()
	return f()
}

// condAttr is an attribute a random condition reads, with values of its
// stored type and, seldom, of another one.
type condAttr struct {
	name  string
	value func(r *rand.Rand) any
}

func strVal(r *rand.Rand) any { return fmt.Sprint("s", r.IntN(50)) }
func intVal(r *rand.Rand) any { return r.IntN(50) }

var userAttrs = []condAttr{
	{"name", strVal}, {"city", strVal}, {"username", strVal}, {"photos", intVal}, {"PK", strVal}, {"_type", strVal},
	{"labels", func(r *rand.Rand) any { return []string{"a", fmt.Sprint(r.IntN(9))} }},
	{"tags[0]", strVal},
}

var docAttrs = []condAttr{
	{"body", strVal}, {"v", func(r *rand.Rand) any { return int64(r.IntN(9)) }}, {"id", strVal},
	{"expires", func(r *rand.Rand) any { return &types.AttributeValueMemberN{Value: fmt.Sprint(r.IntN(9))} }},
}

var postAttrs = []condAttr{{"body", strVal}, {"tag", strVal}, {"id", strVal}, {"user", strVal}}

// condGen makes random conditions over attrs; bad makes a few that
// CheckCondition refuses (an unknown attribute, a value of another type).
type condGen struct {
	r     *rand.Rand
	attrs []condAttr
	bad   bool
}

func (g *condGen) attr() (expression.NameBuilder, func() expression.ValueBuilder) {
	a := g.attrs[g.r.IntN(len(g.attrs))]
	val := func() expression.ValueBuilder { return expression.Value(a.value(g.r)) }
	if g.bad && g.r.IntN(6) == 0 {
		switch g.r.IntN(3) {
		case 0:
			return expression.Name("nope"), val
		case 1:
			val = func() expression.ValueBuilder { return expression.Value(true) }
		default:
			val = func() expression.ValueBuilder { return expression.Value(time.Unix(int64(g.r.IntN(9)), 0)) }
		}
	}
	return expression.Name(a.name), val
}

func (g *condGen) cond(depth int) expression.ConditionBuilder {
	if depth > 0 && g.r.IntN(2) == 0 {
		switch g.r.IntN(3) {
		case 0:
			return g.cond(depth - 1).Not()
		case 1:
			return g.cond(depth - 1).And(g.cond(depth - 1))
		}
		return expression.Or(g.cond(depth-1), g.cond(depth-1), g.cond(depth-1))
	}
	n, v := g.attr()
	switch g.r.IntN(9) {
	case 0:
		return n.AttributeExists()
	case 1:
		return n.AttributeNotExists()
	case 2:
		return n.Between(v(), v())
	case 3:
		return n.In(v(), v(), v())
	case 4:
		return n.Size().GreaterThan(expression.Value(g.r.IntN(9)))
	case 5:
		return n.AttributeType(expression.String)
	case 6:
		m, _ := g.attr()
		return n.NotEqual(m)
	case 7:
		return n.LessThanEqual(v())
	}
	return n.Equal(v())
}

// compileBoth compiles w with the cache and without; it fails the test
// unless both give the same request or the same error.
func compileBoth(t *testing.T, what string, w func() WriteSpec) (WriteRequest, error) {
	t.Helper()
	type out struct {
		r   WriteRequest
		err error
	}
	run := func() out {
		spec := w()
		var r WriteRequest
		err := spec.Compile(context.Background(), &r)
		return out{r, err}
	}
	old := uncached(run)
	got := run()
	if (old.err == nil) != (got.err == nil) || old.err != nil && old.err.Error() != got.err.Error() {
		t.Fatalf("%s: error %v, the old way's %v", what, got.err, old.err)
	}
	inputs := func(r WriteRequest) []any {
		return []any{r.Put, r.Update, r.Delete, r.Check, r.Conditional, r.Fail.Key}
	}
	if d := cmp.Diff(inputs(old.r), inputs(got.r), sdkOpts); d != "" {
		t.Fatalf("%s: request differs from the old way's (-old +cached):\n%s", what, d)
	}
	return got.r, got.err
}

// TestUserCondWritesAsBefore: random conditions on every kind of write
// (own guards, versions, expiry, update clauses) give the old requests
// and refusals, compiled once and again with the cache warm.
func TestUserCondWritesAsBefore(t *testing.T) {
	_, user, doc, _ := writeTable(t)
	n := 1500
	if testing.Short() {
		n = 300
	}
	refused, total := 0, 0
	for seed := range uint64(n) {
		r := rand.New(rand.NewPCG(seed, 7))
		bad := seed%3 == 0
		ug := &condGen{r: r, attrs: userAttrs, bad: bad}
		dg := &condGen{r: r, attrs: docAttrs, bad: bad}
		ucond, dcond := ug.cond(2), dg.cond(2)
		specs := map[string]func() WriteSpec{
			"put": func() WriteSpec {
				return WriteSpec{Kind: WritePut, S: user, P: unsafe.Pointer(&wUser{Username: "ann"}), Cond: &ucond}
			},
			"put absent": func() WriteSpec {
				return WriteSpec{Kind: WritePut, S: user, P: unsafe.Pointer(&wUser{Username: "ann"}), Absent: true, Cond: &ucond}
			},
			"put versioned": func() WriteSpec {
				return WriteSpec{Kind: WritePut, S: doc, P: unsafe.Pointer(&wDoc{ID: "d", V: 3}), Cond: &dcond}
			},
			"update": func() WriteSpec {
				acts := []UpdateAction{action(t, doc, UpdateSet, "body", "b"), action(t, doc, UpdateRemove, "expires", nil)}
				return WriteSpec{Kind: WriteUpdate, S: doc, P: unsafe.Pointer(&wDoc{ID: "d", V: 2}), Cond: &dcond, Actions: acts}
			},
			"update user": func() WriteSpec {
				acts := []UpdateAction{action(t, user, UpdateAdd, "photos", 1), action(t, user, UpdateAppend, "tags", []string{"x"})}
				return WriteSpec{Kind: WriteUpdate, S: user, P: unsafe.Pointer(&wUser{Username: "ann"}), Cond: &ucond, Actions: acts}
			},
			"delete": func() WriteSpec {
				return WriteSpec{Kind: WriteDelete, S: doc, P: unsafe.Pointer(&wDoc{ID: "d"}), Cond: &dcond}
			},
			"check": func() WriteSpec {
				return WriteSpec{Kind: WriteCheck, S: user, P: unsafe.Pointer(&wUser{Username: "ann"}), Exists: true, Cond: &ucond}
			},
		}
		for name, spec := range specs {
			for range 2 { // the second with the cache warm
				total++
				if _, err := compileBoth(t, fmt.Sprintf("seed %d, %s", seed, name), spec); err != nil {
					if !errors.Is(err, ErrInvalidCondition) {
						t.Fatalf("seed %d, %s: %v", seed, name, err)
					}
					refused++
				}
			}
		}
	}
	if refused == 0 || refused > total/2 {
		t.Fatalf("%d refusals of %d: the generator does not test both sides", refused, total)
	}
}

// TestUserCondReadsAsBefore: random filters on queries (with and without
// projection, count) give the old requests and refusals.
func TestUserCondReadsAsBefore(t *testing.T) {
	post, _ := readTable(t, nil)
	n := 1500
	if testing.Short() {
		n = 300
	}
	refused := 0
	for seed := range uint64(n) {
		r := rand.New(rand.NewPCG(seed, 8))
		filter := (&condGen{r: r, attrs: postAttrs, bad: seed%3 == 0}).cond(2)
		opts := ReadOptions{Filter: &filter, ExpiredOK: seed%2 == 0}
		if seed%4 < 2 {
			opts.Project = []string{"body", "tag"}
		}
		type out struct {
			items, count any
			err          error
		}
		run := func() out {
			v := rpost{User: "ann"}
			rd, err := NewQuery(post, opts, unsafe.Pointer(&v), nil)
			if err != nil {
				return out{err: err}
			}
			c, err := rd.count()
			return out{items: rd.QueryInput(nil, 0), count: c.query, err: err}
		}
		old := uncached(run)
		for range 2 {
			got := run()
			if (old.err == nil) != (got.err == nil) || old.err != nil && old.err.Error() != got.err.Error() {
				t.Fatalf("seed %d: error %v, the old way's %v", seed, got.err, old.err)
			}
			if d := cmp.Diff([]any{old.items, old.count}, []any{got.items, got.count}, inputOpts); d != "" {
				t.Fatalf("seed %d: request differs from the old way's (-old +cached):\n%s", seed, d)
			}
			if got.err != nil {
				if !errors.Is(got.err, ErrInvalidCondition) {
					t.Fatalf("seed %d: %v", seed, got.err)
				}
				refused++
			}
		}
	}
	if refused == 0 || refused == 2*n {
		t.Fatalf("%d refusals of %d: the generator does not test both sides", refused, 2*n)
	}
}

// userWritesOf counts the cached writes with a caller's condition of t.
func userWritesOf(t *Table) int {
	n := 0
	if m := userWrites.m.Load(); m != nil {
		for k := range *m {
			if k.w.s.Table == t {
				n++
			}
		}
	}
	return n
}

// TestUserCondBudget: past maxUserShapes shapes a table caches no more
// and its requests take the old way, with the same result.
func TestUserCondBudget(t *testing.T) {
	tbl, user, _, _ := writeTable(t)
	post, _ := readTable(t, nil)
	for _, tb := range []*Table{tbl, post.Table} {
		tb.userShapes.Store(maxUserShapes - 1)
	}
	shapes := func() (n int) {
		post.Table.QueryShapes.Range(func(k, _ any) bool {
			if k.(ShapeKey).Filter != "" {
				n++
			}
			return true
		})
		return n
	}
	for i := range 3 {
		cond := expression.Name(fmt.Sprintf("tags[%d]", i)).Equal(expression.Value("x"))
		compileBoth(t, fmt.Sprint("write ", i), func() WriteSpec {
			return WriteSpec{Kind: WritePut, S: user, P: unsafe.Pointer(&wUser{Username: "ann"}), Cond: &cond}
		})
		filter := expression.Name([]string{"body", "tag", "id"}[i]).Equal(expression.Value("a"))
		run := func() any {
			v := rpost{User: "ann"}
			rd, err := NewQuery(post, ReadOptions{Filter: &filter}, unsafe.Pointer(&v), nil)
			if err != nil {
				t.Fatal(err)
			}
			return rd.QueryInput(nil, 0)
		}
		diff(t, fmt.Sprint("read ", i), uncached(run), run())
	}
	if n := userWritesOf(tbl); n != 1 {
		t.Errorf("%d writes cached past the budget's last place, want 1", n)
	}
	if n := shapes(); n != 1 {
		t.Errorf("%d reads cached past the budget's last place, want 1", n)
	}
}

// TestUserCondRefusalsWithCacheWarm: CheckCondition's refusals hold when
// a shape of the same structure is cached, for writes and filters; a
// value of another type is another structure.
func TestUserCondRefusalsWithCacheWarm(t *testing.T) {
	sch := schemaOf[guarded](t, cipherTable())
	sch.Table.Now = func() time.Time { return time.Unix(1000, 0) }
	n := expression.Name
	cases := []struct {
		ok, refused expression.ConditionBuilder
		says        string
	}{
		{n("count").GreaterThan(expression.Value(3)), n("count").GreaterThan(expression.Value("3")), `with a value of type S`},
		{n("count").In(expression.Value(1), expression.Value(2)), n("count").In(expression.Value(1), expression.Value(true)), `with a value of type BOOL`},
		{n("expires").LessThan(expression.Value(5)), n("expires").LessThan(expression.Value(time.Unix(5, 0))), "epoch seconds"},
		{n("secret").AttributeExists(), n("secret").BeginsWith("x"), `which Guarded encrypts`},
		{n("count").Equal(expression.Value(1)), n("cuont").Equal(expression.Value(1)), `which Guarded does not have`},
	}
	write := func(cond expression.ConditionBuilder) error {
		v := guarded{ID: "a"}
		err := (&WriteSpec{Kind: WriteCheck, S: sch, P: unsafe.Pointer(&v), Cond: &cond}).Compile(context.Background(), new(WriteRequest))
		return err
	}
	read := func(cond expression.ConditionBuilder) error {
		v := guarded{ID: "a"}
		_, err := NewQuery(sch, ReadOptions{Filter: &cond}, unsafe.Pointer(&v), nil)
		return err
	}
	for _, tt := range cases {
		for what, run := range map[string]func(expression.ConditionBuilder) error{"write": write, "read": read} {
			for i := range 3 { // accepted, refused, accepted: each with the other's shape cached
				cond, want := tt.ok, ""
				if i == 1 {
					cond, want = tt.refused, tt.says
				}
				err := run(cond)
				switch {
				case want == "" && err != nil:
					t.Errorf("%s %d: %v", what, i, err)
				case want != "" && (!errors.Is(err, ErrInvalidCondition) || !strings.Contains(err.Error(), want)):
					t.Errorf("%s %d: %v, want ErrInvalidCondition saying %q", what, i, err, want)
				}
			}
			if err := run(tt.refused); err == nil { // and refused again
				t.Errorf("%s: refused once, accepted next", what)
			}
		}
	}
}

// hasValue reports whether values holds a string or number of text s.
func hasValue(values map[string]types.AttributeValue, s string) bool {
	for _, v := range values {
		switch v := v.(type) {
		case *types.AttributeValueMemberN:
			if v.Value == s {
				return true
			}
		case *types.AttributeValueMemberS:
			if v.Value == s {
				return true
			}
		}
	}
	return false
}

// TestUserCondConcurrent compiles writes and reads of a few structures
// from several goroutines (run it with -race): each gets the request of
// its own values.
func TestUserCondConcurrent(t *testing.T) {
	_, user, _, _ := writeTable(t)
	post, _ := readTable(t, nil)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				n := fmt.Sprint(g*1000 + i)
				cond := expression.Name("photos").LessThan(expression.Value(g*1000 + i))
				if i%2 == 0 {
					cond = expression.Name("name").Equal(expression.Value(n))
				}
				w := WriteSpec{Kind: WriteCheck, S: user, P: unsafe.Pointer(&wUser{Username: "ann"}), Cond: &cond}
				var r WriteRequest
				err := w.Compile(context.Background(), &r)
				if err != nil || !hasValue(r.Check.ExpressionAttributeValues, n) {
					t.Errorf("goroutine %d: write of %s: %v, values %v", g, n, err, r.Check)
					return
				}
				filter := expression.Name("body").Equal(expression.Value(n))
				rd, err := NewQuery(post, ReadOptions{Filter: &filter}, unsafe.Pointer(&rpost{User: "ann"}), nil)
				if err != nil || !hasValue(rd.QueryInput(nil, 0).ExpressionAttributeValues, n) {
					t.Errorf("goroutine %d: read of %s: %v", g, n, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestFilterKey: filterKey returns its key as a string, for keys sharing
// slots among many, and a key seen last in its slot without allocating.
func TestFilterKey(t *testing.T) {
	for i := range 4 * memoSlots {
		k := []byte(fmt.Sprintf("key %d", i%(2*memoSlots)))
		if got := filterKey(k); got != string(k) {
			t.Fatalf("filterKey(%q) = %q", k, got)
		}
	}
	k := []byte("\x07n\x01\x05widthv N")
	first := filterKey(k)
	k[0] = 'x' // the key is the caller's buffer, reused
	if first != "\x07n\x01\x05widthv N" {
		t.Fatalf("the returned key changed with its buffer: %q", first)
	}
	k[0] = '\x07'
	if n := testing.AllocsPerRun(100, func() { _ = filterKey(k) }); n != 0 {
		t.Errorf("a key seen last in its slot: %v allocations, want 0", n)
	}
}
