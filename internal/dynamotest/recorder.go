package dynamotest

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// A Recorder is a client that keeps the input of every item, query, scan
// and transaction request it sends, so a test can compare what a method
// sent with what it says it sends.
type Recorder struct {
	*dynamodb.Client
	mu     sync.Mutex
	inputs []any
}

// NewRecorder returns a Recorder sending through client.
func NewRecorder(client *dynamodb.Client) *Recorder { return &Recorder{Client: client} }

func (r *Recorder) add(in any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.inputs = append(r.inputs, in)
}

// Take returns the inputs sent since the last Take, in the order sent.
func (r *Recorder) Take() []any {
	r.mu.Lock()
	defer r.mu.Unlock()
	in := r.inputs
	r.inputs = nil
	return in
}

func (r *Recorder) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	r.add(in)
	return r.Client.GetItem(ctx, in, o...)
}

func (r *Recorder) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	r.add(in)
	return r.Client.PutItem(ctx, in, o...)
}

func (r *Recorder) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	r.add(in)
	return r.Client.UpdateItem(ctx, in, o...)
}

func (r *Recorder) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	r.add(in)
	return r.Client.DeleteItem(ctx, in, o...)
}

func (r *Recorder) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	r.add(in)
	return r.Client.Query(ctx, in, o...)
}

func (r *Recorder) Scan(ctx context.Context, in *dynamodb.ScanInput, o ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	r.add(in)
	return r.Client.Scan(ctx, in, o...)
}

func (r *Recorder) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	r.add(in)
	return r.Client.BatchGetItem(ctx, in, o...)
}

func (r *Recorder) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	r.add(in)
	return r.Client.BatchWriteItem(ctx, in, o...)
}

func (r *Recorder) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	r.add(in)
	return r.Client.TransactWriteItems(ctx, in, o...)
}

func (r *Recorder) TransactGetItems(ctx context.Context, in *dynamodb.TransactGetItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactGetItemsOutput, error) {
	r.add(in)
	return r.Client.TransactGetItems(ctx, in, o...)
}
