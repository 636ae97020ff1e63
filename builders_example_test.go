package tablemap_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/tablemap/tablemap"
)

// Account is the entity of the builder examples: a user's profile, with
// optimistic locking.
type Account struct {
	_        struct{} `tablemap:"Account" pk:"ACCOUNT#{username}" sk:"PROFILE"`
	Username string   `dynamo:"username"`
	Plan     string   `dynamo:"plan"`
	Credits  int      `dynamo:"credits"`
	Version  int      `dynamo:"v,version"`
}

// Visit is a page view in a user's partition, newest last.
type Visit struct {
	_        struct{}  `tablemap:"Visit" pk:"ACCOUNT#{username}" sk:"VISIT#{at}"`
	Username string    `dynamo:"username"`
	At       time.Time `dynamo:"at"`
	Page     string    `dynamo:"page"`
}

func ExamplePut_IfNotExists() {
	tbl := tablemap.NewTable(nil, "app") // a *dynamodb.Client in real use
	visits := tablemap.MustDefine[Visit](tbl)

	at := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	in, err := visits.Put(Visit{Username: "ann", At: at, Page: "/"}).IfNotExists().Params()
	if err != nil {
		panic(err)
	}
	fmt.Println(*in.ConditionExpression, in.ExpressionAttributeNames)
	// Output:
	// attribute_not_exists (#0) map[#0:PK]
}

func ExamplePut_Value() {
	tbl := tablemap.NewTable(nil, "app")
	accounts := tablemap.MustDefine[Account](tbl)

	// A new account: version 0 expects no item, and is written as 1.
	v, err := accounts.Put(Account{Username: "ann", Plan: "free"}).Value()
	if err != nil {
		panic(err)
	}
	fmt.Println("version written:", v.Version)
	// Output:
	// version written: 1
}

func ExamplePut_If() {
	tbl := tablemap.NewTable(nil, "app")
	accounts := tablemap.MustDefine[Account](tbl)

	// Replace version 3 only, and only while the plan is still "trial".
	in, err := accounts.Put(Account{Username: "ann", Plan: "pro", Version: 3}).
		If(expression.Name("plan").Equal(expression.Value("trial"))).
		Params()
	if err != nil {
		panic(err)
	}
	fmt.Println(readable(in.ConditionExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues))
	// Output:
	// (v = 3) AND ((attribute_not_exists (PK)) OR (_type = "Account")) AND (plan = "trial")
}

func ExampleUpdate_Set() {
	tbl := tablemap.NewTable(nil, "app")
	accounts := tablemap.MustDefine[Account](tbl)

	in, err := accounts.Update(Account{Username: "ann", Version: 3}).Set("plan", "pro").Params()
	if err != nil {
		panic(err)
	}
	fmt.Print(readable(in.UpdateExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues))
	fmt.Println(readable(in.ConditionExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues))
	// Output:
	// ADD v 1
	// SET plan = "pro"
	// (_type = "Account") AND (v = 3)
}

func ExampleUpdate_Remove() {
	tbl := tablemap.NewTable(nil, "app")
	visits := tablemap.MustDefine[Visit](tbl)

	at := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	in, err := visits.Update(Visit{Username: "ann", At: at}).Remove("page").Params()
	if err != nil {
		panic(err)
	}
	fmt.Print(readable(in.UpdateExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues))
	// Output:
	// REMOVE page
}

func ExampleDelete_If() {
	tbl := tablemap.NewTable(nil, "app")
	accounts := tablemap.MustDefine[Account](tbl)

	// Close ann's account only when no credits are left.
	in, err := accounts.Delete(Account{Username: "ann"}).If(expression.Name("credits").Equal(expression.Value(0))).Params()
	if err != nil {
		panic(err)
	}
	fmt.Println(readable(in.ConditionExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues))
	fmt.Println("returns:", in.ReturnValues)
	// Output:
	// ((attribute_not_exists (PK)) OR (_type = "Account")) AND (credits = 0)
	// returns: ALL_OLD
}

func ExampleCheck_Exists() {
	tbl := tablemap.NewTable(nil, "app")
	accounts := tablemap.MustDefine[Account](tbl)

	// A condition of a WriteTx: ann's account exists, at version 3.
	cc, err := accounts.Check(Account{Username: "ann", Version: 3}).Exists().Params()
	if err != nil {
		panic(err)
	}
	fmt.Println(readable(cc.ConditionExpression, cc.ExpressionAttributeNames, cc.ExpressionAttributeValues))
	// Output:
	// (_type = "Account") AND (v = 3)
}

func ExampleGet_Project() {
	tbl := tablemap.NewTable(nil, "app")
	accounts := tablemap.MustDefine[Account](tbl)

	in, err := accounts.Get(Account{Username: "ann"}).Project("plan").Consistent().Params()
	if err != nil {
		panic(err)
	}
	// The type attribute comes along: a Get checks the item is an Account.
	fmt.Println(readable(in.ProjectionExpression, in.ExpressionAttributeNames, nil), aws.ToBool(in.ConsistentRead))
	// Output:
	// _type, plan true
}

func ExampleQuery_Newest() {
	tbl := tablemap.NewTable(nil, "app")
	visits := tablemap.MustDefine[Visit](tbl)

	in, err := visits.Query(Visit{Username: "ann"}).Newest().Limit(10).Params()
	if err != nil {
		panic(err)
	}
	fmt.Println(readable(in.KeyConditionExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues))
	fmt.Println("forward:", aws.ToBool(in.ScanIndexForward), "limit:", aws.ToInt32(in.Limit))
	// Output:
	// (PK = "ACCOUNT#ann") AND (begins_with (SK, "VISIT#"))
	// forward: false limit: 10
}

func ExampleQuery_SKBetween() {
	tbl := tablemap.NewTable(nil, "app")
	visits := tablemap.MustDefine[Visit](tbl)

	june := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	in, err := visits.Query(Visit{Username: "ann"}).
		SKBetween(Visit{At: june}, Visit{At: june.AddDate(0, 1, 0).Add(-time.Nanosecond)}).
		Params()
	if err != nil {
		panic(err)
	}
	fmt.Println(readable(in.KeyConditionExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues))
	// Output:
	// (PK = "ACCOUNT#ann") AND (SK BETWEEN "VISIT#2025-06-01T00:00:00.000000000Z" AND "VISIT#2025-06-30T23:59:59.999999999Z")
}

func ExampleQuery_Filter() {
	tbl := tablemap.NewTable(nil, "app")
	visits := tablemap.MustDefine[Visit](tbl)

	in, err := visits.Query(Visit{Username: "ann"}).Filter(expression.Name("page").BeginsWith("/docs/")).Params()
	if err != nil {
		panic(err)
	}
	fmt.Println(readable(in.FilterExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues))

	// A filter on an attribute Visit does not have could never hold.
	_, err = visits.Query(Visit{Username: "ann"}).Filter(expression.Name("path").BeginsWith("/docs/")).Params()
	fmt.Println(errors.Is(err, tablemap.ErrInvalidCondition))
	// Output:
	// (_type = "Visit") AND (begins_with (page, "/docs/"))
	// true
}

func ExampleScan_Segments() {
	tbl := tablemap.NewTable(nil, "app")
	accounts := tablemap.MustDefine[Account](tbl)

	// All() scans 8 segments in parallel; Params shows segment 0.
	in, err := accounts.Scan().Segments(8).Params()
	if err != nil {
		panic(err)
	}
	fmt.Println(aws.ToInt32(in.Segment), "of", aws.ToInt32(in.TotalSegments))
	// Output:
	// 0 of 8
}

func ExampleReadTx() {
	tbl := tablemap.NewTable(nil, "app")
	accounts := tablemap.MustDefine[Account](tbl)

	rt := tbl.ReadTx()
	ann := tablemap.TxGet(rt, accounts.Get(Account{Username: "ann"}))
	tablemap.TxGet(rt, accounts.Get(Account{Username: "bob"}))
	in, err := rt.Params()
	if err != nil {
		panic(err)
	}
	for _, it := range in.TransactItems {
		fmt.Println(avText(it.Get.Key["PK"]))
	}
	_, err = ann.Value() // with a client: after rt.Run(ctx)
	fmt.Println(err != nil)
	// Output:
	// "ACCOUNT#ann"
	// "ACCOUNT#bob"
	// true
}

func ExampleEntity_Key() {
	tbl := tablemap.NewTable(nil, "app")
	visits := tablemap.MustDefine[Visit](tbl)

	k, err := visits.Key(Visit{Username: "ann#admin", At: time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)})
	if err != nil {
		panic(err)
	}
	fmt.Println(k.PK)
	fmt.Println(k.SK)
	back, err := visits.ParseKey(k.PK, k.SK)
	if err != nil {
		panic(err)
	}
	fmt.Println(back.Username)

	// No username, no key.
	_, err = visits.Key(Visit{At: time.Now()})
	fmt.Println(errors.Is(err, tablemap.ErrInvalidKey))
	// Output:
	// ACCOUNT#ann%23admin
	// VISIT#2025-06-01T09:00:00.000000000Z
	// ann#admin
	// true
}

func ExampleNewTable_noClient() {
	tbl := tablemap.NewTable(nil, "app")
	accounts := tablemap.MustDefine[Account](tbl)

	// Params works without a client; Run does not, and sends nothing.
	_, err := accounts.Get(Account{Username: "ann"}).Params()
	fmt.Println(err)
	_, err = accounts.Get(Account{Username: "ann"}).Run(ctx)
	fmt.Println(errors.Is(err, tablemap.ErrNoClient))
	// Output:
	// <nil>
	// true
}
