package design

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"iter"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/codec"
)

// The NoSQL Workbench data model, as Workbench 3.x exports it (format
// version 3.0) and the AWS guide "Editing an existing data model" shows
// it: one table with its key attributes, every non-key attribute with its
// type, one facet per entity whose key aliases are the entity's key
// templates, the global secondary indexes, and sample items in DynamoDB
// JSON.
type wbModel struct {
	ModelName     string
	ModelMetadata wbMetadata
	DataModel     []wbTable
}

type wbMetadata struct {
	Author      string
	Description string
	AWSService  string
	Version     string
}

type wbTable struct {
	TableName                   string
	KeyAttributes               wbKeys
	NonKeyAttributes            []wbAttribute
	TableFacets                 []wbFacet
	GlobalSecondaryIndexes      []wbIndex `json:",omitempty"`
	TableData                   []wbItem
	DataAccess                  wbDataAccess
	BillingMode                 string
	ProvisionedCapacitySettings *wbCapacity `json:",omitempty"`
}

type wbKeys struct {
	PartitionKey wbAttribute
	SortKey      *wbAttribute `json:",omitempty"`
}

type wbAttribute struct {
	AttributeName string
	AttributeType string
}

type wbFacet struct {
	FacetName         string
	KeyAttributeAlias wbAlias
	TableData         []wbItem
	NonKeyAttributes  []string
}

type wbAlias struct {
	PartitionKeyAlias string
	SortKeyAlias      string `json:",omitempty"`
}

type wbIndex struct {
	IndexName     string
	KeyAttributes wbKeys
	Projection    wbProjection
}

type wbProjection struct {
	ProjectionType   string
	NonKeyAttributes []string `json:",omitempty"`
}

type wbDataAccess struct {
	MySql struct{} // Workbench's exports have it, empty, on every table
}

type wbCapacity struct {
	ProvisionedThroughput wbThroughput
}

type wbThroughput struct {
	ReadCapacityUnits, WriteCapacityUnits int64
}

// wbItem is an item in DynamoDB JSON ({"PK": {"S": "USER#ann"}, …}); its
// keys are sorted by encoding/json.
type wbItem map[string]any

// Workbench returns d as a NoSQL Workbench data model to import (Data
// modeler, Import data model). Each entity is a facet named by its type
// name, whose partition and sort key aliases are its key templates; the
// table's global secondary indexes (the inverted index too) are the
// model's. The items the access patterns put are the model's sample data,
// each once (by key); attributes a sample stores as NULL are left out, as
// Workbench's own export does. Workbench has no place for local secondary
// indexes or time to live: see CloudFormation and Terraform for those.
func Workbench(d tablemap.Design) ([]byte, error) {
	t := d.Table
	tbl := wbTable{
		TableName:     t.Name,
		KeyAttributes: wbKeyAttrs(t.PartitionKey, t.SortKey),
		TableData:     []wbItem{},
		BillingMode:   t.BillingMode,
	}
	if t.BillingMode == string(types.BillingModeProvisioned) {
		tbl.ProvisionedCapacitySettings = &wbCapacity{wbThroughput{t.ReadCapacity, t.WriteCapacity}}
	}
	for _, x := range t.Indexes {
		if x.Kind != "GSI" {
			continue
		}
		tbl.GlobalSecondaryIndexes = append(tbl.GlobalSecondaryIndexes, wbIndex{
			IndexName:     x.Name,
			KeyAttributes: wbKeyAttrs(x.PartitionKey, x.SortKey),
			Projection:    wbProjection{ProjectionType: x.Projection, NonKeyAttributes: x.NonKeyAttributes},
		})
	}
	if err := sameAttributeTypes(d); err != nil {
		return nil, fmt.Errorf("design: workbench model of %s: %w", t.Name, err)
	}
	samples := sampleItems(d)
	tbl.NonKeyAttributes = nonKeyAttributes(d, samples)
	for _, e := range d.Entities {
		tbl.TableFacets = append(tbl.TableFacets, facet(t, e))
	}
	for _, item := range samples {
		j, err := dynamoJSON(item)
		if err != nil {
			return nil, fmt.Errorf("design: workbench model of %s: %w", t.Name, err)
		}
		tbl.TableData = append(tbl.TableData, j)
	}
	m := wbModel{
		ModelName: t.Name,
		ModelMetadata: wbMetadata{
			Author:      "tablemap",
			Description: fmt.Sprintf("The single-table design of %s, from its tablemap entities and access patterns.", t.Name),
			AWSService:  "Amazon DynamoDB",
			Version:     "3.0",
		},
		DataModel: []wbTable{tbl},
	}
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("design: workbench model of %s: %w", t.Name, err)
	}
	return append(out, '\n'), nil
}

func wbKeyAttrs(pk, sk tablemap.KeyAttribute) wbKeys {
	k := wbKeys{PartitionKey: wbAttribute{pk.Name, pk.Type}}
	if sk.Name != "" {
		k.SortKey = &wbAttribute{sk.Name, sk.Type}
	}
	return k
}

// facet returns the entity as a facet: its table key templates as the key
// aliases, and the type attribute, its index keys and its attributes as
// the facet's attributes.
func facet(t tablemap.TableDesign, e tablemap.EntityDesign) wbFacet {
	f := wbFacet{FacetName: e.Name, TableData: []wbItem{}}
	if t.TypeAttribute != "" {
		f.NonKeyAttributes = append(f.NonKeyAttributes, t.TypeAttribute)
	}
	if k, ok := e.KeyOf(""); ok {
		f.KeyAttributeAlias = wbAlias{PartitionKeyAlias: k.PartitionKey.Template, SortKeyAlias: k.SortKey.Template}
	}
	for _, k := range e.Keys {
		for _, a := range []string{k.PartitionKey.Attribute, k.SortKey.Attribute} {
			if a != "" && a != t.PartitionKey.Name && a != t.SortKey.Name && !slices.Contains(f.NonKeyAttributes, a) {
				f.NonKeyAttributes = append(f.NonKeyAttributes, a)
			}
		}
	}
	for _, a := range e.Attributes {
		// On a table it did not design, a field can be the table's key
		// attribute itself (a template "{userId}" on attribute userId).
		if a.Name != t.PartitionKey.Name && a.Name != t.SortKey.Name && !slices.Contains(f.NonKeyAttributes, a.Name) {
			f.NonKeyAttributes = append(f.NonKeyAttributes, a.Name)
		}
	}
	return f
}

// sameAttributeTypes refuses two entities whose attributes of one name
// have different types: the model declares each attribute once, with one
// type, and would give one of the two facets a wrong type.
func sameAttributeTypes(d tablemap.Design) error {
	type decl struct{ entity, typ string }
	first := map[string]decl{}
	for _, e := range d.Entities {
		for _, a := range e.Attributes {
			if a.Type == "" {
				continue // typed by its values
			}
			f, ok := first[a.Name]
			switch {
			case !ok:
				first[a.Name] = decl{e.Name, a.Type}
			case f.typ != a.Type:
				return fmt.Errorf("attribute %q is %s in %s and %s in %s: a model declares one type per attribute name",
					a.Name, f.typ, f.entity, a.Type, e.Name)
			}
		}
	}
	return nil
}

// nonKeyAttributes lists every attribute other than the table's key, each
// once with its type: the type attribute, the index keys, then the
// entities' attributes. Workbench wants every attribute of the sample items
// declared, so an attribute whose type the value decides takes the type
// of its first sample, and one the design does not know is added from the
// samples.
func nonKeyAttributes(d tablemap.Design, samples []map[string]types.AttributeValue) []wbAttribute {
	t := d.Table
	var attrs []wbAttribute
	seen := map[string]bool{"": true, t.PartitionKey.Name: true, t.SortKey.Name: true} // "": no type attribute, or no sort key
	add := func(name, typ string) {
		if seen[name] {
			return
		}
		if typ == "" {
			typ = "S"
			for _, item := range samples {
				if v, ok := item[name]; ok {
					typ = codec.TypeName(v)
					break
				}
			}
		}
		seen[name] = true
		attrs = append(attrs, wbAttribute{name, typ})
	}
	add(t.TypeAttribute, "S")
	for _, k := range t.AttributeDefinitions {
		add(k.Name, k.Type)
	}
	for _, e := range d.Entities {
		for _, a := range e.Attributes {
			add(a.Name, a.Type)
		}
	}
	for _, item := range samples {
		for _, name := range slices.Sorted(maps.Keys(item)) {
			add(name, codec.TypeName(item[name]))
		}
	}
	return attrs
}

// sampleItems returns the items the patterns put, each key once, in
// pattern order.
func sampleItems(d tablemap.Design) []map[string]types.AttributeValue {
	var items []map[string]types.AttributeValue
	seen := map[string]bool{}
	var visit func(r tablemap.PatternRequest)
	visit = func(r tablemap.PatternRequest) {
		if r.Item != nil && !seen[r.Key] {
			seen[r.Key] = true
			items = append(items, r.Item)
		}
		for _, a := range r.Actions {
			visit(a)
		}
	}
	for _, p := range d.Patterns {
		for _, r := range p.Requests {
			visit(r)
		}
	}
	return items
}

// dynamoJSON returns an item in DynamoDB JSON, without NULL attributes.
func dynamoJSON(item map[string]types.AttributeValue) (wbItem, error) {
	out := wbItem{}
	for k, v := range item {
		if _, null := v.(*types.AttributeValueMemberNULL); null {
			continue
		}
		j, err := avJSON(v)
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", k, err)
		}
		out[k] = j
	}
	return out, nil
}

// avJSON returns an attribute value in DynamoDB JSON; encoding/json
// writes []byte as base64, as DynamoDB JSON does.
func avJSON(v types.AttributeValue) (map[string]any, error) {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return map[string]any{"S": v.Value}, nil
	case *types.AttributeValueMemberN:
		return map[string]any{"N": v.Value}, nil
	case *types.AttributeValueMemberB:
		return map[string]any{"B": base64.StdEncoding.EncodeToString(v.Value)}, nil
	case *types.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": v.Value}, nil
	case *types.AttributeValueMemberNULL:
		return map[string]any{"NULL": true}, nil
	case *types.AttributeValueMemberSS:
		return map[string]any{"SS": v.Value}, nil
	case *types.AttributeValueMemberNS:
		return map[string]any{"NS": v.Value}, nil
	case *types.AttributeValueMemberBS:
		return map[string]any{"BS": v.Value}, nil
	case *types.AttributeValueMemberL:
		l := make([]any, len(v.Value))
		err := eachJSON(slices.All(v.Value), func(i int, j map[string]any) { l[i] = j })
		return map[string]any{"L": l}, err
	case *types.AttributeValueMemberM:
		m := make(map[string]any, len(v.Value))
		err := eachJSON(maps.All(v.Value), func(k string, j map[string]any) { m[k] = j })
		return map[string]any{"M": m}, err
	}
	return nil, fmt.Errorf("attribute value of type %T", v)
}

// eachJSON hands set each value of vs (a list's or a map's) in DynamoDB
// JSON, up to the first that has none: its error.
func eachJSON[K any](vs iter.Seq2[K, types.AttributeValue], set func(K, map[string]any)) error {
	for k, v := range vs {
		j, err := avJSON(v)
		if err != nil {
			return err
		}
		set(k, j)
	}
	return nil
}
