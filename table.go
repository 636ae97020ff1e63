package tablemap

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Client is the part of *dynamodb.Client a Table uses. Any *dynamodb.Client
// satisfies it.
type Client interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	BatchGetItem(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
	TransactGetItems(context.Context, *dynamodb.TransactGetItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactGetItemsOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	CreateTable(context.Context, *dynamodb.CreateTableInput, ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DeleteTable(context.Context, *dynamodb.DeleteTableInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteTableOutput, error)
	DescribeTable(context.Context, *dynamodb.DescribeTableInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	UpdateTimeToLive(context.Context, *dynamodb.UpdateTimeToLiveInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
}

// MaxGSIs is the number of global secondary indexes an entity can declare
// (gsi1pk … gsi20pk), DynamoDB's default quota per table.
const MaxGSIs = 20

// InvertedIndex is the name of the inverted index (see WithInvertedIndex).
const InvertedIndex = "Inverted"

// A Table is one DynamoDB table holding the items of several entities. It
// knows the client, the table's name and the names of its key attributes,
// and collects the entities defined on it (see Define), from which it can
// create the table. A Table is safe for concurrent use.
type Table struct {
	client   Client
	name     string
	pk, sk   string // key attribute names, "PK" and "SK" by default
	typeAttr string // entity type attribute, "_type" by default
	inverted bool
	now      func() time.Time
	billing  types.BillingMode
	capacity *types.ProvisionedThroughput

	cursor      cursorOptions // page cursors: secret and max age (cursor.go)
	queryShapes sync.Map      // shapeKey -> *queryShape (query.go)

	cipher      Cipher // seals encrypted attributes (see WithCipher)
	logicalName string // the table name encrypted attributes are bound to, if not name

	mu       sync.RWMutex
	entities map[string]*schema // by entity type name
	order    []*schema          // in definition order
}

// A TableOption configures a Table.
type TableOption func(*Table)

// WithKeyAttributes names the table's partition and sort key attributes
// (default "PK" and "SK").
func WithKeyAttributes(pk, sk string) TableOption {
	return func(t *Table) { t.pk, t.sk = pk, sk }
}

// WithTypeAttribute names the attribute every item carries its entity type
// name in (default "_type").
func WithTypeAttribute(name string) TableOption {
	return func(t *Table) { t.typeAttr = name }
}

// WithInvertedIndex gives the table an inverted index: a global secondary
// index named "Inverted" (InvertedIndex) whose partition key is the table's
// sort key attribute and whose sort key is the table's partition key
// attribute, projecting all attributes. Every item is in it, so a
// many-to-many relation stored once (PK "USER#ann", SK "GROUP#g1") reads
// from both sides, as in the AWS mobile-app design.
func WithInvertedIndex() TableOption {
	return func(t *Table) { t.inverted = true }
}

// WithClock sets the clock of created/updated timestamps and of expiry
// (see the ttl option of Entity) (default time.Now); tests and examples use
// it to be deterministic.
func WithClock(now func() time.Time) TableOption {
	return func(t *Table) { t.now = now }
}

// WithProvisionedThroughput makes CreateTable create a provisioned table
// (and its indexes) with the given capacity instead of PAY_PER_REQUEST.
func WithProvisionedThroughput(read, write int64) TableOption {
	return func(t *Table) {
		t.billing = types.BillingModeProvisioned
		t.capacity = &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(read), WriteCapacityUnits: aws.Int64(write)}
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
	t := &Table{
		client:   client,
		name:     name,
		pk:       "PK",
		sk:       "SK",
		typeAttr: "_type",
		now:      time.Now,
		billing:  types.BillingModePayPerRequest,
		entities: map[string]*schema{},
	}
	for _, o := range opts {
		o(t)
	}
	return t
}

// Name returns the table's name.
func (t *Table) Name() string { return t.name }

// Client returns the table's client.
func (t *Table) Client() Client { return t.client }

// gsiAttrs returns the key attribute names of GSI n (1-based).
func (t *Table) gsiAttrs(n int) (pk, sk string) {
	s := strconv.Itoa(n)
	return "GSI" + s + "PK", "GSI" + s + "SK"
}

func gsiName(n int) string { return "GSI" + strconv.Itoa(n) }

// reserved reports whether attr is one of the table's key or type
// attributes, which no entity may use for data. The comparison ignores
// case: decoding matches attribute names to fields case-insensitively when
// there is no exact match (as attributevalue does), so a field "sk" could
// otherwise read the table's "SK".
func (t *Table) reserved(attr string) bool {
	if strings.EqualFold(attr, t.pk) || strings.EqualFold(attr, t.sk) || strings.EqualFold(attr, t.typeAttr) {
		return true
	}
	for n := 1; n <= MaxGSIs; n++ {
		if pk, sk := t.gsiAttrs(n); strings.EqualFold(attr, pk) || strings.EqualFold(attr, sk) {
			return true
		}
	}
	return false
}

// register adds a defined entity, checking it against the others.
func (t *Table) register(s *schema) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if other, dup := t.entities[s.name]; dup {
		return s.defErr("_", s.nameTag(), fmt.Errorf("entity type name %q is already used by %s on table %s", s.name, other.typ, t.name))
	}
	for _, other := range t.order {
		for _, g := range s.gsis {
			for _, og := range other.gsis {
				if g.number == og.number && (g.sk == nil) != (og.sk == nil) {
					return s.defErr("_", g.pkTag(), fmt.Errorf("index %s has a sort key for one of %s and %s but not the other; declare gsi%dsk on both or neither", g.name, s.typ, other.typ, g.number))
				}
			}
		}
		if s.primary.overlaps(other.primary) {
			return s.defErr("_", s.primary.pk.tag+" "+s.primary.sk.tag, fmt.Errorf(
				"the table keys of %s (%s %s) and %s (%s %s) can be the same key, so a write of one could replace the other's item; make their pk or sk templates differ in literal text (a distinct prefix such as \"PROFILE\" vs \"PHOTO#\")",
				s.name, s.primary.pk.tag, s.primary.sk.tag, other.name, other.primary.pk.tag, other.primary.sk.tag))
		}
		if s.ttl != nil && other.ttl != nil && s.ttl.Name != other.ttl.Name {
			return s.defErr(s.ttl.Path, fieldTag(s.typ, s.ttl), fmt.Errorf("a table has one TTL attribute; %s already uses %q, not %q", other.typ, other.ttl.Name, s.ttl.Name))
		}
	}
	t.entities[s.name] = s
	t.order = append(t.order, s)
	return nil
}

// schemaOf returns the entity of the given type name, or nil: how a
// collection decodes an item by its type attribute.
func (t *Table) schemaOf(typeName string) *schema {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.entities[typeName]
}

// CreateTableInput returns the CreateTable request CreateTable sends: the
// key attributes, one global secondary index per index an entity declares
// (plus the inverted index when asked for), all projecting ALL attributes,
// billed PAY_PER_REQUEST unless WithProvisionedThroughput says otherwise.
func (t *Table) CreateTableInput() *dynamodb.CreateTableInput {
	t.mu.RLock()
	defer t.mu.RUnlock()
	attrs := []string{t.pk, t.sk}
	gsiSK := map[int]bool{} // declared GSIs, whether they have a sort key
	for _, s := range t.order {
		for _, g := range s.gsis {
			gsiSK[g.number] = gsiSK[g.number] || g.sk != nil
		}
	}
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(t.name),
		BillingMode: t.billing,
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(t.pk), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(t.sk), KeyType: types.KeyTypeRange},
		},
		ProvisionedThroughput: t.capacity,
	}
	all := &types.Projection{ProjectionType: types.ProjectionTypeAll}
	numbers := make([]int, 0, len(gsiSK))
	for n := range gsiSK {
		numbers = append(numbers, n)
	}
	slices.Sort(numbers)
	for _, n := range numbers {
		pk, sk := t.gsiAttrs(n)
		g := types.GlobalSecondaryIndex{
			IndexName:             aws.String(gsiName(n)),
			KeySchema:             []types.KeySchemaElement{{AttributeName: aws.String(pk), KeyType: types.KeyTypeHash}},
			Projection:            all,
			ProvisionedThroughput: t.capacity,
		}
		attrs = append(attrs, pk)
		if gsiSK[n] {
			g.KeySchema = append(g.KeySchema, types.KeySchemaElement{AttributeName: aws.String(sk), KeyType: types.KeyTypeRange})
			attrs = append(attrs, sk)
		}
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, g)
	}
	if t.inverted {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName: aws.String(InvertedIndex),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(t.sk), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(t.pk), KeyType: types.KeyTypeRange},
			},
			Projection:            all,
			ProvisionedThroughput: t.capacity,
		})
	}
	for _, a := range attrs {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(a), AttributeType: types.ScalarAttributeTypeS,
		})
	}
	return in
}

// ttlAttr returns the TTL attribute of the table's entities, or "".
func (t *Table) ttlAttr() string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	for _, s := range t.order {
		if s.ttl != nil {
			return s.ttl.Name
		}
	}
	return ""
}

// CreateTable creates the table from the entities defined on it so far (see
// CreateTableInput), waits until it is ACTIVE, and enables time to live when
// an entity has a ttl field. Define every entity first.
func (t *Table) CreateTable(ctx context.Context) error {
	in := t.CreateTableInput()
	if _, err := t.client.CreateTable(ctx, in); err != nil {
		return fmt.Errorf("tablemap: create table %s: %w", t.name, err)
	}
	if err := t.waitActive(ctx); err != nil {
		return err
	}
	if attr := t.ttlAttr(); attr != "" {
		_, err := t.client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
			TableName: aws.String(t.name),
			TimeToLiveSpecification: &types.TimeToLiveSpecification{
				AttributeName: aws.String(attr), Enabled: aws.Bool(true),
			},
		})
		if err != nil {
			return fmt.Errorf("tablemap: enable time to live on %s.%s: %w", t.name, attr, err)
		}
	}
	return nil
}

func (t *Table) waitActive(ctx context.Context) error {
	delay := 50 * time.Millisecond
	for {
		out, err := t.client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(t.name)})
		var missing *types.ResourceNotFoundException
		switch {
		case errors.As(err, &missing):
			// Eventually consistent: the table may not be visible yet.
		case err != nil:
			return fmt.Errorf("tablemap: describe table %s: %w", t.name, err)
		case active(out.Table):
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("tablemap: table %s not active: %w", t.name, ctx.Err())
		case <-time.After(delay):
		}
		delay = min(2*delay, 2*time.Second)
	}
}

func active(d *types.TableDescription) bool {
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

// DeleteTable deletes the table and waits until it is gone. It is meant for
// tests and tools.
func (t *Table) DeleteTable(ctx context.Context) error {
	if _, err := t.client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(t.name)}); err != nil {
		return fmt.Errorf("tablemap: delete table %s: %w", t.name, err)
	}
	delay := 50 * time.Millisecond
	for {
		_, err := t.client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(t.name)})
		var missing *types.ResourceNotFoundException
		if errors.As(err, &missing) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("tablemap: describe table %s: %w", t.name, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("tablemap: table %s not deleted: %w", t.name, ctx.Err())
		case <-time.After(delay):
		}
		delay = min(2*delay, 2*time.Second)
	}
}
