package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/dynamotest"
	"github.com/tablemap/tablemap/social"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.Main(m)) }

// run runs the example with args and returns its standard output.
func run(t *testing.T, args ...string) []byte {
	t.Helper()
	return runEnv(t, nil, args...)
}

// runEnv runs the example with args and env added to the environment.
func runEnv(t *testing.T, env []string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("go", append([]string{"run", "."}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go run . %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}

// socialTable returns the table the example makes, without a client.
func socialTable(t *testing.T) (*tablemap.Table, *social.Service) {
	tbl := tablemap.NewTable(nil, "tablemap-mobileapp", tablemap.WithInvertedIndex())
	svc, err := social.New(tbl)
	if err != nil {
		t.Fatal(err)
	}
	return tbl, svc
}

// -design workbench prints only a Workbench model whose facets are social's
// entities and whose indexes are those the example creates.
func TestDesignWorkbench(t *testing.T) {
	out := run(t, "-design", "workbench")
	var m struct {
		DataModel []struct {
			TableFacets            []struct{ FacetName string }
			GlobalSecondaryIndexes []struct {
				IndexName     string
				KeyAttributes struct {
					PartitionKey, SortKey struct{ AttributeName string }
				}
			}
		}
	}
	if err := json.Unmarshal(out, &m); err != nil || len(m.DataModel) != 1 {
		t.Fatalf("not a Workbench model of one table (%v):\n%s", err, out)
	}
	tbl, _ := socialTable(t)
	var wantFacets, gotFacets, wantIndexes, gotIndexes []string
	for _, e := range tbl.Design().Entities {
		wantFacets = append(wantFacets, e.Name)
	}
	for _, f := range m.DataModel[0].TableFacets {
		gotFacets = append(gotFacets, f.FacetName)
	}
	for _, g := range tbl.CreateTableInput().GlobalSecondaryIndexes {
		ks := []string{aws.ToString(g.IndexName)}
		for _, k := range g.KeySchema {
			ks = append(ks, aws.ToString(k.AttributeName))
		}
		wantIndexes = append(wantIndexes, strings.Join(ks, " "))
	}
	for _, g := range m.DataModel[0].GlobalSecondaryIndexes {
		gotIndexes = append(gotIndexes, strings.TrimSpace(g.IndexName+" "+g.KeyAttributes.PartitionKey.AttributeName+" "+g.KeyAttributes.SortKey.AttributeName))
	}
	if d := cmp.Diff(wantFacets, gotFacets); d != "" {
		t.Errorf("facets (-social +model):\n%s", d)
	}
	if d := cmp.Diff(wantIndexes, gotIndexes); d != "" {
		t.Errorf("indexes (-CreateTableInput +model):\n%s", d)
	}
}

// The model's table key and indexes are those of the table the example
// creates, as DynamoDB Local describes it.
func TestDesignIsTheTableItCreates(t *testing.T) {
	name := dynamotest.TableName(t)
	runEnv(t, []string{"DYNAMODB_ENDPOINT=" + dynamotest.Endpoint(t)}, "-table", name, "-keep")
	out, err := dynamotest.Client(t).DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		DataModel []struct {
			KeyAttributes          keys
			GlobalSecondaryIndexes []struct {
				IndexName     string
				KeyAttributes keys
			}
		}
	}
	if err := json.Unmarshal(run(t, "-design", "workbench", "-table", name), &m); err != nil || len(m.DataModel) != 1 {
		t.Fatalf("not a Workbench model of one table: %v", err)
	}
	attrTypes := map[string]string{}
	for _, a := range out.Table.AttributeDefinitions {
		attrTypes[aws.ToString(a.AttributeName)] = string(a.AttributeType)
	}
	want := []string{keyText("", out.Table.KeySchema, attrTypes)}
	for _, g := range out.Table.GlobalSecondaryIndexes {
		want = append(want, keyText(aws.ToString(g.IndexName), g.KeySchema, attrTypes))
	}
	got := []string{m.DataModel[0].KeyAttributes.text("")}
	for _, g := range m.DataModel[0].GlobalSecondaryIndexes {
		got = append(got, g.KeyAttributes.text(g.IndexName))
	}
	slices.Sort(want[1:])
	slices.Sort(got[1:])
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("keys and indexes (-DescribeTable +model):\n%s", d)
	}
}

type keys struct {
	PartitionKey, SortKey struct{ AttributeName, AttributeType string }
}

func (k keys) text(index string) string {
	return fmt.Sprintf("%s HASH %s %s RANGE %s %s", index, k.PartitionKey.AttributeName, k.PartitionKey.AttributeType, k.SortKey.AttributeName, k.SortKey.AttributeType)
}

// keyText writes a described key schema as keys.text does, with the types
// of the table's attribute definitions.
func keyText(index string, ks []types.KeySchemaElement, attrTypes map[string]string) string {
	var k keys
	for _, e := range ks {
		name := aws.ToString(e.AttributeName)
		if e.KeyType == types.KeyTypeHash {
			k.PartitionKey.AttributeName, k.PartitionKey.AttributeType = name, attrTypes[name]
		} else {
			k.SortKey.AttributeName, k.SortKey.AttributeType = name, attrTypes[name]
		}
	}
	return k.text(index)
}

// -design markdown lists every access pattern of social, with its requests.
func TestDesignMarkdown(t *testing.T) {
	out := string(run(t, "-design", "markdown"))
	tbl, svc := socialTable(t)
	d := tbl.Design()
	if err := svc.Patterns(&d); err != nil {
		t.Fatal(err)
	}
	for _, p := range d.Patterns {
		if !strings.Contains(out, "| "+p.Name+" | ") {
			t.Errorf("pattern %q is not in the sheet", p.Name)
		}
	}
	if !strings.HasPrefix(out, "# Table design: tablemap-mobileapp\n") {
		t.Errorf("the sheet does not start with its title:\n%s", out)
	}
}

// -design terraform passes terraform fmt -check, when terraform is on the
// PATH; -design cloudformation is JSON.
func TestDesignTerraformAndCloudFormation(t *testing.T) {
	if !json.Valid(run(t, "-design", "cloudformation")) {
		t.Error("-design cloudformation is not JSON")
	}
	tf := run(t, "-design", "terraform")
	path, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("terraform is not on the PATH")
	}
	cmd := exec.Command(path, "fmt", "-check", "-")
	cmd.Stdin = bytes.NewReader(tf)
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE=/dev/null", "CHECKPOINT_DISABLE=1")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("terraform fmt -check: %v\n%s", err, msg)
	}
}

// An unknown format is refused.
func TestDesignUnknownFormat(t *testing.T) {
	cmd := exec.Command("go", "run", ".", "-design", "yaml")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), `-design "yaml"`) {
		t.Errorf("-design yaml: %v\n%s", err, out)
	}
}
