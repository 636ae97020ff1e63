package engine

import (
	"errors"
	"testing"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// postFilter is the filter of a read of posts at now 1000: the type, and
// the expiry rule (a post without expires, or expiring after now).
const postFilter = "(#0 = :0) AND ((attribute_not_exists (#1)) OR (#1 > :1))"

// TestQueryInputPartition: a partial value with no sort key field reads
// the partition's keys of its sort key template's literal prefix, keeping
// live posts only.
func TestQueryInputPartition(t *testing.T) {
	post, _ := readTable(t, nil)
	got := postQuery(t, post, ReadOptions{}, nil).QueryInput(nil, 0)
	want := &dynamodb.QueryInput{
		TableName:                 aws.String("app"),
		KeyConditionExpression:    aws.String("(#2 = :2) AND (begins_with (#3, :3))"),
		FilterExpression:          aws.String(postFilter),
		ExpressionAttributeNames:  map[string]string{"#0": "_type", "#1": "expires", "#2": "PK", "#3": "SK"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":0": str("Post"), ":1": num("1000"), ":2": str("USER#ann"), ":3": str("POST#")},
	}
	diff(t, "input", want, got)
}

// TestQueryInputFullSortKey: a value setting every sort key field is the
// full key, matched with equality.
func TestQueryInputFullSortKey(t *testing.T) {
	post, _ := readTable(t, nil)
	v := rpost{User: "ann", ID: "7"}
	r, err := NewQuery(post, ReadOptions{}, unsafe.Pointer(&v), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := r.QueryInput(nil, 0)
	diff(t, "key condition", "(#2 = :2) AND (#3 = :3)", aws.ToString(got.KeyConditionExpression))
	diff(t, "sort key", str("POST#7"), got.ExpressionAttributeValues[":3"])
	diff(t, "sort key name", "SK", got.ExpressionAttributeNames["#3"])
}

// TestQueryInputBeginsWith: SkBeginsWith compares the last given field as
// a string prefix.
func TestQueryInputBeginsWith(t *testing.T) {
	post, _ := readTable(t, nil)
	a := rpost{ID: "4"}
	got := postQuery(t, post, ReadOptions{}, &SkArg{Op: SkBeginsWith, A: unsafe.Pointer(&a), B: unsafe.Pointer(&a)}).QueryInput(nil, 0)
	diff(t, "key condition", "(#2 = :2) AND (begins_with (#3, :3))", aws.ToString(got.KeyConditionExpression))
	diff(t, "prefix", str("POST#4"), got.ExpressionAttributeValues[":3"])
}

// TestQueryInputBetween: SkBetween bounds both operands.
func TestQueryInputBetween(t *testing.T) {
	post, _ := readTable(t, nil)
	lo, hi := rpost{ID: "2"}, rpost{ID: "5"}
	got := postQuery(t, post, ReadOptions{}, &SkArg{Op: SkBetween, A: unsafe.Pointer(&lo), B: unsafe.Pointer(&hi)}).QueryInput(nil, 0)
	diff(t, "key condition", "(#2 = :2) AND (#3 BETWEEN :3 AND :4)", aws.ToString(got.KeyConditionExpression))
	diff(t, "bounds", []types.AttributeValue{str("POST#2"), str("POST#5")},
		[]types.AttributeValue{got.ExpressionAttributeValues[":3"], got.ExpressionAttributeValues[":4"]})
}

// TestQueryInputLess: SkLess compares with <.
func TestQueryInputLess(t *testing.T) {
	post, _ := readTable(t, nil)
	a := rpost{ID: "9"}
	got := postQuery(t, post, ReadOptions{}, &SkArg{Op: SkLess, A: unsafe.Pointer(&a), B: unsafe.Pointer(&a)}).QueryInput(nil, 0)
	diff(t, "key condition", "(#2 = :2) AND (#3 < :3)", aws.ToString(got.KeyConditionExpression))
	diff(t, "bound", str("POST#9"), got.ExpressionAttributeValues[":3"])
}

// TestQueryInputOrderConsistentLimit: Desc, Consistent and the page limit
// reach the request.
func TestQueryInputOrderConsistentLimit(t *testing.T) {
	post, _ := readTable(t, nil)
	r := postQuery(t, post, ReadOptions{Desc: true, Consistent: true, Limit: 3}, nil)
	got := r.QueryInput(keyOfPost("1"), r.Limit)
	diff(t, "order", aws.Bool(false), got.ScanIndexForward)
	diff(t, "consistent", aws.Bool(true), got.ConsistentRead)
	diff(t, "limit", aws.Int32(3), got.Limit)
	diff(t, "start", keyOfPost("1"), got.ExclusiveStartKey)
}

// TestQueryInputIndex: a query of a GSI names it and compares its key
// attributes.
func TestQueryInputIndex(t *testing.T) {
	post, _ := readTable(t, nil)
	got := postQuery(t, post, ReadOptions{Index: "GSI1"}, nil).QueryInput(nil, 0)
	diff(t, "index", aws.String("GSI1"), got.IndexName)
	diff(t, "partition name", "GSI1PK", got.ExpressionAttributeNames["#2"])
	diff(t, "partition", str("TAG#go"), got.ExpressionAttributeValues[":2"])
}

// TestQueryInputProjection: a projection reads the type and key
// attributes (the table's and the index's) before the caller's.
func TestQueryInputProjection(t *testing.T) {
	post, _ := readTable(t, nil)
	got := postQuery(t, post, ReadOptions{Index: "GSI1", Project: []string{"body"}}, nil).QueryInput(nil, 0)
	// Names are numbered once: the index's partition key is #2 in the key
	// condition and the projection alike.
	diff(t, "projection", "#0, #3, #4, #2, #5, #6", aws.ToString(got.ProjectionExpression))
	diff(t, "names", map[string]string{"#0": "_type", "#1": "expires", "#2": "GSI1PK", "#3": "PK", "#4": "SK", "#5": "GSI1SK", "#6": "body"},
		got.ExpressionAttributeNames)
}

// TestQueryInputIncludeExpired: ExpiredOK drops the expiry rule, and with
// it the now value.
func TestQueryInputIncludeExpired(t *testing.T) {
	post, _ := readTable(t, nil)
	got := postQuery(t, post, ReadOptions{ExpiredOK: true}, nil).QueryInput(nil, 0)
	diff(t, "filter", "#0 = :0", aws.ToString(got.FilterExpression))
	diff(t, "values", map[string]types.AttributeValue{":0": str("Post"), ":1": str("USER#ann"), ":2": str("POST#")}, got.ExpressionAttributeValues)
}

// TestQueryInputNowPerRequest: the expiry rule compares with the time a
// request is made, not the time the query was built.
func TestQueryInputNowPerRequest(t *testing.T) {
	post, _ := readTable(t, nil)
	r := postQuery(t, post, ReadOptions{}, nil)
	first := r.QueryInput(nil, 0)
	r.T.Now = func() time.Time { return time.Unix(2000, 0) }
	second := r.QueryInput(nil, 0)
	diff(t, "now at build", num("1000"), first.ExpressionAttributeValues[":1"])
	diff(t, "now later", num("2000"), second.ExpressionAttributeValues[":1"])
}

// TestQueryInputUserFilter: the caller's filter is ANDed after the type
// and expiry rules.
func TestQueryInputUserFilter(t *testing.T) {
	post, _ := readTable(t, nil)
	f := expression.Name("tag").Equal(expression.Value("go"))
	got := postQuery(t, post, ReadOptions{Filter: &f}, nil).QueryInput(nil, 0)
	diff(t, "filter", "(#0 = :0) AND (((attribute_not_exists (#1)) OR (#1 > :1)) AND (#2 = :2))", aws.ToString(got.FilterExpression))
	diff(t, "filter value", str("go"), got.ExpressionAttributeValues[":2"])
}

// TestQueryShapeShared: queries that differ only in key values share one
// cached shape; the caller's filter makes a shape of its own.
func TestQueryShapeShared(t *testing.T) {
	post, _ := readTable(t, nil)
	ann := postQuery(t, post, ReadOptions{}, nil)
	bob := rpost{User: "bob"}
	other, err := NewQuery(post, ReadOptions{}, unsafe.Pointer(&bob), nil)
	if err != nil {
		t.Fatal(err)
	}
	if ann.itemsRequest().query.KeyConditionExpression != other.itemsRequest().query.KeyConditionExpression {
		t.Error("two partitions of one shape built two key conditions")
	}
	diff(t, "partition", str("USER#bob"), other.QueryInput(nil, 0).ExpressionAttributeValues[":2"])
	f := expression.Name("tag").Equal(expression.Value("go"))
	filtered := postQuery(t, post, ReadOptions{Filter: &f}, nil)
	if filtered.itemsRequest().query.FilterExpression == ann.itemsRequest().query.FilterExpression {
		t.Error("a query with a filter shares the cached shape")
	}
}

// TestCollectionInputSpan: a collection reads only the sort key span of
// its entities' templates.
func TestCollectionInputSpan(t *testing.T) {
	post, comment := readTable(t, nil)
	v := rpost{User: "ann"}
	r, err := NewCollection([]*Schema{post, comment}, ReadOptions{}, unsafe.Pointer(&v), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := r.QueryInput(nil, 0)
	// Values are never deduplicated: Comment is :1 and :3.
	diff(t, "key condition", "(#2 = :4) AND (#3 BETWEEN :5 AND :6)", aws.ToString(got.KeyConditionExpression))
	diff(t, "span", []types.AttributeValue{str("USER#ann"), str("COMMENT#"), str("POST$")},
		[]types.AttributeValue{got.ExpressionAttributeValues[":4"], got.ExpressionAttributeValues[":5"], got.ExpressionAttributeValues[":6"]})
	diff(t, "filter", "(#0 IN (:0, :1)) AND (((attribute_not_exists (#1)) OR (#1 > :2)) OR (#0 IN (:3)))",
		aws.ToString(got.FilterExpression))
}

// TestCollectionExplicitSortKey: a sort key condition replaces the span.
func TestCollectionExplicitSortKey(t *testing.T) {
	post, comment := readTable(t, nil)
	v, a := rpost{User: "ann"}, rpost{ID: "3"}
	r, err := NewCollection([]*Schema{post, comment}, ReadOptions{}, unsafe.Pointer(&v), &SkArg{Op: SkGreater, A: unsafe.Pointer(&a), B: unsafe.Pointer(&a)})
	if err != nil {
		t.Fatal(err)
	}
	got := r.QueryInput(nil, 0)
	diff(t, "key condition", "(#2 = :4) AND (#3 > :5)", aws.ToString(got.KeyConditionExpression))
	diff(t, "bound", str("POST#3"), got.ExpressionAttributeValues[":5"])
}

// TestCollectionTwiceRefused: an entity twice in a collection is an error.
func TestCollectionTwiceRefused(t *testing.T) {
	post, _ := readTable(t, nil)
	v := rpost{User: "ann"}
	_, err := NewCollection([]*Schema{post, post}, ReadOptions{}, unsafe.Pointer(&v), nil)
	var qe *QueryError
	if !errors.As(err, &qe) || qe.Op != "Collection" || qe.Entity != "Post+Post" {
		t.Errorf("error %v, want a Collection QueryError of Post+Post", err)
	}
}

// TestScanInputSegments: a scan has no key condition, and each segment's
// request names its segment.
func TestScanInputSegments(t *testing.T) {
	post, _ := readTable(t, nil)
	r, err := NewScan(post, ReadOptions{Segments: 3, Consistent: true})
	if err != nil {
		t.Fatal(err)
	}
	want := &dynamodb.ScanInput{
		TableName:                 aws.String("app"),
		ConsistentRead:            aws.Bool(true),
		FilterExpression:          aws.String(postFilter),
		ExpressionAttributeNames:  map[string]string{"#0": "_type", "#1": "expires"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":0": str("Post"), ":1": num("1000")},
		Segment:                   aws.Int32(2),
		TotalSegments:             aws.Int32(3),
	}
	diff(t, "segment 2", want, r.ScanInput(2, nil, 0))
}

// TestScanInputOneSegment: a single-segment scan sends no segment.
func TestScanInputOneSegment(t *testing.T) {
	post, _ := readTable(t, nil)
	r, err := NewScan(post, ReadOptions{Segments: 1, Index: "GSI1", Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	got := r.ScanInput(0, nil, r.Limit)
	if got.Segment != nil || got.TotalSegments != nil {
		t.Errorf("segment %v of %v, want none", got.Segment, got.TotalSegments)
	}
	diff(t, "index", aws.String("GSI1"), got.IndexName)
	diff(t, "limit", aws.Int32(5), got.Limit)
}

// TestConsistentIndexRefused: global secondary indexes have no consistent
// reads.
func TestConsistentIndexRefused(t *testing.T) {
	post, _ := readTable(t, nil)
	if _, err := NewScan(post, ReadOptions{Index: "GSI1", Consistent: true}); err == nil {
		t.Error("consistent scan of a GSI: no error")
	}
}

// TestUnknownIndexRefused: an index the entity does not have is
// ErrInvalidKey, for scans and queries alike.
func TestUnknownIndexRefused(t *testing.T) {
	post, _ := readTable(t, nil)
	if _, err := NewScan(post, ReadOptions{Index: "GSI9"}); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("scan: error %v, want ErrInvalidKey", err)
	}
	v := rpost{User: "ann"}
	if _, err := NewQuery(post, ReadOptions{Index: "GSI9"}, unsafe.Pointer(&v), nil); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("query: error %v, want ErrInvalidKey", err)
	}
}
