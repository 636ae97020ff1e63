package engine

import (
	"maps"
	"math/big"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TTLOf returns the table's ttl attribute if any of schemas has a ttl
// field ("" otherwise): the attribute the expiry rule of a read of their
// items compares.
func TTLOf(schemas []*Schema) string {
	for _, s := range schemas {
		if s.TTL != nil {
			return s.TTL.Name
		}
	}
	return ""
}

// NowMark is the value of :now while a read's filter is built: requests
// compare with the time they are sent at, not built at, so the filter's
// placeholder for now is found (see nowSlot) and set per request (see
// withNow).
const NowMark = "\x00tablemap now"

// Epoch returns the table's clock as epoch seconds.
func (t *Table) Epoch() int64 { return t.Now().Unix() }

// LiveFilter returns the condition that keeps the items of schemas that
// are not expired at now (the expression.Value of NowMark or of a
// NumberValue), and false when no entity of schemas has a ttl field. Only
// entities with a ttl field get the rule: items of the others pass,
// whatever attributes they hold.
func LiveFilter(t *Table, schemas []*Schema, now expression.OperandBuilder) (expression.ConditionBuilder, bool) {
	attr := TTLOf(schemas)
	if attr == "" {
		return expression.ConditionBuilder{}, false
	}
	ttl := expression.Name(attr)
	c := expression.Or(ttl.AttributeNotExists(), ttl.GreaterThan(now))
	var others []expression.OperandBuilder
	var untimed []*Schema
	for _, s := range schemas {
		if s.TTL == nil {
			others = append(others, expression.Value(s.Name))
			untimed = append(untimed, s)
		}
	}
	switch {
	case len(others) > 0 && t.TypeAttr != "":
		c = expression.Or(c, expression.Name(t.TypeAttr).In(others[0], others[1:]...))
	case len(others) > 0:
		// Without type attribute: their match attributes, when all have
		// one; else their items pass only without the ttl attribute.
		if own, ok := recognitionFilter(t, untimed); ok {
			c = expression.Or(c, own)
		}
	}
	return c, true
}

// ReadFilter is the filter of a read of schemas' items: their type, the
// expiry rule unless includeExpired (with now as in liveFilter), and the
// caller's filter, ANDed.
//
// On a table without type attribute the filter has the entities' match
// conditions only when every entity has one; ok is false when there is
// no filter at all.
func ReadFilter(t *Table, schemas []*Schema, includeExpired bool, now expression.OperandBuilder, user *expression.ConditionBuilder) (expression.ConditionBuilder, bool) {
	if !includeExpired {
		if live, ok := LiveFilter(t, schemas, now); ok {
			if user != nil {
				live = expression.And(live, *user)
			}
			user = &live
		}
	}
	if t.TypeAttr != "" {
		return TypeFilter(t, schemas, user), true
	}
	c, ok := recognitionFilter(t, schemas)
	switch {
	case ok && user != nil:
		return expression.And(c, *user), true
	case ok:
		return c, true
	case user != nil:
		return *user, true
	}
	return expression.ConditionBuilder{}, false
}

// NowSlot returns the placeholder of nowMark among an expression's values
// ("" when the expression does not compare with now).
func NowSlot(values map[string]types.AttributeValue) string {
	for ph, v := range values {
		if s, ok := v.(*types.AttributeValueMemberS); ok && s.Value == NowMark {
			return ph
		}
	}
	return ""
}

// WithNow returns values with now at placeholder slot: a copy, so the
// built request it came from stays as it was.
func WithNow(values map[string]types.AttributeValue, slot string, now int64) map[string]types.AttributeValue {
	if slot == "" {
		return values
	}
	values = maps.Clone(values)
	values[slot] = NumberValue(now)
	return values
}

// ExpiredAt reports whether item, of entity s, is expired at now (epoch
// seconds): its ttl attribute is a number at or before now. An item
// without one, or of an entity without a ttl field, never expires.
func (s *Schema) ExpiredAt(item map[string]types.AttributeValue, now int64) bool {
	if s.TTL == nil {
		return false
	}
	n, ok := item[s.TTL.Name].(*types.AttributeValueMemberN)
	if !ok {
		return false
	}
	if v, err := strconv.ParseInt(n.Value, 10, 64); err == nil {
		return v <= now // what the library writes
	}
	// Another writer's number: a decimal of up to 38 digits, which
	// neither an int64 nor a float64 holds exactly.
	v, ok := new(big.Float).SetPrec(256).SetString(n.Value)
	return ok && v.Cmp(new(big.Float).SetInt64(now)) <= 0
}

// ExpiredNote is the cause of an ErrNotFound for an expired item.
func (s *Schema) ExpiredNote(item map[string]types.AttributeValue) error {
	return &ExpiredError{Attr: s.TTL.Name, Value: item[s.TTL.Name].(*types.AttributeValueMemberN).Value}
}

type ExpiredError struct{ Attr, Value string }

func (e *ExpiredError) Error() string {
	msg := "the item expired (" + e.Attr + " " + e.Value
	if sec, err := strconv.ParseInt(e.Value, 10, 64); err == nil {
		msg += ", " + time.Unix(sec, 0).UTC().Format(time.RFC3339)
	}
	return msg + "); IncludeExpired reads it"
}
