package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A Response is one page DynamoDB returned.
type Response struct {
	Items    []map[string]types.AttributeValue
	Last     map[string]types.AttributeValue // LastEvaluatedKey
	Count    int                             // items matched (after the filter)
	Filtered bool                            // the filter dropped items
}

// An Each receives an item of a known entity type, with the position of
// its entity among the read's; false stops the read.
type Each func(item map[string]types.AttributeValue, typ int) (bool, error)

// A walk is one run of the paging loop over one segment. (Its start key
// is run's argument: the key goes to the SDK, and a walk that held it
// would take its callbacks to the heap with it.)
type walk struct {
	seg     int
	want    int  // items to hand; 0: no limit
	onePage bool // with no want, stop after the first response that handed an item
	count   bool // Select COUNT: responses carry no items
	item    Each
	page    func(Response) (bool, error) // after each response's items; false stops
	before  Before                       // before each response's items; nil: none
}

// A Before sees the items of each response before they are handed on,
// to size the slices that will hold them.
type Before func(items []map[string]types.AttributeValue)

// fetch sends one request of the walk, starting after start, asking for
// at most limit items (0: no limit).
func (r *Read) fetch(ctx context.Context, w *walk, start map[string]types.AttributeValue, limit int) (Response, error) {
	req := r.itemsRequest()
	var sel types.Select // a count's; else the request's own
	if w.count {
		var err error
		if req, err = r.count(); err != nil {
			return Response{}, err
		}
		sel = types.SelectCount
	}
	var o *dynamodb.QueryOutput // a Scan's answer too: what a page needs of it
	var err error
	if r.IsScan() {
		in := req.scanInput(r, w.seg, start, limit)
		in.Select = cmp.Or(sel, in.Select)
		var so *dynamodb.ScanOutput
		if so, err = r.T.Client.Scan(ctx, in); err == nil {
			o = &dynamodb.QueryOutput{Items: so.Items, LastEvaluatedKey: so.LastEvaluatedKey, Count: so.Count, ScannedCount: so.ScannedCount}
		}
	} else {
		in := req.queryInput(r.T, start, limit)
		in.Select = cmp.Or(sel, in.Select)
		o, err = r.T.Client.Query(ctx, in)
	}
	if err != nil {
		return Response{}, r.Wrap(err)
	}
	return Response{Items: o.Items, Last: o.LastEvaluatedKey, Count: int(o.Count), Filtered: o.Count < o.ScannedCount}, nil
}

// run is the paging loop of every read. It reads the walk's segment from
// its start and hands each item of a known entity type to w.item until
// w.want items were handed (0: no limit), w.item or w.page returns false,
// or the read ends. It returns the key to resume after the last item
// handed, nil at the end (and when the walk was stopped).
//
// DynamoDB's Limit counts items before the filter, so run asks for the
// items still wanted and, when the filter thinned a response, asks for
// more next time; when it stops inside a response, it resumes after the
// last item handed, from that item's key attributes.
func (r *Read) run(ctx context.Context, w walk, start map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	handed, ask := 0, w.want
	for {
		out, err := r.fetch(ctx, &w, start, ask)
		if err != nil {
			return nil, err
		}
		if w.before != nil {
			w.before(out.Items)
		}
		for i, item := range out.Items {
			typ := TypeIndex(r.T, r.Types(), item)
			if typ < 0 {
				continue // the type filter keeps other entities out; never decode them
			}
			if more, err := w.item(item, typ); err != nil || !more {
				return nil, err
			}
			if handed++; w.want > 0 && handed == w.want {
				if i == len(out.Items)-1 {
					return out.Last, nil
				}
				return r.keyOf(item)
			}
		}
		if w.page != nil {
			if more, err := w.page(out); err != nil || !more {
				return nil, err
			}
		}
		if len(out.Last) == 0 || w.onePage && w.want == 0 && handed > 0 {
			return out.Last, nil
		}
		start = out.Last
		if w.want > 0 {
			prev := ask
			ask = w.want - handed
			if out.Filtered {
				// The filter dropped items: ask for more than needed and
				// stop inside the response if it returns too many.
				ask = max(ask, 4*prev)
			}
		}
	}
}

// keyOf returns the key attributes of an item, to resume after it.
func (r *Read) keyOf(item map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	attrs := r.keyAttrs()
	key := make(map[string]types.AttributeValue, len(attrs))
	for _, a := range attrs {
		av, ok := item[a]
		if !ok {
			return nil, r.Wrap(fmt.Errorf("item has no key attribute %q to resume after", a))
		}
		key[a] = av
	}
	return key, nil
}

// TypeIndex returns the position of item's entity type among types, or -1.
func TypeIndex(t *Table, schemas []*Schema, item map[string]types.AttributeValue) int {
	typ := t.TypeOf(item)
	for i, s := range schemas {
		if s.Name == typ {
			return i
		}
	}
	return -1
}

// Page reads the items after cursor ("" for the first), at most Limit of
// them, handing each to each, and returns the cursor after the last item
// read ("" at the end). With onePage and no Limit, it stops at the end of
// the first response that handed an item. A parallel scan has no pages.
// Before, unless nil, sees each response's items first.
func (r *Read) Page(ctx context.Context, cursor string, onePage bool, each Each, before Before) (string, error) {
	if r.Segments > 1 {
		return "", r.Wrap(errors.New("Page reads one segment; use All for a parallel scan"))
	}
	start, err := r.DecodeCursor(cursor)
	if err != nil {
		return "", err
	}
	next, err := r.run(ctx, walk{want: r.Limit, onePage: onePage, item: each, before: before}, start)
	if err != nil {
		return "", err
	}
	return r.EncodeCursor(next)
}

// All reads every item of a single-segment read, at most Limit of them,
// handing each to each.
func (r *Read) All(ctx context.Context, each Each) error {
	_, err := r.run(ctx, walk{want: r.Limit, item: each}, nil)
	return err
}

// First hands the read's first item to decode; no item is ErrNotFound.
func (r *Read) First(ctx context.Context, decode func(item map[string]types.AttributeValue, typ int) error) error {
	found := false
	_, err := r.run(ctx, walk{want: 1, item: func(item map[string]types.AttributeValue, typ int) (bool, error) {
		found = true
		return false, decode(item, typ)
	}}, nil)
	if err == nil && !found {
		err = r.Wrap(ErrNotFound)
	}
	return err
}

// Count returns the number of items the read matches, reading every page
// of every segment in turn with Select COUNT. Limit does not apply.
func (r *Read) Count(ctx context.Context) (int, error) {
	n := 0
	sum := func(out Response) (bool, error) {
		n += out.Count
		return true, nil
	}
	for seg := range max(r.Segments, 1) {
		if _, err := r.run(ctx, walk{seg: seg, count: true, page: sum}, nil); err != nil {
			return n, err
		}
	}
	return n, nil
}
