package tablemap_test

import (
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap"
)

// printQuery prints a Query request's expressions with their names and
// values filled in.
func printQuery(key, filter *string, names map[string]string, values map[string]types.AttributeValue) {
	fmt.Println("key:   ", *key)
	fmt.Println("filter:", *filter)
	ph := make([]string, 0, len(names)+len(values))
	for k := range names {
		ph = append(ph, k)
	}
	for k := range values {
		ph = append(ph, k)
	}
	sort.Strings(ph)
	for _, k := range ph {
		if n, ok := names[k]; ok {
			fmt.Printf("  %s = %s\n", k, n)
		} else {
			fmt.Printf("  %s = %q\n", k, values[k].(*types.AttributeValueMemberS).Value)
		}
	}
}

// A query of a partial value reads its partition and the sort key prefix
// of its leading key fields, filtering on the entity type. Nothing is sent
// (the table has no client).
func ExampleQuery_Params() {
	type Follow struct {
		_     struct{}  `tablemap:"Follow" pk:"USER#{user}" sk:"FOLLOWS#{other}#{since}"`
		User  string    `dynamo:"user"`
		Other string    `dynamo:"other"`
		Since time.Time `dynamo:"since"`
	}
	tbl := tablemap.NewTable(nil, "app") // a *dynamodb.Client in real use
	follows := tablemap.MustDefine[Follow](tbl)

	// Whom bob follows named "ann" — never "anne".
	in, err := follows.Query(Follow{User: "bob", Other: "ann"}).Newest().Limit(20).Params()
	if err != nil {
		panic(err)
	}
	printQuery(in.KeyConditionExpression, in.FilterExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	fmt.Println("newest first:", !*in.ScanIndexForward, "limit:", *in.Limit)

	// Since 2024, by a typed sort key condition on the leading fields.
	in, err = follows.Query(Follow{User: "bob"}).SKGreaterOrEqual(Follow{Other: "ann", Since: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}).Params()
	if err != nil {
		panic(err)
	}
	printQuery(in.KeyConditionExpression, in.FilterExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	// Output:
	// key:    (#1 = :1) AND (begins_with (#2, :2))
	// filter: #0 = :0
	//   #0 = _type
	//   #1 = PK
	//   #2 = SK
	//   :0 = "Follow"
	//   :1 = "USER#bob"
	//   :2 = "FOLLOWS#ann#"
	// newest first: true limit: 20
	// key:    (#1 = :1) AND (#2 >= :2)
	// filter: #0 = :0
	//   #0 = _type
	//   #1 = PK
	//   #2 = SK
	//   :0 = "Follow"
	//   :1 = "USER#bob"
	//   :2 = "FOLLOWS#ann#2024-01-01T00:00:00.000000000Z"
}

// A collection reads a photo and its reactions, which share the photo's
// partition, with one Query; each item is decoded into the type its entity
// type attribute names.
func ExampleCollect2() {
	type Photo struct {
		_     struct{}  `tablemap:"Photo" pk:"PHOTO#{owner}#{taken}" sk:"A"`
		Owner string    `dynamo:"owner"`
		Taken time.Time `dynamo:"taken"`
		URL   string    `dynamo:"url"`
	}
	type Reaction struct {
		_     struct{}  `tablemap:"Reaction" pk:"PHOTO#{owner}#{taken}" sk:"REACTION#{by}"`
		Owner string    `dynamo:"owner"`
		Taken time.Time `dynamo:"taken"`
		By    string    `dynamo:"by"`
	}
	tbl := tablemap.NewTable(nil, "app")
	photos := tablemap.MustDefine[Photo](tbl)
	reactions := tablemap.MustDefine[Reaction](tbl)

	taken := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	c := tablemap.Collect2(photos.Query(Photo{Owner: "ann", Taken: taken}).Limit(50), reactions)
	in, err := c.Params()
	if err != nil {
		panic(err)
	}
	printQuery(in.KeyConditionExpression, in.FilterExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	// With a client: page, err := c.Page(ctx, cursor) gives page.A ([]Photo,
	// the photo on the first page), page.B ([]Reaction) and page.Next.

	// The key condition bounds the sort key to the span of the photo ("A")
	// and its reactions ("REACTION#…"): other items of the partition sort
	// outside it and are not read.

	// Output:
	// key:    (#1 = :2) AND (#2 BETWEEN :3 AND :4)
	// filter: #0 IN (:0, :1)
	//   #0 = _type
	//   #1 = PK
	//   #2 = SK
	//   :0 = "Photo"
	//   :1 = "Reaction"
	//   :2 = "PHOTO#ann#2024-05-01T12:00:00.000000000Z"
	//   :3 = "A"
	//   :4 = "REACTION$"
}
