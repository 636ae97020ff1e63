package engine

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var tableInputCmp = cmpopts.IgnoreUnexported(dynamodb.CreateTableInput{}, types.KeySchemaElement{},
	types.AttributeDefinition{}, types.GlobalSecondaryIndex{}, types.Projection{}, types.ProvisionedThroughput{})

func keySchema(pk, sk string) []types.KeySchemaElement {
	ks := []types.KeySchemaElement{{AttributeName: aws.String(pk), KeyType: types.KeyTypeHash}}
	if sk != "" {
		ks = append(ks, types.KeySchemaElement{AttributeName: aws.String(sk), KeyType: types.KeyTypeRange})
	}
	return ks
}

func attrDefs(names ...string) []types.AttributeDefinition {
	var ds []types.AttributeDefinition
	for _, n := range names {
		ds = append(ds, types.AttributeDefinition{AttributeName: aws.String(n), AttributeType: types.ScalarAttributeTypeS})
	}
	return ds
}

func gsiInput(name, pk, sk string, capacity *types.ProvisionedThroughput) types.GlobalSecondaryIndex {
	return types.GlobalSecondaryIndex{
		IndexName:             aws.String(name),
		KeySchema:             keySchema(pk, sk),
		Projection:            &types.Projection{ProjectionType: types.ProjectionTypeAll},
		ProvisionedThroughput: capacity,
	}
}

// A GSI has a sort key when any entity declares one for it; indexes come
// by number whatever the order of definition.
func TestCreateTableInputGSIs(t *testing.T) {
	type late struct {
		_  struct{} `tablemap:"Late" pk:"L#{id}" gsi2pk:"X#{id}" gsi1pk:"Y#{id}" gsi1sk:"Z"`
		ID string   `dynamo:"id"`
	}
	tbl := NewTable(nil, "app")
	schemaOf[late](t, tbl)
	schemaOf[indexed](t, tbl)
	want := &dynamodb.CreateTableInput{
		TableName:   aws.String("app"),
		BillingMode: types.BillingModePayPerRequest,
		KeySchema:   keySchema("PK", "SK"),
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{
			gsiInput("GSI1", "GSI1PK", "GSI1SK", nil),
			gsiInput("GSI2", "GSI2PK", "", nil),
			gsiInput("GSI3", "GSI3PK", "", nil),
		},
		AttributeDefinitions: attrDefs("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI3PK"),
	}
	if d := cmp.Diff(want, tbl.CreateTableInput(), tableInputCmp); d != "" {
		t.Errorf("CreateTableInput (-want +got):\n%s", d)
	}
}

func TestCreateTableInputInvertedIndex(t *testing.T) {
	tbl := NewTable(nil, "app")
	tbl.PK, tbl.SK, tbl.Inverted = "pk", "sk", true
	want := &dynamodb.CreateTableInput{
		TableName:              aws.String("app"),
		BillingMode:            types.BillingModePayPerRequest,
		KeySchema:              keySchema("pk", "sk"),
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{gsiInput(InvertedIndex, "sk", "pk", nil)},
		AttributeDefinitions:   attrDefs("pk", "sk"),
	}
	if d := cmp.Diff(want, tbl.CreateTableInput(), tableInputCmp); d != "" {
		t.Errorf("CreateTableInput (-want +got):\n%s", d)
	}
}

func TestCreateTableInputProvisioned(t *testing.T) {
	tbl := NewTable(nil, "app")
	tbl.Inverted = true
	capacity := &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(2)}
	tbl.Billing, tbl.Capacity = types.BillingModeProvisioned, capacity
	schemaOf[regUser](t, tbl)
	want := &dynamodb.CreateTableInput{
		TableName:             aws.String("app"),
		BillingMode:           types.BillingModeProvisioned,
		KeySchema:             keySchema("PK", "SK"),
		ProvisionedThroughput: capacity,
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{
			gsiInput("GSI1", "GSI1PK", "GSI1SK", capacity),
			gsiInput(InvertedIndex, "SK", "PK", capacity),
		},
		AttributeDefinitions: attrDefs("PK", "SK", "GSI1PK", "GSI1SK"),
	}
	if d := cmp.Diff(want, tbl.CreateTableInput(), tableInputCmp); d != "" {
		t.Errorf("CreateTableInput (-want +got):\n%s", d)
	}
}

// tableClient answers DescribeTable from a script of answers, the last
// repeated, and records the other table requests it gets.
type tableClient struct {
	Client   // nil: any other request panics
	describe []func() (*dynamodb.DescribeTableOutput, error)
	calls    []string
}

func (c *tableClient) DescribeTable(context.Context, *dynamodb.DescribeTableInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	c.calls = append(c.calls, "DescribeTable")
	next := c.describe[0]
	if len(c.describe) > 1 {
		c.describe = c.describe[1:]
	}
	return next()
}

func (c *tableClient) CreateTable(context.Context, *dynamodb.CreateTableInput, ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error) {
	c.calls = append(c.calls, "CreateTable")
	return &dynamodb.CreateTableOutput{}, nil
}

func (c *tableClient) DeleteTable(context.Context, *dynamodb.DeleteTableInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteTableOutput, error) {
	c.calls = append(c.calls, "DeleteTable")
	return &dynamodb.DeleteTableOutput{}, nil
}

func (c *tableClient) UpdateTimeToLive(_ context.Context, in *dynamodb.UpdateTimeToLiveInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error) {
	c.calls = append(c.calls, "UpdateTimeToLive "+aws.ToString(in.TimeToLiveSpecification.AttributeName))
	return &dynamodb.UpdateTimeToLiveOutput{}, nil
}

func described(table types.TableStatus, index types.IndexStatus) func() (*dynamodb.DescribeTableOutput, error) {
	return func() (*dynamodb.DescribeTableOutput, error) {
		return &dynamodb.DescribeTableOutput{Table: &types.TableDescription{
			TableStatus:            table,
			GlobalSecondaryIndexes: []types.GlobalSecondaryIndexDescription{{IndexStatus: index}},
		}}, nil
	}
}

func notFound() (*dynamodb.DescribeTableOutput, error) {
	return nil, &types.ResourceNotFoundException{Message: aws.String("no table")}
}

// Create waits through a table not visible yet, then one whose index is
// still being created, and enables time to live once all is ACTIVE.
func TestCreateWaitsUntilActiveThenEnablesTTL(t *testing.T) {
	c := &tableClient{describe: []func() (*dynamodb.DescribeTableOutput, error){
		notFound,
		described(types.TableStatusActive, types.IndexStatusCreating),
		described(types.TableStatusActive, types.IndexStatusActive),
	}}
	tbl := NewTable(c, "app")
	schemaOf[regUser](t, tbl)
	if err := tbl.Create(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []string{"CreateTable", "DescribeTable", "DescribeTable", "DescribeTable", "UpdateTimeToLive exp"}
	if !cmp.Equal(want, c.calls) {
		t.Errorf("requests %q, want %q", c.calls, want)
	}
}

func TestDeleteWaitsUntilGone(t *testing.T) {
	c := &tableClient{describe: []func() (*dynamodb.DescribeTableOutput, error){
		described(types.TableStatusDeleting, types.IndexStatusDeleting),
		notFound,
	}}
	if err := NewTable(c, "app").Delete(context.Background()); err != nil {
		t.Fatal(err)
	}
	if want := []string{"DeleteTable", "DescribeTable", "DescribeTable"}; !cmp.Equal(want, c.calls) {
		t.Errorf("requests %q, want %q", c.calls, want)
	}
}

func TestPollStopsWhenContextEnds(t *testing.T) {
	c := &tableClient{describe: []func() (*dynamodb.DescribeTableOutput, error){
		described(types.TableStatusCreating, types.IndexStatusCreating),
	}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := NewTable(c, "app").Create(ctx)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "table app not active") {
		t.Errorf("Create with an ended context: %v", err)
	}
}

func TestPollReportsDescribeFailure(t *testing.T) {
	denied := errors.New("access denied")
	c := &tableClient{describe: []func() (*dynamodb.DescribeTableOutput, error){
		func() (*dynamodb.DescribeTableOutput, error) { return nil, denied },
	}}
	err := NewTable(c, "app").Delete(context.Background())
	if !errors.Is(err, denied) || !strings.Contains(err.Error(), "describe table app") {
		t.Errorf("Delete with DescribeTable failing: %v", err)
	}
}
