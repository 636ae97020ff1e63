package tablemap_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap"
)

// The follow access pattern as one transaction: the edge, written only if
// new, and a counter on each profile, which must exist. Params shows the
// request without sending it; following oneself would put two actions on
// one profile, which fails before any request.
func ExampleWriteTx() {
	type Profile struct {
		_         struct{} `tablemap:"Profile" pk:"USER#{username}" sk:"PROFILE"`
		Username  string   `dynamo:"username"`
		Followers int      `dynamo:"followers,omitempty"`
		Following int      `dynamo:"following,omitempty"`
	}
	type Follow struct {
		_        struct{} `tablemap:"Follow" pk:"USER#{follower}" sk:"FOLLOWS#{followed}"`
		Follower string   `dynamo:"follower"`
		Followed string   `dynamo:"followed"`
	}
	tbl := tablemap.NewTable(nil, "app") // a *dynamodb.Client in real use
	profiles := tablemap.MustDefine[Profile](tbl)
	follows := tablemap.MustDefine[Follow](tbl)

	follow := func(a, b string) *tablemap.WriteTx {
		return tbl.WriteTx().
			Put(follows.Put(Follow{Follower: a, Followed: b}).IfNotExists()).
			Update(profiles.Update(Profile{Username: a}).Incr("following", 1)).
			Update(profiles.Update(Profile{Username: b}).Incr("followers", 1))
	}
	in, err := follow("ann", "bob").Token("follow-ann-bob").Params()
	if err != nil {
		panic(err)
	}
	fmt.Println("token", aws.ToString(in.ClientRequestToken))
	for _, it := range in.TransactItems {
		switch {
		case it.Put != nil:
			fmt.Println("Put   ", aws.ToString(it.Put.ConditionExpression))
		case it.Update != nil:
			fmt.Println("Update", aws.ToString(it.Update.UpdateExpression), "IF", aws.ToString(it.Update.ConditionExpression))
		}
	}

	err = follow("ann", "ann").Run(context.Background()) // refused before sending
	fmt.Println(errors.Is(err, tablemap.ErrInvalidTx))
	fmt.Println(err)
	// Output:
	// token follow-ann-bob
	// Put    attribute_not_exists (#0)
	// Update ADD #1 :1
	//  IF #0 = :0
	// Update ADD #1 :1
	//  IF #0 = :0
	// true
	// tablemap: WriteTx: actions 1 (Update Profile) and 2 (Update Profile) are on one item {PK "USER#ann" SK "PROFILE"}; DynamoDB allows one action per item: invalid transaction
}

// A decrement guards the counter: it applies only while the counter is at
// least the amount taken, so it never goes below zero.
func ExampleUpdate_Incr() {
	type Profile struct {
		_         struct{} `tablemap:"Profile" pk:"USER#{username}" sk:"PROFILE"`
		Username  string   `dynamo:"username"`
		Followers int      `dynamo:"followers,omitempty"`
	}
	profiles := tablemap.MustDefine[Profile](tablemap.NewTable(nil, "app"))
	in, err := profiles.Update(Profile{Username: "bob"}).Incr("followers", -1).Params()
	if err != nil {
		panic(err)
	}
	fmt.Print(aws.ToString(in.UpdateExpression))
	fmt.Println(aws.ToString(in.ConditionExpression))
	for _, name := range []string{":1", ":2"} {
		fmt.Println(name, in.ExpressionAttributeValues[name].(*types.AttributeValueMemberN).Value)
	}
	// Output:
	// ADD #1 :2
	// (#0 = :0) AND (#1 >= :1)
	// :1 1
	// :2 -1
}
