package tablemap_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tablemap/tablemap"
)

// DesignDoc has a field of every kind the design types, managed fields
// and an encrypted one, a GSI without a sort key and one with.
type DesignDoc struct {
	_        struct{}          `tablemap:"Doc" pk:"ORG#{org}" sk:"DOC#{id}" gsi1pk:"OWNER#{owner}" gsi1sk:"{id}" gsi3pk:"TAG#{tag}"`
	Org      string            `dynamo:"org"`
	ID       int64             `dynamo:"id"`
	Owner    string            `dynamo:"owner"`
	Tag      string            `dynamo:"tag,omitempty"`
	Public   bool              `dynamo:"public"`
	Size     uint32            `dynamo:"size,string"`
	Body     []byte            `dynamo:"body"`
	Labels   []string          `dynamo:"labels,set"`
	Scores   []int             `dynamo:"scores,set"`
	Lines    []string          `dynamo:"lines"`
	Meta     map[string]string `dynamo:"meta"`
	Author   DesignAuthor      `dynamo:"author"`
	Seen     time.Time         `dynamo:"seen,unixtime"`
	Note     *string           `dynamo:"note"`
	Extra    any               `dynamo:"extra"`
	Secret   string            `dynamo:"secret,encrypted"`
	Version  int               `dynamo:"v,version"`
	Created  time.Time         `dynamo:"created,created"`
	Modified time.Time         `dynamo:"modified,updated"`
	Expires  time.Time         `dynamo:"expires,ttl"`
}

type DesignAuthor struct {
	Name string `dynamo:"name"`
}

// DesignTag is a second entity, one item per partition (no sk tag).
type DesignTag struct {
	_    struct{} `pk:"TAG#{name}" gsi3pk:"TAG#{name}"`
	Name string   `dynamo:"name"`
}

func designTable(t *testing.T) (*tablemap.Table, *tablemap.Entity[DesignDoc], *tablemap.Entity[DesignTag]) {
	t.Helper()
	c, err := tablemap.LocalKey(bytes.Repeat([]byte{7}, tablemap.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	tbl := tablemap.NewTable(nil, "docs", tablemap.WithCipher(c), tablemap.WithInvertedIndex(),
		tablemap.WithProvisionedThroughput(4, 3), tablemap.WithTypeAttribute("kind"),
		tablemap.WithClock(func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }))
	docs, err := tablemap.Define[DesignDoc](tbl)
	if err != nil {
		t.Fatal(err)
	}
	tags, err := tablemap.Define[DesignTag](tbl)
	if err != nil {
		t.Fatal(err)
	}
	return tbl, docs, tags
}

func TestDesign(t *testing.T) {
	tbl, _, _ := designTable(t)
	got := tbl.Design()
	s := func(name string) tablemap.KeyAttribute { return tablemap.KeyAttribute{Name: name, Type: "S"} }
	want := tablemap.Design{
		Table: tablemap.TableDesign{
			Name: "docs", PartitionKey: s("PK"), SortKey: s("SK"), TypeAttribute: "kind",
			AttributeDefinitions: []tablemap.KeyAttribute{s("PK"), s("SK"), s("GSI1PK"), s("GSI1SK"), s("GSI3PK")},
			Indexes: []tablemap.IndexDesign{
				{Name: "GSI1", Kind: "GSI", PartitionKey: s("GSI1PK"), SortKey: s("GSI1SK"), Projection: "ALL", ReadCapacity: 4, WriteCapacity: 3},
				{Name: "GSI3", Kind: "GSI", PartitionKey: s("GSI3PK"), Projection: "ALL", ReadCapacity: 4, WriteCapacity: 3},
				{Name: "Inverted", Kind: "GSI", PartitionKey: s("SK"), SortKey: s("PK"), Projection: "ALL", ReadCapacity: 4, WriteCapacity: 3},
			},
			TTL: "expires", BillingMode: "PROVISIONED", ReadCapacity: 4, WriteCapacity: 3,
		},
		Entities: []tablemap.EntityDesign{{
			Name: "Doc", GoType: "tablemap_test.DesignDoc",
			Keys: []tablemap.EntityKey{
				{PartitionKey: tablemap.KeyTemplate{Attribute: "PK", Template: "ORG#{org}"}, SortKey: tablemap.KeyTemplate{Attribute: "SK", Template: "DOC#{id}"}},
				{Index: "GSI1", PartitionKey: tablemap.KeyTemplate{Attribute: "GSI1PK", Template: "OWNER#{owner}"}, SortKey: tablemap.KeyTemplate{Attribute: "GSI1SK", Template: "{id}"}, Sparse: true},
				{Index: "GSI3", PartitionKey: tablemap.KeyTemplate{Attribute: "GSI3PK", Template: "TAG#{tag}"}, Sparse: true},
				{Index: "Inverted", PartitionKey: tablemap.KeyTemplate{Attribute: "SK", Template: "DOC#{id}"}, SortKey: tablemap.KeyTemplate{Attribute: "PK", Template: "ORG#{org}"}},
			},
			Attributes: []tablemap.AttributeDesign{
				{Name: "org", GoType: "string", Type: "S"},
				{Name: "id", GoType: "int64", Type: "N"},
				{Name: "owner", GoType: "string", Type: "S"},
				{Name: "tag", GoType: "string", Type: "S", Options: []string{"omitempty"}},
				{Name: "public", GoType: "bool", Type: "BOOL"},
				{Name: "size", GoType: "uint32", Type: "S", Options: []string{"string"}},
				{Name: "body", GoType: "[]uint8", Type: "B"},
				{Name: "labels", GoType: "[]string", Type: "SS", Options: []string{"set"}},
				{Name: "scores", GoType: "[]int", Type: "NS", Options: []string{"set"}},
				{Name: "lines", GoType: "[]string", Type: "L"},
				{Name: "meta", GoType: "map[string]string", Type: "M"},
				{Name: "author", GoType: "tablemap_test.DesignAuthor", Type: "M"},
				{Name: "seen", GoType: "time.Time", Type: "N", Options: []string{"unixtime"}},
				{Name: "note", GoType: "*string", Type: "S"},
				{Name: "extra", GoType: "interface {}", Type: ""},
				{Name: "secret", GoType: "string", Type: "B", Options: []string{"encrypted"}},
				{Name: "v", GoType: "int", Type: "N", Options: []string{"version"}},
				{Name: "created", GoType: "time.Time", Type: "S", Options: []string{"created"}},
				{Name: "modified", GoType: "time.Time", Type: "S", Options: []string{"updated"}},
				{Name: "expires", GoType: "time.Time", Type: "N", Options: []string{"ttl"}},
			},
			Version: "v", Created: "created", Updated: "modified", TTL: "expires", Encrypted: []string{"secret"},
		}, {
			Name: "DesignTag", GoType: "tablemap_test.DesignTag",
			Keys: []tablemap.EntityKey{
				{PartitionKey: tablemap.KeyTemplate{Attribute: "PK", Template: "TAG#{name}"}, SortKey: tablemap.KeyTemplate{Attribute: "SK", Template: "TAG#{name}"}},
				{Index: "GSI3", PartitionKey: tablemap.KeyTemplate{Attribute: "GSI3PK", Template: "TAG#{name}"}, Sparse: true},
				{Index: "Inverted", PartitionKey: tablemap.KeyTemplate{Attribute: "SK", Template: "TAG#{name}"}, SortKey: tablemap.KeyTemplate{Attribute: "PK", Template: "TAG#{name}"}},
			},
			Attributes: []tablemap.AttributeDesign{{Name: "name", GoType: "string", Type: "S"}},
		}},
	}
	if d := cmp.Diff(want, got, cmpopts.EquateEmpty()); d != "" {
		t.Errorf("Design (-want +got):\n%s", d)
	}
	if e := got.Entity("Doc"); e == nil || e.GoType != "tablemap_test.DesignDoc" {
		t.Errorf("Entity(Doc) = %v", e)
	}
	if got.Entity("Nope") != nil {
		t.Error("Entity(Nope) found")
	}
	if k, ok := got.Entities[1].KeyOf("GSI1"); ok {
		t.Errorf("DesignTag has no GSI1 key, got %v", k)
	}
}

// A pattern's requests are read from the builders' Params, with their
// placeholders replaced by the names and values they stand for.
func TestDesignPattern(t *testing.T) {
	tbl, docs, tags := designTable(t)
	d := tbl.Design()
	get := docs.Get(DesignDoc{Org: "acme", ID: 7})
	query := docs.Query(DesignDoc{Owner: "ann"}).Index("GSI1").Newest().Limit(5).
		Filter(expression.Name("public").Equal(expression.Value(true))).Project("id", "owner")
	tx := tbl.WriteTx().
		Put(tags.Put(DesignTag{Name: "go"}).IfNotExists()).
		Update(docs.Update(DesignDoc{Org: "acme", ID: 7}).Set("tag", "go")).
		Delete(tags.Delete(DesignTag{Name: "old"})).
		Check(docs.Check(DesignDoc{Org: "acme", ID: 8}).Exists())
	readTx := tbl.ReadTx()
	tablemap.TxGet(readTx, tags.Get(DesignTag{Name: "go"}))
	tablemap.TxGet(readTx, tags.Get(DesignTag{Name: "rust"}))
	raw, err := tags.Scan().Limit(10).Params()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		name string
		reqs []any
	}{
		{"get a doc", []any{get.Consistent()}},
		{"an owner's public docs", []any{query}},
		{"tag a doc", []any{tx}},
		{"read two tags", []any{readTx}},
		{"every tag, twice", []any{raw, tags.Scan().Limit(10)}},
		{"delete a doc", []any{docs.Delete(DesignDoc{Org: "acme", ID: 7})}},
	} {
		if err := d.Pattern(p.name, p.reqs...); err != nil {
			t.Fatalf("Pattern(%q): %v", p.name, err)
		}
	}
	docKey := `PK = "ORG#acme", SK = "DOC#00000000000000000007"`
	// Doc has a ttl field: reads filter out, and writes refuse, an item
	// expired at the table's clock (2026-01-02T03:04:05Z).
	unexpired := "(attribute_not_exists (expires)) OR (expires > 1767323045)"
	tagScan := tablemap.PatternRequest{Operation: "Scan", Filter: `kind = "DesignTag"`, Limit: 10}
	want := []tablemap.AccessPattern{
		{Name: "get a doc", Requests: []tablemap.PatternRequest{{Operation: "GetItem", Key: docKey, Consistent: true}}},
		{Name: "an owner's public docs", Requests: []tablemap.PatternRequest{{
			Operation: "Query", Index: "GSI1", KeyCondition: `GSI1PK = "OWNER#ann"`,
			Filter: `(kind = "Doc") AND ((` + unexpired + `) AND (public = true))`, Projection: "kind, PK, SK, GSI1PK, GSI1SK, id, owner",
			Descending: true, Limit: 5,
		}}},
		{Name: "tag a doc", Requests: []tablemap.PatternRequest{{Operation: "TransactWriteItems", Actions: []tablemap.PatternRequest{
			{Operation: "Put", Key: `PK = "TAG#go", SK = "TAG#go"`, Condition: "attribute_not_exists (PK)"},
			{Operation: "Update", Key: docKey, Update: `ADD v 1 SET tag = "go", GSI3PK = "TAG#go", modified = "2026-01-02T03:04:05Z"`,
				Condition: `(kind = "Doc") AND (` + unexpired + `)`},
			{Operation: "Delete", Key: `PK = "TAG#old", SK = "TAG#old"`, Condition: `(attribute_not_exists (PK)) OR (kind = "DesignTag")`},
			{Operation: "ConditionCheck", Key: `PK = "ORG#acme", SK = "DOC#00000000000000000008"`,
				Condition: `(kind = "Doc") AND ((attribute_exists (PK)) AND (` + unexpired + `))`},
		}}}},
		{Name: "read two tags", Requests: []tablemap.PatternRequest{{Operation: "TransactGetItems", Actions: []tablemap.PatternRequest{
			{Operation: "Get", Key: `PK = "TAG#go", SK = "TAG#go"`},
			{Operation: "Get", Key: `PK = "TAG#rust", SK = "TAG#rust"`},
		}}}},
		{Name: "every tag, twice", Requests: []tablemap.PatternRequest{tagScan, tagScan}},
		{Name: "delete a doc", Requests: []tablemap.PatternRequest{{Operation: "DeleteItem", Key: docKey, Condition: `(attribute_not_exists (PK)) OR (kind = "Doc")`, Returns: "ALL_OLD"}}},
	}
	ignoreItems := cmpopts.IgnoreFields(tablemap.PatternRequest{}, "Item")
	if diff := cmp.Diff(want, d.Patterns, ignoreItems, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("patterns (-want +got):\n%s", diff)
	}
	if put := d.Patterns[2].Requests[0].Actions[0]; put.Item["kind"].(*types.AttributeValueMemberS).Value != "DesignTag" {
		t.Errorf("the Put's item is not the tag's: %v", put.Item)
	}
	for _, c := range []struct{ got, want string }{
		{d.Patterns[0].Requests[0].String(), `GetItem: ` + docKey + `; consistent`},
		{d.Patterns[1].Requests[0].String(), `Query GSI1: GSI1PK = "OWNER#ann"; filter (kind = "Doc") AND ((` + unexpired + `) AND (public = true)); project kind, PK, SK, GSI1PK, GSI1SK, id, owner; descending; limit 5`},
		{d.Patterns[3].Requests[0].String(), `TransactGetItems: Get: PK = "TAG#go", SK = "TAG#go" + Get: PK = "TAG#rust", SK = "TAG#rust"`},
	} {
		if c.got != c.want {
			t.Errorf("String() = %s\nwant       %s", c.got, c.want)
		}
	}
}

// Batch inputs (which no builder's Params returns) are read as SDK inputs.
func TestDesignPatternBatch(t *testing.T) {
	tbl, _, _ := designTable(t)
	d := tbl.Design()
	tag := func(name string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: name}, "SK": &types.AttributeValueMemberS{Value: name}}
	}
	err := d.Pattern("a batch",
		&dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{"docs": {Keys: []map[string]types.AttributeValue{tag("TAG#go")}}}},
		&dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"docs": {
			{DeleteRequest: &types.DeleteRequest{Key: tag("TAG#old")}},
			{PutRequest: &types.PutRequest{Item: tag("TAG#new")}},
		}}})
	if err != nil {
		t.Fatal(err)
	}
	want := []tablemap.AccessPattern{{Name: "a batch", Requests: []tablemap.PatternRequest{
		{Operation: "BatchGetItem", Actions: []tablemap.PatternRequest{{Operation: "Get", Key: `PK = "TAG#go", SK = "TAG#go"`}}},
		{Operation: "BatchWriteItem", Actions: []tablemap.PatternRequest{
			{Operation: "Delete", Key: `PK = "TAG#old", SK = "TAG#old"`},
			{Operation: "Put", Key: `PK = "TAG#new", SK = "TAG#new"`, Item: tag("TAG#new")},
		}},
	}}}
	if diff := cmp.Diff(want, d.Patterns, avOpts, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("patterns (-want +got):\n%s", diff)
	}
}

var avOpts = cmpopts.IgnoreUnexported(types.AttributeValueMemberS{})

// Pattern refuses what would make the design wrong, and leaves the design
// as it was.
func TestDesignPatternRefused(t *testing.T) {
	tbl, docs, tags := designTable(t)
	other := tablemap.NewTable(nil, "other")
	otherTags, err := tablemap.Define[DesignTag](other)
	if err != nil {
		t.Fatal(err)
	}
	d := tbl.Design()
	if err := d.Pattern("get a tag", tags.Get(DesignTag{Name: "go"})); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what string
		name string
		reqs []any
		want error
	}{
		{"no name", "", []any{tags.Get(DesignTag{Name: "go"})}, tablemap.ErrInvalidPattern},
		{"no request", "nothing", nil, tablemap.ErrInvalidPattern},
		{"a name twice", "get a tag", []any{tags.Get(DesignTag{Name: "go"})}, tablemap.ErrInvalidPattern},
		{"another table", "get another tag", []any{otherTags.Get(DesignTag{Name: "go"})}, tablemap.ErrInvalidPattern},
		{"no request value", "a number", []any{42}, tablemap.ErrInvalidPattern},
		{"nil", "nil", []any{nil}, tablemap.ErrInvalidPattern},
		{"a check alone", "check", []any{docs.Check(DesignDoc{Org: "a", ID: 1}).Exists()}, tablemap.ErrInvalidPattern},
		{"a builder's error", "missing key", []any{docs.Get(DesignDoc{ID: 1})}, tablemap.ErrInvalidKey},
		{"a batch across tables", "two tables", []any{&dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
			"docs": {}, "other": {},
		}}}, tablemap.ErrInvalidPattern},
		{"a transaction across tables", "two tables", []any{&dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{
			{Get: &types.Get{TableName: aws.String("docs")}}, {Get: &types.Get{TableName: aws.String("other")}},
		}}}, tablemap.ErrInvalidPattern},
	} {
		t.Run(c.what, func(t *testing.T) {
			err := d.Pattern(c.name, c.reqs...)
			if !errors.Is(err, c.want) {
				t.Errorf("Pattern: %v, want %v", err, c.want)
			}
			if len(d.Patterns) != 1 {
				t.Errorf("%d patterns after a refused one, want 1", len(d.Patterns))
			}
		})
	}
}
