package tablemap_test

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap"
)

// expand returns expr with its placeholders replaced by the names and
// values they stand for.
func expand(expr string, names map[string]string, values map[string]types.AttributeValue) string {
	var pairs []string
	for k, v := range names {
		pairs = append(pairs, k, v)
	}
	for k, v := range values {
		switch v := v.(type) {
		case *types.AttributeValueMemberS:
			pairs = append(pairs, k, fmt.Sprintf("%q", v.Value))
		case *types.AttributeValueMemberN:
			pairs = append(pairs, k, v.Value)
		}
	}
	// Longest placeholders first, so ":1" does not replace part of ":10".
	idx := make([]int, len(pairs)/2)
	for i := range idx {
		idx[i] = 2 * i
	}
	sort.Slice(idx, func(a, b int) bool { return len(pairs[idx[a]]) > len(pairs[idx[b]]) })
	var sorted []string
	for _, i := range idx {
		sorted = append(sorted, pairs[i], pairs[i+1])
	}
	return strings.NewReplacer(sorted...).Replace(expr)
}

// A query of an entity with a ttl field leaves expired items out with a
// filter in its own request, comparing the ttl attribute with the table's
// clock; IncludeExpired reads them too. Nothing is sent (the table has no
// client).
func ExampleQuery_IncludeExpired() {
	type Session struct {
		_       struct{}  `tablemap:"Session" pk:"USER#{user}" sk:"SESSION#{id}"`
		User    string    `dynamo:"user"`
		ID      string    `dynamo:"id"`
		Expires time.Time `dynamo:"expires,ttl"`
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) // 1767225600
	tbl := tablemap.NewTable(nil, "app", tablemap.WithClock(func() time.Time { return now }))
	sessions := tablemap.MustDefine[Session](tbl)

	in, err := sessions.Query(Session{User: "ann"}).Params()
	if err != nil {
		panic(err)
	}
	fmt.Println(expand(*in.FilterExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues))

	in, err = sessions.Query(Session{User: "ann"}).IncludeExpired().Params()
	if err != nil {
		panic(err)
	}
	fmt.Println(expand(*in.FilterExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues))
	// Output:
	// (_type = "Session") AND ((attribute_not_exists (expires)) OR (expires > 1767225600))
	// _type = "Session"
}
