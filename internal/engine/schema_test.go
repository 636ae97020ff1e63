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

const enginePkg = "github.com/tablemap/tablemap/internal/engine"

// fld is a field of type T for entity.
func fld[T any](name string, tag reflect.StructTag) reflect.StructField {
	return reflect.StructField{Name: name, Type: reflect.TypeFor[T](), Tag: tag}
}

// entity returns a struct type whose blank field has the tag decl, with a
// string field A (attribute "a") and the fields given: built at run time,
// as vet would refuse a malformed tag in source.
func entity(decl reflect.StructTag, fields ...reflect.StructField) reflect.Type {
	return reflect.StructOf(append([]reflect.StructField{
		{Name: "_", PkgPath: enginePkg, Type: reflect.TypeFor[struct{}](), Tag: decl},
		fld[string]("A", `dynamo:"a"`),
	}, fields...))
}

func TestDefineRefusesMalformedEntityTag(t *testing.T) {
	defRefused(t, nil, entity(`pk:A#{a}`), "_", "", "malformed struct tag")
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
	typ := entity(`pk:"A#{a}"`, fld[string]("S", `dynamo:"sk"`)) // "SK" read case-insensitively
	defRefused(t, nil, typ, "S", `dynamo:"sk"`, `attribute "sk" clashes with a key or type attribute of table app`)
}

func TestDefineRefusesIndexAttributeNameForData(t *testing.T) {
	typ := entity(`pk:"A#{a}"`, fld[string]("G", `dynamo:"GSI20SK"`))
	defRefused(t, nil, typ, "G", `dynamo:"GSI20SK"`, "clashes with a key or type attribute")
}

type sealedInner struct {
	S string `dynamo:"s,encrypted"`
}

func TestDefineRefusesNestedEncrypted(t *testing.T) {
	typ := entity(`pk:"A#{a}"`, fld[sealedInner]("Meta", `dynamo:"meta"`))
	defRefused(t, cipherTable(), typ, "Meta", `dynamo:"meta"`, "is tagged encrypted, but only top-level attributes can be; tag Meta encrypted instead")
}

func TestDefineRefusesNonIntegerVersion(t *testing.T) {
	typ := entity(`pk:"A#{a}"`, fld[string]("V", `dynamo:"v,version"`))
	defRefused(t, nil, typ, "V", `dynamo:"v,version"`, "a version field must be an integer, not string")
}

func TestDefineRefusesNonTimeCreated(t *testing.T) {
	typ := entity(`pk:"A#{a}"`, fld[int64]("C", `dynamo:"c,created"`))
	defRefused(t, nil, typ, "C", `dynamo:"c,created"`, "a created field must be a time.Time, not int64")
}

func TestDefineRefusesNonTimeUpdated(t *testing.T) {
	typ := entity(`pk:"A#{a}"`, fld[*time.Time]("U", `dynamo:"u,updated"`))
	defRefused(t, nil, typ, "U", `dynamo:"u,updated"`, "a updated field must be a time.Time, not *time.Time")
}

func TestDefineRefusesTTLOfOtherType(t *testing.T) {
	typ := entity(`pk:"A#{a}"`, fld[string]("E", `dynamo:"e,ttl"`))
	defRefused(t, nil, typ, "E", `dynamo:"e,ttl"`, "a ttl field must be a time.Time or an integer, not string")
}

func TestDefineRefusesEncryptedManagedField(t *testing.T) {
	typ := entity(`pk:"A#{a}"`, fld[time.Time]("U", `dynamo:"u,encrypted,updated"`))
	defRefused(t, cipherTable(), typ, "U", `dynamo:"u,encrypted,updated"`, "an encrypted field cannot be a version, created, updated or ttl field")
}

func TestDefineRefusesEncryptedWithoutCipher(t *testing.T) {
	typ := entity(`pk:"A#{a}"`, fld[string]("S", `dynamo:"s,encrypted"`))
	de := defRefused(t, nil, typ, "S", `dynamo:"s,encrypted"`, "give NewTable the option WithCipher")
	if !errors.Is(de, ErrNoCipher) {
		t.Errorf("%v does not wrap ErrNoCipher", de)
	}
}

func TestDefineRefusesSecondVersionField(t *testing.T) {
	typ := entity(`pk:"A#{a}"`, fld[int]("V1", `dynamo:"v1,version"`), fld[uint]("V2", `dynamo:"v2,version"`))
	defRefused(t, nil, typ, "V2", `dynamo:"v2,version"`, "a second version field (the first is V1)")
}

func TestDefineRefusesMissingPK(t *testing.T) {
	defRefused(t, nil, entity(`sk:"A#{a}"`), "_", "pk", "missing pk template")
}

func TestDefineRefusesEmptyPK(t *testing.T) {
	defRefused(t, nil, entity(`pk:""`), "_", "pk", "missing pk template")
}

func TestDefineRefusesGSISortKeyWithoutPartitionKey(t *testing.T) {
	typ := entity(`pk:"A#{a}" gsi2sk:"X#{a}"`)
	defRefused(t, nil, typ, "_", `gsi2sk:"X#{a}"`, "index GSI2 has a sort key template but no gsi2pk")
}

func TestDefineRefusesIndexBeyondMax(t *testing.T) {
	typ := entity(`pk:"A#{a}" gsi21pk:"X"`)
	defRefused(t, nil, typ, "_", "gsi21pk", `unknown tablemap tag "gsi21pk" (index tags are gsi1pk … gsi20sk)`)
}

func TestDefineRefusesZeroPaddedIndexTag(t *testing.T) {
	defRefused(t, nil, entity(`pk:"A#{a}" gsi01pk:"X"`), "_", "gsi01pk", `unknown tablemap tag "gsi01pk"`)
}

func TestDefineRefusesMalformedTemplate(t *testing.T) {
	defRefused(t, nil, entity(`pk:"A#{a"`), "_", `pk:"A#{a"`, `template "A#{a"`)
}

func TestDefineRefusesTemplateOfUnknownAttribute(t *testing.T) {
	type m struct {
		_ struct{} `pk:"A#{a}" sk:"B#{b}"`
		A string   `dynamo:"a"`
	}
	defRefused(t, nil, reflect.TypeFor[m](), "_", `sk:"B#{b}"`, `template names attribute "b", which engine.m does not have`)
}

func TestDefineRefusesEncryptedKeyField(t *testing.T) {
	typ := entity(`pk:"A#{a}" sk:"S#{s}"`, fld[string]("S", `dynamo:"s,encrypted"`))
	defRefused(t, cipherTable(), typ, "S", `sk:"S#{s}"`, `key field "s" is encrypted`)
}

func TestDefineRefusesVersionKeyField(t *testing.T) {
	typ := entity(`pk:"A#{a}" sk:"V#{v}"`, fld[int]("V", `dynamo:"v,version"`))
	defRefused(t, nil, typ, "V", `sk:"V#{v}"`, `key field "v" is the entity's version field`)
}

func TestDefineRefusesUpdatedKeyField(t *testing.T) {
	typ := entity(`pk:"A#{a}" gsi1pk:"U#{u}"`, fld[time.Time]("U", `dynamo:"u,updated"`))
	defRefused(t, nil, typ, "U", `gsi1pk:"U#{u}"`, `key field "u" is the entity's updated field`)
}

func TestDefineAcceptsCreatedKeyField(t *testing.T) {
	s, err := NewSchema(NewTable(nil, "app"), entity(`pk:"A#{a}" sk:"C#{c}"`, fld[time.Time]("C", `dynamo:"c,created"`)))
	if err != nil {
		t.Fatal(err)
	}
	if s.Created == nil || s.Primary.SK.Fields[0] != s.Created {
		t.Errorf("created field %v is not the sort key's field %v", s.Created, s.Primary.SK.Fields)
	}
}

func TestDefineRefusesUnsupportedKeyFieldType(t *testing.T) {
	typ := entity(`pk:"A#{f}"`, fld[float64]("F", `dynamo:"f"`))
	defRefused(t, nil, typ, "F", `pk:"A#{f}"`, `key field "f" has type float64; key fields must be strings, integers, bools or time.Time`)
}

type regUser struct {
	_    struct{} `tablemap:"User" pk:"USER#{name}" sk:"PROFILE" gsi1pk:"G#{name}" gsi1sk:"U"`
	Name string   `dynamo:"name"`
	Exp  int64    `dynamo:"exp,ttl"`
}

// registerRefused checks Define refuses typ on a table where regUser is
// defined, at field and tag.
func registerRefused(t *testing.T, typ reflect.Type, field, tag, msg string) {
	t.Helper()
	tbl := NewTable(nil, "app")
	schemaOf[regUser](t, tbl)
	defRefused(t, tbl, typ, field, tag, msg)
}

func TestRegisterRefusesTypeNameUsedTwice(t *testing.T) {
	typ := entity(`tablemap:"User" pk:"OTHER#{a}"`)
	registerRefused(t, typ, "_", `tablemap:"User"`, `entity type name "User" is already used by engine.regUser on table app`)
}

func TestRegisterRefusesGSISortKeyDisagreement(t *testing.T) {
	typ := entity(`tablemap:"Other" pk:"OTHER#{a}" gsi1pk:"G#{a}"`)
	registerRefused(t, typ, "_", `gsi1pk:"G#{a}"`, "index GSI1 has a sort key for one of")
}

func TestRegisterRefusesOverlappingTableKeys(t *testing.T) {
	typ := entity(`tablemap:"Other" pk:"USER#{a}" sk:"PROFILE"`)
	registerRefused(t, typ, "_", `pk:"USER#{a}" sk:"PROFILE"`, "the table keys of Other")
}

func TestRegisterRefusesSecondTTLAttribute(t *testing.T) {
	typ := entity(`tablemap:"Other" pk:"OTHER#{a}"`, fld[int64]("Ends", `dynamo:"ends,ttl"`))
	registerRefused(t, typ, "Ends", `dynamo:"ends,ttl"`, `a table has one TTL attribute; engine.regUser already uses "exp", not "ends"`)
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
