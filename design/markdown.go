package design

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/tablemap/tablemap"
)

// Markdown returns the design as a review sheet (GitHub Markdown): the
// table, its indexes, the entity → key table (each entity's template of
// every key attribute), the entities' attributes, and the access-pattern
// table with the number of requests each pattern takes and each request.
func Markdown(d tablemap.Design) ([]byte, error) {
	var b bytes.Buffer
	t := d.Table
	tableText(&b, t)
	if len(t.Indexes) > 0 {
		section(&b, "Indexes", "index", "kind", "partition key", "sort key", "projection")
		for _, x := range t.Indexes {
			proj := x.Projection
			if len(x.NonKeyAttributes) > 0 {
				proj += " " + strings.Join(x.NonKeyAttributes, ", ")
			}
			row(&b, x.Name, x.Kind, keyText(x.PartitionKey), keyText(x.SortKey), proj)
		}
	}

	cols := []string{"entity"}
	for _, a := range t.AttributeDefinitions {
		cols = append(cols, a.Name)
	}
	section(&b, "Entities and keys", cols...)
	for _, e := range d.Entities {
		cells := []string{e.Name}
		for _, a := range t.AttributeDefinitions {
			cells = append(cells, templateOf(e, a.Name))
		}
		row(&b, cells...)
	}

	section(&b, "Attributes", "entity", "attribute", "Go type", "DynamoDB type", "options")
	for _, e := range d.Entities {
		for _, a := range e.Attributes {
			row(&b, e.Name, code(a.Name), code(a.GoType), a.Type, strings.Join(a.Options, ", "))
		}
	}

	if len(d.Patterns) > 0 {
		section(&b, "Access patterns", "#", "access pattern", "requests", "request")
		for i, p := range d.Patterns {
			var reqs []string
			for _, r := range p.Requests {
				reqs = append(reqs, requestText(r))
			}
			row(&b, strconv.Itoa(i+1), p.Name, strconv.Itoa(len(p.Requests)), strings.Join(reqs, "<br>"))
		}
	}
	return b.Bytes(), nil
}

// tableText writes the sheet's title and the paragraph on the table.
func tableText(b *bytes.Buffer, t tablemap.TableDesign) {
	fmt.Fprintf(b, "# Table design: %s\n\n", t.Name)
	fmt.Fprintf(b, "Table `%s`: partition key %s", t.Name, keyText(t.PartitionKey))
	if t.SortKey.Name != "" {
		fmt.Fprintf(b, ", sort key %s", keyText(t.SortKey))
	}
	if t.TypeAttribute != "" {
		fmt.Fprintf(b, "; entity type in `%s`", t.TypeAttribute)
	} else {
		b.WriteString("; no entity type attribute (entities told apart by their keys or match attributes)")
	}
	fmt.Fprintf(b, "; billing %s", t.BillingMode)
	if t.BillingMode == "PROVISIONED" {
		fmt.Fprintf(b, " (%d read, %d write units)", t.ReadCapacity, t.WriteCapacity)
	}
	if t.TTL != "" {
		fmt.Fprintf(b, "; time to live on `%s`", t.TTL)
	}
	b.WriteString(".\n")
}

// section starts a section of the sheet: its heading, and the header row
// of its table.
func section(b *bytes.Buffer, title string, cols ...string) {
	b.WriteString("\n## " + title + "\n\n")
	row(b, cols...)
	rule(b, len(cols))
}

// requestText returns a request as code, a transaction as its operation
// and then each action on a line of its own.
func requestText(r tablemap.PatternRequest) string {
	if len(r.Actions) == 0 {
		return code(r.String())
	}
	lines := []string{code(r.Operation) + ":"}
	for _, a := range r.Actions {
		lines = append(lines, "· "+code(a.String()))
	}
	return strings.Join(lines, "<br>")
}

// templateOf returns the entity's template of a key attribute: from its
// table key, else from a global secondary index ("" when none sets it).
func templateOf(e tablemap.EntityDesign, attr string) string {
	for _, k := range e.Keys {
		if k.Index == tablemap.InvertedIndex {
			continue // the table key's templates, swapped
		}
		for _, kt := range []tablemap.KeyTemplate{k.PartitionKey, k.SortKey} {
			if kt.Attribute == attr {
				return code(kt.Template)
			}
		}
	}
	return ""
}

func keyText(k tablemap.KeyAttribute) string {
	if k.Name == "" {
		return ""
	}
	return fmt.Sprintf("`%s` (%s)", k.Name, k.Type)
}

// code returns s as a code span.
func code(s string) string {
	if s == "" {
		return ""
	}
	if strings.Contains(s, "`") {
		return "`` " + s + " ``"
	}
	return "`" + s + "`"
}

// row writes a table row; a pipe in a cell is escaped, as GitHub's tables
// need even inside code spans.
func row(b *bytes.Buffer, cells ...string) {
	b.WriteString("|")
	for _, c := range cells {
		b.WriteString(" " + strings.ReplaceAll(c, "|", `\|`) + " |")
	}
	b.WriteString("\n")
}

func rule(b *bytes.Buffer, n int) {
	b.WriteString("|" + strings.Repeat("---|", n) + "\n")
}
