package engine

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// MigrateCounts counts what a migration did with the items it read.
type MigrateCounts struct {
	Scanned int64 `json:"scanned"` // items the scan read, of any entity
	Items   int64 `json:"items"`   // items of the migrated entity among them
	Changed int64 `json:"changed"` // rewritten at their key
	Rekeyed int64 `json:"rekeyed"` // moved to a new key (delete + put, one transaction)
	Deleted int64 `json:"deleted"`
	Skipped int64 `json:"skipped"` // skipped by the transform, already in the new form, or gone
	Failed  int64 `json:"failed"`
	Retried int64 `json:"retried"` // writes retried after a concurrent write changed the item
}

func (c *MigrateCounts) add(o MigrateCounts) {
	c.Scanned += o.Scanned
	c.Items += o.Items
	c.Changed += o.Changed
	c.Rekeyed += o.Rekeyed
	c.Deleted += o.Deleted
	c.Skipped += o.Skipped
	c.Failed += o.Failed
	c.Retried += o.Retried
}

// A MigrateCheckpoint is where a migration stands: for each scan segment,
// the raw key of the last item of its last finished page (DynamoDB's
// LastEvaluatedKey, valid in any process, unlike page cursors), whether
// it is done, and its counts.
type MigrateCheckpoint struct {
	Name     string           `json:"name"` // the migration's name: table, entities
	Segments []MigrateSegment `json:"segments"`
}

// MigrateSegment is one scan segment's state in a checkpoint.
type MigrateSegment struct {
	Last   map[string]types.AttributeValue `json:"-"`
	Done   bool                            `json:"done"`
	Counts MigrateCounts                   `json:"counts"`
}

// A CheckpointStore keeps a migration's checkpoint between runs.
type CheckpointStore interface {
	// Load returns the saved checkpoint, or nil when there is none.
	Load(ctx context.Context) (*MigrateCheckpoint, error)
	// Save replaces the saved checkpoint.
	Save(ctx context.Context, c *MigrateCheckpoint) error
}

// keyValue is a key attribute's value in JSON: key attributes are strings,
// numbers or binary.
type keyValue struct {
	S *string `json:"S,omitempty"`
	N *string `json:"N,omitempty"`
	B []byte  `json:"B,omitempty"`
}

func (g MigrateSegment) MarshalJSON() ([]byte, error) {
	type plain MigrateSegment
	last := map[string]keyValue{}
	for k, v := range g.Last {
		switch v := v.(type) {
		case *types.AttributeValueMemberS:
			last[k] = keyValue{S: &v.Value}
		case *types.AttributeValueMemberN:
			last[k] = keyValue{N: &v.Value}
		case *types.AttributeValueMemberB:
			last[k] = keyValue{B: v.Value}
		default:
			return nil, fmt.Errorf("key attribute %q has type %T, which no key can have", k, v)
		}
	}
	return json.Marshal(struct {
		plain
		Last map[string]keyValue `json:"last,omitempty"`
	}{plain(g), last})
}

func (g *MigrateSegment) UnmarshalJSON(b []byte) error {
	type plain MigrateSegment
	var v struct {
		plain
		Last map[string]keyValue `json:"last,omitempty"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*g = MigrateSegment(v.plain)
	for k, kv := range v.Last {
		if g.Last == nil {
			g.Last = map[string]types.AttributeValue{}
		}
		switch {
		case kv.S != nil:
			g.Last[k] = &types.AttributeValueMemberS{Value: *kv.S}
		case kv.N != nil:
			g.Last[k] = &types.AttributeValueMemberN{Value: *kv.N}
		case kv.B != nil:
			g.Last[k] = &types.AttributeValueMemberB{Value: kv.B}
		default:
			return fmt.Errorf("key attribute %q has no value", k)
		}
	}
	return nil
}

// TableCheckpoint keeps a checkpoint as an item of table T, at partition
// and sort key "_tablemap#migration#" + Name, in a string attribute
// "checkpoint" (JSON). The item has no type attribute, so no entity's
// scan or migration reads it, and Save refuses to replace an item that
// is not a checkpoint.
type TableCheckpoint struct {
	T    *Table
	Name string
}

const checkpointAttr = "checkpoint"

func (c TableCheckpoint) key() map[string]types.AttributeValue {
	k := "_tablemap#migration#" + c.Name
	return c.T.KeyItem(Key{PK: k, SK: k})
}

func (c TableCheckpoint) Load(ctx context.Context) (*MigrateCheckpoint, error) {
	out, err := c.T.Client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(c.T.Name), Key: c.key(), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, err
	}
	if out.Item == nil {
		return nil, nil
	}
	s, ok := out.Item[checkpointAttr].(*types.AttributeValueMemberS)
	if !ok {
		return nil, fmt.Errorf("the item at %v is not a checkpoint", c.key())
	}
	var cp MigrateCheckpoint
	if err := json.Unmarshal([]byte(s.Value), &cp); err != nil {
		return nil, fmt.Errorf("checkpoint item: %w", err)
	}
	return &cp, nil
}

func (c TableCheckpoint) Save(ctx context.Context, cp *MigrateCheckpoint) error {
	b, err := json.Marshal(cp)
	if err != nil {
		return err
	}
	item := c.key()
	item[checkpointAttr] = &types.AttributeValueMemberS{Value: string(b)}
	cond, err := expression.NewBuilder().WithCondition(
		expression.Name(c.T.PK).AttributeNotExists().Or(expression.Name(checkpointAttr).AttributeExists())).Build()
	if err != nil {
		return err
	}
	_, err = Write(ctx, c.T.Client.PutItem, &dynamodb.PutItemInput{TableName: aws.String(c.T.Name), Item: item,
		ConditionExpression: cond.Condition(), ExpressionAttributeNames: cond.Names(), ExpressionAttributeValues: cond.Values()})
	return err
}
