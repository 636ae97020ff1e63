package tablemap

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/tablemap/tablemap/internal/codec"
	"github.com/tablemap/tablemap/internal/engine"
)

// An Update changes attributes of one existing item and returns the item as
// it is afterwards. Make one with Entity.Update, add actions and options,
// then Run it (or read its Params). Each action names a top-level attribute
// of the entity and takes a value of its field's type (numbers and strings
// convert between kinds when no precision is lost: an integer converts to
// another integer kind only when the field holds the same number, so
// uint8(255) for an int8 field is an error), encoded like the field.
// It keeps the first error an action meets and returns it from Run or
// Params.
//
// Set, SetIfNotExists, Remove, Append, Add (of a number) and Incr also
// take a document path below a top-level attribute: "address.city",
// "reactions.heart", "tags[0]". The path is checked against the entity's
// Go type (a struct field's attribute name, a map key, a list index) and
// the value is converted and encoded like the value there. Two actions of
// one Update may not overlap ("reactions" and "reactions.heart"): an
// error before sending. A nested Add or Incr counts a missing number as
// 0, and Append a missing list as empty, but DynamoDB creates no parent:
// a path whose parent map or list the stored item lacks (a nil map or
// pointer is stored as NULL) fails the whole Update with
// ErrMissingParent, nothing applied. Put items with such parents non-nil
// (an empty map is stored as an empty map), or Set the parent whole
// (Set("reactions", map[string]int{"heart": 1})); SetIfNotExists of the
// parent in the same Update is refused as an overlap. DeleteFromSet, and
// Add of a set, apply to top-level attributes only.
//
// An Update never creates an item: a missing item is ErrNotFound (use Put to
// create), and an item of another entity type at the key is ErrWrongEntity. Fields of the table's key cannot change (delete and put
// instead). Setting a field that a GSI key template reads recomputes that
// key, which needs every field of its template: those set by the Update,
// the others taken from the key value when non-zero; anything else is an
// error before sending. The index's other key is rewritten too when the
// key value gives its fields; when it does not, the Update requires that
// key already stored, since an item not yet in the (sparse) index would
// get one key of it alone and stay out of it: such an Update fails with
// ErrConditionFailed saying the item is not in the index, and writes
// nothing. Setting an index field empty, or removing it, takes the item
// out of that index.
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
	write[T]
	key     T
	actions []engine.UpdateAction
	first   [4]engine.UpdateAction // actions' storage for the first few
	enc     codec.ValueEncoder     // the scratch state of the actions' values
}

// Update returns an Update of the item whose key fields are those of key.
func (e *Entity[T]) Update(key T) *Update[T] {
	op := &Update[T]{key: key}
	op.actions = op.first[:0]
	op.write = write[T]{e: e} // no spec: compileAs comes first (no closure per Update)
	return op
}

// compileAs compiles the Update unless it is built: for a transaction's
// item only (engine.WriteSpec.Tx), or for Params with the input the
// caller's (engine.WriteSpec.Lend). Every use calls it before its write's
// methods, which then find it built.
func (op *Update[T]) compileAs(ctx context.Context, tx, lend bool) {
	if !op.built {
		op.compile(ctx, engine.WriteSpec{Kind: engine.WriteUpdate, P: unsafe.Pointer(&op.key), Actions: op.actions, Tx: tx, Lend: lend})
	}
}

// txRequest compiles the Update as a transaction's item (see txWriter).
func (op *Update[T]) txRequest() (*engine.WriteRequest, error) {
	op.compileAs(context.Background(), true, false)
	return op.write.txRequest()
}

// Set sets attribute attr to value.
func (op *Update[T]) Set(attr string, value any) *Update[T] {
	return op.action(engine.UpdateSet, attr, value)
}

// SetIfNotExists sets attribute attr to value unless the item has it.
func (op *Update[T]) SetIfNotExists(attr string, value any) *Update[T] {
	return op.action(engine.UpdateSetIfNotExists, attr, value)
}

// Add adds value to a number attribute, or adds the elements of value (a
// set, or one element) to a set attribute. A missing attribute counts as
// 0 or the empty set.
func (op *Update[T]) Add(attr string, value any) *Update[T] {
	return op.action(engine.UpdateAdd, attr, value)
}

// Remove removes the named attributes from the item.
func (op *Update[T]) Remove(attrs ...string) *Update[T] {
	for _, a := range attrs {
		op.action(engine.UpdateRemove, a, nil)
	}
	return op
}

// Append appends value (a list of the field's type, or one element) to a
// list attribute; a missing attribute counts as the empty list.
func (op *Update[T]) Append(attr string, value any) *Update[T] {
	return op.action(engine.UpdateAppend, attr, value)
}

// DeleteFromSet removes the elements of value (a set, or one element) from a
// set attribute.
func (op *Update[T]) DeleteFromSet(attr string, value any) *Update[T] {
	return op.action(engine.UpdateDeleteFromSet, attr, value)
}

// If makes the Update conditional on cond, evaluated against the stored
// item; a failed condition is ErrConditionFailed. Several If calls are
// ANDed.
func (op *Update[T]) If(cond expression.ConditionBuilder) *Update[T] { op.and(cond); return op }

func (op *Update[T]) fails(format string, args ...any) *Update[T] {
	if op.err == nil {
		op.err = &ItemError{Op: "Update", Entity: op.e.s.Name, Err: fmt.Errorf(format, args...)}
	}
	return op
}

func (op *Update[T]) action(kind engine.UpdateKind, attr string, value any) *Update[T] {
	if op.err != nil {
		return op
	}
	s := op.e.s
	verb := engine.UpdateKindNames[kind]
	f := s.Codec.Field(attr)
	if f == nil && strings.ContainsAny(attr, ".[") {
		u, err := s.PathAction(kind, attr, value)
		return op.pathAction(u, err)
	}
	switch {
	case f == nil:
		return op.fails("%s: %s has no attribute %q", verb, s.Name, attr)
	case s.IsKeyField(attr):
		return op.fails("%s %q: the attribute is a field of the table's key; changing it would move the item (delete and put instead)", verb, attr)
	case f == s.Version || f == s.Created || f == s.Updated:
		return op.fails("%s %q: the attribute is managed by tablemap", verb, attr)
	case kind != engine.UpdateSet && kind != engine.UpdateRemove && len(s.GSIOf[attr]) > 0:
		return op.fails("%s %q: the attribute is a field of index %s's key, which only Set and Remove can recompute", verb, attr, s.GSIOf[attr][0].Name)
	case kind != engine.UpdateSet && kind != engine.UpdateSetIfNotExists && kind != engine.UpdateRemove && f.HasOption("encrypted"):
		return op.fails("%s %q: the attribute is encrypted; DynamoDB cannot change a ciphertext (Set the whole value instead)", verb, attr)
	}
	for i := range op.actions {
		a := &op.actions[i]
		if a.F == f {
			return op.fails("%s %q: the attribute already has a %s action", verb, attr, engine.UpdateKindNames[a.Kind])
		}
		if p := a.NestedPath(); p != nil && p.Field == f {
			return op.fails("%w", engine.PathsOverlap([]engine.DocPath{*p, topPath(f)}))
		}
	}
	a := engine.UpdateAction{Kind: kind, F: f}
	if kind != engine.UpdateRemove {
		v, err := op.value(kind, f, value)
		if err != nil {
			return op.fails("%s %q: %w", verb, attr, err)
		}
		av, err := s.EncodeAction(&op.enc, f, v, value)
		if err != nil {
			return op.fails("%s %q: %w", verb, attr, err)
		}
		if av == nil {
			// An omitempty field's zero value: a Put would store no
			// attribute, so setting it removes the attribute.
			if kind != engine.UpdateSet {
				return op.fails("%s %q: an empty value of an omitempty attribute", verb, attr)
			}
			a.Kind = engine.UpdateRemove
		}
		if a.Av = av; len(s.GSIOf[attr]) > 0 {
			a.X = &engine.ActionExtra{V: v} // indexKeys recomputes the keys that read the field
		}
	}
	op.actions = append(op.actions, a)
	return op
}

// pathAction adds the action u on a nested path (see engine.PathAction),
// refusing one that overlaps an earlier action (DynamoDB would refuse the
// request).
func (op *Update[T]) pathAction(u engine.PathUpdate, err error) *Update[T] {
	if err != nil {
		return op.fails("%w", err)
	}
	for _, a := range op.actions {
		prev := a.NestedPath()
		if prev == nil {
			prev = new(topPath(a.F))
		}
		if err := engine.PathsOverlap([]engine.DocPath{*prev, u.Path}); err != nil {
			return op.fails("%w", err)
		}
	}
	op.actions = append(op.actions, engine.UpdateAction{Kind: u.Kind, Av: u.Av, X: &engine.ActionExtra{Path: u.Path}})
	return op
}

// topPath is the document path of a top-level attribute.
func topPath(f *codec.Field) engine.DocPath {
	return engine.DocPath{Path: f.Name, Segs: []engine.PathSeg{{Name: f.Name}}, Field: f}
}

// value converts value to what kind needs for field f.
func (op *Update[T]) value(kind engine.UpdateKind, f *codec.Field, value any) (reflect.Value, error) {
	t := f.Type
	switch kind {
	case engine.UpdateAdd:
		if !f.Set && !engine.IsNumber(t.Kind()) {
			return reflect.Value{}, fmt.Errorf("Add needs a number or set attribute, not %s", t)
		}
	case engine.UpdateAppend:
		if isList := (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && t.Elem().Kind() != reflect.Uint8 && !f.Set; !isList {
			return reflect.Value{}, fmt.Errorf("Append needs a list attribute, not %s", t)
		}
	case engine.UpdateDeleteFromSet:
		if !f.Set {
			return reflect.Value{}, fmt.Errorf("DeleteFromSet needs a set attribute (the set tag option), not %s", t)
		}
	}
	if reflect.TypeOf(value) == t {
		return reflect.ValueOf(value), nil // what Convert returns, without its call
	}
	// One element for a list or set action.
	one := kind == engine.UpdateAppend || f.Set && (kind == engine.UpdateAdd || kind == engine.UpdateDeleteFromSet)
	return engine.ConvertValue(value, t, one, engine.Convert, "the field's type %s")
}

// Params returns the UpdateItem request Run sends, without sending it.
// It is the caller's to change: its ExpressionAttributeNames map is a copy
// of the one every request of the same shape shares.
func (op *Update[T]) Params() (*dynamodb.UpdateItemInput, error) {
	if !op.built {
		// The first Params builds the caller's input directly; any later
		// use makes the shared one again (engine.WriteRequest.Reclaim).
		if op.compileAs(context.Background(), false, true); op.req.Lent() {
			return op.req.Update, nil
		}
	}
	r, err := op.params()
	return r.Update, err
}

// Run updates the item and returns it as it is afterwards.
func (op *Update[T]) Run(ctx context.Context) (T, error) {
	var zero T
	op.compileAs(ctx, false, false)
	op.build(ctx)
	if op.err != nil {
		return zero, op.err
	}
	out, err := engine.Write(ctx, op.e.s.Table.Client.UpdateItem, op.req.Update)
	if err != nil {
		return zero, op.req.Fail.Wrap(err, nil)
	}
	v, err := op.e.decode(ctx, out.Attributes)
	if err != nil {
		return v, &ItemError{Op: "Update", Entity: op.e.s.Name, Key: op.req.Fail.Key, Err: err}
	}
	return v, nil
}
