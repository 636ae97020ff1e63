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
// name in (default "_type"). WithTypeAttribute("") is a table whose items
// carry no type attribute, as tables written by other programs: an item's
// entity is then the first entity (in Define order) that recognises it,
// by its match tag (`match:"kind=note"`: the item's attribute kind is the
// string "note", which Put writes) or, without one, by the shape of its
// table key (each key attribute has the declared type and parses with
// the entity's template, literal text included). Reads filter by the match
// tags when every entity read has one, and otherwise tell entities apart
// as they decode.
func WithTypeAttribute(name string) TableOption {
	return func(t *Table) { t.core.TypeAttr = name }
}

// WithKey names the table's partition and sort key attributes, as
// WithKeyAttributes does; sk "" is a table with a partition key only,
// whose entities declare a pk template and no sk. Key attributes are
// strings unless WithKeyType says otherwise.
func WithKey(pk, sk string) TableOption {
	return func(t *Table) { t.core.PK, t.core.SK = pk, sk }
}

// WithKeyType declares the type of a key attribute of the table or of one
// of its indexes: types.ScalarAttributeTypeS (the default), N or B. An N
// attribute's template must be exactly one integer field (`sk:"{createdAt}"`),
// stored as a number; a B attribute's exactly one []byte field, stored as
// binary; Define refuses any other template for it. A template that is
// exactly the string field named like the key attribute (pk "{userId}" on
// attribute userId) stores the field as it is, unescaped: the field is the
// key attribute, as in tables designed without tablemap.
func WithKeyType(attr string, typ types.ScalarAttributeType) TableOption {
	return func(t *Table) {
		if t.core.Layout.AttrTypes == nil {
			t.core.Layout.AttrTypes = map[string]types.ScalarAttributeType{}
		}
		t.core.Layout.AttrTypes[attr] = typ
	}
}

// WithIndex declares a global secondary index by its name and key
// attribute names (sk "": no sort key). An entity puts its items in it
// with the tags "<name>.pk" and "<name>.sk" on a blank field
// (`ezy_user.pk:"{ezy_user}"`), and reads it with Index(name). CreateTable
// creates it, projecting all attributes, whether or not an entity uses it.
// The default layout's gsi1pk … gsi20sk tags keep working beside it.
func WithIndex(name, pk, sk string) TableOption {
	return func(t *Table) {
		t.core.Layout.Indexes = append(t.core.Layout.Indexes, &engine.IndexDecl{Name: name, PK: pk, SK: sk})
	}
}

// WithLocalIndex declares a local secondary index: the table's partition
// key, and the sort key attribute sk. Entities declare only its sort key
// template ("<name>.sk"); reads through it may be consistent.
func WithLocalIndex(name, sk string) TableOption {
	return func(t *Table) {
		t.core.Layout.Indexes = append(t.core.Layout.Indexes, &engine.IndexDecl{Name: name, SK: sk, Local: true})
	}
}

// WithInvertedIndexName gives the table an inverted index (see
// WithInvertedIndex) of the given name instead of "Inverted":
// "InvertedIndex" in the AWS photo-app design.
func WithInvertedIndexName(name string) TableOption {
	return func(t *Table) { t.core.Inverted, t.core.Layout.InvertedName = true, name }
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

// Verify describes the live table (DescribeTable, and DescribeTimeToLive
// when an entity has a ttl field) and compares it with the declaration:
// the table's key attributes and their types, every index the table
// declares or an entity uses (present, same keys, projecting ALL), and
// the ttl attribute. It returns nil, or one error wrapping
// ErrTableMismatch (a *MismatchError) that lists every difference.
// Services call it at start-up, after Define.
func (t *Table) Verify(ctx context.Context) error { return t.core.Verify(ctx) }

// DeleteTable deletes the table and waits until it is gone. It is meant for
// tests and tools.
func (t *Table) DeleteTable(ctx context.Context) error { return t.core.Delete(ctx) }
