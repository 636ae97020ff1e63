package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/codec"
)

// A WriteKind is the operation of a single-item write.
type WriteKind uint8

const (
	WritePut WriteKind = iota
	WriteUpdate
	WriteDelete
	WriteCheck
)

func (k WriteKind) String() string { return [...]string{"Put", "Update", "Delete", "Check"}[k] }

// A WriteSpec is the type-erased description of one single-item write, as
// a builder of the façade hands it over: the write compiler (Compile)
// makes of it the SDK input of the operation run alone, of a transaction's
// item or a batch's write, and the Failure that classifies its errors.
type WriteSpec struct {
	Kind WriteKind
	S    *Schema
	// P points to the value (Put: its version and timestamps are set in
	// place) or the key value (the others, whose version field, when not
	// 0, is the version the write expects stored).
	P       unsafe.Pointer
	Absent  bool                         // Put.IfNotExists, Check.NotExists: no item at the key
	Exists  bool                         // Check.Exists: an item of the entity at the key
	Cond    *expression.ConditionBuilder // the caller's condition, nil if none
	Actions []UpdateAction               // Update's actions, checked by the façade
	// Tx compiles an Update as a transaction's item (WriteRequest.TxUpdate),
	// without the UpdateItemInput a transaction would only copy; Alone
	// makes that input if the Update is then used alone.
	Tx bool
	// Lend compiles an Update for Params: its UpdateItemInput is built as
	// the caller's own (as Copy makes it), without a shared one to copy;
	// Alone makes the shared one if the Update is used again.
	Lend bool
}

// A WriteRequest is a compiled write: the SDK input of its operation (one
// of Put, Update, Delete and Check is set), its failure classifier, and
// whether it has a condition beyond the entity guard (which a batch cannot
// send).
type WriteRequest struct {
	Put         *dynamodb.PutItemInput
	Update      *dynamodb.UpdateItemInput
	TxUpdate    *types.Update // an Update compiled for a transaction (WriteSpec.Tx), Update nil until Alone
	lent        *lentUpdate   // an Update compiled for Params (WriteSpec.Lend): Update is the caller's until Alone
	Delete      *dynamodb.DeleteItemInput
	Check       *types.ConditionCheck
	Fail        Failure
	Conditional bool
}

// Compile builds the request of w into r (a builder's own: no request
// copied out); ctx is for sealing encrypted attributes. r.Fail is set,
// with the key, even when it fails.
func (w *WriteSpec) Compile(ctx context.Context, r *WriteRequest) error {
	*r = WriteRequest{}
	if w.Kind == WritePut {
		return w.compilePut(ctx, r)
	}
	k, err := w.S.Key(w.P)
	r.Fail = Failure{Kind: w.Kind, S: w.S, Key: k, NeedsItem: w.Kind != WriteCheck || w.Exists, Absent: w.Absent}
	if err != nil {
		return ItemErr(r.Fail.Op(), w.S, k, err)
	}
	var x writeExpr
	x.lend = w.Lend
	var l *lentUpdate
	if w.Kind == WriteUpdate && w.Lend && !w.Tx {
		l = new(lentUpdate) // made now, so that the condition's values take its room
		x.room = &l.keys
	}
	switch w.Kind {
	case WriteUpdate:
		err = w.updateExpr(ctx, &x, &r.Fail)
	case WriteDelete:
		w.deleteConds(&x, r)
	default:
		err = w.checkConds(&x, &r.Fail)
	}
	var e rendered
	if err == nil {
		e, err = w.finish(&x, &r.Fail)
	}
	if err != nil {
		if !errors.As(err, new(*ItemError)) {
			err = &ItemError{Op: r.Fail.Op(), Entity: w.S.Name, Key: k, Err: err}
		}
		return err
	}
	w.keyedInput(r, e, l)
	return nil
}

// keyedInput sets the input of an Update, Delete or Check.
func (w *WriteSpec) keyedInput(r *WriteRequest, e rendered, l *lentUpdate) {
	t := w.S.Table
	name := &t.Name // the table's: see Copy
	if l != nil {
		l.cond, l.update, l.names, l.values = e.cond, e.update, e.names, e.values
		l.key = w.S.keyItem(r.Fail.Key, &l.keys)
		l.in = compiledUpdateInput(name, l.key, &e)
		own(&l.in.ExpressionAttributeNames, l.s[:], &l.in.TableName, &l.in.ConditionExpression, &l.in.UpdateExpression)
		r.Update, r.lent = &l.in, l
		return
	}
	key := w.S.keyItem(r.Fail.Key, nil)
	old := types.ReturnValuesOnConditionCheckFailureAllOld
	switch {
	case w.Kind == WriteUpdate && w.Tx:
		r.TxUpdate = &types.Update{TableName: name, Key: key,
			UpdateExpression: e.update, ConditionExpression: e.cond, ExpressionAttributeNames: e.names,
			ExpressionAttributeValues: e.values, ReturnValuesOnConditionCheckFailure: old}
	case w.Kind == WriteUpdate:
		in := compiledUpdateInput(name, key, &e)
		r.Update = &in
	case w.Kind == WriteDelete:
		r.Delete = &dynamodb.DeleteItemInput{TableName: name, Key: key, ReturnValues: types.ReturnValueAllOld,
			ConditionExpression: e.cond, ExpressionAttributeNames: e.names,
			ExpressionAttributeValues: e.values, ReturnValuesOnConditionCheckFailure: old}
	default:
		r.Check = &types.ConditionCheck{TableName: name, Key: key,
			ConditionExpression: e.cond, ExpressionAttributeNames: e.names,
			ExpressionAttributeValues: e.values, ReturnValuesOnConditionCheckFailure: old}
	}
}

// updateInput is the UpdateItemInput of an Update.
func compiledUpdateInput(table *string, key map[string]types.AttributeValue, e *rendered) dynamodb.UpdateItemInput {
	return dynamodb.UpdateItemInput{TableName: table, Key: key, ReturnValues: types.ReturnValueAllNew,
		UpdateExpression: e.update, ConditionExpression: e.cond, ExpressionAttributeNames: e.names,
		ExpressionAttributeValues: e.values, ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}
}

// A lentUpdate is the UpdateItemInput of an Update compiled for Params
// (WriteSpec.Lend), the caller's, with its strings and values, and the
// compiled parts the shared input is made of again (Alone): one
// allocation.
type lentUpdate struct {
	in   dynamodb.UpdateItemInput
	s    [3]string // the input's strings (see own)
	keys valueRoom // the key's values, and the entity-type value of the condition
	// The parts of the shared input: the shape's expressions and names,
	// the key and values made for the Params.
	cond, update *string
	names        map[string]string
	key, values  map[string]types.AttributeValue
}

// Lent reports whether the request is an Update compiled for Params
// (WriteSpec.Lend) whose input is the caller's: until Reclaim, its
// Update is for the Params that compiled it only.
func (r *WriteRequest) Lent() bool { return r.lent != nil }

// Reclaim makes a shared input of a lent Update (see Lent) again, from
// the compiled parts: the input keyedInput makes without Lend. Every use
// of a compiled request but the first Params calls it (or Alone) first.
func (r *WriteRequest) Reclaim() {
	if l := r.lent; l != nil {
		r.lent = nil
		in := compiledUpdateInput(&r.Fail.S.Table.Name, l.key, &rendered{cond: l.cond, update: l.update, names: l.names, values: l.values})
		r.Update = &in
	}
}

// Alone makes the UpdateItemInput of an Update compiled for a
// transaction (see WriteSpec.Tx), or for Params (Reclaim), for its use
// alone: the input keyedInput makes without either.
func (r *WriteRequest) Alone() {
	r.Reclaim()
	if u := r.TxUpdate; u != nil && r.Update == nil {
		r.Update = &dynamodb.UpdateItemInput{TableName: u.TableName, Key: u.Key, ReturnValues: types.ReturnValueAllNew,
			UpdateExpression: u.UpdateExpression, ConditionExpression: u.ConditionExpression,
			ExpressionAttributeNames: u.ExpressionAttributeNames, ExpressionAttributeValues: u.ExpressionAttributeValues,
			ReturnValuesOnConditionCheckFailure: u.ReturnValuesOnConditionCheckFailure}
	}
}

// keyItem is t.KeyItem(k) for the table t of s, typed by s's key parts,
// which hold the types of the table's key attributes, without looking
// them up; its values are in room when it is not nil (see valueRoom), as
// a request for a caller holds them with its input.
func (s *Schema) keyItem(k Key, room *valueRoom) map[string]types.AttributeValue {
	t, p := s.Table, s.Primary
	if p.SK == nil {
		return map[string]types.AttributeValue{t.PK: room.key(p.PK.Kind, k.PK)}
	}
	return map[string]types.AttributeValue{t.PK: room.key(p.PK.Kind, k.PK), t.SK: room.key(p.SK.Kind, k.SK)}
}

// finish renders x, checks the caller's condition, and returns the
// rendered expressions.
func (w *WriteSpec) finish(x *writeExpr, f *Failure) (rendered, error) {
	e, err := x.render()
	if err == nil && e.user != nil {
		u := e.user
		err = CheckCondition(w.S.Table, []*Schema{w.S}, "the condition", u.Condition(), u.Names(), u.Values())
	}
	if err != nil {
		return e, &ItemError{Op: f.Op(), Entity: w.S.Name, Key: f.Key, Err: err}
	}
	return e, nil
}

func (w *WriteSpec) compilePut(ctx context.Context, r *WriteRequest) error {
	s, p := w.S, w.P
	t := s.Table
	r.Fail = Failure{Kind: WritePut, S: s, Absent: w.Absent}
	var x writeExpr
	x.init(s, false)
	free := w.Absent // a condition requires no item at the key
	if w.Absent {
		x.add(condNoItem, &r.Fail, 0)
	}
	if s.Version != nil {
		cur := s.VersionOf(p)
		r.Fail.Versioned, r.Fail.Expected = true, cur
		switch {
		case cur == 0 && !w.Absent:
			x.add(condNoItem, &r.Fail, 0)
			free = true
		case cur != 0:
			x.add(condVersionIs, &r.Fail, cur)
		}
		s.SetVersion(p, cur+1)
	}
	s.stamp(p)
	r.Conditional = x.nconds > 0 || w.Cond != nil
	if !free {
		// Without a condition that the key is free, the Put must not
		// replace another entity's item; ErrWrongEntity says it would have.
		x.add(condAbsentOrOwn, &r.Fail, 0)
	}
	x.addUser(w.Cond)
	item, key, err := s.EncodePut(ctx, nil, p)
	r.Fail.Key = key
	if err != nil {
		return err
	}
	e, err := w.finish(&x, &r.Fail)
	if err != nil {
		return err
	}
	r.Put = &dynamodb.PutItemInput{
		TableName: &t.Name, Item: item, // the table's: see Copy
		ConditionExpression: e.cond, ExpressionAttributeNames: e.names, ExpressionAttributeValues: e.values,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
	return nil
}

// EncodePut returns the item a Put of the value at p writes, and its key;
// an item over MaxItemSize is ErrItemTooLarge. Errors are *ItemError. enc
// may be nil (see EncodeSized).
func (s *Schema) EncodePut(ctx context.Context, enc *codec.Encoder, p unsafe.Pointer) (map[string]types.AttributeValue, Key, error) {
	item, key, size, err := s.EncodeSized(ctx, enc, p)
	if err != nil {
		return nil, key, ItemErr("Put", s, key, err)
	}
	if size > MaxItemSize {
		return nil, key, &ItemError{Op: "Put", Entity: s.Name, Key: key, Kind: ErrItemTooLarge,
			Err: fmt.Errorf("%d bytes, over the limit of %d", size, MaxItemSize)}
	}
	return item, key, nil
}

// stamp sets the created field, when zero, and the updated field of the
// value at p to the table's clock.
func (s *Schema) stamp(p unsafe.Pointer) {
	if s.Created == nil && s.Updated == nil {
		return
	}
	now := reflect.ValueOf(s.Table.Now())
	if s.Created != nil {
		if v := s.Created.Value(p); v.IsZero() {
			v.Set(now)
		}
	}
	if s.Updated != nil {
		s.Updated.Value(p).Set(now)
	}
}

// expectVersion adds the condition that the stored version is that of the
// key value, when the entity has a version field and the key value's
// version is not 0, and makes f report another one as ErrVersionConflict:
// how Update, Delete and Check apply only to the version they were given.
func (w *WriteSpec) expectVersion(x *writeExpr, f *Failure) {
	if w.S.Version == nil {
		return
	}
	if cur := w.S.VersionOf(w.P); cur != 0 {
		f.Versioned, f.Expected = true, cur
		x.add(condVersionIs, f, cur)
	}
}

// deleteConds adds a Delete's conditions: the entity guard, the version.
func (w *WriteSpec) deleteConds(x *writeExpr, r *WriteRequest) {
	x.init(w.S, false)
	x.add(condAbsentOrOwn, &r.Fail, 0)
	guards := x.nconds // none for an entity recognised by its keys
	w.expectVersion(x, &r.Fail)
	r.Conditional = x.nconds > guards || w.Cond != nil
	x.addUser(w.Cond)
}

// checkConds adds a Check's conditions: an item of the entity, or none,
// the version, and the caller's, with the entity guard after them.
func (w *WriteSpec) checkConds(x *writeExpr, f *Failure) error {
	if w.Exists && w.Absent {
		return errors.New("both Exists and NotExists")
	}
	x.init(w.S, false)
	switch {
	case w.Exists:
		x.add(condIsOwn, f, 0) // an item of another entity is not this one
		if w.S.TTL != nil {
			x.add(condAnItem, f, 0) // nor is an expired one
		}
	case w.Absent:
		x.add(condNoItem, f, 0)
	}
	if !w.Absent {
		w.expectVersion(x, f)
	}
	if x.nconds == 0 && w.Cond == nil {
		return errors.New("no condition (use Exists, NotExists or If)")
	}
	x.addUser(w.Cond)
	if !w.Exists && !w.Absent {
		x.add(condAbsentOrOwn, f, 0)
	}
	return nil
}

// Copy returns the request with an input, table name and names map of
// its own, for a caller to change: a compiled request's table name is its
// table's and its names map its shape's, which only the SDK may share.
// The input and its strings are one allocation.
func (r WriteRequest) Copy() WriteRequest {
	switch {
	case r.Put != nil:
		c := &struct {
			in dynamodb.PutItemInput
			s  ownedStrings
		}{in: *r.Put}
		c.s.own(&c.in.ExpressionAttributeNames, &c.in.TableName, &c.in.ConditionExpression)
		c.s.unshare(r.Fail.S, c.in.Item, c.in.ExpressionAttributeValues)
		r.Put = &c.in
	case r.Update != nil:
		c := &struct {
			in dynamodb.UpdateItemInput
			s  ownedStrings
		}{in: *r.Update}
		c.s.own(&c.in.ExpressionAttributeNames, &c.in.TableName, &c.in.ConditionExpression, &c.in.UpdateExpression)
		c.s.unshare(r.Fail.S, nil, c.in.ExpressionAttributeValues)
		r.Update = &c.in
	case r.Delete != nil:
		c := &struct {
			in dynamodb.DeleteItemInput
			s  ownedStrings
		}{in: *r.Delete}
		c.s.own(&c.in.ExpressionAttributeNames, &c.in.TableName, &c.in.ConditionExpression)
		c.s.unshare(r.Fail.S, nil, c.in.ExpressionAttributeValues)
		r.Delete = &c.in
	case r.Check != nil:
		c := &struct {
			in types.ConditionCheck
			s  ownedStrings
		}{in: *r.Check}
		c.s.own(&c.in.ExpressionAttributeNames, &c.in.TableName, &c.in.ConditionExpression)
		c.s.unshare(r.Fail.S, nil, c.in.ExpressionAttributeValues)
		r.Check = &c.in
	}
	return r
}

// ownedStrings holds the strings of a write's input copied for a caller
// (table name, expressions), allocated with the input, and room for
// copies of the entity-type value (see unshare).
type ownedStrings struct {
	s   [3]string
	typ [2]types.AttributeValueMemberS
}

func (o *ownedStrings) own(names *map[string]string, ps ...**string) { own(names, o.s[:], ps...) }

// unshare points the entity-type value in item (its type attribute) and
// in values (the entity guard's) to copies of their own in o: the value is
// the entity's, shared by every write of it (Schema.TypeValue), and a
// caller changing a Params' value in place would change what every later
// write of the entity sends.
func (o *ownedStrings) unshare(s *Schema, item, values map[string]types.AttributeValue) {
	if s == nil || s.TypeValue == nil {
		return
	}
	var shared types.AttributeValue = s.TypeValue
	if attr := s.Table.TypeAttr; item != nil && item[attr] == shared {
		o.typ[0] = *s.TypeValue
		item[attr] = &o.typ[0]
	}
	for k, v := range values {
		if v == shared {
			o.typ[1] = *s.TypeValue
			values[k] = &o.typ[1]
		}
	}
}

// own replaces the names map of an input's copy with a copy of its own,
// and points each of ps (at most len(room)) to a copy of its string in
// room, allocated with the input: the compiled ones are shared with the
// table and the shape they were rendered from.
func own(names *map[string]string, room []string, ps ...**string) {
	*names = maps.Clone(*names)
	for i, p := range ps {
		if *p != nil {
			room[i] = **p
			*p = &room[i]
		}
	}
}

// OwnStrings points each of ps to a copy of its string.
func OwnStrings(ps ...**string) {
	for _, p := range ps {
		if *p != nil {
			*p = aws.String(**p)
		}
	}
}

// TxItem returns the request as an item of a TransactWriteItems request:
// the same input as the operation run alone.
func (r *WriteRequest) TxItem() types.TransactWriteItem {
	rv := types.ReturnValuesOnConditionCheckFailureAllOld
	switch {
	case r.TxUpdate != nil:
		return types.TransactWriteItem{Update: r.TxUpdate}
	case r.Put != nil:
		in := r.Put
		return types.TransactWriteItem{Put: &types.Put{
			TableName: in.TableName, Item: in.Item, ConditionExpression: in.ConditionExpression,
			ExpressionAttributeNames: in.ExpressionAttributeNames, ExpressionAttributeValues: in.ExpressionAttributeValues,
			ReturnValuesOnConditionCheckFailure: rv,
		}}
	case r.Update != nil:
		in := r.Update
		return types.TransactWriteItem{Update: &types.Update{
			TableName: in.TableName, Key: in.Key, UpdateExpression: in.UpdateExpression, ConditionExpression: in.ConditionExpression,
			ExpressionAttributeNames: in.ExpressionAttributeNames, ExpressionAttributeValues: in.ExpressionAttributeValues,
			ReturnValuesOnConditionCheckFailure: rv,
		}}
	case r.Delete != nil:
		in := r.Delete
		return types.TransactWriteItem{Delete: &types.Delete{
			TableName: in.TableName, Key: in.Key, ConditionExpression: in.ConditionExpression,
			ExpressionAttributeNames: in.ExpressionAttributeNames, ExpressionAttributeValues: in.ExpressionAttributeValues,
			ReturnValuesOnConditionCheckFailure: rv,
		}}
	}
	return types.TransactWriteItem{ConditionCheck: r.Check}
}

// OwnTxItem is TxItem with a table name and names map of its own, for a
// caller to change (see Copy): each item and its strings are one
// allocation.
func (r *WriteRequest) OwnTxItem() types.TransactWriteItem {
	rv := types.ReturnValuesOnConditionCheckFailureAllOld
	switch {
	case r.Put != nil:
		in := r.Put
		c := &struct {
			it types.Put
			s  ownedStrings
		}{it: types.Put{
			TableName: in.TableName, Item: in.Item, ConditionExpression: in.ConditionExpression,
			ExpressionAttributeNames: in.ExpressionAttributeNames, ExpressionAttributeValues: in.ExpressionAttributeValues,
			ReturnValuesOnConditionCheckFailure: rv,
		}}
		c.s.own(&c.it.ExpressionAttributeNames, &c.it.TableName, &c.it.ConditionExpression)
		c.s.unshare(r.Fail.S, c.it.Item, c.it.ExpressionAttributeValues)
		return types.TransactWriteItem{Put: &c.it}
	case r.TxUpdate != nil:
		c := &struct {
			it types.Update
			s  ownedStrings
		}{it: *r.TxUpdate}
		c.s.own(&c.it.ExpressionAttributeNames, &c.it.TableName, &c.it.ConditionExpression, &c.it.UpdateExpression)
		c.s.unshare(r.Fail.S, nil, c.it.ExpressionAttributeValues)
		return types.TransactWriteItem{Update: &c.it}
	case r.Update != nil:
		in := r.Update
		c := &struct {
			it types.Update
			s  ownedStrings
		}{it: types.Update{
			TableName: in.TableName, Key: in.Key, UpdateExpression: in.UpdateExpression, ConditionExpression: in.ConditionExpression,
			ExpressionAttributeNames: in.ExpressionAttributeNames, ExpressionAttributeValues: in.ExpressionAttributeValues,
			ReturnValuesOnConditionCheckFailure: rv,
		}}
		c.s.own(&c.it.ExpressionAttributeNames, &c.it.TableName, &c.it.ConditionExpression, &c.it.UpdateExpression)
		c.s.unshare(r.Fail.S, nil, c.it.ExpressionAttributeValues)
		return types.TransactWriteItem{Update: &c.it}
	case r.Delete != nil:
		in := r.Delete
		c := &struct {
			it types.Delete
			s  ownedStrings
		}{it: types.Delete{
			TableName: in.TableName, Key: in.Key, ConditionExpression: in.ConditionExpression,
			ExpressionAttributeNames: in.ExpressionAttributeNames, ExpressionAttributeValues: in.ExpressionAttributeValues,
			ReturnValuesOnConditionCheckFailure: rv,
		}}
		c.s.own(&c.it.ExpressionAttributeNames, &c.it.TableName, &c.it.ConditionExpression)
		c.s.unshare(r.Fail.S, nil, c.it.ExpressionAttributeValues)
		return types.TransactWriteItem{Delete: &c.it}
	}
	return types.TransactWriteItem{ConditionCheck: r.Copy().Check}
}

// TxAction returns what a transaction knows of the request to report it.
func (r *WriteRequest) TxAction() TxAction {
	f := &r.Fail
	return TxAction{Key: f.Key, S: f.S, Failed: f}
}

// BatchItem returns a compiled Put or Delete as a write of a batch (see
// NewBatchItem).
func (r *WriteRequest) BatchItem() (BatchItem, *Table, error) {
	w := BatchItem{Delete: r.Delete != nil}
	if r.Put != nil {
		w.Item = r.Put.Item
	}
	return NewBatchItem(r.Fail.S, r.Fail.Key, r.Conditional, w)
}
