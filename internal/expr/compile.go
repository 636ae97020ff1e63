package expr

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ErrInvalid is wrapped by every error of this package: a Shape that
// expression would refuse to build, or values that do not fit a shape.
var ErrInvalid = errors.New("expr: invalid expression")

// A Compiled is the rendered form of one Shape. It is immutable and safe for
// concurrent use; see the package doc for who owns what.
type Compiled struct {
	condition, filter, keyCondition, projection, update *string

	names map[string]string
	slots []string // slots[i] is the placeholder of the caller's value i
}

// Condition is the condition expression, nil if the shape has none.
func (c *Compiled) Condition() *string { return c.condition }

// Filter is the filter expression, nil if the shape has none.
func (c *Compiled) Filter() *string { return c.filter }

// KeyCondition is the key condition expression, nil if the shape has none.
func (c *Compiled) KeyCondition() *string { return c.keyCondition }

// Projection is the projection expression, nil if the shape has none.
func (c *Compiled) Projection() *string { return c.projection }

// Update is the update expression, nil if the shape has none.
func (c *Compiled) Update() *string { return c.update }

// Names is the ExpressionAttributeNames map (nil if there are no names),
// shared by every request of the shape: callers must not modify it.
func (c *Compiled) Names() map[string]string { return c.names }

// NumValues is the number of values Values takes.
func (c *Compiled) NumValues() int { return len(c.slots) }

// Placeholder is the placeholder (":3") of the caller's value i.
func (c *Compiled) Placeholder(i int) string { return c.slots[i] }

// Values is the ExpressionAttributeValues map of vals, given in shape order
// (see the package doc): a new map the caller owns, nil if the shape takes
// no values. A nil value is refused (expression would marshal it as NULL,
// which is never what tablemap means).
func (c *Compiled) Values(vals []types.AttributeValue) (map[string]types.AttributeValue, error) {
	if len(vals) != len(c.slots) {
		return nil, fmt.Errorf("%w: %d values for a shape of %d", ErrInvalid, len(vals), len(c.slots))
	}
	if len(vals) == 0 {
		return nil, nil
	}
	m := make(map[string]types.AttributeValue, len(vals))
	for i, v := range vals {
		if v == nil {
			return nil, fmt.Errorf("%w: value %d is nil", ErrInvalid, i)
		}
		m[c.slots[i]] = v
	}
	return m, nil
}

// Compile renders s as expression would, or fails where Build would fail.
// It does the work once per shape: keep the result (see Cache).
func Compile(s Shape) (*Compiled, error) {
	r := renderer{slots: make([]string, s.values())}
	c := &Compiled{slots: r.slots}
	steps := []struct {
		kind string
		set  bool
		out  **string
		emit func() error
	}{
		{"condition", s.Condition.op != condUnset, &c.condition, func() error { return r.cond(s.Condition) }},
		{"filter", s.Filter.op != condUnset, &c.filter, func() error { return r.cond(s.Filter) }},
		{"key condition", s.KeyCondition.set, &c.keyCondition, func() error { return r.key(s.KeyCondition) }},
		{"projection", len(s.Projection) > 0, &c.projection, func() error { return r.projection(s.Projection) }},
		{"update", len(s.Update) > 0, &c.update, func() error { return r.update(s.Update) }},
	}
	found := false
	for _, st := range steps {
		if !st.set {
			continue
		}
		found = true
		r.b.Reset()
		if err := st.emit(); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrInvalid, st.kind, err)
		}
		str := r.b.String()
		*st.out = &str
	}
	if !found {
		return nil, fmt.Errorf("%w: an empty shape", ErrInvalid)
	}
	if len(r.names) > 0 {
		c.names = make(map[string]string, len(r.names))
		for i, n := range r.names {
			c.names["#"+strconv.Itoa(i)] = n
		}
	}
	return c, nil
}

// values is the number of values s takes.
func (s Shape) values() int {
	n := s.Condition.values() + s.Filter.values() + s.KeyCondition.values()
	for _, c := range s.Update {
		n += c.values()
	}
	return n
}

// A renderer writes expressions as expression's buildExpressionString does:
// names deduplicated in order of appearance, values numbered in order of
// appearance across all the expressions of a shape.
type renderer struct {
	b      strings.Builder
	names  []string
	slots  []string // by caller index
	next   int      // the next value placeholder number
	caller int      // the next caller index, for trees written in order
}

// name writes the placeholder of one path element.
func (r *renderer) name(n string) {
	i := 0
	for i < len(r.names) && r.names[i] != n {
		i++
	}
	if i == len(r.names) {
		r.names = append(r.names, n)
	}
	r.b.WriteByte('#')
	r.b.WriteString(strconv.Itoa(i))
}

// value writes the next value placeholder and records it for the caller's
// value at index caller.
func (r *renderer) value(caller int) {
	p := ":" + strconv.Itoa(r.next)
	r.next++
	r.slots[caller] = p
	r.b.WriteString(p)
}

// inOrder writes the next value placeholder for the next caller value.
func (r *renderer) inOrder() {
	r.value(r.caller)
	r.caller++
}
