package tablemap_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tablemap/tablemap"
)

// Declarations Define refuses, one fault each (see TestDefineErrors for
// the template and key faults).
type (
	defTwoCreated struct {
		_  struct{}  `pk:"U#{id}"`
		ID string    `dynamo:"id"`
		C1 time.Time `dynamo:"c1,created"`
		C2 time.Time `dynamo:"c2,created"`
	}
	defIntUpdated struct {
		_       struct{} `pk:"U#{id}"`
		ID      string   `dynamo:"id"`
		Updated int64    `dynamo:"updated,updated"`
	}
	defFloatTTL struct {
		_   struct{} `pk:"U#{id}"`
		ID  string   `dynamo:"id"`
		Exp float64  `dynamo:"exp,ttl"`
	}
	defEncryptedTTL struct {
		_   struct{}  `pk:"U#{id}"`
		ID  string    `dynamo:"id"`
		Exp time.Time `dynamo:"exp,ttl,encrypted"`
	}
	defEncryptedKey struct {
		_   struct{} `pk:"U#{id}" sk:"CARD#{num}"`
		ID  string   `dynamo:"id"`
		Num string   `dynamo:"num,encrypted"`
	}
	defMapKey struct {
		_    struct{}          `pk:"U#{id}" sk:"{meta}"`
		ID   string            `dynamo:"id"`
		Meta map[string]string `dynamo:"meta"`
	}
	defUnknownTag struct {
		_  struct{} `pk:"U#{id}" gsi01pk:"X"`
		ID string   `dynamo:"id"`
	}
	defKind struct {
		_    struct{} `pk:"U#{id}"`
		ID   string   `dynamo:"id"`
		Kind string   `dynamo:"kind"`
	}
	// defCreatedKey orders a user's items by creation: a created field may
	// be a key field, as it is set once.
	defCreatedKey struct {
		_       struct{}  `tablemap:"Item" pk:"U#{id}" sk:"AT#{created}"`
		ID      string    `dynamo:"id"`
		Created time.Time `dynamo:"created,created"`
		Ok      bool      `dynamo:"ok"`
		Rank    uint16    `dynamo:"rank"`
	}
	defBoolUintKey struct {
		_    struct{} `tablemap:"Flag" pk:"F#{ok}" sk:"R#{rank}"`
		Ok   bool     `dynamo:"ok"`
		Rank uint16   `dynamo:"rank"`
	}
)

// definitionError returns err as a *DefinitionError without its cause,
// or fails the test.
func definitionError(t *testing.T, err error) tablemap.DefinitionError {
	t.Helper()
	var de *tablemap.DefinitionError
	if !errors.As(err, &de) {
		t.Fatalf("Define: got %v, want a *DefinitionError", err)
	}
	return *de
}

var ignoreCause = cmpopts.IgnoreFields(tablemap.DefinitionError{}, "Err")

// TestDefineRefusesNonStruct checks an entity type that is not a struct is
// a DefinitionError naming the type.
func TestDefineRefusesNonStruct(t *testing.T) {
	t.Parallel()
	de := definitionError(t, defineErr[string](tablemap.NewTable(nil, "defs")))
	diff(t, "struct", "string", de.Struct)
}

// TestDefineRefusesManagedFieldTypes checks created, updated and ttl
// fields of the wrong type, and a second created field, are refused,
// naming the field and its tag.
func TestDefineRefusesManagedFieldTypes(t *testing.T) {
	t.Parallel()
	const pkg = "tablemap_test."
	for _, c := range []struct {
		name   string
		define func(*tablemap.Table) error
		want   tablemap.DefinitionError
	}{
		{"second created", defineErr[defTwoCreated], tablemap.DefinitionError{Struct: pkg + "defTwoCreated", Field: "C2", Tag: `dynamo:"c2,created"`}},
		{"int updated", defineErr[defIntUpdated], tablemap.DefinitionError{Struct: pkg + "defIntUpdated", Field: "Updated", Tag: `dynamo:"updated,updated"`}},
		{"float ttl", defineErr[defFloatTTL], tablemap.DefinitionError{Struct: pkg + "defFloatTTL", Field: "Exp", Tag: `dynamo:"exp,ttl"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			diff(t, "DefinitionError", c.want, definitionError(t, c.define(tablemap.NewTable(nil, "defs"))), ignoreCause)
		})
	}
}

// TestDefineRefusesEncryption checks the fields encryption cannot serve:
// a ttl field DynamoDB must read, a key field, and any encrypted field on
// a table without a cipher (ErrNoCipher).
func TestDefineRefusesEncryption(t *testing.T) {
	t.Parallel()
	const pkg = "tablemap_test."
	ciphered := tablemap.NewTable(nil, "defs", tablemap.WithCipher(testCipher(t)))
	diff(t, "encrypted ttl", tablemap.DefinitionError{Struct: pkg + "defEncryptedTTL", Field: "Exp", Tag: `dynamo:"exp,ttl,encrypted"`},
		definitionError(t, defineErr[defEncryptedTTL](ciphered)), ignoreCause)
	diff(t, "encrypted key field", tablemap.DefinitionError{Struct: pkg + "defEncryptedKey", Field: "Num", Tag: `sk:"CARD#{num}"`},
		definitionError(t, defineErr[defEncryptedKey](ciphered)), ignoreCause)

	err := defineErr[shopCard](tablemap.NewTable(nil, "defs"))
	diff(t, "no cipher", tablemap.DefinitionError{Struct: pkg + "shopCard", Field: "Number", Tag: `dynamo:"number,encrypted"`},
		definitionError(t, err), ignoreCause)
	if !errors.Is(err, tablemap.ErrNoCipher) {
		t.Errorf("error %v, want ErrNoCipher", err)
	}
}

// TestDefineRefusesMapKeyField checks a key field of a type keys cannot
// encode is refused, naming the field and the template.
func TestDefineRefusesMapKeyField(t *testing.T) {
	t.Parallel()
	diff(t, "DefinitionError", tablemap.DefinitionError{Struct: "tablemap_test.defMapKey", Field: "Meta", Tag: `sk:"{meta}"`},
		definitionError(t, defineErr[defMapKey](tablemap.NewTable(nil, "defs"))), ignoreCause)
}

// TestDefineRefusesIndexTagNumber checks an index tag whose number is not
// written as GSI names are (gsi01pk for gsi1pk) is refused, not ignored.
func TestDefineRefusesIndexTagNumber(t *testing.T) {
	t.Parallel()
	diff(t, "gsi01pk", tablemap.DefinitionError{Struct: "tablemap_test.defUnknownTag", Field: "_", Tag: "gsi01pk"},
		definitionError(t, defineErr[defUnknownTag](tablemap.NewTable(nil, "defs"))), ignoreCause)
}

// TestDefineTypeAttributeName checks a data attribute may not take the
// table's type attribute name, whatever the table names it, and may take
// it on a table that names it otherwise.
func TestDefineTypeAttributeName(t *testing.T) {
	t.Parallel()
	diff(t, "DefinitionError", tablemap.DefinitionError{Struct: "tablemap_test.defKind", Field: "Kind", Tag: `dynamo:"kind"`},
		definitionError(t, defineErr[defKind](tablemap.NewTable(nil, "defs", tablemap.WithTypeAttribute("kind")))), ignoreCause)
	if err := defineErr[defKind](tablemap.NewTable(nil, "defs")); err != nil {
		t.Errorf("kind on a table whose type attribute is _type: %v", err)
	}
}

// TestDefineAcceptsKeyFieldKinds checks a created field, bools and
// unsigned integers are key fields, encoded in their sortable forms.
func TestDefineAcceptsKeyFieldKinds(t *testing.T) {
	t.Parallel()
	tbl := tablemap.NewTable(nil, "defs")
	items := define[defCreatedKey](t, tbl)
	flags := define[defBoolUintKey](t, tbl)
	k, err := items.Key(defCreatedKey{ID: "ann", Created: placed})
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "created key", tablemap.Key{PK: "U#ann", SK: "AT#" + timeKey(placed)}, k)
	k, err = flags.Key(defBoolUintKey{Ok: false, Rank: 7})
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "bool and uint key", tablemap.Key{PK: "F#false", SK: "R#" + intKey(7)}, k)
}

// TestMustDefinePanics checks MustDefine panics with the DefinitionError
// Define returns.
func TestMustDefinePanics(t *testing.T) {
	t.Parallel()
	defer func() {
		err, _ := recover().(error)
		var de *tablemap.DefinitionError
		if !errors.As(err, &de) || de.Field != "Meta" {
			t.Errorf("panic %v, want the *DefinitionError of field Meta", err)
		}
	}()
	tablemap.MustDefine[defMapKey](tablemap.NewTable(nil, "defs"))
}
