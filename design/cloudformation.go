package design

import (
	"encoding/json"
	"fmt"

	"github.com/tablemap/tablemap"
)

// The AWS::DynamoDB::Table resource's properties, in the order of its
// documentation.
type cfnTable struct {
	TableName               string
	BillingMode             string
	AttributeDefinitions    []cfnAttribute
	KeySchema               []cfnKey
	GlobalSecondaryIndexes  []cfnIndex     `json:",omitempty"`
	LocalSecondaryIndexes   []cfnIndex     `json:",omitempty"`
	ProvisionedThroughput   *cfnThroughput `json:",omitempty"`
	TimeToLiveSpecification *cfnTimeToLive `json:",omitempty"`
}

type cfnAttribute struct {
	AttributeName string
	AttributeType string
}

type cfnKey struct {
	AttributeName string
	KeyType       string
}

type cfnIndex struct {
	IndexName             string
	KeySchema             []cfnKey
	Projection            cfnProjection
	ProvisionedThroughput *cfnThroughput `json:",omitempty"`
}

type cfnProjection struct {
	ProjectionType   string
	NonKeyAttributes []string `json:",omitempty"`
}

type cfnThroughput struct {
	ReadCapacityUnits, WriteCapacityUnits int64
}

type cfnTimeToLive struct {
	AttributeName string
	Enabled       bool
}

type cfnResource struct {
	Type       string
	Properties cfnTable
}

type cfnTemplate struct {
	AWSTemplateFormatVersion string
	Description              string
	Resources                map[string]cfnResource
}

// CloudFormation returns a CloudFormation template (JSON, which is also
// YAML) with one AWS::DynamoDB::Table resource, logical id "Table": the
// table's key schema, attribute definitions, global and local secondary
// indexes and billing as Table.CreateTable creates them, and its time to
// live.
func CloudFormation(d tablemap.Design) ([]byte, error) {
	t := d.Table
	p := cfnTable{TableName: t.Name, BillingMode: t.BillingMode, KeySchema: cfnKeySchema(t.PartitionKey, t.SortKey)}
	for _, a := range t.AttributeDefinitions {
		p.AttributeDefinitions = append(p.AttributeDefinitions, cfnAttribute{a.Name, a.Type})
	}
	provisioned := t.BillingMode == "PROVISIONED"
	if provisioned {
		p.ProvisionedThroughput = &cfnThroughput{t.ReadCapacity, t.WriteCapacity}
	}
	for _, x := range t.Indexes {
		ix := cfnIndex{
			IndexName:  x.Name,
			KeySchema:  cfnKeySchema(x.PartitionKey, x.SortKey),
			Projection: cfnProjection{ProjectionType: x.Projection, NonKeyAttributes: x.NonKeyAttributes},
		}
		if x.Kind == "LSI" {
			p.LocalSecondaryIndexes = append(p.LocalSecondaryIndexes, ix)
			continue
		}
		if provisioned {
			ix.ProvisionedThroughput = &cfnThroughput{x.ReadCapacity, x.WriteCapacity}
		}
		p.GlobalSecondaryIndexes = append(p.GlobalSecondaryIndexes, ix)
	}
	if t.TTL != "" {
		p.TimeToLiveSpecification = &cfnTimeToLive{AttributeName: t.TTL, Enabled: true}
	}
	tmpl := cfnTemplate{
		AWSTemplateFormatVersion: "2010-09-09",
		Description:              fmt.Sprintf("DynamoDB table %s, from its tablemap design", t.Name),
		Resources:                map[string]cfnResource{"Table": {Type: "AWS::DynamoDB::Table", Properties: p}},
	}
	out, err := json.MarshalIndent(tmpl, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("design: CloudFormation template of %s: %w", t.Name, err)
	}
	return append(out, '\n'), nil
}

func cfnKeySchema(pk, sk tablemap.KeyAttribute) []cfnKey {
	ks := []cfnKey{{pk.Name, "HASH"}}
	if sk.Name != "" {
		ks = append(ks, cfnKey{sk.Name, "RANGE"})
	}
	return ks
}
