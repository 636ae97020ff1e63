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
