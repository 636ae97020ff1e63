package tablemap

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
)

// A Meter counts the requests a DynamoDB client sends, per operation, and
// sums the capacity they consume. Attach it to any client:
//
//	m := tablemap.NewMeter()
//	client := dynamodb.NewFromConfig(cfg, m.Attach)
//
// Every attempt counts as a request, retries included, since each is one
// that DynamoDB serves (and may bill). To see consumed capacity the meter
// asks for it (ReturnConsumedCapacity TOTAL) on requests that leave it unset.
// A Meter is safe for concurrent use.
type Meter struct {
	mu       sync.Mutex
	requests map[string]int
	capacity float64
}

// NewMeter returns a meter with nothing counted.
func NewMeter() *Meter { return &Meter{requests: map[string]int{}} }

// Attach installs the meter on a client's options; pass it to
// dynamodb.NewFromConfig or dynamodb.New.
func (m *Meter) Attach(o *dynamodb.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		if err := s.Initialize.Add(middleware.InitializeMiddlewareFunc("tablemap.MeterCapacity", m.handleInitialize), middleware.After); err != nil {
			return err
		}
		// Finalize runs once per attempt, after the retry loop.
		return s.Finalize.Add(middleware.FinalizeMiddlewareFunc("tablemap.MeterRequests", m.handleFinalize), middleware.After)
	})
}

func (m *Meter) handleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	op := middleware.GetOperationName(ctx)
	m.mu.Lock()
	m.requests[op]++
	m.mu.Unlock()
	return next.HandleFinalize(ctx, in)
}

func (m *Meter) handleInitialize(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	askCapacity(in.Parameters)
	out, md, err := next.HandleInitialize(ctx, in)
	if units := capacityOf(out.Result); units != 0 {
		m.mu.Lock()
		m.capacity += units
		m.mu.Unlock()
	}
	return out, md, err
}

// Requests returns how many requests were sent for the named operations
// ("PutItem", "Query", …), or for all operations when none is named.
func (m *Meter) Requests(ops ...string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	if len(ops) == 0 {
		for _, c := range m.requests {
			n += c
		}
		return n
	}
	for _, op := range ops {
		n += m.requests[op]
	}
	return n
}

// ConsumedCapacity returns the capacity units consumed so far.
func (m *Meter) ConsumedCapacity() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.capacity
}

// Reset forgets everything counted so far.
func (m *Meter) Reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	clear(m.requests)
	m.capacity = 0
}

// String lists the requests per operation and the capacity consumed.
func (m *Meter) String() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	ops := make([]string, 0, len(m.requests))
	for op, n := range m.requests {
		ops = append(ops, fmt.Sprintf("%s=%d", op, n))
	}
	sort.Strings(ops)
	return fmt.Sprintf("%s capacity=%g", strings.Join(ops, " "), m.capacity)
}

func askCapacity(params any) {
	const total = types.ReturnConsumedCapacityTotal
	switch in := params.(type) {
	case *dynamodb.GetItemInput:
		setIfEmpty(&in.ReturnConsumedCapacity, total)
	case *dynamodb.PutItemInput:
		setIfEmpty(&in.ReturnConsumedCapacity, total)
	case *dynamodb.UpdateItemInput:
		setIfEmpty(&in.ReturnConsumedCapacity, total)
	case *dynamodb.DeleteItemInput:
		setIfEmpty(&in.ReturnConsumedCapacity, total)
	case *dynamodb.QueryInput:
		setIfEmpty(&in.ReturnConsumedCapacity, total)
	case *dynamodb.ScanInput:
		setIfEmpty(&in.ReturnConsumedCapacity, total)
	case *dynamodb.BatchGetItemInput:
		setIfEmpty(&in.ReturnConsumedCapacity, total)
	case *dynamodb.BatchWriteItemInput:
		setIfEmpty(&in.ReturnConsumedCapacity, total)
	case *dynamodb.TransactGetItemsInput:
		setIfEmpty(&in.ReturnConsumedCapacity, total)
	case *dynamodb.TransactWriteItemsInput:
		setIfEmpty(&in.ReturnConsumedCapacity, total)
	}
}

func setIfEmpty(dst *types.ReturnConsumedCapacity, v types.ReturnConsumedCapacity) {
	if *dst == "" {
		*dst = v
	}
}

// capacityOf returns the capacity units an operation's output reports:
// one ConsumedCapacity of an item operation, a query or a scan, or one per
// table of a batch or transaction.
func capacityOf(result any) float64 {
	var one *types.ConsumedCapacity
	var many []types.ConsumedCapacity
	switch out := result.(type) {
	case *dynamodb.GetItemOutput:
		one = out.ConsumedCapacity
	case *dynamodb.PutItemOutput:
		one = out.ConsumedCapacity
	case *dynamodb.UpdateItemOutput:
		one = out.ConsumedCapacity
	case *dynamodb.DeleteItemOutput:
		one = out.ConsumedCapacity
	case *dynamodb.QueryOutput:
		one = out.ConsumedCapacity
	case *dynamodb.ScanOutput:
		one = out.ConsumedCapacity
	case *dynamodb.BatchGetItemOutput:
		many = out.ConsumedCapacity
	case *dynamodb.BatchWriteItemOutput:
		many = out.ConsumedCapacity
	case *dynamodb.TransactGetItemsOutput:
		many = out.ConsumedCapacity
	case *dynamodb.TransactWriteItemsOutput:
		many = out.ConsumedCapacity
	}
	sum := unitsOf(one)
	for i := range many {
		sum += unitsOf(&many[i])
	}
	return sum
}

func unitsOf(c *types.ConsumedCapacity) float64 {
	if c == nil || c.CapacityUnits == nil {
		return 0
	}
	return *c.CapacityUnits
}
