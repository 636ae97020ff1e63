package tablemap_test

import (
	"context"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/dynamotest"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.Main(m)) }

// TestSmokeRoundTrip puts and gets one item through DynamoDB Local with the
// raw SDK, and checks the meter counted both requests and their capacity.
func TestSmokeRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	meter := tablemap.NewMeter()
	client := dynamotest.Client(t, meter.Attach)
	table := dynamotest.CreateTable(t, &dynamodb.CreateTableInput{
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("PK"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("PK"), KeyType: types.KeyTypeHash}},
	})

	item := map[string]types.AttributeValue{
		"PK":   &types.AttributeValueMemberS{Value: "USER#ann"},
		"name": &types.AttributeValueMemberS{Value: "Ann"},
		"age":  &types.AttributeValueMemberN{Value: "42"},
	}
	if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: item}); err != nil {
		t.Fatal(err)
	}
	out, err := client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &table,
		Key:       map[string]types.AttributeValue{"PK": item["PK"]},
	})
	if err != nil {
		t.Fatal(err)
	}
	opts := cmpopts.IgnoreUnexported(types.AttributeValueMemberS{}, types.AttributeValueMemberN{})
	if diff := cmp.Diff(item, out.Item, opts); diff != "" {
		t.Errorf("item read back differs (-put +got):\n%s", diff)
	}
	if got := meter.Requests(); got != 2 {
		t.Errorf("meter counted %d requests, want 2 (%v)", got, meter)
	}
	if got := meter.Requests("PutItem"); got != 1 {
		t.Errorf("meter counted %d PutItem requests, want 1", got)
	}
	if got := meter.ConsumedCapacity(); got <= 0 {
		t.Errorf("meter summed %v capacity units, want > 0", got)
	}
}
