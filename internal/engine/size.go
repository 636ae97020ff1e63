package engine

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/codec"
)

// MaxItemSize is DynamoDB's limit on the size of an item: 400 KB.
const MaxItemSize = 400 * 1024

// ItemSize returns the size of an item as DynamoDB counts it (see
// codec.ItemSize). Encode computes it while encoding; this is for items
// built otherwise.
func ItemSize(item map[string]types.AttributeValue) int { return codec.ItemSize(item) }

// NumberSize returns the size of a number's text (see codec.NumberSize).
func NumberSize(s string) int { return codec.NumberSize(s) }
