package tablemap_test

import (
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap"
)

func ExampleMarshalItem() {
	type Photo struct {
		Username  string         `dynamo:"username"`
		Taken     time.Time      `dynamo:"taken"`
		Tags      []string       `dynamo:"tags,set,omitempty"`
		Reactions map[string]int `dynamo:"reactions,omitempty"`
		Expires   time.Time      `dynamo:"expires,unixtime,omitempty"`
	}
	p := Photo{
		Username: "ann",
		Taken:    time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC),
		Tags:     []string{"sea"},
		Expires:  time.Unix(1767225600, 0),
	}
	item, err := tablemap.MarshalItem(&p)
	if err != nil {
		panic(err)
	}
	fmt.Println(item["username"].(*types.AttributeValueMemberS).Value)
	fmt.Println(item["taken"].(*types.AttributeValueMemberS).Value)
	fmt.Println(item["tags"].(*types.AttributeValueMemberSS).Value)
	fmt.Println(item["expires"].(*types.AttributeValueMemberN).Value)
	_, hasReactions := item["reactions"]
	fmt.Println(hasReactions)

	var back Photo
	if err := tablemap.UnmarshalItem(item, &back); err != nil {
		panic(err)
	}
	fmt.Println(back.Username, back.Taken.Equal(p.Taken), back.Expires.Equal(p.Expires))
	// Output:
	// ann
	// 2024-05-01T12:00:00Z
	// [sea]
	// 1767225600
	// false
	// ann true true
}
