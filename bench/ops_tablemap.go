package bench

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/tablemap/tablemap"
)

// The tablemap implementations: the typed builders.

// tmTable is a table with the benchmark's entities defined on it.
type tmTable struct {
	tbl       *tablemap.Table
	photos    *tablemap.Entity[OpPhoto]
	users     *tablemap.Entity[OpUser]
	follows   *tablemap.Entity[OpFollow]
	colPhotos *tablemap.Entity[ColPhoto]
	reactions *tablemap.Entity[Reaction]
}

func newTM(st *stub) *tmTable {
	tbl := tablemap.NewTable(stubClient(st), "bench")
	return &tmTable{
		tbl:       tbl,
		photos:    tablemap.MustDefine[OpPhoto](tbl),
		users:     tablemap.MustDefine[OpUser](tbl),
		follows:   tablemap.MustDefine[OpFollow](tbl),
		colPhotos: tablemap.MustDefine[ColPhoto](tbl),
		reactions: tablemap.MustDefine[Reaction](tbl),
	}
}

func (t *tmTable) get(ctx context.Context) (any, error) {
	return t.photos.Get(OpPhoto{Username: "ann", Taken: opTaken}).Run(ctx)
}

func (t *tmTable) put(ctx context.Context) (any, error) {
	return nil, t.photos.Put(opPhoto).Run(ctx)
}

func tmAll[T any](ctx context.Context, q *tablemap.Query[T]) ([]T, error) {
	out := make([]T, 0, 10) // as raw, which knows the count
	for v, err := range q.All(ctx) {
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (t *tmTable) query10(ctx context.Context) (any, error) {
	return tmAll(ctx, t.photos.Query(OpPhoto{Username: "ann"}))
}

func (t *tmTable) filteredQuery() *tablemap.Query[OpPhoto] {
	return t.photos.Query(OpPhoto{Username: "ann"}).
		Filter(expression.Name("width").GreaterThan(expression.Value(minWidth))).
		Project("url", "width")
}

func (t *tmTable) queryFiltered(ctx context.Context) (any, error) {
	return tmAll(ctx, t.filteredQuery())
}

func (t *tmTable) collection(ctx context.Context) (any, error) {
	page, err := tablemap.Collect2(t.colPhotos.Query(ColPhoto{Owner: "ann", ID: "p1"}), t.reactions).Run(ctx)
	if err != nil || len(page.A) == 0 {
		return nil, err
	}
	return PhotoView{Photo: page.A[0], Reactions: page.B}, nil
}

func (t *tmTable) update() *tablemap.Update[OpUser] {
	return t.users.Update(OpUser{Username: "ann"}).
		Set("name", updName).Set("bio", updBio).Set("email", updEmail).
		Add("photos", 1).
		If(expression.Name("photos").LessThan(expression.Value(photoQuota)))
}

func (t *tmTable) updateRun(ctx context.Context) (any, error) { return t.update().Run(ctx) }

func (t *tmTable) followTx() *tablemap.WriteTx {
	return t.tbl.WriteTx().
		Put(t.follows.Put(OpFollow{Follower: "ann", Followed: "bob", Since: opSince}).IfNotExists()).
		Update(t.users.Update(OpUser{Username: "ann"}).Incr("following", 1)).
		Update(t.users.Update(OpUser{Username: "bob"}).Incr("followers", 1))
}

func (t *tmTable) followTxRun(ctx context.Context) (any, error) { return nil, t.followTx().Run(ctx) }

// batchGet reads n photos with conc requests in flight at most.
func (t *tmTable) batchGet(n, conc int) func(context.Context) (any, error) {
	keys := batchPhotos(n)
	for i := range keys {
		keys[i] = OpPhoto{Username: keys[i].Username, Taken: keys[i].Taken}
	}
	return func(ctx context.Context) (any, error) {
		g := t.photos.BatchGet(keys...)
		err := t.tbl.BatchGet(g).Concurrency(conc).Run(ctx)
		return g.Items(), err
	}
}

// batchWrite puts n photos with conc requests in flight at most.
func (t *tmTable) batchWrite(n, conc int) func(context.Context) (any, error) {
	ps := batchPhotos(n)
	return func(ctx context.Context) (any, error) {
		b := t.tbl.BatchWrite().Concurrency(conc)
		for _, p := range ps {
			b.Put(t.photos.Put(p))
		}
		return nil, b.Run(ctx)
	}
}

func (t *tmTable) paramsUpdate(context.Context) (any, error) { return t.update().Params() }

func (t *tmTable) paramsTx(context.Context) (any, error) { return t.followTx().Params() }

func (t *tmTable) paramsQuery(context.Context) (any, error) { return t.filteredQuery().Params() }
