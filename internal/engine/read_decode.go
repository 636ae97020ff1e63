package engine

import (
	"context"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DecodeRead decodes an item a read returned into the value at p, as
// DecodeInto does; with projected, the read's projection may have left
// out the table key fields, which are then parsed from the item's key
// (FillKey) once, where DecodeInto followed by FillKey could parse them
// twice.
func (s *Schema) DecodeRead(ctx context.Context, item map[string]types.AttributeValue, p unsafe.Pointer, projected bool) error {
	item, err := s.OpenItem(ctx, item)
	if err != nil {
		return err
	}
	missing, err := s.Codec.UnmarshalPtrSkip(item, p, s.TableAttrs)
	if err != nil {
		return err
	}
	if projected {
		return s.FillKey(item, p)
	}
	return s.keyOnlyFields(item, p, missing)
}
