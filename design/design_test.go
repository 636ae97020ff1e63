package design_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/design"
	"github.com/tablemap/tablemap/internal/codec"
	"github.com/tablemap/tablemap/internal/dynamotest"
	"github.com/tablemap/tablemap/notes"
	"github.com/tablemap/tablemap/social"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/")

func TestMain(m *testing.M) { os.Exit(dynamotest.Main(m)) }

var clock = time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)

func now() time.Time { return clock }

// socialDesign returns the design of the social service on a table named
// name reached through client (nil when nothing is sent), with its access
// patterns, and the service.
func socialDesign(t *testing.T, client tablemap.Client, name string) (tablemap.Design, *tablemap.Table, *social.Service) {
	t.Helper()
	tbl := tablemap.NewTable(client, name, tablemap.WithInvertedIndex(), tablemap.WithClock(now))
	svc, err := social.New(tbl, social.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	d := tbl.Design()
	if err := svc.Patterns(&d); err != nil {
		t.Fatal(err)
	}
	return d, tbl, svc
}

// golden compares got with the file testdata/name, or rewrites the file
// with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s differs from the golden file (-want +got; go test -update rewrites it):\n%s", name, d)
	}
}

// goldenSuffix is the file name suffix of each format's golden files.
var goldenSuffix = map[string]string{
	"workbench": "workbench.json", "cloudformation": "cloudformation.json",
	"terraform": "terraform.tf", "markdown": "markdown.md",
}

func TestGoldenSocial(t *testing.T) {
	d, _, _ := socialDesign(t, nil, "app")
	for _, format := range design.Formats {
		t.Run(format, func(t *testing.T) {
			out, err := design.Render(d, format)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "social."+goldenSuffix[format], out)
		})
	}
}

func TestGoldenNotesMarkdown(t *testing.T) {
	tbl := tablemap.NewTable(nil, "notes", tablemap.WithClock(now))
	store, err := notes.New(tbl)
	if err != nil {
		t.Fatal(err)
	}
	d := tbl.Design()
	if err := store.Patterns(&d); err != nil {
		t.Fatal(err)
	}
	out, err := design.Markdown(d)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "notes.markdown.md", out)
}

func TestRenderUnknownFormat(t *testing.T) {
	d, _, _ := socialDesign(t, nil, "app")
	if _, err := design.Render(d, "yaml"); err == nil {
		t.Error("Render(yaml): no error")
	}
}

// A table with what social's does not have: its own key attribute names,
// provisioned capacity, a GSI without a sort key and a time-to-live field.
type Session struct {
	_       struct{}  `tablemap:"Session" pk:"SESSION#{id}" gsi2pk:"USER#{user}"`
	ID      string    `dynamo:"id"`
	User    string    `dynamo:"user"`
	Expires time.Time `dynamo:"expires,ttl"`
}

func sessionTable(t *testing.T) *tablemap.Table {
	tbl := tablemap.NewTable(nil, "sessions", tablemap.WithKeyAttributes("pk", "sk"), tablemap.WithProvisionedThroughput(5, 2))
	if _, err := tablemap.Define[Session](tbl); err != nil {
		t.Fatal(err)
	}
	return tbl
}

// handDesign is a design no tablemap table makes yet: a local secondary
// index and an INCLUDE projection, which the renderers take as plain data.
func handDesign() tablemap.Design {
	s := func(n string) tablemap.KeyAttribute { return tablemap.KeyAttribute{Name: n, Type: "S"} }
	return tablemap.Design{Table: tablemap.TableDesign{
		Name: "orders", PartitionKey: s("PK"), SortKey: s("SK"), TypeAttribute: "_type",
		AttributeDefinitions: []tablemap.KeyAttribute{s("PK"), s("SK"), {Name: "total", Type: "N"}, s("GSI1PK")},
		Indexes: []tablemap.IndexDesign{
			{Name: "GSI1", Kind: "GSI", PartitionKey: s("GSI1PK"), Projection: "INCLUDE", NonKeyAttributes: []string{"status", "total"}, ReadCapacity: 2, WriteCapacity: 1},
			{Name: "ByTotal", Kind: "LSI", PartitionKey: s("PK"), SortKey: tablemap.KeyAttribute{Name: "total", Type: "N"}, Projection: "KEYS_ONLY"},
		},
		TTL: "expires", BillingMode: "PROVISIONED", ReadCapacity: 5, WriteCapacity: 3,
	}}
}

func TestGoldenHand(t *testing.T) {
	for _, format := range design.Formats {
		out, err := design.Render(handDesign(), format)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "hand."+goldenSuffix[format], out)
	}
}

// cfnProperties is the part of an AWS::DynamoDB::Table resource that
// CreateTable sends too, decoded into the SDK's types: the template's
// property names are the API's.
type cfnProperties struct {
	TableName               string
	BillingMode             types.BillingMode
	AttributeDefinitions    []types.AttributeDefinition
	KeySchema               []types.KeySchemaElement
	GlobalSecondaryIndexes  []types.GlobalSecondaryIndex
	LocalSecondaryIndexes   []types.LocalSecondaryIndex
	ProvisionedThroughput   *types.ProvisionedThroughput
	TimeToLiveSpecification *types.TimeToLiveSpecification
}

var sdkTypes = cmpopts.IgnoreUnexported(types.AttributeDefinition{}, types.KeySchemaElement{}, types.GlobalSecondaryIndex{},
	types.LocalSecondaryIndex{}, types.Projection{}, types.ProvisionedThroughput{}, types.TimeToLiveSpecification{})

// The template's key schema, attribute definitions, indexes and billing are
// those of the CreateTable request tablemap sends; its time to live is the
// attribute CreateTable enables.
func TestCloudFormationIsCreateTableInput(t *testing.T) {
	socialD, socialTbl, _ := socialDesign(t, nil, "app")
	for _, c := range []struct {
		name string
		d    tablemap.Design
		tbl  *tablemap.Table
		ttl  string
	}{
		{"social", socialD, socialTbl, "expires"}, // the timeline entries
		{"sessions", sessionTable(t).Design(), sessionTable(t), "expires"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := design.CloudFormation(c.d)
			if err != nil {
				t.Fatal(err)
			}
			var tmpl struct {
				AWSTemplateFormatVersion string
				Resources                map[string]struct {
					Type       string
					Properties cfnProperties
				}
			}
			if err := json.Unmarshal(out, &tmpl); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, out)
			}
			res, ok := tmpl.Resources["Table"]
			if !ok || res.Type != "AWS::DynamoDB::Table" || tmpl.AWSTemplateFormatVersion != "2010-09-09" {
				t.Fatalf("no AWS::DynamoDB::Table resource Table in\n%s", out)
			}
			in := c.tbl.CreateTableInput()
			want := cfnProperties{
				TableName:              aws.ToString(in.TableName),
				BillingMode:            in.BillingMode,
				AttributeDefinitions:   in.AttributeDefinitions,
				KeySchema:              in.KeySchema,
				GlobalSecondaryIndexes: in.GlobalSecondaryIndexes,
				LocalSecondaryIndexes:  in.LocalSecondaryIndexes,
				ProvisionedThroughput:  in.ProvisionedThroughput,
			}
			if c.ttl != "" {
				want.TimeToLiveSpecification = &types.TimeToLiveSpecification{AttributeName: aws.String(c.ttl), Enabled: aws.Bool(true)}
			}
			if d := cmp.Diff(want, res.Properties, sdkTypes, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("template properties differ from CreateTableInput (-want +got):\n%s", d)
			}
		})
	}
}

// workbenchModel is the part of a NoSQL Workbench model the tests read.
type workbenchModel struct {
	ModelName string
	DataModel []struct {
		TableName        string
		KeyAttributes    wbKeys
		NonKeyAttributes []struct{ AttributeName, AttributeType string }
		TableFacets      []struct {
			FacetName         string
			KeyAttributeAlias struct{ PartitionKeyAlias, SortKeyAlias string }
			NonKeyAttributes  []string
		}
		GlobalSecondaryIndexes []struct {
			IndexName     string
			KeyAttributes wbKeys
			Projection    struct{ ProjectionType string }
		}
		TableData   []map[string]map[string]json.RawMessage
		BillingMode string
	}
}

type wbKeys struct {
	PartitionKey struct{ AttributeName, AttributeType string }
	SortKey      *struct{ AttributeName, AttributeType string }
}

func workbench(t *testing.T, d tablemap.Design) workbenchModel {
	t.Helper()
	out, err := design.Workbench(d)
	if err != nil {
		t.Fatal(err)
	}
	var m workbenchModel
	dec := json.NewDecoder(bytes.NewReader(out))
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("not a Workbench model: %v\n%s", err, out)
	}
	if len(m.DataModel) != 1 {
		t.Fatalf("%d tables in the model, want 1", len(m.DataModel))
	}
	return m
}

// The model's facets are exactly social's entities, with their table key
// templates as key aliases.
func TestWorkbenchFacetsAreTheEntities(t *testing.T) {
	d, _, _ := socialDesign(t, nil, "app")
	m := workbench(t, d)
	type facet struct{ Name, PK, SK string }
	var got []facet
	for _, f := range m.DataModel[0].TableFacets {
		got = append(got, facet{f.FacetName, f.KeyAttributeAlias.PartitionKeyAlias, f.KeyAttributeAlias.SortKeyAlias})
	}
	want := []facet{
		{"social.Follow", "USER#{followed}", "FOLLOW#{follower}"},
		{"social.User", "USER#{username}", "PROFILE#{username}"},
		{"social.Photo", "USER#{owner}", "PHOTO#{owner}#{id}"},
		{"social.Reaction", "REACTION#{user}#{type}", "PHOTO#{owner}#{photo}"},
		{"social.Thought", "USER#{username}", "THOUGHT#{id}"},
		{"social.TimelineEntry", "TIMELINE#{user}", "ENTRY#{uploaded}#{owner}#{id}"},
		{"social.CelebrityFollow", "TIMELINE#{user}", "STAR#{star}"},
		{"social.WriteToken", "USER#{user}", "TOKEN#{token}"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("facets (-want +got):\n%s", diff)
	}
}

// Two entities with attributes of one name and different types are
// refused: the model declares one type per attribute name, so one facet
// would have a wrong type.
func TestWorkbenchRefusesTwoTypesOfOneAttribute(t *testing.T) {
	d := handDesign()
	d.Entities = []tablemap.EntityDesign{
		{Name: "Order", Attributes: []tablemap.AttributeDesign{{Name: "status", Type: "S"}, {Name: "extra"}}},
		{Name: "Shipment", Attributes: []tablemap.AttributeDesign{{Name: "extra", Type: "M"}, {Name: "status", Type: "BOOL"}}},
	}
	_, err := design.Workbench(d)
	if err == nil || !strings.Contains(err.Error(), `attribute "status" is S in Order and BOOL in Shipment`) {
		t.Errorf("Workbench = %v, want the two types of status refused", err)
	}
	d.Entities[1].Attributes[1].Type = "S"
	if _, err := design.Workbench(d); err != nil {
		t.Errorf("one type per name: %v", err)
	}
}

// The sample items of the model decode through the entities: each item,
// read back from DynamoDB JSON, decodes as the entity its type attribute
// names and encodes again to the same item; every attribute of every item
// is declared in the model with the type of its value.
func TestWorkbenchSamplesDecode(t *testing.T) {
	d, _, svc := socialDesign(t, nil, "app")
	m := workbench(t, d)
	tbl := m.DataModel[0]
	declared := map[string]string{tbl.KeyAttributes.PartitionKey.AttributeName: tbl.KeyAttributes.PartitionKey.AttributeType}
	if sk := tbl.KeyAttributes.SortKey; sk != nil {
		declared[sk.AttributeName] = sk.AttributeType
	}
	for _, a := range tbl.NonKeyAttributes {
		declared[a.AttributeName] = a.AttributeType
	}
	e := svc.Entities()
	roundTrip := map[string]func(map[string]types.AttributeValue) (map[string]types.AttributeValue, error){
		"social.User":            reencode(e.Users),
		"social.Photo":           reencode(e.Photos),
		"social.Reaction":        reencode(e.Reactions),
		"social.Follow":          reencode(e.Follows),
		"social.Thought":         reencode(e.Thoughts),
		"social.TimelineEntry":   reencode(e.Timelines),
		"social.CelebrityFollow": reencode(e.CelebrityFollows),
	}
	var seen []string
	for i, j := range tbl.TableData {
		item := map[string]types.AttributeValue{}
		for name, v := range j {
			av, err := fromDynamoJSON(v)
			if err != nil {
				t.Fatalf("item %d, attribute %s: %v", i, name, err)
			}
			item[name] = av
			if typ := declared[name]; typ != codec.TypeName(av) {
				t.Errorf("item %d: attribute %s is %s, declared %q", i, name, codec.TypeName(av), typ)
			}
		}
		typ, _ := item["_type"].(*types.AttributeValueMemberS)
		if typ == nil || roundTrip[typ.Value] == nil {
			t.Fatalf("item %d has no social entity type: %v", i, item["_type"])
		}
		seen = append(seen, typ.Value)
		again, err := roundTrip[typ.Value](item)
		if err != nil {
			t.Fatalf("item %d (%s): %v", i, typ.Value, err)
		}
		if diff := cmp.Diff(item, again, avCmp); diff != "" {
			t.Errorf("item %d (%s) changes through its entity (-model +re-encoded):\n%s", i, typ.Value, diff)
		}
	}
	slices.Sort(seen)
	seen = slices.Compact(seen) // each type once
	want := []string{"social.CelebrityFollow", "social.Follow", "social.Photo", "social.Reaction", "social.Thought", "social.TimelineEntry", "social.User"}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("sample item types (-want +got):\n%s", diff)
	}
}

// reencode decodes an item as e's type and returns the item a Put of the
// value writes.
func reencode[T any](e *tablemap.Entity[T]) func(map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	return func(item map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
		v, err := e.Decode(item)
		if err != nil {
			return nil, err
		}
		in, err := e.Put(v).Params()
		if err != nil {
			return nil, err
		}
		return in.Item, nil
	}
}

var avCmp = cmpopts.IgnoreUnexported(types.AttributeValueMemberS{}, types.AttributeValueMemberN{}, types.AttributeValueMemberB{},
	types.AttributeValueMemberBOOL{}, types.AttributeValueMemberNULL{}, types.AttributeValueMemberSS{}, types.AttributeValueMemberNS{},
	types.AttributeValueMemberBS{}, types.AttributeValueMemberL{}, types.AttributeValueMemberM{})

// fromDynamoJSON reads one attribute value in DynamoDB JSON.
func fromDynamoJSON(j map[string]json.RawMessage) (types.AttributeValue, error) {
	if len(j) != 1 {
		return nil, fmt.Errorf("%d type keys", len(j))
	}
	for typ, raw := range j {
		var err error
		switch typ {
		case "S":
			var v types.AttributeValueMemberS
			err = json.Unmarshal(raw, &v.Value)
			return &v, err
		case "N":
			var v types.AttributeValueMemberN
			err = json.Unmarshal(raw, &v.Value)
			return &v, err
		case "BOOL":
			var v types.AttributeValueMemberBOOL
			err = json.Unmarshal(raw, &v.Value)
			return &v, err
		case "B":
			var s string
			if err = json.Unmarshal(raw, &s); err != nil {
				return nil, err
			}
			b, err := base64.StdEncoding.DecodeString(s)
			return &types.AttributeValueMemberB{Value: b}, err
		case "SS":
			var v types.AttributeValueMemberSS
			err = json.Unmarshal(raw, &v.Value)
			return &v, err
		case "NS":
			var v types.AttributeValueMemberNS
			err = json.Unmarshal(raw, &v.Value)
			return &v, err
		case "L":
			var l []map[string]json.RawMessage
			if err = json.Unmarshal(raw, &l); err != nil {
				return nil, err
			}
			v := &types.AttributeValueMemberL{}
			for _, e := range l {
				av, err := fromDynamoJSON(e)
				if err != nil {
					return nil, err
				}
				v.Value = append(v.Value, av)
			}
			return v, nil
		case "M":
			var m map[string]map[string]json.RawMessage
			if err = json.Unmarshal(raw, &m); err != nil {
				return nil, err
			}
			v := &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}}
			for k, e := range m {
				av, err := fromDynamoJSON(e)
				if err != nil {
					return nil, err
				}
				v.Value[k] = av
			}
			return v, nil
		}
		return nil, fmt.Errorf("type %q", typ)
	}
	panic("unreachable")
}

// The model's key attributes and indexes are those of the table social's
// CreateTable makes, as DescribeTable tells them.
func TestWorkbenchIndexesMatchDescribeTable(t *testing.T) {
	client := dynamotest.Client(t)
	d, tbl, _ := socialDesign(t, client, dynamotest.TableName(t))
	ctx := context.Background()
	if err := tbl.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(tbl.Name())})
	if err != nil {
		t.Fatal(err)
	}
	desc := out.Table
	m := workbench(t, d)
	model := m.DataModel[0]

	type key struct{ Name, Type, KeyType string }
	type index struct {
		Name       string
		Keys       []key
		Projection string
	}
	attrTypes := map[string]string{}
	for _, a := range desc.AttributeDefinitions {
		attrTypes[aws.ToString(a.AttributeName)] = string(a.AttributeType)
	}
	described := func(ks []types.KeySchemaElement) []key {
		var out []key
		for _, k := range ks {
			out = append(out, key{aws.ToString(k.AttributeName), attrTypes[aws.ToString(k.AttributeName)], string(k.KeyType)})
		}
		return out
	}
	modelled := func(k wbKeys) []key {
		out := []key{{k.PartitionKey.AttributeName, k.PartitionKey.AttributeType, "HASH"}}
		if k.SortKey != nil {
			out = append(out, key{k.SortKey.AttributeName, k.SortKey.AttributeType, "RANGE"})
		}
		return out
	}
	if diff := cmp.Diff(described(desc.KeySchema), modelled(model.KeyAttributes)); diff != "" {
		t.Errorf("table key (-DescribeTable +model):\n%s", diff)
	}
	var want, got []index
	for _, g := range desc.GlobalSecondaryIndexes {
		want = append(want, index{aws.ToString(g.IndexName), described(g.KeySchema), string(g.Projection.ProjectionType)})
	}
	for _, g := range model.GlobalSecondaryIndexes {
		got = append(got, index{g.IndexName, modelled(g.KeyAttributes), g.Projection.ProjectionType})
	}
	byName := func(a, b index) int { return strings.Compare(a.Name, b.Name) }
	slices.SortFunc(want, byName)
	slices.SortFunc(got, byName)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("indexes (-DescribeTable +model):\n%s", diff)
	}
	if len(desc.LocalSecondaryIndexes) != 0 {
		t.Errorf("the table has local secondary indexes the model cannot show: %v", desc.LocalSecondaryIndexes)
	}
	if model.TableName != tbl.Name() || model.BillingMode != string(desc.BillingModeSummary.BillingMode) {
		t.Errorf("model table %s billed %s; DescribeTable: %s billed %s", model.TableName, model.BillingMode, tbl.Name(), desc.BillingModeSummary.BillingMode)
	}
}

// terraform fmt -check accepts the Terraform output, when terraform is on
// the PATH (TestTerraformParses in design/hclcheck parses it otherwise).
func TestTerraformFmt(t *testing.T) {
	path, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("terraform is not on the PATH")
	}
	socialD, _, _ := socialDesign(t, nil, "app")
	for name, d := range map[string]tablemap.Design{"social": socialD, "sessions": sessionTable(t).Design(), "hand": handDesign()} {
		t.Run(name, func(t *testing.T) {
			out, err := design.Terraform(d)
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(path, "fmt", "-check", "-diff", "-")
			cmd.Stdin = bytes.NewReader(out)
			cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE=/dev/null", "CHECKPOINT_DISABLE=1")
			if msg, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("terraform fmt -check: %v\n%s\n%s", err, msg, out)
			}
		})
	}
}

// The Markdown sheet lists every access pattern with each of its requests.
func TestMarkdownListsPatterns(t *testing.T) {
	d, _, _ := socialDesign(t, nil, "app")
	out, err := design.Markdown(d)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Patterns) < 17 {
		t.Fatalf("%d social patterns, want 17 or more", len(d.Patterns))
	}
	for _, p := range d.Patterns {
		if !bytes.Contains(out, []byte("| "+p.Name+" | "+fmt.Sprint(len(p.Requests))+" | ")) {
			t.Errorf("no row for pattern %q", p.Name)
		}
		for _, r := range p.Requests {
			texts := []string{r.String()}
			if len(r.Actions) > 0 {
				texts = nil
				for _, a := range r.Actions {
					texts = append(texts, a.String())
				}
			}
			for _, s := range texts {
				if !bytes.Contains(out, []byte("`"+s+"`")) {
					t.Errorf("pattern %q: request %q is not in the sheet", p.Name, s)
				}
			}
		}
	}
}

// The README's excerpt of social's sheet is the sheet's own text.
func TestReadmeExcerpt(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, excerpt, ok := strings.Cut(string(readme), "An excerpt of the sheet of `social`:")
	if !ok {
		t.Fatal("README has no excerpt of social's sheet")
	}
	excerpt, _, _ = strings.Cut(excerpt, "\n## ")
	d, _, _ := socialDesign(t, nil, "app")
	sheet, err := design.Markdown(d)
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for line := range strings.Lines(excerpt) {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		rows++
		if !bytes.Contains(sheet, []byte(line)) {
			t.Errorf("README line is not in the sheet: %s", line)
		}
	}
	if rows < 5 {
		t.Errorf("%d table rows in the README's excerpt", rows)
	}
}
