package hclcheck_test

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/design"
	"github.com/tablemap/tablemap/social"
)

// A table with what social's does not have: its own key attribute names,
// provisioned capacity, a GSI without a sort key and a time-to-live field.
type Session struct {
	_       struct{}  `tablemap:"Session" pk:"SESSION#{id}" gsi2pk:"USER#{user}"`
	ID      string    `dynamo:"id"`
	User    string    `dynamo:"user"`
	Expires time.Time `dynamo:"expires,ttl"`
}

func designs(t *testing.T) map[string]tablemap.Design {
	app := tablemap.NewTable(nil, "app", tablemap.WithInvertedIndex())
	if _, err := social.New(app); err != nil {
		t.Fatal(err)
	}
	sessions := tablemap.NewTable(nil, "sessions", tablemap.WithKeyAttributes("pk", "sk"), tablemap.WithProvisionedThroughput(5, 2))
	if _, err := tablemap.Define[Session](sessions); err != nil {
		t.Fatal(err)
	}
	s := func(n string) tablemap.KeyAttribute { return tablemap.KeyAttribute{Name: n, Type: "S"} }
	// A design no tablemap table makes yet: a local index, an INCLUDE
	// projection.
	hand := tablemap.Design{Table: tablemap.TableDesign{
		Name: "orders", PartitionKey: s("PK"), SortKey: s("SK"), TypeAttribute: "_type",
		AttributeDefinitions: []tablemap.KeyAttribute{s("PK"), s("SK"), {Name: "total", Type: "N"}, s("GSI1PK")},
		Indexes: []tablemap.IndexDesign{
			{Name: "GSI1", Kind: "GSI", PartitionKey: s("GSI1PK"), Projection: "INCLUDE", NonKeyAttributes: []string{"status", "total"}, ReadCapacity: 2, WriteCapacity: 1},
			{Name: "ByTotal", Kind: "LSI", PartitionKey: s("PK"), SortKey: tablemap.KeyAttribute{Name: "total", Type: "N"}, Projection: "KEYS_ONLY"},
		},
		TTL: "expires", BillingMode: "PROVISIONED", ReadCapacity: 5, WriteCapacity: 3,
	}}
	return map[string]tablemap.Design{"social": app.Design(), "sessions": sessions.Design(), "hand": hand}
}

// The Terraform output parses as HCL, is formatted as hclwrite formats it,
// and its resource holds the design's keys, attributes, indexes and TTL.
func TestTerraformParses(t *testing.T) {
	for name, d := range designs(t) {
		t.Run(name, func(t *testing.T) {
			out, err := design.Terraform(d)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(hclwrite.Format(out)), string(out)); diff != "" {
				t.Errorf("not formatted (-hclwrite.Format +got):\n%s", diff)
			}
			f, diags := hclsyntax.ParseConfig(out, "main.tf", hcl.Pos{Line: 1, Column: 1})
			if diags.HasErrors() {
				t.Fatalf("does not parse: %v\n%s", diags, out)
			}
			body := f.Body.(*hclsyntax.Body)
			if len(body.Blocks) != 1 || body.Blocks[0].Type != "resource" || !slices.Equal(body.Blocks[0].Labels[:1], []string{"aws_dynamodb_table"}) {
				t.Fatalf("want one aws_dynamodb_table resource, got\n%s", out)
			}
			res := body.Blocks[0].Body
			got := summary{Name: str(t, res.Attributes["name"]), Billing: str(t, res.Attributes["billing_mode"]),
				HashKey: str(t, res.Attributes["hash_key"]), RangeKey: str(t, res.Attributes["range_key"])}
			for _, b := range res.Blocks {
				switch b.Type {
				case "attribute":
					got.Attributes = append(got.Attributes, str(t, b.Body.Attributes["name"])+":"+str(t, b.Body.Attributes["type"]))
				case "global_secondary_index":
					got.Indexes = append(got.Indexes, str(t, b.Body.Attributes["name"])+":"+str(t, b.Body.Attributes["hash_key"])+"/"+str(t, b.Body.Attributes["range_key"]))
				case "local_secondary_index": // its partition key is the table's
					got.Indexes = append(got.Indexes, str(t, b.Body.Attributes["name"])+":"+got.HashKey+"/"+str(t, b.Body.Attributes["range_key"]))
				case "ttl":
					got.TTL = str(t, b.Body.Attributes["attribute_name"])
				default:
					t.Errorf("unexpected block %s", b.Type)
				}
			}
			want := summary{Name: d.Table.Name, Billing: d.Table.BillingMode, HashKey: d.Table.PartitionKey.Name, RangeKey: d.Table.SortKey.Name, TTL: d.Table.TTL}
			for _, a := range d.Table.AttributeDefinitions {
				want.Attributes = append(want.Attributes, a.Name+":"+a.Type)
			}
			for _, x := range d.Table.Indexes {
				want.Indexes = append(want.Indexes, x.Name+":"+x.PartitionKey.Name+"/"+x.SortKey.Name)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("resource (-design +terraform):\n%s", diff)
			}
		})
	}
}

type summary struct {
	Name, Billing, HashKey, RangeKey, TTL string
	Attributes, Indexes                   []string
}

// str evaluates a string attribute ("" when absent).
func str(t *testing.T, a *hclsyntax.Attribute) string {
	t.Helper()
	if a == nil {
		return ""
	}
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() || v.Type() != cty.String {
		t.Fatalf("attribute %s: not a string: %v", a.Name, diags)
	}
	return v.AsString()
}
