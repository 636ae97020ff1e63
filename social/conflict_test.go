package social_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/dynamotest"
	"github.com/tablemap/tablemap/social"
)

// conflicting is a client whose transactions are cancelled by a
// conflicting write at the given action, as DynamoDB reports it (DynamoDB
// Local serializes transactions and never does).
type conflicting struct {
	*dynamodb.Client
	at int
}

func (c conflicting) TransactWriteItems(_ context.Context, in *dynamodb.TransactWriteItemsInput, _ ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	reasons := make([]types.CancellationReason, len(in.TransactItems))
	for i := range reasons {
		reasons[i].Code = aws.String("None")
	}
	reasons[c.at].Code = aws.String("TransactionConflict")
	return nil, &types.TransactionCanceledException{Message: aws.String("Transaction cancelled"), CancellationReasons: reasons}
}

// A transaction cancelled by a conflict is ErrConflict, not one of the
// errors of a refused write, whichever action met the conflict.
func TestConflict(t *testing.T) {
	t.Parallel()
	for at := range 3 {
		tbl := tablemap.NewTable(conflicting{dynamotest.Client(t), at}, "conflicts", tablemap.WithInvertedIndex())
		svc, err := social.New(tbl)
		must(t, err)
		for name, err := range map[string]error{
			"follow":   svc.Follow(ctx, "ann", "bob"),
			"unfollow": svc.Unfollow(ctx, "ann", "bob"),
			"react":    svc.React(ctx, "bob", "ann", "01PHOTO", social.Heart),
		} {
			if !errors.Is(err, social.ErrConflict) {
				t.Errorf("%s, conflict at action %d: %v, want ErrConflict", name, at, err)
			}
			for _, refused := range []error{social.ErrNotFound, social.ErrAlreadyFollowing, social.ErrNotFollowing, social.ErrAlreadyReacted} {
				if errors.Is(err, refused) {
					t.Errorf("%s, conflict at action %d: %v is also %v", name, at, err, refused)
				}
			}
		}
	}
}
