package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ErrTableMismatch: the live table differs from its declaration (see
// Table.Verify in the root package).
var ErrTableMismatch = errors.New("table does not match its declaration")

// A MismatchError lists every difference Verify found between a table's
// declaration (its options and entities) and the live table.
type MismatchError struct {
	Table      string
	Mismatches []string
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("tablemap: verify table %s: %d mismatches (answered by DescribeTable; nothing was changed): %s",
		e.Table, len(e.Mismatches), strings.Join(e.Mismatches, "; "))
}

func (e *MismatchError) Unwrap() error { return ErrTableMismatch }

// ttlDescriber is the part of *dynamodb.Client that reads a table's time
// to live; Verify uses it when the client has it.
type ttlDescriber interface {
	DescribeTimeToLive(context.Context, *dynamodb.DescribeTimeToLiveInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTimeToLiveOutput, error)
}

// Verify describes the live table and returns a *MismatchError listing
// every difference from CreateTableInput (key schema, attribute types,
// each declared index's existence, keys and projection) and from the
// entities' ttl attribute. Indexes the declaration does not use are not
// differences.
func (t *Table) Verify(ctx context.Context) error {
	if err := t.CheckLayout(); err != nil {
		return fmt.Errorf("tablemap: verify table %s: %w", t.Name, err)
	}
	out, err := t.Client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(t.Name)})
	if err != nil {
		return fmt.Errorf("tablemap: verify table %s: %w", t.Name, err)
	}
	want := t.CreateTableInput()
	m := TableMismatches(want, out.Table)
	if attr := t.TtlAttr(); attr != "" {
		m = append(m, t.ttlMismatches(ctx, attr)...)
	}
	if len(m) > 0 {
		return &MismatchError{Table: t.Name, Mismatches: m}
	}
	return nil
}

// ttlMismatches checks that time to live is enabled on attr.
func (t *Table) ttlMismatches(ctx context.Context, attr string) []string {
	d, ok := t.Client.(ttlDescriber)
	if !ok {
		return []string{fmt.Sprintf("time to live on %q cannot be checked: the client has no DescribeTimeToLive", attr)}
	}
	out, err := d.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(t.Name)})
	if err != nil {
		return []string{fmt.Sprintf("time to live on %q cannot be checked: %v", attr, err)}
	}
	desc := out.TimeToLiveDescription
	if desc == nil || desc.TimeToLiveStatus != types.TimeToLiveStatusEnabled && desc.TimeToLiveStatus != types.TimeToLiveStatusEnabling {
		return []string{fmt.Sprintf("time to live is not enabled; the entities expire items by %q", attr)}
	}
	if got := aws.ToString(desc.AttributeName); got != attr {
		return []string{fmt.Sprintf("time to live is on attribute %q, but the entities expire items by %q", got, attr)}
	}
	return nil
}

// TableMismatches lists the differences of the live table d from the
// request want that would create it as declared.
func TableMismatches(want *dynamodb.CreateTableInput, d *types.TableDescription) []string {
	if d == nil {
		return []string{"DescribeTable returned no table"}
	}
	var m []string
	if w, g := keysText(want.KeySchema), keysText(d.KeySchema); w != g {
		m = append(m, fmt.Sprintf("table key is %s, declared %s", g, w))
	}
	live := map[string]types.ScalarAttributeType{}
	for _, a := range d.AttributeDefinitions {
		live[aws.ToString(a.AttributeName)] = a.AttributeType
	}
	for _, a := range want.AttributeDefinitions {
		name := aws.ToString(a.AttributeName)
		if got, ok := live[name]; ok && got != a.AttributeType {
			m = append(m, fmt.Sprintf("key attribute %q is %s, declared %s", name, got, a.AttributeType))
		}
	}
	gsis := map[string]indexDesc{}
	for _, g := range d.GlobalSecondaryIndexes {
		gsis[aws.ToString(g.IndexName)] = indexDesc{g.KeySchema, g.Projection}
	}
	for _, g := range want.GlobalSecondaryIndexes {
		m = append(m, indexMismatch("global", aws.ToString(g.IndexName), g.KeySchema, gsis)...)
	}
	lsis := map[string]indexDesc{}
	for _, l := range d.LocalSecondaryIndexes {
		lsis[aws.ToString(l.IndexName)] = indexDesc{l.KeySchema, l.Projection}
	}
	for _, l := range want.LocalSecondaryIndexes {
		m = append(m, indexMismatch("local", aws.ToString(l.IndexName), l.KeySchema, lsis)...)
	}
	return m
}

type indexDesc struct {
	keys []types.KeySchemaElement
	proj *types.Projection
}

// indexMismatch compares the declared index name with its live
// description in live.
func indexMismatch(kind, name string, keys []types.KeySchemaElement, live map[string]indexDesc) []string {
	got, ok := live[name]
	if !ok {
		names := make([]string, 0, len(live))
		for n := range live {
			names = append(names, n)
		}
		slices.Sort(names)
		return []string{fmt.Sprintf("%s secondary index %q is missing (the table has %s)", kind, name, orNone(names))}
	}
	var m []string
	if w, g := keysText(keys), keysText(got.keys); w != g {
		m = append(m, fmt.Sprintf("index %q key is %s, declared %s", name, g, w))
	}
	if got.proj == nil || got.proj.ProjectionType != types.ProjectionTypeAll {
		p := "none"
		if got.proj != nil {
			p = string(got.proj.ProjectionType)
		}
		m = append(m, fmt.Sprintf("index %q projects %s; reads through it decode whole items, so it must project ALL", name, p))
	}
	return m
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// keysText is a key schema for messages: "HASH userId, RANGE noteId".
func keysText(ks []types.KeySchemaElement) string {
	parts := make([]string, len(ks))
	for i, k := range ks {
		parts[i] = string(k.KeyType) + " " + aws.ToString(k.AttributeName)
	}
	return strings.Join(parts, ", ")
}
