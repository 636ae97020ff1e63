package tablemap_test

import (
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap"
)

// A Put's Params is the exact request Run would send: here, a photo written
// only if none exists at its key, with its key attributes, entity type and
// GSI keys. Nothing is sent (the table has no client).
func Example() {
	type Photo struct {
		_        struct{}  `tablemap:"Photo" pk:"USER#{username}" sk:"PHOTO#{taken}" gsi1pk:"PHOTOS" gsi1sk:"{taken}"`
		Username string    `dynamo:"username"`
		Taken    time.Time `dynamo:"taken"`
		URL      string    `dynamo:"url"`
	}
	tbl := tablemap.NewTable(nil, "app") // a *dynamodb.Client in real use
	photos, err := tablemap.Define[Photo](tbl)
	if err != nil {
		panic(err)
	}
	p := Photo{Username: "ann", Taken: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC), URL: "https://…/1.jpg"}
	in, err := photos.Put(p).IfNotExists().Params()
	if err != nil {
		panic(err)
	}
	names := make([]string, 0, len(in.Item))
	for name := range in.Item {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Printf("%-8s %s\n", name, in.Item[name].(*types.AttributeValueMemberS).Value)
	}
	fmt.Println(aws.ToString(in.ConditionExpression), in.ExpressionAttributeNames)
	// Output:
	// GSI1PK   PHOTOS
	// GSI1SK   2024-05-01T12:00:00.000000000Z
	// PK       USER#ann
	// SK       PHOTO#2024-05-01T12:00:00.000000000Z
	// _type    Photo
	// taken    2024-05-01T12:00:00Z
	// url      https://…/1.jpg
	// username ann
	// attribute_not_exists (#0) map[#0:PK]
}

// An Update validates its actions against the entity, encodes values like
// the fields, checks the stored version and increments it.
func ExampleUpdate_Params() {
	type User struct {
		_         struct{} `tablemap:"User" pk:"USER#{username}" sk:"PROFILE"`
		Username  string   `dynamo:"username"`
		Followers int      `dynamo:"followers"`
		Version   int      `dynamo:"v,version"`
	}
	tbl := tablemap.NewTable(nil, "app")
	users := tablemap.MustDefine[User](tbl)

	in, err := users.Update(User{Username: "bob", Version: 3}).
		Add("followers", 1).
		If(expression.Name("followers").LessThan(expression.Value(1000))).
		Params()
	if err != nil {
		panic(err)
	}
	fmt.Print(aws.ToString(in.UpdateExpression))
	fmt.Println(aws.ToString(in.ConditionExpression))

	_, err = users.Update(User{Username: "bob"}).Set("username", "robert").Params()
	fmt.Println(err)
	// Output:
	// ADD #2 :3, #1 :4
	// ((#0 = :0) AND (#1 = :1)) AND (#2 < :2)
	// tablemap: Update User {PK "USER#bob" SK "PROFILE"}: Set "username": the attribute is a field of the table's key; changing it would move the item (delete and put instead)
}
