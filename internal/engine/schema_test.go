package engine

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// stubCipher stands in for a table's cipher where only its presence
// matters.
type stubCipher struct{}

func (stubCipher) Seal(_ context.Context, p, _ []byte) ([]byte, error) { return p, nil }
func (stubCipher) Open(_ context.Context, s, _ []byte) ([]byte, error) { return s, nil }

func cipherTable() *Table {
	t := NewTable(nil, "app")
	t.Cipher = stubCipher{}
	return t
}

// defRefused compiles typ on tbl and checks the DefinitionError names the
// struct, the field and the tag, and that its message holds msg.
func defRefused(t *testing.T, tbl *Table, typ reflect.Type, field, tag, msg string) *DefinitionError {
	t.Helper()
	if tbl == nil {
		tbl = NewTable(nil, "app")
	}
	s, err := NewSchema(tbl, typ)
	if err == nil {
		err = tbl.Register(s)
	}
	var de *DefinitionError
	if !errors.As(err, &de) {
		t.Fatalf("define %s: %v, want a *DefinitionError", typ, err)
	}
	got := [3]string{de.Struct, de.Field, de.Tag}
	if want := [3]string{typ.String(), field, tag}; got != want {
		t.Errorf("define %s: struct, field, tag = %q, want %q", typ, got, want)
	}
	if !strings.Contains(de.Error(), msg) {
		t.Errorf("define %s: %q does not say %q", typ, de.Error(), msg)
	}
	return de
}

func schemaOf[T any](t *testing.T, tbl *Table) *Schema {
	t.Helper()
	if tbl == nil {
		tbl = NewTable(nil, "app")
	}
	s, err := NewSchema(tbl, reflect.TypeFor[T]())
	if err != nil {
		t.Fatal(err)
	}
	if err := tbl.Register(s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDefineRefusesNonStruct(t *testing.T) {
	defRefused(t, nil, reflect.TypeFor[int](), "", "", "int is not a struct")
}

func TestDefineRefusesCodecError(t *testing.T) {
	type twice struct {
		_ struct{} `pk:"A#{a}"`
		A string   `dynamo:"a"`
		B string   `dynamo:"a"`
	}
	defRefused(t, nil, reflect.TypeFor[twice](), "", "", `attribute name "a" is also used by field`)
}

func TestDefineRefusesMalformedEntityTag(t *testing.T) {
	// Built at run time: vet refuses the malformed tag in source.
	typ := reflect.StructOf([]reflect.StructField{
		{Name: "_", PkgPath: "github.com/tablemap/tablemap/internal/engine", Type: reflect.TypeFor[struct{}](), Tag: `pk:A#{a}`},
		{Name: "A", Type: reflect.TypeFor[string](), Tag: `dynamo:"a"`},
	})
	defRefused(t, nil, typ, "_", "", "malformed struct tag")
}

func TestDefineRefusesTagGivenTwice(t *testing.T) {
	type twice struct {
		_ struct{} `pk:"A#{a}"`
		_ struct{} `pk:"B#{a}"`
		A string   `dynamo:"a"`
	}
	defRefused(t, nil, reflect.TypeFor[twice](), "_", "", "tag pk given twice")
}

func TestDefineRefusesKeyAttributeNameForData(t *testing.T) {
	type clash struct {
		_ struct{} `pk:"A#{a}"`
		A string   `dynamo:"a"`
		S string   `dynamo:"sk"` // "SK" read case-insensitively
	}
	defRefused(t, nil, reflect.TypeFor[clash](), "S", `dynamo:"sk"`, `attribute "sk" clashes with a key or type attribute of table app`)
}

func TestDefineRefusesIndexAttributeNameForData(t *testing.T) {
	type clash struct {
		_ struct{} `pk:"A#{a}"`
		A string   `dynamo:"a"`
		G string   `dynamo:"GSI20SK"`
	}
	defRefused(t, nil, reflect.TypeFor[clash](), "G", `dynamo:"GSI20SK"`, "clashes with a key or type attribute")
}

func TestDefineRefusesNestedEncrypted(t *testing.T) {
	type inner struct {
		S string `dynamo:"s,encrypted"`
	}
	type outer struct {
		_    struct{} `pk:"A#{a}"`
		A    string   `dynamo:"a"`
		Meta inner    `dynamo:"meta"`
	}
	defRefused(t, cipherTable(), reflect.TypeFor[outer](), "Meta", `dynamo:"meta"`, "is tagged encrypted, but only top-level attributes can be; tag Meta encrypted instead")
}

func TestDefineRefusesNonIntegerVersion(t *testing.T) {
	type v struct {
		_ struct{} `pk:"A#{a}"`
		A string   `dynamo:"a"`
		V string   `dynamo:"v,version"`
	}
	defRefused(t, nil, reflect.TypeFor[v](), "V", `dynamo:"v,version"`, "a version field must be an integer, not string")
}

func TestDefineRefusesNonTimeCreated(t *testing.T) {
	type c struct {
		_ struct{} `pk:"A#{a}"`
		A string   `dynamo:"a"`
		C int64    `dynamo:"c,created"`
	}
	defRefused(t, nil, reflect.TypeFor[c](), "C", `dynamo:"c,created"`, "a created field must be a time.Time, not int64")
}

func TestDefineRefusesNonTimeUpdated(t *testing.T) {
	type u struct {
		_ struct{}   `pk:"A#{a}"`
		A string     `dynamo:"a"`
		U *time.Time `dynamo:"u,updated"`
	}
	defRefused(t, nil, reflect.TypeFor[u](), "U", `dynamo:"u,updated"`, "a updated field must be a time.Time, not *time.Time")
}

func TestDefineRefusesTTLOfOtherType(t *testing.T) {
	type e struct {
		_ struct{} `pk:"A#{a}"`
		A string   `dynamo:"a"`
		E string   `dynamo:"e,ttl"`
	}
	defRefused(t, nil, reflect.TypeFor[e](), "E", `dynamo:"e,ttl"`, "a ttl field must be a time.Time or an integer, not string")
}

func TestDefineRefusesEncryptedManagedField(t *testing.T) {
	type e struct {
		_ struct{}  `pk:"A#{a}"`
		A string    `dynamo:"a"`
		U time.Time `dynamo:"u,encrypted,updated"`
	}
	defRefused(t, cipherTable(), reflect.TypeFor[e](), "U", `dynamo:"u,encrypted,updated"`, "an encrypted field cannot be a version, created, updated or ttl field")
}

func TestDefineRefusesEncryptedWithoutCipher(t *testing.T) {
	type e struct {
		_ struct{} `pk:"A#{a}"`
		A string   `dynamo:"a"`
		S string   `dynamo:"s,encrypted"`
	}
	de := defRefused(t, nil, reflect.TypeFor[e](), "S", `dynamo:"s,encrypted"`, "give NewTable the option WithCipher")
	if !errors.Is(de, ErrNoCipher) {
		t.Errorf("%v does not wrap ErrNoCipher", de)
	}
}

func TestDefineRefusesSecondVersionField(t *testing.T) {
	type v struct {
		_  struct{} `pk:"A#{a}"`
		A  string   `dynamo:"a"`
		V1 int      `dynamo:"v1,version"`
		V2 int      `dynamo:"v2,version"`
	}
	defRefused(t, nil, reflect.TypeFor[v](), "V2", `dynamo:"v2,version"`, "a second version field (the first is V1)")
}

func TestDefineRefusesMissingPK(t *testing.T) {
	type nopk struct {
		_ struct{} `sk:"A#{a}"`
		A string   `dynamo:"a"`
	}
	defRefused(t, nil, reflect.TypeFor[nopk](), "_", "pk", "missing pk template")
}

func TestDefineRefusesEmptyPK(t *testing.T) {
	type emptypk struct {
		_ struct{} `pk:""`
		A string   `dynamo:"a"`
	}
	defRefused(t, nil, reflect.TypeFor[emptypk](), "_", "pk", "missing pk template")
}

func TestDefineRefusesGSISortKeyWithoutPartitionKey(t *testing.T) {
	type g struct {
		_ struct{} `pk:"A#{a}" gsi2sk:"X#{a}"`
		A string   `dynamo:"a"`
	}
	defRefused(t, nil, reflect.TypeFor[g](), "_", `gsi2sk:"X#{a}"`, "index GSI2 has a sort key template but no gsi2pk")
}

func TestDefineRefusesIndexBeyondMax(t *testing.T) {
	type g struct {
		_ struct{} `pk:"A#{a}" gsi21pk:"X"`
		A string   `dynamo:"a"`
	}
	defRefused(t, nil, reflect.TypeFor[g](), "_", "gsi21pk", `unknown tablemap tag "gsi21pk" (index tags are gsi1pk … gsi20sk)`)
}

func TestDefineRefusesZeroPaddedIndexTag(t *testing.T) {
	type g struct {
		_ struct{} `pk:"A#{a}" gsi01pk:"X"`
		A string   `dynamo:"a"`
	}
	defRefused(t, nil, reflect.TypeFor[g](), "_", "gsi01pk", `unknown tablemap tag "gsi01pk"`)
}

func TestDefineRefusesMalformedTemplate(t *testing.T) {
	type m struct {
		_ struct{} `pk:"A#{a"`
		A string   `dynamo:"a"`
	}
	defRefused(t, nil, reflect.TypeFor[m](), "_", `pk:"A#{a"`, `template "A#{a"`)
}

func TestDefineRefusesTemplateOfUnknownAttribute(t *testing.T) {
	type m struct {
		_ struct{} `pk:"A#{a}" sk:"B#{b}"`
		A string   `dynamo:"a"`
	}
	defRefused(t, nil, reflect.TypeFor[m](), "_", `sk:"B#{b}"`, `template names attribute "b", which engine.m does not have`)
}

func TestDefineRefusesEncryptedKeyField(t *testing.T) {
	type m struct {
		_ struct{} `pk:"A#{a}"`
		A string   `dynamo:"a,encrypted"`
	}
	defRefused(t, cipherTable(), reflect.TypeFor[m](), "A", `pk:"A#{a}"`, `key field "a" is encrypted`)
}

func TestDefineRefusesVersionKeyField(t *testing.T) {
	type m struct {
		_ struct{} `pk:"A#{a}" sk:"V#{v}"`
		A string   `dynamo:"a"`
		V int      `dynamo:"v,version"`
	}
	defRefused(t, nil, reflect.TypeFor[m](), "V", `sk:"V#{v}"`, `key field "v" is the entity's version field`)
}

func TestDefineRefusesUpdatedKeyField(t *testing.T) {
	type m struct {
		_ struct{}  `pk:"A#{a}" gsi1pk:"U#{u}"`
		A string    `dynamo:"a"`
		U time.Time `dynamo:"u,updated"`
	}
	defRefused(t, nil, reflect.TypeFor[m](), "U", `gsi1pk:"U#{u}"`, `key field "u" is the entity's updated field`)
}

func TestDefineAcceptsCreatedKeyField(t *testing.T) {
	type m struct {
		_ struct{}  `pk:"A#{a}" sk:"C#{c}"`
		A string    `dynamo:"a"`
		C time.Time `dynamo:"c,created"`
	}
	s := schemaOf[m](t, nil)
	if s.Created == nil || s.Primary.SK.Fields[0] != s.Created {
		t.Errorf("created field %v is not the sort key's field %v", s.Created, s.Primary.SK.Fields)
	}
}

func TestDefineRefusesUnsupportedKeyFieldType(t *testing.T) {
	type m struct {
		_ struct{} `pk:"A#{f}"`
		F float64  `dynamo:"f"`
	}
	defRefused(t, nil, reflect.TypeFor[m](), "F", `pk:"A#{f}"`, `key field "f" has type float64; key fields must be strings, integers, bools or time.Time`)
}

type regUser struct {
	_    struct{} `tablemap:"User" pk:"USER#{name}" sk:"PROFILE" gsi1pk:"G#{name}" gsi1sk:"U"`
	Name string   `dynamo:"name"`
	Exp  int64    `dynamo:"exp,ttl"`
}

func TestRegisterRefusesTypeNameUsedTwice(t *testing.T) {
	type other struct {
		_    struct{} `tablemap:"User" pk:"OTHER#{name}"`
		Name string   `dynamo:"name"`
	}
	tbl := NewTable(nil, "app")
	schemaOf[regUser](t, tbl)
	defRefused(t, tbl, reflect.TypeFor[other](), "_", `tablemap:"User"`, `entity type name "User" is already used by engine.regUser on table app`)
}

func TestRegisterRefusesGSISortKeyDisagreement(t *testing.T) {
	type other struct {
		_    struct{} `tablemap:"Other" pk:"OTHER#{name}" gsi1pk:"G#{name}"`
		Name string   `dynamo:"name"`
	}
	tbl := NewTable(nil, "app")
	schemaOf[regUser](t, tbl)
	defRefused(t, tbl, reflect.TypeFor[other](), "_", `gsi1pk:"G#{name}"`, "index GSI1 has a sort key for one of")
}

func TestRegisterRefusesOverlappingTableKeys(t *testing.T) {
	type other struct {
		_  struct{} `tablemap:"Other" pk:"USER#{id}" sk:"PROFILE"`
		ID string   `dynamo:"id"`
	}
	tbl := NewTable(nil, "app")
	schemaOf[regUser](t, tbl)
	defRefused(t, tbl, reflect.TypeFor[other](), "_", `pk:"USER#{id}" sk:"PROFILE"`, "the table keys of Other")
}

func TestRegisterRefusesSecondTTLAttribute(t *testing.T) {
	type other struct {
		_    struct{} `tablemap:"Other" pk:"OTHER#{name}"`
		Name string   `dynamo:"name"`
		Ends int64    `dynamo:"ends,ttl"`
	}
	tbl := NewTable(nil, "app")
	schemaOf[regUser](t, tbl)
	defRefused(t, tbl, reflect.TypeFor[other](), "Ends", `dynamo:"ends,ttl"`, `a table has one TTL attribute; engine.regUser already uses "exp", not "ends"`)
}

type indexed struct {
	_     struct{} `tablemap:"Indexed" pk:"I#{id}" sk:"N#{n}" gsi1pk:"T#{tag}" gsi1sk:"{n}" gsi3pk:"O#{owner}"`
	ID    string   `dynamo:"id"`
	N     int      `dynamo:"n"`
	Tag   string   `dynamo:"tag"`
	Owner string   `dynamo:"owner"`
}

func TestSchemaCompilesIndexes(t *testing.T) {
	tbl := NewTable(nil, "app")
	tbl.Inverted = true
	s := schemaOf[indexed](t, tbl)
	var names []string
	for _, g := range s.GSIs {
		names = append(names, g.Name+" "+g.PKAttr+" "+g.SKAttr)
	}
	if want := []string{"GSI1 GSI1PK GSI1SK", "GSI3 GSI3PK GSI3SK"}; !cmp.Equal(want, names) {
		t.Errorf("GSIs %q, want %q", names, want)
	}
	if s.GSIs[1].SK != nil {
		t.Errorf("GSI3 has a sort key part; it declares none")
	}
	gsiOf := map[string][]string{}
	for attr, gs := range s.GSIOf {
		for _, g := range gs {
			gsiOf[attr] = append(gsiOf[attr], g.Name)
		}
	}
	if want := map[string][]string{"tag": {"GSI1"}, "n": {"GSI1"}, "owner": {"GSI3"}}; !cmp.Equal(want, gsiOf) {
		t.Errorf("GSIOf %v, want %v", gsiOf, want)
	}
	if want := map[string]bool{"id": true, "n": true}; !cmp.Equal(want, s.KeyFields) {
		t.Errorf("KeyFields %v, want %v", s.KeyFields, want)
	}
	if inv := s.IndexNamed(InvertedIndex); inv == nil || inv.PK != s.Primary.SK || inv.PKAttr != "SK" || inv.SKAttr != "PK" {
		t.Errorf("inverted index %+v does not swap the table's key", inv)
	}
	if want := []string{"GSI1PK", "GSI1SK", "GSI3PK", "PK", "SK", "_type"}; !cmp.Equal(want, s.TableAttrs) {
		t.Errorf("TableAttrs %q, want %q", s.TableAttrs, want)
	}
}

func TestSchemaSortKeyDefaultsToPartitionKey(t *testing.T) {
	type profile struct {
		_    struct{} `pk:"P#{name}"`
		Name string   `dynamo:"name"`
	}
	s := schemaOf[profile](t, nil)
	if s.Name != "profile" {
		t.Errorf("type name %q, want the Go name profile", s.Name)
	}
	if s.Primary.SK.Tag != `pk:"P#{name}"` {
		t.Errorf("sort key part from tag %s, want the pk template", s.Primary.SK.Tag)
	}
}

func TestKnownTag(t *testing.T) {
	for tag, want := range map[string]bool{
		"tablemap": true, "pk": true, "sk": true, "json": true,
		"gsi1pk": true, "gsi20sk": true, "gsi21pk": false, "gsi0pk": false,
		"gsi01sk": false, "gsi1xk": false, "gsi": false, "gsipk": false,
	} {
		if got := KnownTag(tag); got != want {
			t.Errorf("KnownTag(%q) = %v, want %v", tag, got, want)
		}
	}
}
