package tablemap

import (
	"maps"
	"math/big"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Expired items.
//
// DynamoDB deletes an item whose time to live has passed only eventually
// (it can take days), and until then every read returns it. So tablemap
// decides expiry itself, by the table's clock (WithClock): an item of an
// entity with a ttl field is expired when its ttl attribute is at or before
// the current epoch second. Reads hide expired items unless asked not to
// (IncludeExpired): queries, scans and collections with a filter in the
// same request (attribute_not_exists(ttl) OR ttl > :now), so that Limit,
// Page and Count agree with what is returned; Get and BatchGet by checking
// the item read. Writes that require an item, or its absence, treat an
// expired item as absent (Put's IfNotExists and its implied condition for
// a version 0, Check's Exists and NotExists).

// ttlOf returns the table's ttl attribute if any of schemas has a ttl
// field ("" otherwise): the attribute the expiry rule of a read of their
// items compares.
func ttlOf(schemas []*schema) string {
	for _, s := range schemas {
		if s.ttl != nil {
			return s.ttl.Name
		}
	}
	return ""
}

// nowMark is the value of :now while a read's filter is built: requests
// compare with the time they are sent at, not built at, so the filter's
// placeholder for now is found (see nowSlot) and set per request (see
// withNow).
const nowMark = "\x00tablemap now"

// epoch returns the table's clock as epoch seconds.
func (t *Table) epoch() int64 { return t.now().Unix() }

func epochValue(now int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(now, 10)}
}

// liveFilter returns the condition that keeps the items of schemas that
// are not expired at now (the expression.Value of nowMark or of an
// epochValue), and false when no entity of schemas has a ttl field. Only
// entities with a ttl field get the rule: items of the others pass,
// whatever attributes they hold.
func liveFilter(t *Table, schemas []*schema, now expression.OperandBuilder) (expression.ConditionBuilder, bool) {
	attr := ttlOf(schemas)
	if attr == "" {
		return expression.ConditionBuilder{}, false
	}
	ttl := expression.Name(attr)
	c := expression.Or(ttl.AttributeNotExists(), ttl.GreaterThan(now))
	var others []expression.OperandBuilder
	for _, s := range schemas {
		if s.ttl == nil {
			others = append(others, expression.Value(s.name))
		}
	}
	if len(others) > 0 {
		c = expression.Or(c, expression.Name(t.typeAttr).In(others[0], others[1:]...))
	}
	return c, true
}

// readFilter is the filter of a read of schemas' items: their type, the
// expiry rule unless includeExpired (with now as in liveFilter), and the
// caller's filter, ANDed.
func readFilter(t *Table, schemas []*schema, includeExpired bool, now expression.OperandBuilder, user *expression.ConditionBuilder) expression.ConditionBuilder {
	if !includeExpired {
		if live, ok := liveFilter(t, schemas, now); ok {
			if user != nil {
				live = expression.And(live, *user)
			}
			user = &live
		}
	}
	return typeFilter(t, schemas, user)
}

// nowSlot returns the placeholder of nowMark among an expression's values
// ("" when the expression does not compare with now).
func nowSlot(values map[string]types.AttributeValue) string {
	for ph, v := range values {
		if s, ok := v.(*types.AttributeValueMemberS); ok && s.Value == nowMark {
			return ph
		}
	}
	return ""
}

// withNow returns values with now at placeholder slot: a copy, so the
// built request it came from stays as it was.
func withNow(values map[string]types.AttributeValue, slot string, now int64) map[string]types.AttributeValue {
	if slot == "" {
		return values
	}
	values = maps.Clone(values)
	values[slot] = epochValue(now)
	return values
}

// expiredAt reports whether item, of entity s, is expired at now (epoch
// seconds): its ttl attribute is a number at or before now. An item
// without one, or of an entity without a ttl field, never expires.
func (s *schema) expiredAt(item map[string]types.AttributeValue, now int64) bool {
	if s.ttl == nil {
		return false
	}
	n, ok := item[s.ttl.Name].(*types.AttributeValueMemberN)
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

// expiredNote is the cause of an ErrNotFound for an expired item.
func (s *schema) expiredNote(item map[string]types.AttributeValue) error {
	return &expiredError{attr: s.ttl.Name, value: item[s.ttl.Name].(*types.AttributeValueMemberN).Value}
}

type expiredError struct{ attr, value string }

func (e *expiredError) Error() string {
	msg := "the item expired (" + e.attr + " " + e.value
	if sec, err := strconv.ParseInt(e.value, 10, 64); err == nil {
		msg += ", " + time.Unix(sec, 0).UTC().Format(time.RFC3339)
	}
	return msg + "); IncludeExpired reads it"
}

// noItem returns the condition that no item, or only an expired one, is
// at the write's key, and records the time it compares with so that a
// failure reports the item it found as the condition saw it.
func (f *failure) noItem() expression.ConditionBuilder {
	c := expression.Name(f.s.table.pk).AttributeNotExists()
	if f.s.ttl == nil {
		return c
	}
	f.ttlNow = f.s.table.epoch()
	return expression.Or(c, expression.Name(f.s.ttl.Name).LessThanEqual(expression.Value(epochValue(f.ttlNow))))
}

// anItem returns the condition that an item that has not expired is at
// the write's key (see noItem).
func (f *failure) anItem() expression.ConditionBuilder {
	c := expression.Name(f.s.table.pk).AttributeExists()
	if f.s.ttl == nil {
		return c
	}
	return expression.And(c, f.unexpired())
}

// unexpired returns the condition that the item at the write's key, if
// any, has not expired; the entity has a ttl field.
func (f *failure) unexpired() expression.ConditionBuilder {
	f.ttlNow = f.s.table.epoch()
	ttl := expression.Name(f.s.ttl.Name)
	return expression.Or(ttl.AttributeNotExists(), ttl.GreaterThan(expression.Value(epochValue(f.ttlNow))))
}

// expired reports whether old, the item a failed condition found, is one
// the write's conditions treated as absent.
func (f *failure) expired(old map[string]types.AttributeValue) bool {
	return f.ttlNow != 0 && len(old) > 0 && f.s.expiredAt(old, f.ttlNow)
}
