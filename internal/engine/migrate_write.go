package engine

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// errChanged reports that the stored item changed since it was read (its
// write's condition failed): the item is read again and migrated anew.
var errChanged = errors.New("the item changed since it was read")

// errTargetExists reports that the new key of a re-keyed item holds an item.
var errTargetExists = fmt.Errorf("an item is stored at the new key: %w", ErrExists)

// unchanged is the condition that the stored item is still the one read:
// its version when the entity has one and the item holds it; else every
// attribute read equal, and every attribute either entity may hold that
// was absent still absent. Stored values compare raw, so encrypted
// ciphertexts compare too.
func (m *Migration) unchanged(stored map[string]types.AttributeValue) expression.ConditionBuilder {
	if v := m.From.Version; v != nil {
		if n, ok := stored[v.Name]; ok {
			return expression.Name(v.Name).Equal(expression.Value(n))
		}
	}
	names := make([]string, 0, len(stored))
	for name := range stored {
		names = append(names, name)
	}
	slices.Sort(names) // one expression per shape of item
	conds := make([]expression.ConditionBuilder, 0, len(names)+len(m.known))
	for _, name := range names {
		conds = append(conds, expression.Name(name).Equal(expression.Value(stored[name])))
	}
	for _, name := range m.known {
		if _, ok := stored[name]; !ok {
			conds = append(conds, expression.Name(name).AttributeNotExists())
		}
	}
	if len(conds) == 1 {
		return conds[0]
	}
	return expression.And(conds[0], conds[1], conds[2:]...)
}

// knownAttrs returns every attribute an item of either schema may hold.
func knownAttrs(from, to *Schema) []string {
	var names []string
	for _, s := range []*Schema{from, to} {
		names = append(names, s.TableAttrs...)
		for _, f := range s.Codec.Fields {
			names = append(names, f.Name)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// write applies plan to the stored item, conditional on the item being
// unchanged: a put at the same key, a delete, or a delete of the old key
// and a put of the new one in one transaction.
func (m *Migration) write(ctx context.Context, stored map[string]types.AttributeValue, old Key, plan MigratePlan) error {
	t := m.From.Table
	cond, err := expression.NewBuilder().WithCondition(m.unchanged(stored)).Build()
	if err != nil {
		return err
	}
	oldKey := t.KeyItem(old)
	switch {
	case plan.Action == MigrateDelete:
		in := &dynamodb.DeleteItemInput{TableName: aws.String(t.Name), Key: oldKey,
			ConditionExpression: cond.Condition(), ExpressionAttributeNames: cond.Names(), ExpressionAttributeValues: cond.Values(),
			ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal}
		return m.send(ctx, "DeleteItem", func(ctx context.Context) (*types.ConsumedCapacity, error) {
			out, err := Write(ctx, t.Client.DeleteItem, in)
			return capacity(out, err, func() *types.ConsumedCapacity { return out.ConsumedCapacity })
		})
	case plan.Key == old:
		in := &dynamodb.PutItemInput{TableName: aws.String(t.Name), Item: plan.Item,
			ConditionExpression: cond.Condition(), ExpressionAttributeNames: cond.Names(), ExpressionAttributeValues: cond.Values(),
			ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal}
		return m.send(ctx, "PutItem", func(ctx context.Context) (*types.ConsumedCapacity, error) {
			out, err := Write(ctx, t.Client.PutItem, in)
			return capacity(out, err, func() *types.ConsumedCapacity { return out.ConsumedCapacity })
		})
	}
	absent, err := expression.NewBuilder().WithCondition(expression.Name(t.PK).AttributeNotExists()).Build()
	if err != nil {
		return err
	}
	in := &dynamodb.TransactWriteItemsInput{ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal, TransactItems: []types.TransactWriteItem{
		{Delete: &types.Delete{TableName: aws.String(t.Name), Key: oldKey,
			ConditionExpression: cond.Condition(), ExpressionAttributeNames: cond.Names(), ExpressionAttributeValues: cond.Values()}},
		{Put: &types.Put{TableName: aws.String(t.Name), Item: plan.Item,
			ConditionExpression: absent.Condition(), ExpressionAttributeNames: absent.Names(), ExpressionAttributeValues: absent.Values()}},
	}}
	return m.send(ctx, "TransactWriteItems", func(ctx context.Context) (*types.ConsumedCapacity, error) {
		out, err := Write(ctx, t.Client.TransactWriteItems, in)
		if err != nil {
			return nil, err
		}
		sum := &types.ConsumedCapacity{CapacityUnits: aws.Float64(0)}
		for _, c := range out.ConsumedCapacity {
			*sum.CapacityUnits += aws.ToFloat64(c.CapacityUnits)
		}
		return sum, nil
	})
}

func capacity[Out any](out *Out, err error, get func() *types.ConsumedCapacity) (*types.ConsumedCapacity, error) {
	if err != nil || out == nil {
		return nil, err
	}
	return get(), nil
}

// send sends one write through the write limiter (see limited) and
// classifies its failure.
func (m *Migration) send(ctx context.Context, kind string, call func(context.Context) (*types.ConsumedCapacity, error)) error {
	return classifyWrite(m.limited(ctx, false, kind, func(ctx context.Context) (float64, error) {
		c, err := call(ctx)
		if c == nil {
			return 0, err
		}
		return aws.ToFloat64(c.CapacityUnits), err
	}))
}

// limited sends one request through the read or write limiter, backing off and sending
// again while DynamoDB throttles it, and adds the units it consumed to the
// report.
func (m *Migration) limited(ctx context.Context, read bool, kind string, call func(context.Context) (float64, error)) error {
	l := m.writeLimit
	if read {
		l = m.readLimit
	}
	for n := 0; ; n++ {
		est, err := l.Wait(ctx, kind)
		if err != nil {
			return err
		}
		used, err := call(ctx)
		l.Settle(kind, est, used)
		if read {
			m.spend(used, 0)
		} else {
			m.spend(0, used)
		}
		if err == nil || !Throttled(err) || n >= maxThrottled {
			return err
		}
		if err := Backoff(ctx, n); err != nil {
			return err
		}
	}
}

// maxThrottled bounds the sends of one throttled request (beyond the SDK's
// own retries).
const maxThrottled = 10

// classifyWrite maps a failed migration write: a failed condition on the
// old item is errChanged, on the new key errTargetExists; a transaction
// conflict and an unknown outcome are errChanged too (reading the item
// again tells what happened, and the condition keeps a second write safe).
func classifyWrite(err error) error {
	if err == nil {
		return nil
	}
	var ccf *types.ConditionalCheckFailedException
	var tce *types.TransactionCanceledException
	switch {
	case errors.As(err, &ccf), errors.Is(err, ErrUnknownOutcome):
		return fmt.Errorf("%w: %w", errChanged, err)
	case errors.As(err, &tce):
		rs := tce.CancellationReasons
		if len(rs) == 2 && aws.ToString(rs[1].Code) == "ConditionalCheckFailed" && aws.ToString(rs[0].Code) == "None" {
			return fmt.Errorf("%w: %w", errTargetExists, err)
		}
		for _, r := range rs {
			switch aws.ToString(r.Code) {
			case "ConditionalCheckFailed", "TransactionConflict":
				return fmt.Errorf("%w: %w", errChanged, err)
			}
		}
	}
	return err
}

// sameItem reports whether two items hold equal attributes: sets in any
// order, numbers by value. Encrypted attributes are compared decrypted,
// since each sealing gives another ciphertext.
func (m *Migration) sameItem(ctx context.Context, stored, item map[string]types.AttributeValue) (bool, error) {
	if len(m.To.Encrypted) > 0 {
		var err error
		if stored, err = m.To.OpenItem(ctx, stored); err != nil {
			return false, nil // not sealed as the new form would be: rewrite it
		}
		if item, err = m.To.OpenItem(ctx, item); err != nil {
			return false, err
		}
	}
	return equalItems(stored, item), nil
}

func equalItems(a, b map[string]types.AttributeValue) bool {
	if len(a) != len(b) {
		return false
	}
	for k, av := range a {
		bv, ok := b[k]
		if !ok || !equalValues(av, bv) {
			return false
		}
	}
	return true
}

func equalValues(a, b types.AttributeValue) bool {
	switch a := a.(type) {
	case *types.AttributeValueMemberS:
		b, ok := b.(*types.AttributeValueMemberS)
		return ok && a.Value == b.Value
	case *types.AttributeValueMemberN:
		b, ok := b.(*types.AttributeValueMemberN)
		return ok && equalNumbers(a.Value, b.Value)
	case *types.AttributeValueMemberB:
		b, ok := b.(*types.AttributeValueMemberB)
		return ok && string(a.Value) == string(b.Value)
	case *types.AttributeValueMemberBOOL:
		b, ok := b.(*types.AttributeValueMemberBOOL)
		return ok && a.Value == b.Value
	case *types.AttributeValueMemberNULL:
		b, ok := b.(*types.AttributeValueMemberNULL)
		return ok && a.Value == b.Value
	case *types.AttributeValueMemberSS:
		b, ok := b.(*types.AttributeValueMemberSS)
		return ok && sameSet(a.Value, b.Value, func(s string) string { return s })
	case *types.AttributeValueMemberNS:
		b, ok := b.(*types.AttributeValueMemberNS)
		return ok && sameSet(a.Value, b.Value, canonicalNumber)
	case *types.AttributeValueMemberBS:
		b, ok := b.(*types.AttributeValueMemberBS)
		return ok && sameSet(a.Value, b.Value, func(v []byte) string { return string(v) })
	case *types.AttributeValueMemberL:
		b, ok := b.(*types.AttributeValueMemberL)
		return ok && slices.EqualFunc(a.Value, b.Value, equalValues)
	case *types.AttributeValueMemberM:
		b, ok := b.(*types.AttributeValueMemberM)
		return ok && equalItems(a.Value, b.Value)
	}
	return false
}

func sameSet[E any](a, b []E, key func(E) string) bool {
	if len(a) != len(b) {
		return false
	}
	ka, kb := make([]string, len(a)), make([]string, len(b))
	for i := range a {
		ka[i], kb[i] = key(a[i]), key(b[i])
	}
	slices.Sort(ka)
	slices.Sort(kb)
	return slices.Equal(ka, kb)
}

// canonicalNumber returns a number's value as an exact fraction, so "1.50"
// and "15E-1" (DynamoDB's form and the codec's) are equal.
func canonicalNumber(s string) string {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return s
	}
	return r.RatString()
}

func equalNumbers(a, b string) bool { return a == b || canonicalNumber(a) == canonicalNumber(b) }
