package tablemap

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/engine"
)

// Client is the part of *dynamodb.Client a Table uses; any
// *dynamodb.Client satisfies it. Its methods are those of
// *dynamodb.Client of the same names: GetItem, PutItem, UpdateItem,
// DeleteItem, Query, Scan, BatchGetItem, BatchWriteItem, TransactGetItems,
// TransactWriteItems, CreateTable, DeleteTable, DescribeTable and
// UpdateTimeToLive.
type Client = engine.Client

// A Table is one DynamoDB table holding the items of several entities. It
// knows the client, the table's name and the names of its key attributes,
// and collects the entities defined on it (see Define), from which it can
// create the table. A Table is safe for concurrent use.
type Table struct {
	core *engine.Table
}

// MaxGSIs is the number of global secondary indexes an entity can declare
// (gsi1pk … gsi20pk), DynamoDB's default quota per table: 20.
const MaxGSIs = engine.MaxGSIs

// InvertedIndex is the name of the inverted index, "Inverted" (see
// WithInvertedIndex).
const InvertedIndex = engine.InvertedIndex

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
func (t *Table) CreateTableInput() *dynamodb.CreateTableInput { return t.core.CreateTableInput() }

// CreateTable creates the table from the entities defined on it so far (see
// CreateTableInput), waits until it is ACTIVE, and enables time to live when
// an entity has a ttl field. Define every entity first.
func (t *Table) CreateTable(ctx context.Context) error { return t.core.Create(ctx) }

// DeleteTable deletes the table and waits until it is gone. It is meant for
// tests and tools.
func (t *Table) DeleteTable(ctx context.Context) error { return t.core.Delete(ctx) }
