package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// CreateTableInput returns the CreateTable request of the table as its
// entities declare it (see the root's Table.CreateTableInput).
func (t *Table) CreateTableInput() *dynamodb.CreateTableInput {
	t.Mu.RLock()
	defer t.Mu.RUnlock()
	in := &dynamodb.CreateTableInput{
		TableName:             aws.String(t.Name),
		BillingMode:           t.Billing,
		KeySchema:             keySchemaOf(t.PK, t.SK),
		ProvisionedThroughput: t.Capacity,
	}
	attrs := []string{t.PK}
	if t.SK != "" {
		attrs = append(attrs, t.SK)
	}
	in.GlobalSecondaryIndexes, attrs = t.gsiInputs(attrs)
	in.GlobalSecondaryIndexes, in.LocalSecondaryIndexes, attrs = t.declaredInputs(in.GlobalSecondaryIndexes, attrs)
	for _, a := range attrs {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(a), AttributeType: t.AttrType(a),
		})
	}
	return in
}

// keySchemaOf is the key schema of partition key pk and sort key sk ("":
// none).
func keySchemaOf(pk, sk string) []types.KeySchemaElement {
	ks := []types.KeySchemaElement{{AttributeName: aws.String(pk), KeyType: types.KeyTypeHash}}
	if sk != "" {
		ks = append(ks, types.KeySchemaElement{AttributeName: aws.String(sk), KeyType: types.KeyTypeRange})
	}
	return ks
}

// declaredInputs appends the indexes the table declares by name to gsis
// (global) and lsis (local), projecting all attributes, and their key
// attributes to attrs, each attribute once.
func (t *Table) declaredInputs(gsis []types.GlobalSecondaryIndex, attrs []string) ([]types.GlobalSecondaryIndex, []types.LocalSecondaryIndex, []string) {
	var lsis []types.LocalSecondaryIndex
	all := &types.Projection{ProjectionType: types.ProjectionTypeAll}
	for _, d := range t.Layout.Indexes {
		for _, a := range []string{d.PK, d.SK} {
			if a != "" && !slices.Contains(attrs, a) {
				attrs = append(attrs, a)
			}
		}
		if d.Local {
			lsis = append(lsis, types.LocalSecondaryIndex{IndexName: aws.String(d.Name), KeySchema: keySchemaOf(t.PK, d.SK), Projection: all})
			continue
		}
		gsis = append(gsis, types.GlobalSecondaryIndex{
			IndexName: aws.String(d.Name), KeySchema: keySchemaOf(d.PK, d.SK),
			Projection: all, ProvisionedThroughput: t.Capacity,
		})
	}
	return gsis, lsis, attrs
}

// gsiInputs returns the table's global secondary indexes, by number, then
// the inverted index, each projecting all attributes, and attrs with their
// key attributes appended.
func (t *Table) gsiInputs(attrs []string) ([]types.GlobalSecondaryIndex, []string) {
	gsiSK := map[int]bool{} // declared GSIs, whether they have a sort key
	for _, s := range t.Order {
		for _, g := range s.GSIs {
			if g.Number != 0 {
				gsiSK[g.Number] = gsiSK[g.Number] || g.SK != nil
			}
		}
	}
	numbers := make([]int, 0, len(gsiSK))
	for n := range gsiSK {
		numbers = append(numbers, n)
	}
	slices.Sort(numbers)
	all := &types.Projection{ProjectionType: types.ProjectionTypeAll}
	var gsis []types.GlobalSecondaryIndex
	for _, n := range numbers {
		pk, sk := t.GSIAttrs(n)
		g := types.GlobalSecondaryIndex{
			IndexName:             aws.String(GSIName(n)),
			KeySchema:             []types.KeySchemaElement{{AttributeName: aws.String(pk), KeyType: types.KeyTypeHash}},
			Projection:            all,
			ProvisionedThroughput: t.Capacity,
		}
		attrs = append(attrs, pk)
		if gsiSK[n] {
			g.KeySchema = append(g.KeySchema, types.KeySchemaElement{AttributeName: aws.String(sk), KeyType: types.KeyTypeRange})
			attrs = append(attrs, sk)
		}
		gsis = append(gsis, g)
	}
	if t.Inverted {
		gsis = append(gsis, types.GlobalSecondaryIndex{
			IndexName: aws.String(t.InvertedIndexName()),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(t.SK), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(t.PK), KeyType: types.KeyTypeRange},
			},
			Projection:            all,
			ProvisionedThroughput: t.Capacity,
		})
	}
	return gsis, attrs
}

// Create sends CreateTableInput, waits until the table and its indexes are
// ACTIVE, and enables time to live on the entities' ttl attribute, if any.
func (t *Table) Create(ctx context.Context) error {
	if err := t.CheckLayout(); err != nil {
		return fmt.Errorf("tablemap: create table %s: %w", t.Name, err)
	}
	if _, err := t.Client.CreateTable(ctx, t.CreateTableInput()); err != nil {
		return fmt.Errorf("tablemap: create table %s: %w", t.Name, err)
	}
	if err := t.poll(ctx, "active", func(d *types.TableDescription, _ bool) bool { return Active(d) }); err != nil {
		return err
	}
	attr := t.TtlAttr()
	if attr == "" {
		return nil
	}
	_, err := t.Client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(t.Name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(attr), Enabled: aws.Bool(true),
		},
	})
	if err != nil {
		return fmt.Errorf("tablemap: enable time to live on %s.%s: %w", t.Name, attr, err)
	}
	return nil
}

// Delete deletes the table and waits until it is gone.
func (t *Table) Delete(ctx context.Context) error {
	if _, err := t.Client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(t.Name)}); err != nil {
		return fmt.Errorf("tablemap: delete table %s: %w", t.Name, err)
	}
	return t.poll(ctx, "deleted", func(_ *types.TableDescription, gone bool) bool { return gone })
}

// poll describes the table until reached holds of its description, or of
// gone once DynamoDB answers ResourceNotFound (d is nil then), backing off
// from 50ms to 2s; state names what it waits for in the error when ctx
// ends first.
func (t *Table) poll(ctx context.Context, state string, reached func(d *types.TableDescription, gone bool) bool) error {
	delay := 50 * time.Millisecond
	for {
		out, err := t.Client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(t.Name)})
		var missing *types.ResourceNotFoundException
		gone := errors.As(err, &missing) // or, eventually consistent, not visible yet
		if err != nil && !gone {
			return fmt.Errorf("tablemap: describe table %s: %w", t.Name, err)
		}
		var d *types.TableDescription
		if !gone {
			d = out.Table
		}
		if reached(d, gone) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("tablemap: table %s not %s: %w", t.Name, state, ctx.Err())
		case <-time.After(delay):
		}
		delay = min(2*delay, 2*time.Second)
	}
}

// Active reports whether a described table and all its indexes are ACTIVE.
func Active(d *types.TableDescription) bool {
	if d == nil || d.TableStatus != types.TableStatusActive {
		return false
	}
	for _, g := range d.GlobalSecondaryIndexes {
		if g.IndexStatus != types.IndexStatusActive {
			return false
		}
	}
	return true
}
