package tablemap

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/engine"
)

// A TableOption configures a Table.
type TableOption func(*Table)

// WithKeyAttributes names the table's partition and sort key attributes
// (default "PK" and "SK").
func WithKeyAttributes(pk, sk string) TableOption {
	return func(t *Table) { t.core.PK, t.core.SK = pk, sk }
}

// WithTypeAttribute names the attribute every item carries its entity type
// name in (default "_type").
func WithTypeAttribute(name string) TableOption {
	return func(t *Table) { t.core.TypeAttr = name }
}

// WithInvertedIndex gives the table an inverted index: a global secondary
// index named "Inverted" (InvertedIndex) whose partition key is the table's
// sort key attribute and whose sort key is the table's partition key
// attribute, projecting all attributes. Every item is in it, so a
// many-to-many relation stored once (PK "USER#ann", SK "GROUP#g1") reads
// from both sides, as in the AWS mobile-app design.
func WithInvertedIndex() TableOption {
	return func(t *Table) { t.core.Inverted = true }
}

// WithClock sets the clock of created/updated timestamps and of expiry
// (see the ttl option of Entity) (default time.Now); tests and examples use
// it to be deterministic.
func WithClock(now func() time.Time) TableOption {
	return func(t *Table) { t.core.Now = now }
}

// WithProvisionedThroughput makes CreateTable create a provisioned table
// (and its indexes) with the given capacity instead of PAY_PER_REQUEST.
func WithProvisionedThroughput(read, write int64) TableOption {
	return func(t *Table) {
		t.core.Billing = types.BillingModeProvisioned
		t.core.Capacity = &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(read), WriteCapacityUnits: aws.Int64(write)}
	}
}

// NewTable returns the table of the given name, reached through client.
// Given a nil client (or a nil *dynamodb.Client), it returns a table every
// operation of which fails with an error wrapping ErrNoClient and naming the
// table, before any request is sent.
func NewTable(client Client, name string, opts ...TableOption) *Table {
	if isNilClient(client) {
		client = noClient{table: name}
	}
	t := &Table{core: engine.NewTable(client, name)}
	for _, o := range opts {
		o(t)
	}
	return t
}

// Name returns the table's name.
func (t *Table) Name() string { return t.core.Name }

// Client returns the table's client.
func (t *Table) Client() Client { return t.core.Client }

// CreateTableInput returns the CreateTable request CreateTable sends: the
// key attributes, one global secondary index per index an entity declares
// (plus the inverted index when asked for), all projecting ALL attributes,
// billed PAY_PER_REQUEST unless WithProvisionedThroughput says otherwise.
func (t *Table) CreateTableInput() *dynamodb.CreateTableInput {
	t.core.Mu.RLock()
	defer t.core.Mu.RUnlock()
	attrs := []string{t.core.PK, t.core.SK}
	gsiSK := map[int]bool{} // declared GSIs, whether they have a sort key
	for _, s := range t.core.Order {
		for _, g := range s.GSIs {
			gsiSK[g.Number] = gsiSK[g.Number] || g.SK != nil
		}
	}
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(t.core.Name),
		BillingMode: t.core.Billing,
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(t.core.PK), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(t.core.SK), KeyType: types.KeyTypeRange},
		},
		ProvisionedThroughput: t.core.Capacity,
	}
	all := &types.Projection{ProjectionType: types.ProjectionTypeAll}
	numbers := make([]int, 0, len(gsiSK))
	for n := range gsiSK {
		numbers = append(numbers, n)
	}
	slices.Sort(numbers)
	for _, n := range numbers {
		pk, sk := t.core.GSIAttrs(n)
		g := types.GlobalSecondaryIndex{
			IndexName:             aws.String(engine.GSIName(n)),
			KeySchema:             []types.KeySchemaElement{{AttributeName: aws.String(pk), KeyType: types.KeyTypeHash}},
			Projection:            all,
			ProvisionedThroughput: t.core.Capacity,
		}
		attrs = append(attrs, pk)
		if gsiSK[n] {
			g.KeySchema = append(g.KeySchema, types.KeySchemaElement{AttributeName: aws.String(sk), KeyType: types.KeyTypeRange})
			attrs = append(attrs, sk)
		}
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, g)
	}
	if t.core.Inverted {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName: aws.String(InvertedIndex),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(t.core.SK), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(t.core.PK), KeyType: types.KeyTypeRange},
			},
			Projection:            all,
			ProvisionedThroughput: t.core.Capacity,
		})
	}
	for _, a := range attrs {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(a), AttributeType: types.ScalarAttributeTypeS,
		})
	}
	return in
}

// CreateTable creates the table from the entities defined on it so far (see
// CreateTableInput), waits until it is ACTIVE, and enables time to live when
// an entity has a ttl field. Define every entity first.
func (t *Table) CreateTable(ctx context.Context) error {
	in := t.CreateTableInput()
	if _, err := t.core.Client.CreateTable(ctx, in); err != nil {
		return fmt.Errorf("tablemap: create table %s: %w", t.core.Name, err)
	}
	if err := t.core.WaitActive(ctx); err != nil {
		return err
	}
	if attr := t.core.TtlAttr(); attr != "" {
		_, err := t.core.Client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
			TableName: aws.String(t.core.Name),
			TimeToLiveSpecification: &types.TimeToLiveSpecification{
				AttributeName: aws.String(attr), Enabled: aws.Bool(true),
			},
		})
		if err != nil {
			return fmt.Errorf("tablemap: enable time to live on %s.%s: %w", t.core.Name, attr, err)
		}
	}
	return nil
}

// DeleteTable deletes the table and waits until it is gone. It is meant for
// tests and tools.
func (t *Table) DeleteTable(ctx context.Context) error {
	if _, err := t.core.Client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(t.core.Name)}); err != nil {
		return fmt.Errorf("tablemap: delete table %s: %w", t.core.Name, err)
	}
	delay := 50 * time.Millisecond
	for {
		_, err := t.core.Client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(t.core.Name)})
		var missing *types.ResourceNotFoundException
		if errors.As(err, &missing) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("tablemap: describe table %s: %w", t.core.Name, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("tablemap: table %s not deleted: %w", t.core.Name, ctx.Err())
		case <-time.After(delay):
		}
		delay = min(2*delay, 2*time.Second)
	}
}
