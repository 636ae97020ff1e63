package engine

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ScanSegment is one segment of a built scan, as a source for readItems.
type ScanSegment struct {
	T        *Table
	In       *dynamodb.ScanInput
	Schemas  []*Schema
	KeyAttrs []string
	NowSlot  string
	Wrap     func(error) error
}

func (g *ScanSegment) Params(start map[string]types.AttributeValue, limit int) *dynamodb.ScanInput {
	in := *g.In
	in.ExclusiveStartKey, in.Limit = start, PageLimit(limit)
	in.ExpressionAttributeValues = WithNow(in.ExpressionAttributeValues, g.NowSlot, g.T.Epoch())
	return &in
}

func (g *ScanSegment) Fetch(ctx context.Context, start map[string]types.AttributeValue, limit int) (Response, error) {
	out, err := g.T.Client.Scan(ctx, g.Params(start, limit))
	if err != nil {
		return Response{}, g.Wrap(err)
	}
	return Response{Items: out.Items, Last: out.LastEvaluatedKey, Filtered: out.Count < out.ScannedCount}, nil
}

func (g *ScanSegment) TypeIndex(item map[string]types.AttributeValue) int {
	return TypeIndex(g.T, g.Schemas, item)
}

func (g *ScanSegment) KeyOf(item map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	key, err := KeyOf(g.KeyAttrs, item)
	if err != nil {
		return nil, g.Wrap(err)
	}
	return key, nil
}
