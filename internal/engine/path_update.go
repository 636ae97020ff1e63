package engine

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// Update actions on nested document paths ("reactions.heart", "tags[0]",
// "address.city"), ready for the Update builder. A path that is a
// top-level attribute (ResolvePath's DocPath.Nested is false) keeps the
// builder's own handling (encryption, index keys); a nested one goes
// through PathAction, or PathIncr for Incr, and PathUpdate.Apply.
//
// DynamoDB refuses SET, REMOVE and the rest on a path whose parent is
// missing or not a map or list (a nil map or pointer is stored as NULL):
// the whole request fails with a ValidationException and nothing is
// applied. A parent cannot be created in the same request (two paths of
// one update may not overlap), so the rule is documented and the refusal
// told apart by MissingParent: Put the item with the parent non-nil (an
// empty map is stored as an empty M), or Set the parent whole.

// A PathUpdate is one action on a nested path, checked against the
// entity's type, its value converted and encoded like the value there.
type PathUpdate struct {
	Kind UpdateKind
	Path DocPath
	V    reflect.Value        // the value, of the leaf's type (a slice for Append)
	Av   types.AttributeValue // V encoded like the value at the path
}

// PathAction resolves path for an action of kind and converts value, as
// the builder's action does for a top-level attribute. Key, index and
// managed fields are scalars (or times), which ResolvePath never goes
// below, and it refuses a path below an encrypted attribute. PathAction
// refuses Add other than of a
// number (DynamoDB's ADD and DELETE are sent for top-level attributes
// only: Set the whole set instead) and DeleteFromSet; and a zero value
// that the codec would omit inside a list (removing the element would
// shift the others). Errors name the entity and the path.
func (s *Schema) PathAction(kind UpdateKind, path string, value any) (PathUpdate, error) {
	verb := UpdateKindNames[kind]
	p, err := s.ResolvePath(path)
	if err != nil {
		return PathUpdate{}, fmt.Errorf("%s: %w", verb, err)
	}
	fail := func(format string, args ...any) (PathUpdate, error) {
		return PathUpdate{}, fmt.Errorf("%s %s: %s", verb, quotePath(path), fmt.Sprintf(format, args...))
	}
	u := PathUpdate{Kind: kind, Path: p}
	if kind == UpdateRemove {
		return u, nil
	}
	if u.V, err = pathValue(kind, p, value); err != nil {
		return fail("%v", err)
	}
	if u.Av, err = p.Leaf.Marshal(u.V); err != nil {
		return fail("%v", err)
	}
	if u.Av == nil {
		// omitempty of the elements: a Put stores no such map entry.
		if kind != UpdateSet || p.Segs[len(p.Segs)-1].IsIndex {
			return fail("an empty value the field's omitemptyelem option would not store")
		}
		u.Kind = UpdateRemove
	}
	return u, nil
}

// pathValue converts value to what kind needs at p.
func pathValue(kind UpdateKind, p DocPath, value any) (reflect.Value, error) {
	t, leaf := p.Leaf.Type, p.LeafType()
	isList := (leaf.Kind() == reflect.Slice || leaf.Kind() == reflect.Array) && leaf.Elem().Kind() != reflect.Uint8 && !p.Leaf.IsSet()
	switch {
	case kind == UpdateAdd && !p.IsNumber():
		return reflect.Value{}, fmt.Errorf("on a nested path it needs a number stored as N, not %s (a nested set: Set it whole)", t)
	case kind == UpdateDeleteFromSet:
		return reflect.Value{}, errors.New("it applies to top-level set attributes only (a nested set: Set it whole)")
	case kind == UpdateAppend && (!isList || leaf != t):
		return reflect.Value{}, fmt.Errorf("it needs a list, not %s", t)
	}
	return ConvertValue(value, t, kind == UpdateAppend, convertTo, "the type %s there")
}

// ConvertValue returns value as a value of type t, converted by conv, or,
// when one holds (an action that takes one element) and t is a slice, as
// a slice of the one element conv converts. A value that fits neither is
// an error, which names t by the format fits ("the field's type %s").
func ConvertValue(value any, t reflect.Type, one bool, conv func(any, reflect.Type) (reflect.Value, bool), fits string) (reflect.Value, error) {
	if v, ok := conv(value, t); ok {
		return v, nil
	}
	if one && t.Kind() == reflect.Slice {
		if e, ok := conv(value, t.Elem()); ok {
			v := reflect.MakeSlice(t, 1, 1)
			v.Index(0).Set(e)
			return v, nil
		}
	}
	if value == nil {
		return reflect.Value{}, errors.New("nil value (use Remove to remove an attribute)")
	}
	return reflect.Value{}, fmt.Errorf("value of type %T does not fit "+fits, value, t)
}

// convertTo is Convert, also to a pointer type from a value of its
// element type.
func convertTo(value any, t reflect.Type) (reflect.Value, bool) {
	if v, ok := Convert(value, t); ok {
		return v, true
	}
	if t.Kind() != reflect.Pointer {
		return reflect.Value{}, false
	}
	e, ok := convertTo(value, t.Elem())
	if !ok {
		return reflect.Value{}, false
	}
	v := reflect.New(t.Elem())
	v.Elem().Set(e)
	return v, true
}

// Apply adds the action to ub. A nested Add is SET p = if_not_exists(p,
// 0) + v: a missing number counts as 0, as ADD counts it.
func (u PathUpdate) Apply(ub expression.UpdateBuilder) expression.UpdateBuilder {
	name := u.Path.Name()
	switch u.Kind {
	case UpdateSet:
		return ub.Set(name, expression.Value(u.Av))
	case UpdateSetIfNotExists:
		return ub.Set(name, expression.IfNotExists(name, expression.Value(u.Av)))
	case UpdateAdd:
		zero := expression.Value(&types.AttributeValueMemberN{Value: "0"})
		return ub.Set(name, expression.Plus(expression.IfNotExists(name, zero), expression.Value(u.Av)))
	case UpdateAppend:
		empty := &types.AttributeValueMemberL{Value: []types.AttributeValue{}}
		return ub.Set(name, expression.ListAppend(expression.IfNotExists(name, expression.Value(empty)), expression.Value(u.Av)))
	}
	return ub.Remove(name)
}

// PathIncr is Incr on a nested counter: the Add of n, and for a decrement
// the condition that keeps the counter at zero or above (a missing counter
// fails it, as Incr's does).
func (s *Schema) PathIncr(path string, n int64) (PathUpdate, *expression.ConditionBuilder, error) {
	mag := uint64(n)
	if n < 0 {
		mag = -mag
	}
	u, err := s.PathAction(UpdateAdd, path, mag)
	if err != nil || n >= 0 {
		return u, nil, err
	}
	limit, ok := u.Av.(*types.AttributeValueMemberN)
	if !ok {
		return PathUpdate{}, nil, fmt.Errorf("%s %s: the value encodes as %T, not a number", "Incr", quotePath(path), u.Av)
	}
	u.Av = &types.AttributeValueMemberN{Value: "-" + limit.Value}
	cond := u.Path.Name().GreaterThanEqual(expression.Value(limit))
	return u, &cond, nil
}

// PathsOverlap refuses two actions of one Update on overlapping paths
// ("a" and "a.b", or the same path twice), which DynamoDB refuses.
func PathsOverlap(paths []DocPath) error {
	if a, b, ok := FirstOverlap(paths); ok {
		return fmt.Errorf("paths %s and %s overlap: one Update changes each part of an item once", quotePath(a), quotePath(b))
	}
	return nil
}

// MissingParent reports whether err is DynamoDB refusing an update because
// a nested path's parent is missing or not a map or list. Nothing was
// applied.
func MissingParent(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "ValidationException" &&
		strings.Contains(ae.ErrorMessage(), "document path provided in the update expression is invalid")
}

// MissingParentErr is the error of an Update DynamoDB refused for a
// missing parent (see MissingParent), naming the nested paths.
func MissingParentErr(paths []DocPath, err error) error {
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = quotePath(p.Path)
	}
	return fmt.Errorf("refused, nothing applied: the stored item lacks a map or list above %s (a nil map or pointer is stored as NULL): Put the item with it non-nil, or Set it whole: %w", strings.Join(names, ", "), err)
}
