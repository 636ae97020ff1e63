package tablemap

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap/internal/codec"
	"github.com/tablemap/tablemap/internal/keys"
)

// An Update changes attributes of one existing item and returns the item as
// it is afterwards. Make one with Entity.Update, add actions and options,
// then Run it (or read its Params). Each action names a top-level attribute
// of the entity and takes a value of its field's type (numbers and strings
// convert between kinds when no precision is lost), encoded like the field.
// It keeps the first error an action meets and returns it from Run or
// Params.
//
// An Update never creates an item: a missing item is ErrNotFound (use Put to
// create), and an item of another entity type at the key is ErrWrongEntity. Fields of the table's key cannot change (delete and put
// instead). Setting a field that a GSI template reads recomputes that
// index's keys, which needs every field of the index: those set by the
// Update, the others taken from the key value when non-zero; anything else
// is an error. Setting an index field empty, or removing it, takes the item
// out of that (sparse) index.
//
// With a version field, every Update increments the stored version; when
// the key value's version is non-zero, the Update applies only to that
// version, and another stored version is ErrVersionConflict. An updated
// field is set to the time of the Update; version, created and updated
// fields cannot be changed by actions.
//
// Set and SetIfNotExists of an encrypted attribute seal the value for the
// item's key, like Put, with the context of Run (context.Background() when
// Params comes first); Add, Append and DeleteFromSet cannot change a
// ciphertext and are errors.
type Update[T any] struct {
	e       *Entity[T]
	key     T
	actions []updateAction
	cond    *expression.ConditionBuilder
	err     error

	built bool
	in    *dynamodb.UpdateItemInput
	fail  failure
}

type updateKind int

const (
	updateSet updateKind = iota
	updateSetIfNotExists
	updateAdd
	updateRemove
	updateAppend
	updateDeleteFromSet
)

var updateKindNames = [...]string{"Set", "SetIfNotExists", "Add", "Remove", "Append", "DeleteFromSet"}

type updateAction struct {
	kind updateKind
	f    *codec.Field
	v    reflect.Value // the value, of the field's type (a slice for list/set actions)
	av   types.AttributeValue
}

// Update returns an Update of the item whose key fields are those of key.
func (e *Entity[T]) Update(key T) *Update[T] {
	return &Update[T]{e: e, key: key}
}

// Set sets attribute attr to value.
func (op *Update[T]) Set(attr string, value any) *Update[T] {
	return op.action(updateSet, attr, value)
}

// SetIfNotExists sets attribute attr to value unless the item has it.
func (op *Update[T]) SetIfNotExists(attr string, value any) *Update[T] {
	return op.action(updateSetIfNotExists, attr, value)
}

// Add adds value to a number attribute, or adds the elements of value (a
// set, or one element) to a set attribute. A missing attribute counts as
// 0 or the empty set.
func (op *Update[T]) Add(attr string, value any) *Update[T] {
	return op.action(updateAdd, attr, value)
}

// Remove removes the named attributes from the item.
func (op *Update[T]) Remove(attrs ...string) *Update[T] {
	for _, a := range attrs {
		op.action(updateRemove, a, nil)
	}
	return op
}

// Append appends value (a list of the field's type, or one element) to a
// list attribute; a missing attribute counts as the empty list.
func (op *Update[T]) Append(attr string, value any) *Update[T] {
	return op.action(updateAppend, attr, value)
}

// DeleteFromSet removes the elements of value (a set, or one element) from a
// set attribute.
func (op *Update[T]) DeleteFromSet(attr string, value any) *Update[T] {
	return op.action(updateDeleteFromSet, attr, value)
}

// If makes the Update conditional on cond, evaluated against the stored
// item; a failed condition is ErrConditionFailed. Several If calls are
// ANDed.
func (op *Update[T]) If(cond expression.ConditionBuilder) *Update[T] {
	op.cond = and(op.cond, cond)
	return op
}

func (op *Update[T]) fails(format string, args ...any) *Update[T] {
	if op.err == nil {
		op.err = &ItemError{Op: "Update", Entity: op.e.s.name, Err: fmt.Errorf(format, args...)}
	}
	return op
}

func (op *Update[T]) action(kind updateKind, attr string, value any) *Update[T] {
	if op.err != nil {
		return op
	}
	s := op.e.s
	verb := updateKindNames[kind]
	f := s.codec.Field(attr)
	switch {
	case f == nil:
		return op.fails("%s: %s has no attribute %q", verb, s.name, attr)
	case s.keyFields[attr]:
		return op.fails("%s %q: the attribute is a field of the table's key; changing it would move the item (delete and put instead)", verb, attr)
	case f == s.version || f == s.created || f == s.updated:
		return op.fails("%s %q: the attribute is managed by tablemap", verb, attr)
	case len(s.gsiOf[attr]) > 0 && kind != updateSet && kind != updateRemove:
		return op.fails("%s %q: the attribute is a field of index %s's key, which only Set and Remove can recompute", verb, attr, s.gsiOf[attr][0].name)
	case f.HasOption("encrypted") && kind != updateSet && kind != updateSetIfNotExists && kind != updateRemove:
		return op.fails("%s %q: the attribute is encrypted; DynamoDB cannot change a ciphertext (Set the whole value instead)", verb, attr)
	}
	for _, a := range op.actions {
		if a.f == f {
			return op.fails("%s %q: the attribute already has a %s action", verb, attr, updateKindNames[a.kind])
		}
	}
	a := updateAction{kind: kind, f: f}
	if kind != updateRemove {
		v, err := op.value(kind, f, value)
		if err != nil {
			return op.fails("%s %q: %w", verb, attr, err)
		}
		av, err := s.encodeValue(f, v)
		if err != nil {
			return op.fails("%s %q: %w", verb, attr, err)
		}
		if av == nil {
			// An omitempty field's zero value: a Put would store no
			// attribute, so setting it removes the attribute.
			if kind != updateSet {
				return op.fails("%s %q: an empty value of an omitempty attribute", verb, attr)
			}
			a.kind = updateRemove
		}
		a.v, a.av = v, av
	}
	op.actions = append(op.actions, a)
	return op
}

// value converts value to what kind needs for field f.
func (op *Update[T]) value(kind updateKind, f *codec.Field, value any) (reflect.Value, error) {
	t := f.Type
	isList := (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && t.Elem().Kind() != reflect.Uint8 && !f.Set
	switch kind {
	case updateAdd:
		if !f.Set && !isNumber(t.Kind()) {
			return reflect.Value{}, fmt.Errorf("Add needs a number or set attribute, not %s", t)
		}
	case updateAppend:
		if !isList {
			return reflect.Value{}, fmt.Errorf("Append needs a list attribute, not %s", t)
		}
	case updateDeleteFromSet:
		if !f.Set {
			return reflect.Value{}, fmt.Errorf("DeleteFromSet needs a set attribute (the set tag option), not %s", t)
		}
	}
	if v, ok := convert(value, t); ok {
		return v, nil
	}
	// One element for a list or set action.
	if (kind == updateAppend || f.Set && (kind == updateAdd || kind == updateDeleteFromSet)) && t.Kind() == reflect.Slice {
		if e, ok := convert(value, t.Elem()); ok {
			v := reflect.MakeSlice(t, 1, 1)
			v.Index(0).Set(e)
			return v, nil
		}
	}
	if value == nil {
		return reflect.Value{}, fmt.Errorf("nil value (use Remove to remove an attribute)")
	}
	return reflect.Value{}, fmt.Errorf("value of type %T does not fit the field's type %s", value, t)
}

func isNumber(k reflect.Kind) bool {
	return reflect.Int <= k && k <= reflect.Float64
}

// convert returns value as a value of type t: assigned when it can be, else
// converted between numbers or between strings when no information is lost.
func convert(value any, t reflect.Type) (reflect.Value, bool) {
	rv := reflect.ValueOf(value)
	if !rv.IsValid() {
		return rv, false
	}
	v := reflect.New(t).Elem()
	if rv.Type().AssignableTo(t) {
		v.Set(rv)
		return v, true
	}
	from, to := rv.Kind(), t.Kind()
	switch {
	case isNumber(from) && isNumber(to):
		negative := reflect.Int <= from && from <= reflect.Int64 && rv.Int() < 0 ||
			(from == reflect.Float32 || from == reflect.Float64) && rv.Float() < 0
		if negative && reflect.Uint <= to && to <= reflect.Uintptr {
			return v, false
		}
	case from == reflect.String && to == reflect.String:
	default:
		return v, false
	}
	c := rv.Convert(t)
	if !c.Convert(rv.Type()).Equal(rv) {
		return v, false // precision lost
	}
	v.Set(c)
	return v, true
}

// Params returns the UpdateItem request Run sends, without sending it.
func (op *Update[T]) Params() (*dynamodb.UpdateItemInput, error) {
	op.build(context.Background())
	return op.in, op.err
}

// Run updates the item and returns it as it is afterwards.
func (op *Update[T]) Run(ctx context.Context) (T, error) {
	var zero T
	op.build(ctx)
	in, err := op.in, op.err
	if err != nil {
		return zero, err
	}
	out, err := write(ctx, op.e.s.table.client.UpdateItem, in)
	if err != nil {
		return zero, op.fail.wrap(err, nil)
	}
	v, err := op.e.decode(ctx, out.Attributes)
	if err != nil {
		return v, &ItemError{Op: "Update", Entity: op.e.s.name, Key: op.fail.key, Err: err}
	}
	return v, nil
}

func (op *Update[T]) build(ctx context.Context) {
	if op.built {
		return
	}
	op.built = true
	s := op.e.s
	t := s.table
	p := unsafe.Pointer(&op.key)
	k, err := s.key(p)
	op.fail = failure{op: "Update", s: s, key: k, needsItem: true}
	if op.err != nil {
		if ie := (*ItemError)(nil); errors.As(op.err, &ie) {
			ie.Key = k
		}
		return
	}
	if err != nil {
		op.err = itemErr("Update", s, k, err)
		return
	}
	if len(op.actions) == 0 {
		op.err = &ItemError{Op: "Update", Entity: s.name, Key: k, Err: errors.New("nothing to update")}
		return
	}

	var ub expression.UpdateBuilder
	for _, a := range op.actions {
		name := expression.Name(a.f.Name)
		if a.av != nil && a.f.HasOption("encrypted") {
			if a.av, err = s.seal(ctx, k, a.f, a.av); err != nil {
				op.err = &ItemError{Op: "Update", Entity: s.name, Key: k, Err: err}
				return
			}
		}
		switch a.kind {
		case updateSet:
			ub = ub.Set(name, expression.Value(a.av))
		case updateSetIfNotExists:
			ub = ub.Set(name, expression.IfNotExists(name, expression.Value(a.av)))
		case updateAdd:
			ub = ub.Add(name, expression.Value(a.av))
		case updateRemove:
			ub = ub.Remove(name)
		case updateAppend:
			empty := &types.AttributeValueMemberL{Value: []types.AttributeValue{}}
			ub = ub.Set(name, expression.ListAppend(expression.IfNotExists(name, expression.Value(empty)), expression.Value(a.av)))
		case updateDeleteFromSet:
			ub = ub.Delete(name, expression.Value(a.av))
		}
	}
	ub, err = op.indexKeys(ub)
	if err != nil {
		op.err = &ItemError{Op: "Update", Entity: s.name, Key: k, Err: err}
		return
	}

	cond := s.isOwn() // the item exists and is of this entity
	if s.ttl != nil {
		cond = cond.And(op.fail.unexpired()) // and has not expired: Get would not find it
	}
	if s.version != nil {
		ub = ub.Add(expression.Name(s.version.Name), expression.Value(versionValue(1)))
	}
	if c, ok := op.fail.expectVersion(p); ok {
		cond = cond.And(c)
	}
	if s.updated != nil {
		av, err := s.updated.Marshal(reflect.ValueOf(t.now()))
		if err != nil {
			op.err = &ItemError{Op: "Update", Entity: s.name, Key: k, Err: err}
			return
		}
		ub = ub.Set(expression.Name(s.updated.Name), expression.Value(av))
	}
	if op.cond != nil {
		cond = cond.And(*op.cond)
	}
	expr, err := expression.NewBuilder().WithUpdate(ub).WithCondition(cond).Build()
	if err != nil {
		op.err = &ItemError{Op: "Update", Entity: s.name, Key: k, Err: err}
		return
	}
	if op.err = s.checkCond("Update", k, op.cond, expr); op.err != nil {
		return
	}
	op.in = &dynamodb.UpdateItemInput{
		TableName:                           aws.String(t.name),
		Key:                                 t.keyItem(k),
		UpdateExpression:                    expr.Update(),
		ConditionExpression:                 expr.Condition(),
		ExpressionAttributeNames:            expr.Names(),
		ExpressionAttributeValues:           expr.Values(),
		ReturnValues:                        types.ReturnValueAllNew,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
}

// indexKeys adds to ub the GSI key changes the actions imply.
func (op *Update[T]) indexKeys(ub expression.UpdateBuilder) (expression.UpdateBuilder, error) {
	s := op.e.s
	set := map[string]bool{}
	removed := map[string]bool{}
	next := op.key // the key value with the Set values: the new index fields
	np := unsafe.Pointer(&next)
	for _, a := range op.actions {
		if len(s.gsiOf[a.f.Name]) == 0 {
			continue
		}
		switch a.kind {
		case updateSet:
			set[a.f.Name] = true
			a.f.Value(np).Set(a.v)
		case updateRemove:
			removed[a.f.Name] = true
		}
	}
	if len(set) == 0 && len(removed) == 0 {
		return ub, nil
	}
	kp := unsafe.Pointer(&op.key)
	for _, g := range s.gsis {
		remove := func() {
			ub = ub.Remove(expression.Name(g.pkAttr))
			if g.sk != nil {
				ub = ub.Remove(expression.Name(g.skAttr))
			}
		}
		if touches(g.fields(), removed) {
			remove() // the item leaves the (sparse) index
			continue
		}
		// Recompute each key of the index that reads a field set here; it
		// needs all its fields. An empty one takes the item out of the index.
		type change struct {
			attr string
			part *keyPart
		}
		var changes []change
		for _, c := range []change{{g.pkAttr, g.pk}, {g.skAttr, g.sk}} {
			if c.part != nil && touches(c.part.fields, set) {
				changes = append(changes, c)
			}
		}
		left := false
		for _, c := range changes {
			for _, f := range c.part.fields {
				if !set[f.Name] && keys.IsZero(f.Value(kp)) {
					return ub, fmt.Errorf("changing index %s's key %s needs its field %q too: Set it, or give its current value in the key value", g.name, c.attr, f.Name)
				}
			}
			left = left || !c.part.complete(np)
		}
		if left {
			remove()
			continue
		}
		for _, c := range changes {
			key, err := c.part.build(np)
			if err != nil {
				return ub, fmt.Errorf("index %s: %w", g.name, err)
			}
			ub = ub.Set(expression.Name(c.attr), expression.Value(&types.AttributeValueMemberS{Value: key}))
		}
	}
	return ub, nil
}

// touches reports whether any of fields is named in attrs.
func touches(fields []*codec.Field, attrs map[string]bool) bool {
	for _, f := range fields {
		if attrs[f.Name] {
			return true
		}
	}
	return false
}

// txWriteItem returns the Update as an item of a TransactWriteItems
// request.
func (op *Update[T]) txWriteItem() (types.TransactWriteItem, error) {
	in, err := op.Params()
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                           in.TableName,
		Key:                                 in.Key,
		UpdateExpression:                    in.UpdateExpression,
		ConditionExpression:                 in.ConditionExpression,
		ExpressionAttributeNames:            in.ExpressionAttributeNames,
		ExpressionAttributeValues:           in.ExpressionAttributeValues,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailure(in.ReturnValuesOnConditionCheckFailure),
	}}, nil
}
