package engine

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Client is the part of *dynamodb.Client a Table uses.
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

// MaxGSIs is the number of GSIs an entity can declare (gsi1pk … gsi20pk).
const MaxGSIs = 20

// InvertedIndex is the name of the inverted index.
const InvertedIndex = "Inverted"

// A Table is the core of a table: its client, name, key attributes,
// options and the entities defined on it. It is safe for concurrent use.
type Table struct {
	Client   Client
	Name     string
	PK, SK   string // key attribute names, "PK" and "SK" by default; SK "": no sort key
	TypeAttr string // entity type attribute, "_type" by default; "": none (see Recognises)
	Inverted bool
	Layout   Layout // declared attribute types and indexes (layout.go)
	Now      func() time.Time
	Billing  types.BillingMode
	Capacity *types.ProvisionedThroughput

	Cursor      CursorOptions // page cursors: secret and max age (cursor.go)
	QueryShapes sync.Map      // shapeKey -> *queryShape (query.go)
	Collections sync.Map      // collectionKey -> *collectionPlan (collection.go)
	keyAttrs    sync.Map      // *Index -> []string (KeyAttrs)
	userShapes  atomic.Int64  // shapes cached with a caller's condition (usercond.go)

	Cipher      Cipher // seals encrypted attributes (see WithCipher)
	LogicalName string // the table name encrypted attributes are bound to, if not name

	Mu       sync.RWMutex
	Entities map[string]*Schema // by entity type name
	Order    []*Schema          // in definition order
}

// NewTable returns the core of table name, reached through client, with
// the default attribute names and billing.
func NewTable(client Client, name string) *Table {
	return &Table{
		Client:   client,
		Name:     name,
		PK:       "PK",
		SK:       "SK",
		TypeAttr: "_type",
		Now:      time.Now,
		Billing:  types.BillingModePayPerRequest,
		Entities: map[string]*Schema{},
	}
}

// GSIAttrs returns the key attribute names of GSI n (1-based).
func (t *Table) GSIAttrs(n int) (pk, sk string) {
	s := strconv.Itoa(n)
	return "GSI" + s + "PK", "GSI" + s + "SK"
}

func GSIName(n int) string { return "GSI" + strconv.Itoa(n) }

// Reserved reports whether attr is one of the table's key or type
// attributes, which no entity may use for data. The comparison ignores
// case: decoding matches attribute names to fields case-insensitively when
// there is no exact match (as attributevalue does), so a field "sk" could
// otherwise read the table's "SK".
func (t *Table) Reserved(attr string) bool {
	if strings.EqualFold(attr, t.PK) || t.SK != "" && strings.EqualFold(attr, t.SK) || t.TypeAttr != "" && strings.EqualFold(attr, t.TypeAttr) {
		return true
	}
	for _, d := range t.Layout.Indexes {
		if strings.EqualFold(attr, d.PK) || d.SK != "" && strings.EqualFold(attr, d.SK) {
			return true
		}
	}
	for n := 1; n <= MaxGSIs; n++ {
		if pk, sk := t.GSIAttrs(n); strings.EqualFold(attr, pk) || strings.EqualFold(attr, sk) {
			return true
		}
	}
	return false
}

// Register adds a defined entity, checking it against the others.
func (t *Table) Register(s *Schema) error {
	t.Mu.Lock()
	defer t.Mu.Unlock()
	if other, dup := t.Entities[s.Name]; dup {
		return s.DefErr("_", s.NameTag(), fmt.Errorf("entity type name %q is already used by %s on table %s", s.Name, other.Typ, t.Name))
	}
	for _, other := range t.Order {
		for _, g := range s.GSIs {
			for _, og := range other.GSIs {
				if g.Number != 0 && g.Number == og.Number && (g.SK == nil) != (og.SK == nil) {
					return s.DefErr("_", g.PkTag(), fmt.Errorf("index %s has a sort key for one of %s and %s but not the other; declare gsi%dsk on both or neither", g.Name, s.Typ, other.Typ, g.Number))
				}
			}
		}
		if s.Primary.Overlaps(other.Primary) {
			return s.DefErr("_", s.Primary.PK.Tag+" "+s.Primary.SK.Tag, fmt.Errorf(
				"the table keys of %s (%s %s) and %s (%s %s) can be the same key, so a write of one could replace the other's item; make their pk or sk templates differ in literal text (a distinct prefix such as \"PROFILE\" vs \"PHOTO#\")",
				s.Name, s.Primary.PK.Tag, s.Primary.SK.Tag, other.Name, other.Primary.PK.Tag, other.Primary.SK.Tag))
		}
		if s.TTL != nil && other.TTL != nil && s.TTL.Name != other.TTL.Name {
			return s.DefErr(s.TTL.Path, FieldTag(s.Typ, s.TTL), fmt.Errorf("a table has one TTL attribute; %s already uses %q, not %q", other.Typ, other.TTL.Name, s.TTL.Name))
		}
	}
	t.Entities[s.Name] = s
	t.Order = append(t.Order, s)
	return nil
}

// TtlAttr returns the TTL attribute of the table's entities, or "".
func (t *Table) TtlAttr() string {
	t.Mu.RLock()
	defer t.Mu.RUnlock()
	for _, s := range t.Order {
		if s.TTL != nil {
			return s.TTL.Name
		}
	}
	return ""
}
