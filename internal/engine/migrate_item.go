package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// item migrates one stored item, reading it again and starting over while
// a concurrent write changed it (at most Retries times), and counts the
// outcome. Its error is the context's: an item that fails is counted and
// listed, and the scan goes on.
func (m *Migration) item(ctx context.Context, stored map[string]types.AttributeValue, c *MigrateCounts) error {
	c.Items++
	old, ok := m.From.Table.ItemKey(stored)
	if !ok {
		m.fail(c, old, errors.New("the item has no string table key"))
		return nil
	}
	for attempt := 0; ; attempt++ {
		counter, err := m.once(ctx, stored, old, c)
		switch {
		case err == nil:
			*counter++
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case !errors.Is(err, errChanged) || attempt >= m.Retries:
			m.fail(c, old, err)
			return nil
		}
		c.Retried++
		if stored, err = m.reread(ctx, old); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			m.fail(c, old, err)
			return nil
		}
		if stored == nil || m.From.Table.TypeOf(stored) != m.From.Name {
			c.Skipped++ // deleted, or moved by someone else, since the scan read it
			return nil
		}
	}
}

// once transforms a stored item and writes the result, returning the
// counter of its outcome.
func (m *Migration) once(ctx context.Context, stored map[string]types.AttributeValue, old Key, c *MigrateCounts) (*int64, error) {
	plan, err := m.Transform(ctx, stored)
	if err != nil {
		return nil, fmt.Errorf("transform: %w", err)
	}
	counter := &c.Deleted
	switch plan.Action {
	case MigrateSkip:
		return &c.Skipped, nil
	case MigrateDelete:
	case MigrateRewrite:
		m.carryVersion(stored, plan.Item)
		same, err := m.sameItem(ctx, stored, plan.Item)
		if err != nil {
			return nil, err
		}
		if same {
			return &c.Skipped, nil // already in the new form
		}
		counter = &c.Changed
		if plan.Key != old {
			counter = &c.Rekeyed
		}
	default:
		return nil, fmt.Errorf("transform: unknown action %v", plan.Action)
	}
	if m.DryRun {
		m.note(MigrateChange{Action: plan.Action, Old: old, New: plan.Key})
		return counter, nil
	}
	if plan.Action == MigrateRewrite && m.To.Version != nil {
		plan.Item[m.To.Version.Name] = NumberValue(m.To.StoredVersion(stored) + 1)
	}
	return counter, m.write(ctx, stored, old, plan)
}

// carryVersion gives the new item the stored item's version, so that the
// comparison with the stored item ignores it (the migration manages the
// version: a rewrite increments it, as any write does).
func (m *Migration) carryVersion(stored, item map[string]types.AttributeValue) {
	if m.To.Version == nil {
		return
	}
	if v, ok := stored[m.To.Version.Name]; ok {
		item[m.To.Version.Name] = v
	}
}

// reread reads the item at key k again, consistently; nil if it is gone.
func (m *Migration) reread(ctx context.Context, k Key) (map[string]types.AttributeValue, error) {
	t := m.From.Table
	in := &dynamodb.GetItemInput{TableName: aws.String(t.Name), Key: t.KeyItem(k), ConsistentRead: aws.Bool(true),
		ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal}
	var item map[string]types.AttributeValue
	err := m.limited(ctx, true, "GetItem", func(ctx context.Context) (float64, error) {
		out, err := t.Client.GetItem(ctx, in)
		if err != nil {
			return 0, err
		}
		item = out.Item
		return units(out.ConsumedCapacity), nil
	})
	return item, err
}

func units(c *types.ConsumedCapacity) float64 {
	if c == nil {
		return 0
	}
	return aws.ToFloat64(c.CapacityUnits)
}

func (m *Migration) fail(c *MigrateCounts, k Key, err error) {
	c.Failed++
	r := m.run
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.report.Failures) < maxListed {
		r.report.Failures = append(r.report.Failures, MigrateFailure{Key: k, Err: err})
	}
}

func (m *Migration) note(ch MigrateChange) {
	r := m.run
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.report.Changes) < maxListed {
		r.report.Changes = append(r.report.Changes, ch)
	}
}

// A migratePage is one page of a scan segment.
type migratePage struct {
	items   []map[string]types.AttributeValue
	last    map[string]types.AttributeValue
	scanned int64
}

// scanPage reads one page of segment i of the scan of s's items, from
// start. It is the migration's one dependency on the shape of a scan.
func (m *Migration) scanPage(ctx context.Context, s *Schema, i int, start map[string]types.AttributeValue) (migratePage, error) {
	t := s.Table
	f, filtered, err := typeFilter(s)
	if err != nil {
		return migratePage{}, err
	}
	in := &dynamodb.ScanInput{TableName: aws.String(t.Name), Segment: aws.Int32(int32(i)), TotalSegments: aws.Int32(int32(m.Segments)),
		ExclusiveStartKey: start, Limit: aws.Int32(int32(m.PageSize)),
		ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal}
	if filtered {
		in.FilterExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues = f.Filter(), f.Names(), f.Values()
	}
	var page migratePage
	err = m.limited(ctx, true, "Scan", func(ctx context.Context) (float64, error) {
		out, err := t.Client.Scan(ctx, in)
		if err != nil {
			return 0, err
		}
		page = migratePage{items: out.Items, last: out.LastEvaluatedKey, scanned: int64(out.ScannedCount)}
		if !filtered {
			page.items = slices.DeleteFunc(page.items, func(item map[string]types.AttributeValue) bool { return t.TypeOf(item) != s.Name })
		}
		return units(out.ConsumedCapacity), nil
	})
	if err != nil {
		return page, fmt.Errorf("scan segment %d: %w", i, err)
	}
	return page, nil
}
