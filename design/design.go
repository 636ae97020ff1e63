// Package design renders a tablemap.Design, a table's single-table design
// as data, as the documents a team reviews and deploys it from:
//
//   - Workbench: a NoSQL Workbench data model (JSON) to import, with one
//     facet per entity and the items the access patterns put as sample data;
//   - CloudFormation: an AWS::DynamoDB::Table template (JSON, which is also
//     valid YAML);
//   - Terraform: an aws_dynamodb_table resource (HCL, as terraform fmt
//     writes it);
//   - Markdown: the review sheet, entities and their key templates, indexes,
//     attributes and each access pattern with the requests it sends.
//
// The design comes from the code, so the documents cannot drift from it:
//
//	d := tbl.Design()              // the table and its entities
//	err := svc.Patterns(&d)        // a package's access patterns
//	err = d.Pattern("orders of a customer", orders.Query(Order{Customer: "c1"}))
//	md, err := design.Markdown(d)
package design

import (
	"fmt"
	"strings"

	"github.com/tablemap/tablemap"
)

// Formats are the format names Render takes.
var Formats = []string{"workbench", "cloudformation", "terraform", "markdown"}

// Render returns d in the named format (see Formats).
func Render(d tablemap.Design, format string) ([]byte, error) {
	switch format {
	case "workbench":
		return Workbench(d)
	case "cloudformation":
		return CloudFormation(d)
	case "terraform":
		return Terraform(d)
	case "markdown":
		return Markdown(d)
	}
	return nil, fmt.Errorf("design: unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}
