package tablemap_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/dynamotest"
)

// Photo is a user's photo: an item per photo in the user's partition, and
// in GSI1 all photos by time.
type Photo struct {
	_        struct{}  `tablemap:"Photo" pk:"USER#{username}" sk:"PHOTO#{taken}" gsi1pk:"PHOTOS" gsi1sk:"{taken}#{username}"`
	Username string    `dynamo:"username"`
	Taken    time.Time `dynamo:"taken"`
	URL      string    `dynamo:"url"`
	Title    string    `dynamo:"title,omitempty"`
	Tags     []string  `dynamo:"tags,omitempty,set"`
	Comments []string  `dynamo:"comments,omitempty"`
	Likes    int       `dynamo:"likes"`
}

// User is a user's profile, with a version, timestamps and an expiry, found
// by email (GSI2) and by organisation and role (GSI3, sparse).
type User struct {
	_         struct{}  `tablemap:"User" pk:"USER#{username}" sk:"PROFILE" gsi2pk:"EMAIL#{email}" gsi2sk:"USER" gsi3pk:"ORG#{org}" gsi3sk:"ROLE#{role}#{username}"`
	Username  string    `dynamo:"username"`
	Email     string    `dynamo:"email"`
	Name      string    `dynamo:"name,omitempty"`
	Org       string    `dynamo:"org,omitempty"`
	Role      string    `dynamo:"role,omitempty"`
	Followers int       `dynamo:"followers"`
	Version   int       `dynamo:"v,version"`
	Created   time.Time `dynamo:"created,created"`
	Updated   time.Time `dynamo:"updated,updated"`
	Expires   time.Time `dynamo:"expires,omitempty,ttl"`
}

var (
	ctx     = context.Background()
	taken   = time.Date(2024, 5, 1, 12, 30, 0, 0, time.UTC)
	rawOpts = cmpopts.IgnoreUnexported(types.AttributeValueMemberS{}, types.AttributeValueMemberN{},
		types.AttributeValueMemberSS{}, types.AttributeValueMemberL{}, types.AttributeValueMemberM{},
		types.AttributeValueMemberBOOL{}, types.AttributeValueMemberNULL{})
)

// setup returns a table of its own for the test, with a meter on its
// client; define entities on it, then call create.
func setup(t *testing.T, opts ...tablemap.TableOption) (*tablemap.Table, *tablemap.Meter) {
	t.Helper()
	m := tablemap.NewMeter()
	client := dynamotest.Client(t, m.Attach)
	return tablemap.NewTable(client, dynamotest.TableName(t), opts...), m
}

// create creates the table and resets the meter.
func create(t *testing.T, tbl *tablemap.Table, m *tablemap.Meter) {
	t.Helper()
	if err := tbl.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	m.Reset()
}

func define[T any](t *testing.T, tbl *tablemap.Table) *tablemap.Entity[T] {
	t.Helper()
	e, err := tablemap.Define[T](tbl)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// raw reads the stored item at a key with the SDK.
func raw(t *testing.T, tbl *tablemap.Table, pk, sk string) map[string]types.AttributeValue {
	t.Helper()
	out, err := tbl.Client().GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(tbl.Name()),
		Key:            map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: sk}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Item
}

func wantErr(t *testing.T, err error, targets ...error) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %v", targets)
	}
	for _, target := range targets {
		if !errors.Is(err, target) {
			t.Errorf("error %q is not %q", err, target)
		}
	}
}

func diff(t *testing.T, what string, want, got any, opts ...cmp.Option) {
	t.Helper()
	if d := cmp.Diff(want, got, opts...); d != "" {
		t.Errorf("%s differs (-want +got):\n%s", what, d)
	}
}

type (
	cmpOption = cmp.Option
	typesAV   = types.AttributeValue
)

// ignoreMapKeys ignores the named attributes of items.
func ignoreMapKeys(names ...string) cmp.Option {
	return cmpopts.IgnoreMapEntries(func(k string, _ types.AttributeValue) bool {
		for _, n := range names {
			if k == n {
				return true
			}
		}
		return false
	})
}

var ignoreUnexportedInputs = cmpopts.IgnoreUnexported(dynamodb.PutItemInput{}, dynamodb.GetItemInput{},
	dynamodb.UpdateItemInput{}, dynamodb.DeleteItemInput{}, dynamodb.CreateTableInput{})

// Membership relates a user and a group: read from the user's side in the
// table and from the group's side in the inverted index.
type Membership struct {
	_     struct{} `tablemap:"Membership" pk:"USER#{user}" sk:"GROUP#{group}"`
	User  string   `dynamo:"user"`
	Group string   `dynamo:"group"`
}

func TestCreateTableInput(t *testing.T) {
	t.Parallel()
	tbl := tablemap.NewTable(nil, "app", tablemap.WithInvertedIndex())
	define[Photo](t, tbl)
	define[User](t, tbl)
	attr := func(name string) types.AttributeDefinition {
		return types.AttributeDefinition{AttributeName: aws.String(name), AttributeType: types.ScalarAttributeTypeS}
	}
	key := func(name string, kt types.KeyType) types.KeySchemaElement {
		return types.KeySchemaElement{AttributeName: aws.String(name), KeyType: kt}
	}
	all := &types.Projection{ProjectionType: types.ProjectionTypeAll}
	gsi := func(name, pk, sk string) types.GlobalSecondaryIndex {
		return types.GlobalSecondaryIndex{IndexName: aws.String(name), Projection: all,
			KeySchema: []types.KeySchemaElement{key(pk, types.KeyTypeHash), key(sk, types.KeyTypeRange)}}
	}
	want := &dynamodb.CreateTableInput{
		TableName:   aws.String("app"),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			attr("PK"), attr("SK"), attr("GSI1PK"), attr("GSI1SK"), attr("GSI2PK"), attr("GSI2SK"), attr("GSI3PK"), attr("GSI3SK"),
		},
		KeySchema: []types.KeySchemaElement{key("PK", types.KeyTypeHash), key("SK", types.KeyTypeRange)},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{
			gsi("GSI1", "GSI1PK", "GSI1SK"), gsi("GSI2", "GSI2PK", "GSI2SK"), gsi("GSI3", "GSI3PK", "GSI3SK"),
			gsi("Inverted", "SK", "PK"),
		},
	}
	diff(t, "CreateTableInput", want, tbl.CreateTableInput(), ignoreUnexportedInputs,
		cmpopts.IgnoreUnexported(types.AttributeDefinition{}, types.KeySchemaElement{}, types.GlobalSecondaryIndex{}, types.Projection{}))

	// Provisioned capacity, own key attribute names, a GSI without a sort key.
	tbl = tablemap.NewTable(nil, "app", tablemap.WithProvisionedThroughput(5, 2), tablemap.WithKeyAttributes("pk", "sk"))
	define[gsi1NoSK](t, tbl)
	in := tbl.CreateTableInput()
	capacity := &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(2)}
	want = &dynamodb.CreateTableInput{
		TableName:             aws.String("app"),
		BillingMode:           types.BillingModeProvisioned,
		ProvisionedThroughput: capacity,
		AttributeDefinitions:  []types.AttributeDefinition{attr("pk"), attr("sk"), attr("GSI1PK")},
		KeySchema:             []types.KeySchemaElement{key("pk", types.KeyTypeHash), key("sk", types.KeyTypeRange)},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName: aws.String("GSI1"), Projection: all, ProvisionedThroughput: capacity,
			KeySchema: []types.KeySchemaElement{key("GSI1PK", types.KeyTypeHash)},
		}},
	}
	diff(t, "CreateTableInput", want, in, ignoreUnexportedInputs,
		cmpopts.IgnoreUnexported(types.AttributeDefinition{}, types.KeySchemaElement{}, types.GlobalSecondaryIndex{}, types.Projection{}, types.ProvisionedThroughput{}))
}

// TestCreateTable creates a table from its entities and checks what
// DynamoDB reports: active indexes, on-demand billing, time to live.
func TestCreateTable(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t, tablemap.WithInvertedIndex())
	define[Photo](t, tbl)
	define[User](t, tbl)
	if err := tbl.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	if n := m.Requests("CreateTable"); n != 1 {
		t.Errorf("%d CreateTable requests, want 1", n)
	}
	client := tbl.Client().(*dynamodb.Client)
	desc, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(tbl.Name())})
	if err != nil {
		t.Fatal(err)
	}
	if desc.Table.TableStatus != types.TableStatusActive {
		t.Errorf("table status %s", desc.Table.TableStatus)
	}
	var names []string
	for _, g := range desc.Table.GlobalSecondaryIndexes {
		names = append(names, aws.ToString(g.IndexName))
		if g.IndexStatus != types.IndexStatusActive {
			t.Errorf("index %s is %s", aws.ToString(g.IndexName), g.IndexStatus)
		}
	}
	diff(t, "indexes", []string{"GSI1", "GSI2", "GSI3", "Inverted"}, names, cmpopts.SortSlices(func(a, b string) bool { return a < b }))
	if bm := desc.Table.BillingModeSummary; bm == nil || bm.BillingMode != types.BillingModePayPerRequest {
		t.Errorf("billing mode %+v, want PAY_PER_REQUEST", bm)
	}
	ttl, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(tbl.Name())})
	if err != nil {
		t.Fatal(err)
	}
	if d := ttl.TimeToLiveDescription; d == nil || aws.ToString(d.AttributeName) != "expires" || d.TimeToLiveStatus != types.TimeToLiveStatusEnabled {
		t.Errorf("time to live %+v, want enabled on expires", d)
	}

	if err := tbl.DeleteTable(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(tbl.Name())})
	var missing *types.ResourceNotFoundException
	if !errors.As(err, &missing) {
		t.Errorf("DescribeTable after DeleteTable: %v, want ResourceNotFoundException", err)
	}
}

// TestInvertedIndex reads a many-to-many relation from both sides.
func TestInvertedIndex(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t, tablemap.WithInvertedIndex())
	members := define[Membership](t, tbl)
	create(t, tbl, m)

	for _, ms := range []Membership{{User: "ann", Group: "g1"}, {User: "bob", Group: "g1"}, {User: "ann", Group: "g2"}} {
		if err := members.Put(ms).Run(ctx); err != nil {
			t.Fatal(err)
		}
	}
	key, err := members.Key(Membership{Group: "g1", User: "x"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := tbl.Client().Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(tbl.Name()),
		IndexName:                 aws.String(tablemap.InvertedIndex),
		KeyConditionExpression:    aws.String("SK = :g"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":g": s(key.SK)},
	})
	if err != nil {
		t.Fatal(err)
	}
	var users []string
	for _, item := range out.Items {
		ms, err := members.Decode(item)
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, ms.User)
	}
	diff(t, "members of g1", []string{"ann", "bob"}, users)
}
