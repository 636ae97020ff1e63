package tablemap

import (
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ErrInvalidPattern reports an access pattern Design.Pattern refuses: no
// name, a name used twice, no request, a request of another table, or a
// value that is no request.
var ErrInvalidPattern = errors.New("invalid access pattern")

// An AccessPattern is a named access pattern of a Design and the requests
// that serve it, one per DynamoDB call: one for a Get, a Put, a page of a
// Query or a transaction; n for work spread over n requests.
type AccessPattern struct {
	Name     string
	Requests []PatternRequest
}

// A PatternRequest is one DynamoDB request of an access pattern, as read
// from the request's SDK input, with its expressions' placeholders
// replaced by the attribute names and values they stand for.
type PatternRequest struct {
	// Operation is the API operation (GetItem, PutItem, UpdateItem,
	// DeleteItem, Query, Scan, TransactWriteItems, TransactGetItems,
	// BatchGetItem, BatchWriteItem), or the action inside a transaction or
	// batch (Put, Update, Delete, ConditionCheck, Get).
	Operation string
	Index     string // Query, Scan: the index read, "" for the table
	// Key is the item's key, `PK = "USER#ann", SK = "PROFILE#ann"`, of an
	// item request.
	Key          string
	KeyCondition string // Query
	Filter       string // Query, Scan
	Condition    string // writes and condition checks
	Update       string // UpdateItem: the update expression
	Projection   string // the attributes read, "" for all
	Descending   bool   // Query: ScanIndexForward false
	Limit        int32  // Query, Scan: the page size, 0 when unset
	Consistent   bool   // a strongly consistent read
	Returns      string // a write's ReturnValues other than NONE: ALL_OLD, ALL_NEW …
	// Item is the item a Put writes; the renderers show these as sample
	// data.
	Item    map[string]types.AttributeValue
	Actions []PatternRequest // the actions of a transaction or batch, in order
}

// Pattern adds the access pattern name to the design, served by requests:
// one value per DynamoDB request the pattern sends, each a builder with a
// Params method (Get, Put, Update, Delete, Query, Scan, Collect2/3,
// WriteTx, ReadTx) or the SDK input such a method returns (or a
// BatchGetItemInput or BatchWriteItemInput). The requests
// are read from their Params, so the design shows the request the code
// sends:
//
//	d := tbl.Design()
//	err := d.Pattern("a user's recent photos", photos.Query(Photo{Username: "ann"}).Newest())
//
// A builder's error is returned as is. A pattern without a name or
// requests, a name given twice, a request on another table or a value
// that is no request is refused with ErrInvalidPattern; the design is then
// unchanged.
func (d *Design) Pattern(name string, requests ...any) error {
	switch {
	case name == "":
		return fmt.Errorf("tablemap: design of %s: pattern with no name: %w", d.Table.Name, ErrInvalidPattern)
	case len(requests) == 0:
		return fmt.Errorf("tablemap: design of %s: pattern %q has no request: %w", d.Table.Name, name, ErrInvalidPattern)
	case slices.ContainsFunc(d.Patterns, func(p AccessPattern) bool { return p.Name == name }):
		return fmt.Errorf("tablemap: design of %s: pattern %q is already there: %w", d.Table.Name, name, ErrInvalidPattern)
	}
	p := AccessPattern{Name: name}
	for i, r := range requests {
		pr, table, err := d.request(r)
		if err != nil {
			return fmt.Errorf("tablemap: design of %s: pattern %q, request %d: %w", d.Table.Name, name, i+1, err)
		}
		if table != d.Table.Name {
			return fmt.Errorf("tablemap: design of %s: pattern %q, request %d is on table %q: %w", d.Table.Name, name, i+1, table, ErrInvalidPattern)
		}
		p.Requests = append(p.Requests, pr)
	}
	d.Patterns = append(d.Patterns, p)
	return nil
}

// request reads one request of a pattern: a builder's Params, or an SDK
// input. It returns the request and the name of its table.
func (d *Design) request(r any) (PatternRequest, string, error) {
	in, err := params(r)
	if err != nil {
		return PatternRequest{}, "", err
	}
	switch in := in.(type) {
	case *dynamodb.GetItemInput:
		x := exprNames{in.ExpressionAttributeNames, nil}
		return PatternRequest{Operation: "GetItem", Key: d.key(in.Key), Projection: x.sub(in.ProjectionExpression),
			Consistent: aws.ToBool(in.ConsistentRead)}, aws.ToString(in.TableName), nil
	case *dynamodb.PutItemInput:
		x := exprNames{in.ExpressionAttributeNames, in.ExpressionAttributeValues}
		return PatternRequest{Operation: "PutItem", Key: d.key(in.Item), Condition: x.sub(in.ConditionExpression), Item: in.Item,
			Returns: returns(in.ReturnValues)}, aws.ToString(in.TableName), nil
	case *dynamodb.UpdateItemInput:
		x := exprNames{in.ExpressionAttributeNames, in.ExpressionAttributeValues}
		return PatternRequest{Operation: "UpdateItem", Key: d.key(in.Key), Update: x.sub(in.UpdateExpression),
			Condition: x.sub(in.ConditionExpression), Returns: returns(in.ReturnValues)}, aws.ToString(in.TableName), nil
	case *dynamodb.DeleteItemInput:
		x := exprNames{in.ExpressionAttributeNames, in.ExpressionAttributeValues}
		return PatternRequest{Operation: "DeleteItem", Key: d.key(in.Key), Condition: x.sub(in.ConditionExpression),
			Returns: returns(in.ReturnValues)}, aws.ToString(in.TableName), nil
	case *dynamodb.QueryInput:
		x := exprNames{in.ExpressionAttributeNames, in.ExpressionAttributeValues}
		return PatternRequest{Operation: "Query", Index: aws.ToString(in.IndexName), KeyCondition: x.sub(in.KeyConditionExpression),
			Filter: x.sub(in.FilterExpression), Projection: x.sub(in.ProjectionExpression),
			Descending: in.ScanIndexForward != nil && !*in.ScanIndexForward, Limit: aws.ToInt32(in.Limit),
			Consistent: aws.ToBool(in.ConsistentRead)}, aws.ToString(in.TableName), nil
	case *dynamodb.ScanInput:
		x := exprNames{in.ExpressionAttributeNames, in.ExpressionAttributeValues}
		return PatternRequest{Operation: "Scan", Index: aws.ToString(in.IndexName), Filter: x.sub(in.FilterExpression),
			Projection: x.sub(in.ProjectionExpression), Limit: aws.ToInt32(in.Limit),
			Consistent: aws.ToBool(in.ConsistentRead)}, aws.ToString(in.TableName), nil
	case *dynamodb.TransactWriteItemsInput:
		return d.writeTx(in)
	case *dynamodb.TransactGetItemsInput:
		return d.readTx(in)
	case *dynamodb.BatchGetItemInput:
		return d.batchGet(in)
	case *dynamodb.BatchWriteItemInput:
		return d.batchWrite(in)
	}
	return PatternRequest{}, "", fmt.Errorf("a %T is no request: %w", in, ErrInvalidPattern)
}

func returns(v types.ReturnValue) string {
	if v == types.ReturnValueNone {
		return ""
	}
	return string(v)
}

// params returns the SDK input of r: r itself, or what its Params returns.
func params(r any) (any, error) {
	switch b := r.(type) {
	case interface {
		Params() (*dynamodb.GetItemInput, error)
	}:
		return b.Params()
	case interface {
		Params() (*dynamodb.PutItemInput, error)
	}:
		return b.Params()
	case interface {
		Params() (*dynamodb.UpdateItemInput, error)
	}:
		return b.Params()
	case interface {
		Params() (*dynamodb.DeleteItemInput, error)
	}:
		return b.Params()
	case interface {
		Params() (*dynamodb.QueryInput, error)
	}:
		return b.Params()
	case interface {
		Params() (*dynamodb.ScanInput, error)
	}:
		return b.Params()
	case interface {
		Params() (*dynamodb.TransactWriteItemsInput, error)
	}:
		return b.Params()
	case interface {
		Params() (*dynamodb.TransactGetItemsInput, error)
	}:
		return b.Params()
	case nil:
		return nil, fmt.Errorf("nil request: %w", ErrInvalidPattern)
	}
	return r, nil
}

func (d *Design) writeTx(in *dynamodb.TransactWriteItemsInput) (PatternRequest, string, error) {
	p := PatternRequest{Operation: "TransactWriteItems"}
	var table string
	for _, it := range in.TransactItems {
		var a PatternRequest
		var tbl *string
		switch {
		case it.Put != nil:
			x := exprNames{it.Put.ExpressionAttributeNames, it.Put.ExpressionAttributeValues}
			a = PatternRequest{Operation: "Put", Key: d.key(it.Put.Item), Condition: x.sub(it.Put.ConditionExpression), Item: it.Put.Item}
			tbl = it.Put.TableName
		case it.Update != nil:
			x := exprNames{it.Update.ExpressionAttributeNames, it.Update.ExpressionAttributeValues}
			a = PatternRequest{Operation: "Update", Key: d.key(it.Update.Key), Update: x.sub(it.Update.UpdateExpression),
				Condition: x.sub(it.Update.ConditionExpression)}
			tbl = it.Update.TableName
		case it.Delete != nil:
			x := exprNames{it.Delete.ExpressionAttributeNames, it.Delete.ExpressionAttributeValues}
			a = PatternRequest{Operation: "Delete", Key: d.key(it.Delete.Key), Condition: x.sub(it.Delete.ConditionExpression)}
			tbl = it.Delete.TableName
		case it.ConditionCheck != nil:
			x := exprNames{it.ConditionCheck.ExpressionAttributeNames, it.ConditionCheck.ExpressionAttributeValues}
			a = PatternRequest{Operation: "ConditionCheck", Key: d.key(it.ConditionCheck.Key), Condition: x.sub(it.ConditionCheck.ConditionExpression)}
			tbl = it.ConditionCheck.TableName
		default:
			return p, "", fmt.Errorf("a transaction action with no operation: %w", ErrInvalidPattern)
		}
		if err := sameTable(&table, aws.ToString(tbl)); err != nil {
			return p, "", err
		}
		p.Actions = append(p.Actions, a)
	}
	return p, table, nil
}

func (d *Design) readTx(in *dynamodb.TransactGetItemsInput) (PatternRequest, string, error) {
	p := PatternRequest{Operation: "TransactGetItems"}
	var table string
	for _, it := range in.TransactItems {
		if it.Get == nil {
			return p, "", fmt.Errorf("a transaction action with no Get: %w", ErrInvalidPattern)
		}
		x := exprNames{it.Get.ExpressionAttributeNames, nil}
		p.Actions = append(p.Actions, PatternRequest{Operation: "Get", Key: d.key(it.Get.Key), Projection: x.sub(it.Get.ProjectionExpression)})
		if err := sameTable(&table, aws.ToString(it.Get.TableName)); err != nil {
			return p, "", err
		}
	}
	return p, table, nil
}

func (d *Design) batchGet(in *dynamodb.BatchGetItemInput) (PatternRequest, string, error) {
	p := PatternRequest{Operation: "BatchGetItem"}
	var table string
	for _, name := range sortedNames(in.RequestItems) {
		ka := in.RequestItems[name]
		if err := sameTable(&table, name); err != nil {
			return p, "", err
		}
		x := exprNames{ka.ExpressionAttributeNames, nil}
		for _, k := range ka.Keys {
			p.Actions = append(p.Actions, PatternRequest{Operation: "Get", Key: d.key(k), Projection: x.sub(ka.ProjectionExpression),
				Consistent: aws.ToBool(ka.ConsistentRead)})
		}
	}
	return p, table, nil
}

func (d *Design) batchWrite(in *dynamodb.BatchWriteItemInput) (PatternRequest, string, error) {
	p := PatternRequest{Operation: "BatchWriteItem"}
	var table string
	for _, name := range sortedNames(in.RequestItems) {
		if err := sameTable(&table, name); err != nil {
			return p, "", err
		}
		for _, w := range in.RequestItems[name] {
			switch {
			case w.PutRequest != nil:
				p.Actions = append(p.Actions, PatternRequest{Operation: "Put", Key: d.key(w.PutRequest.Item), Item: w.PutRequest.Item})
			case w.DeleteRequest != nil:
				p.Actions = append(p.Actions, PatternRequest{Operation: "Delete", Key: d.key(w.DeleteRequest.Key)})
			default:
				return p, "", fmt.Errorf("a batch write with no operation: %w", ErrInvalidPattern)
			}
		}
	}
	return p, table, nil
}

func sortedNames[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// sameTable records the table of a transaction's first action and refuses
// an action on another: a design describes one table.
func sameTable(table *string, name string) error {
	if *table != "" && *table != name {
		return fmt.Errorf("a transaction on tables %q and %q: %w", *table, name, ErrInvalidPattern)
	}
	*table = name
	return nil
}

// key renders the table key attributes of an item or key.
func (d *Design) key(item map[string]types.AttributeValue) string {
	var parts []string
	for _, a := range []string{d.Table.PartitionKey.Name, d.Table.SortKey.Name} {
		if v, ok := item[a]; ok && a != "" {
			parts = append(parts, a+" = "+valueText(v))
		}
	}
	return strings.Join(parts, ", ")
}

// exprNames are an expression's placeholders.
type exprNames struct {
	names  map[string]string
	values map[string]types.AttributeValue
}

var placeholder = regexp.MustCompile(`[#:][A-Za-z0-9_]+`)

// sub returns the expression with each placeholder replaced by the name or
// value it stands for.
func (x exprNames) sub(expr *string) string {
	// The expression package ends some clauses with a newline.
	e := strings.TrimSpace(strings.ReplaceAll(aws.ToString(expr), "\n", " "))
	return placeholder.ReplaceAllStringFunc(e, func(p string) string {
		if p[0] == '#' {
			if n, ok := x.names[p]; ok {
				return n
			}
		} else if v, ok := x.values[p]; ok {
			return valueText(v)
		}
		return p
	})
}

// valueText renders an attribute value as a literal: a string quoted, a
// number as it is, a set in braces, a list in brackets.
func valueText(v types.AttributeValue) string {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return strconv.Quote(v.Value)
	case *types.AttributeValueMemberN:
		return v.Value
	case *types.AttributeValueMemberBOOL:
		return strconv.FormatBool(v.Value)
	case *types.AttributeValueMemberNULL:
		return "null"
	case *types.AttributeValueMemberB:
		return "b64:" + base64.StdEncoding.EncodeToString(v.Value)
	case *types.AttributeValueMemberSS:
		return "{" + strings.Join(mapText(v.Value, strconv.Quote), ", ") + "}"
	case *types.AttributeValueMemberNS:
		return "{" + strings.Join(v.Value, ", ") + "}"
	case *types.AttributeValueMemberBS:
		return "{" + strings.Join(mapText(v.Value, func(b []byte) string { return "b64:" + base64.StdEncoding.EncodeToString(b) }), ", ") + "}"
	case *types.AttributeValueMemberL:
		return "[" + strings.Join(mapText(v.Value, valueText), ", ") + "]"
	case *types.AttributeValueMemberM:
		keys := make([]string, 0, len(v.Value))
		for k := range v.Value {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			keys[i] = k + ": " + valueText(v.Value[k])
		}
		return "{" + strings.Join(keys, ", ") + "}"
	}
	return fmt.Sprintf("%T", v)
}

func mapText[T any](xs []T, f func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

// String returns the request on one line, as the Markdown sheet shows it:
// the operation and index, then the key, key condition, update, condition
// ("if"), filter, projection and options, separated by semicolons; a
// transaction's actions are joined by " + ".
//
//	Query Inverted: SK = "PHOTO#ann#01J…"; descending; limit 21
func (r PatternRequest) String() string {
	head := r.Operation
	if r.Index != "" {
		head += " " + r.Index
	}
	var parts []string
	add := func(label, s string) {
		if s != "" {
			parts = append(parts, label+s)
		}
	}
	add("", r.Key)
	add("", r.KeyCondition)
	add("", r.Update)
	add("if ", r.Condition)
	add("filter ", r.Filter)
	add("project ", r.Projection)
	if r.Descending {
		parts = append(parts, "descending")
	}
	if r.Limit > 0 {
		parts = append(parts, "limit "+strconv.Itoa(int(r.Limit)))
	}
	if r.Consistent {
		parts = append(parts, "consistent")
	}
	add("return ", r.Returns)
	if len(r.Actions) > 0 {
		acts := make([]string, len(r.Actions))
		for i, a := range r.Actions {
			acts[i] = a.String()
		}
		parts = append(parts, strings.Join(acts, " + "))
	}
	if len(parts) == 0 {
		return head
	}
	return head + ": " + strings.Join(parts, "; ")
}
