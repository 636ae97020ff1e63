package design

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/tablemap/tablemap"
)

// Terraform returns an aws_dynamodb_table resource (HCL, formatted as
// terraform fmt formats it) for the table: its keys, attribute
// definitions, global and local secondary indexes, billing and time to
// live. The resource's name is the table name with every character other
// than a letter, digit or underscore written as an underscore.
func Terraform(d tablemap.Design) ([]byte, error) {
	t := d.Table
	var b bytes.Buffer
	fmt.Fprintf(&b, "# DynamoDB table %s, from its tablemap design.\n", t.Name)
	fmt.Fprintf(&b, "resource \"aws_dynamodb_table\" %s {\n", hclString(resourceName(t.Name)))
	provisioned := t.BillingMode == "PROVISIONED"
	top := [][2]string{{"name", hclString(t.Name)}, {"billing_mode", hclString(t.BillingMode)}, {"hash_key", hclString(t.PartitionKey.Name)}}
	if t.SortKey.Name != "" {
		top = append(top, [2]string{"range_key", hclString(t.SortKey.Name)})
	}
	if provisioned {
		top = append(top, capacityLines(t.ReadCapacity, t.WriteCapacity)...)
	}
	hclAttrs(&b, "  ", top)
	for _, a := range t.AttributeDefinitions {
		hclBlock(&b, "attribute", [][2]string{{"name", hclString(a.Name)}, {"type", hclString(a.Type)}})
	}
	for _, x := range t.Indexes {
		lines := [][2]string{{"name", hclString(x.Name)}}
		kind := "local_secondary_index"
		if x.Kind == "GSI" {
			kind = "global_secondary_index"
			lines = append(lines, [2]string{"hash_key", hclString(x.PartitionKey.Name)})
		}
		if x.SortKey.Name != "" {
			lines = append(lines, [2]string{"range_key", hclString(x.SortKey.Name)})
		}
		lines = append(lines, [2]string{"projection_type", hclString(x.Projection)})
		if len(x.NonKeyAttributes) > 0 {
			names := make([]string, len(x.NonKeyAttributes))
			for i, n := range x.NonKeyAttributes {
				names[i] = hclString(n)
			}
			lines = append(lines, [2]string{"non_key_attributes", "[" + strings.Join(names, ", ") + "]"})
		}
		if provisioned && x.Kind == "GSI" {
			lines = append(lines, capacityLines(x.ReadCapacity, x.WriteCapacity)...)
		}
		hclBlock(&b, kind, lines)
	}
	if t.TTL != "" {
		hclBlock(&b, "ttl", [][2]string{{"attribute_name", hclString(t.TTL)}, {"enabled", "true"}})
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}

func capacityLines(read, write int64) [][2]string {
	return [][2]string{{"read_capacity", strconv.FormatInt(read, 10)}, {"write_capacity", strconv.FormatInt(write, 10)}}
}

// hclBlock writes a nested block after a blank line.
func hclBlock(b *bytes.Buffer, kind string, lines [][2]string) {
	fmt.Fprintf(b, "\n  %s {\n", kind)
	hclAttrs(b, "    ", lines)
	b.WriteString("  }\n")
}

// hclAttrs writes consecutive attributes with their equals signs aligned,
// as terraform fmt does.
func hclAttrs(b *bytes.Buffer, indent string, lines [][2]string) {
	width := 0
	for _, l := range lines {
		width = max(width, len(l[0]))
	}
	for _, l := range lines {
		fmt.Fprintf(b, "%s%-*s = %s\n", indent, width, l[0], l[1])
	}
}

// hclString returns s as an HCL string literal: quoted, with HCL's
// escapes, and "${" and "%{" escaped so they are not template sequences.
func hclString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		case (r == '$' || r == '%') && strings.HasPrefix(s[i+1:], "{"):
			b.WriteRune(r)
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// resourceName returns a Terraform resource name for a table name.
func resourceName(table string) string {
	var b strings.Builder
	for _, r := range table {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	name := b.String()
	if name == "" || name[0] >= '0' && name[0] <= '9' {
		name = "table_" + name
	}
	return name
}
