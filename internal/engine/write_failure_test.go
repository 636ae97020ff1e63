package engine

import (
	"errors"
	"fmt"
	"strconv"
	"testing"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// stored returns an item as DynamoDB returns it on a failed condition
// (ALL_OLD): of entity typ, with the version and ttl attributes given
// (none when 0).
func stored(typ string, version, expires int64) map[string]types.AttributeValue {
	it := map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "DOC#d1"}, "SK": &types.AttributeValueMemberS{Value: "DOC"},
		"_type": &types.AttributeValueMemberS{Value: typ},
	}
	if version != 0 {
		it["v"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(version, 10)}
	}
	if expires != 0 {
		it["expires"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(expires, 10)}
	}
	return it
}

func docWrite(t *testing.T, w WriteSpec) *Failure {
	t.Helper()
	_, _, doc, _ := writeTable(t)
	w.S = doc
	if w.P == nil {
		w.P = unsafe.Pointer(&wDoc{ID: "d1"})
	}
	r := compile(t, w)
	return &r.Fail
}

func kindOf(f *Failure, old map[string]types.AttributeValue) error {
	return f.ConditionKind(old)
}

func expectKind(t *testing.T, what string, got, want error) {
	t.Helper()
	if got != want {
		t.Errorf("%s: %v, want %v", what, got, want)
	}
}

func TestFailureMissingItem(t *testing.T) {
	for _, kind := range []WriteKind{WriteUpdate, WriteDelete} {
		w := WriteSpec{Kind: kind}
		if kind == WriteUpdate {
			_, _, doc, _ := writeTable(t)
			w.Actions = []UpdateAction{action(t, doc, UpdateSet, "body", "x")}
		}
		expectKind(t, kind.String(), kindOf(docWrite(t, w), nil), ErrNotFound)
	}
	expectKind(t, "Check.Exists", kindOf(docWrite(t, WriteSpec{Kind: WriteCheck, Exists: true}), nil), ErrNotFound)
	// A Put needs no item: a failed condition without one is another one.
	expectKind(t, "Put", kindOf(docWrite(t, WriteSpec{Kind: WritePut}), nil), ErrConditionFailed)
}

func TestFailureItemExists(t *testing.T) {
	expectKind(t, "Put.IfNotExists", kindOf(docWrite(t, WriteSpec{Kind: WritePut, Absent: true}), stored("Doc", 1, 0)), ErrExists)
	expectKind(t, "Check.NotExists", kindOf(docWrite(t, WriteSpec{Kind: WriteCheck, Absent: true}), stored("Doc", 1, 0)), ErrExists)
	// Version 0 of a versioned entity requires no item, but says so as a
	// version conflict: the caller expected none stored.
	expectKind(t, "Put of version 0", kindOf(docWrite(t, WriteSpec{Kind: WritePut}), stored("Doc", 2, 0)), ErrVersionConflict)
}

func TestFailureWrongEntity(t *testing.T) {
	for _, kind := range []WriteKind{WritePut, WriteDelete, WriteCheck} {
		w := WriteSpec{Kind: kind, P: unsafe.Pointer(&wDoc{ID: "d1", V: 1}), Exists: kind == WriteCheck}
		expectKind(t, kind.String(), kindOf(docWrite(t, w), stored("Photo", 0, 0)), ErrWrongEntity)
	}
}

func TestFailureVersionConflict(t *testing.T) {
	f := docWrite(t, WriteSpec{Kind: WriteDelete, P: unsafe.Pointer(&wDoc{ID: "d1", V: 3})})
	expectKind(t, "another version", kindOf(f, stored("Doc", 5, 0)), ErrVersionConflict)
	expectKind(t, "the expected version", kindOf(f, stored("Doc", 3, 0)), ErrConditionFailed)
	unversioned := docWrite(t, WriteSpec{Kind: WriteDelete})
	expectKind(t, "no version expected", kindOf(unversioned, stored("Doc", 5, 0)), ErrConditionFailed)
}

// An expired item is one the write's conditions took as absent: its
// failure is judged as if there were no item.
func TestFailureExpiredItem(t *testing.T) {
	expired, live := stored("Doc", 1, now-1), stored("Doc", 1, now+1)
	put := docWrite(t, WriteSpec{Kind: WritePut, Absent: true})
	expectKind(t, "IfNotExists over an expired item", kindOf(put, expired), ErrConditionFailed)
	expectKind(t, "IfNotExists over a live item", kindOf(put, live), ErrExists)
	_, _, doc, _ := writeTable(t)
	upd := docWrite(t, WriteSpec{Kind: WriteUpdate, Actions: []UpdateAction{action(t, doc, UpdateSet, "body", "x")}})
	expectKind(t, "Update of an expired item", kindOf(upd, expired), ErrNotFound)
	expectKind(t, "Update of a live item", kindOf(upd, live), ErrConditionFailed)
	// A write with no expiry condition sees an expired item as it is.
	del := docWrite(t, WriteSpec{Kind: WriteDelete})
	if del.TtlNow != 0 || del.Expired(expired) {
		t.Errorf("a Delete's failure took an expired item as absent (TtlNow %d)", del.TtlNow)
	}
}

func TestFailureWrap(t *testing.T) {
	f := docWrite(t, WriteSpec{Kind: WritePut, Absent: true})
	ccf := &types.ConditionalCheckFailedException{Message: aws.String("failed"), Item: stored("Doc", 1, 0)}
	for _, tt := range []struct {
		name string
		err  error
		kind error
	}{
		{"failed condition", fmt.Errorf("op: %w", ccf), ErrExists},
		{"unknown outcome", fmt.Errorf("%w: %w", ErrUnknownOutcome, ccf), ErrUnknownOutcome},
		{"another error", errors.New("throttled"), nil},
	} {
		err := f.Wrap(tt.err, nil)
		var ie *ItemError
		if !errors.As(err, &ie) || ie.Kind != tt.kind || ie.Op != "Put" || ie.Key.PK != "DOC#d1" || !errors.Is(err, tt.err) {
			t.Errorf("%s: %#v, want an ItemError of Kind %v wrapping the error", tt.name, err, tt.kind)
		}
	}
	// The item a transaction's cancellation reason carries takes the
	// place of the exception's.
	if err := f.Wrap(fmt.Errorf("op: %w", &types.ConditionalCheckFailedException{}), stored("Doc", 1, 0)); !errors.Is(err, ErrExists) {
		t.Errorf("with the reason's item: %v, want ErrExists", err)
	}
}

func TestWrapTxErrorMapsReasons(t *testing.T) {
	_, user, doc, _ := writeTable(t)
	k := wDoc{ID: "d1", V: 2}
	u := wUser{Username: "ann"}
	cond := expression.Name("name").AttributeExists()
	reqs := []WriteRequest{
		compile(t, WriteSpec{Kind: WritePut, S: user, P: unsafe.Pointer(&u), Cond: &cond}),
		compile(t, WriteSpec{Kind: WriteDelete, S: doc, P: unsafe.Pointer(&k)}),
		compile(t, WriteSpec{Kind: WriteCheck, S: doc, P: unsafe.Pointer(&k), Exists: true}),
		compile(t, WriteSpec{Kind: WriteCheck, S: doc, P: unsafe.Pointer(&k), Absent: true}),
	}
	var actions []TxAction
	for i := range reqs {
		actions = append(actions, reqs[i].TxAction())
	}
	reason := func(code string, item map[string]types.AttributeValue) types.CancellationReason {
		return types.CancellationReason{Code: aws.String(code), Item: item}
	}
	tce := &types.TransactionCanceledException{CancellationReasons: []types.CancellationReason{
		reason("ConditionalCheckFailed", map[string]types.AttributeValue{"_type": &types.AttributeValueMemberS{Value: "User"}}),
		reason("ConditionalCheckFailed", stored("Doc", 7, 0)),
		reason("TransactionConflict", nil),
		reason("None", nil),
	}}
	err := WrapTxError("WriteTx", fmt.Errorf("send: %w", tce), actions)
	var te *TxError
	if !errors.As(err, &te) || len(te.Actions) != 3 {
		t.Fatalf("%v, want a TxError of 3 actions", err)
	}
	for i, want := range []struct {
		index int
		kind  error
	}{{0, ErrConditionFailed}, {1, ErrVersionConflict}, {2, ErrTxConflict}} {
		a := te.Actions[i]
		if a.Index != want.index || a.Key != reqs[want.index].Fail.Key || !errors.Is(a.Err, want.kind) || !errors.As(a.Err, &tce) {
			t.Errorf("action %d: %+v, want index %d wrapping %v and the cancellation", i, a, want.index, want.kind)
		}
	}
	if !errors.Is(err, ErrVersionConflict) {
		t.Errorf("the TxError does not match its actions' kinds: %v", err)
	}
}
