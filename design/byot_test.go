package design_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/design"
)

type dtThought struct {
	_         struct{} `tablemap:"Thought" pk:"{username}" sk:"{createdAt}"`
	Username  string   `dynamo:"username"`
	CreatedAt int64    `dynamo:"createdAt"`
	Thought   string   `dynamo:"thought"`
}

// TestDocumentsOfAnExistingTable: the documents of a table tablemap did
// not design (Deep Thoughts' Thoughts: a numeric sort key, no type
// attribute, fields that are the key attributes themselves) declare no
// nameless type attribute and no key attribute as a non-key one.
func TestDocumentsOfAnExistingTable(t *testing.T) {
	tbl := tablemap.NewTable(nil, "Thoughts", tablemap.WithKey("username", "createdAt"),
		tablemap.WithKeyType("createdAt", types.ScalarAttributeTypeN), tablemap.WithTypeAttribute(""))
	tablemap.MustDefine[dtThought](tbl)
	wb, err := design.Workbench(tbl.Design())
	if err != nil {
		t.Fatal(err)
	}
	var model struct {
		DataModel []struct {
			NonKeyAttributes []struct{ AttributeName, AttributeType string }
			TableFacets      []struct{ NonKeyAttributes []string }
		}
	}
	if err := json.Unmarshal(wb, &model); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range model.DataModel[0].NonKeyAttributes {
		names = append(names, a.AttributeName)
	}
	if d := cmp.Diff([]string{"thought"}, names); d != "" {
		t.Errorf("model's non-key attributes (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"thought"}, model.DataModel[0].TableFacets[0].NonKeyAttributes); d != "" {
		t.Errorf("facet's non-key attributes (-want +got):\n%s", d)
	}

	md, err := design.Markdown(tbl.Design())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(md), "entity type in ``") || !strings.Contains(string(md), "sort key `createdAt` (N)") {
		t.Errorf("markdown header:\n%s", strings.SplitN(string(md), "\n## ", 2)[0])
	}
}
