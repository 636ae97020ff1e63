package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/guregu/dynamo/v2"
)

// OpPhoto is the entity of Get, Put, the queries and the batches.
type OpPhoto struct {
	_        struct{}  `tablemap:"Photo" pk:"USER#{username}" sk:"PHOTO#{taken}"`
	Username string    `dynamo:"username"`
	Taken    time.Time `dynamo:"taken"`
	URL      string    `dynamo:"url"`
	Width    int       `dynamo:"width"`
	Height   int       `dynamo:"height"`
	Tags     []string  `dynamo:"tags"`
}

// OpUser is a user's profile with its counters (Update, the follow
// transaction).
type OpUser struct {
	_         struct{} `tablemap:"User" pk:"USER#{username}" sk:"PROFILE#{username}"`
	Username  string   `dynamo:"username"`
	Name      string   `dynamo:"name"`
	Bio       string   `dynamo:"bio"`
	Email     string   `dynamo:"email"`
	Followers int      `dynamo:"followers"`
	Following int      `dynamo:"following"`
	Photos    int      `dynamo:"photos"`
}

// OpFollow is the edge "Follower follows Followed".
type OpFollow struct {
	_        struct{}  `tablemap:"Follow" pk:"USER#{followed}" sk:"FOLLOW#{follower}"`
	Follower string    `dynamo:"follower"`
	Followed string    `dynamo:"followed"`
	Since    time.Time `dynamo:"since"`
}

// ColPhoto and Reaction share a partition, the photo's: the 2-type
// collection reads a photo and its reactions with one Query.
type ColPhoto struct {
	_      struct{} `tablemap:"ColPhoto" pk:"PHOTO#{owner}#{id}" sk:"A"`
	Owner  string   `dynamo:"owner"`
	ID     string   `dynamo:"id"`
	URL    string   `dynamo:"url"`
	Width  int      `dynamo:"width"`
	Height int      `dynamo:"height"`
}

type Reaction struct {
	_     struct{}  `tablemap:"Reaction" pk:"PHOTO#{owner}#{photo}" sk:"REACTION#{user}#{type}"`
	Owner string    `dynamo:"owner"`
	Photo string    `dynamo:"photo"`
	User  string    `dynamo:"user"`
	Type  string    `dynamo:"type"`
	At    time.Time `dynamo:"at"`
}

// PhotoView is what the collection query returns: a photo and its
// reactions.
type PhotoView struct {
	Photo     ColPhoto
	Reactions []Reaction
}

var (
	opTaken = time.Date(2024, 6, 1, 18, 30, 12, 345678900, time.UTC)
	opPhoto = OpPhoto{Username: "ann", Taken: opTaken, URL: "https://img.example.com/ann/2024/06/01/sunset.jpg",
		Width: 4032, Height: 3024, Tags: []string{"sea", "sunset", "norway"}}
	opSince = time.Date(2024, 6, 2, 7, 1, 0, 0, time.UTC)
)

// The inputs of Update and the follow transaction.
const (
	updName    = "Ann Example"
	updBio     = "Photographer. Coffee. Fjords."
	updEmail   = "ann@example.com"
	photoQuota = 1000 // Update's condition: photos < photoQuota
	minWidth   = 2000 // the filtered query's filter: width > minWidth
	reactions  = 20   // reactions in the collection's partition
)

// An Impl is one implementation of an operation. Run does the operation
// once and returns what it decoded (nil for a write, the SDK input for a
// Params operation), which must be the same for every Impl of an Op.
type Impl struct {
	Name string
	Run  func(context.Context) (any, error)
}

// An Op is one operation with its implementations; the first is raw, the
// baseline. All of them send their requests to one stub.
type Op struct {
	Name  string
	Impls []Impl
	stub  *stub
}

// Take returns the requests the Op's implementations sent since the last
// call, when the Op was made with Config.Record.
func (o Op) Take() []Request { return o.stub.take() }

// opImpls returns the implementations named, in this order, raw (the
// baseline), raw-concurrent, attributevalue, guregu and tablemap; a nil
// function is an implementation that does not exist.
func opImpls(raw, rawConc, av, guregu, tm func(context.Context) (any, error)) []Impl {
	var out []Impl
	for _, im := range []Impl{{"raw", raw}, {"raw-concurrent", rawConc}, {"attributevalue", av}, {"guregu", guregu}, {"tablemap", tm}} {
		if im.Run != nil {
			out = append(out, im)
		}
	}
	return out
}

// A Config sets up the stubs of Ops.
type Config struct {
	Record  bool          // keep the requests (see Op.Take)
	Latency time.Duration // wait this long before answering each request
}

// Ops returns every benchmarked operation, each with its own stub.
func Ops(cfg Config) []Op {
	var ops []Op
	add := func(name string, respond func(op string, req []byte) []byte, mk func(*stub) []Impl) {
		st := &stub{respond: answer(respond), record: cfg.Record, latency: cfg.Latency}
		ops = append(ops, Op{Name: name, Impls: mk(st), stub: st})
	}
	add("Get", cannedPhotos, getImpls)
	add("Put", cannedPhotos, putImpls)
	add("Query10", cannedPhotos, query10Impls)
	add("QueryFiltered", cannedProjected, queryFilteredImpls)
	add("Collection", cannedCollection, collectionImpls)
	add("Update", cannedUser, updateImpls)
	add("FollowTx", cannedPhotos, followTxImpls)
	for _, n := range []int{100, 1000} {
		add(fmt.Sprintf("BatchGet%d", n), cannedBatchGet, func(st *stub) []Impl { return batchGetImpls(st, n) })
		add(fmt.Sprintf("BatchWrite%d", n), cannedPhotos, func(st *stub) []Impl { return batchWriteImpls(st, n) })
	}
	add("ParamsUpdate", cannedPhotos, paramsUpdateImpls)
	add("ParamsTx", cannedPhotos, paramsTxImpls)
	add("ParamsQuery", cannedPhotos, paramsQueryImpls)
	return ops
}

// The canned responses.
var (
	photoItem      = []byte(`{"Item":` + photoJSON(0) + `}`)
	photosPage     = []byte(`{"Count":10,"ScannedCount":10,"Items":[` + itemList(10, photoJSON) + `]}`)
	projectedPage  = []byte(`{"Count":10,"ScannedCount":12,"Items":[` + itemList(10, projectedJSON) + `]}`)
	collectionPage = []byte(`{"Count":21,"ScannedCount":21,"Items":[` + colPhotoJSON + `,` + itemList(reactions, reactionJSON) + `]}`)
	userItem       = []byte(`{"Attributes":{"PK":{"S":"USER#ann"},"SK":{"S":"PROFILE#ann"},"_type":{"S":"User"},` +
		`"username":{"S":"ann"},"name":{"S":"` + updName + `"},"bio":{"S":"` + updBio + `"},"email":{"S":"` + updEmail + `"},` +
		`"followers":{"N":"1204981"},"following":{"N":"312"},"photos":{"N":"87"}}}`)
	batchGetPages = func() [][]byte {
		pages := make([][]byte, 10)
		for c := range pages {
			pages[c] = []byte(`{"Responses":{"bench":[` + itemList(100, func(i int) string { return photoJSON(100*c + i) }) +
				`]},"UnprocessedKeys":{}}`)
		}
		return pages
	}()
)

const colPhotoJSON = `{"PK":{"S":"PHOTO#ann#p1"},"SK":{"S":"A"},"_type":{"S":"ColPhoto"},"owner":{"S":"ann"},"id":{"S":"p1"},` +
	`"url":{"S":"https://img.example.com/ann/2024/06/01/sunset.jpg"},"width":{"N":"4032"},"height":{"N":"3024"}}`

// reactionUser is the user of the collection's reaction i.
func reactionUser(i int) string { return fmt.Sprintf("user%02d", i) }

var reactionTypes = []string{"heart", "smiley", "thumbsup", "sunglasses"}

func reactionJSON(i int) string {
	u, t := reactionUser(i), reactionTypes[i%len(reactionTypes)]
	return fmt.Sprintf(`{"PK":{"S":"PHOTO#ann#p1"},"SK":{"S":"REACTION#%s#%s"},"_type":{"S":"Reaction"},`+
		`"owner":{"S":"ann"},"photo":{"S":"p1"},"user":{"S":"%s"},"type":{"S":"%s"},"at":{"S":"%s"}}`,
		u, t, u, t, opSince.Add(time.Duration(i)*time.Minute).Format(time.RFC3339Nano))
}

func cannedPhotos(op string, _ []byte) []byte {
	switch op {
	case "GetItem":
		return photoItem
	case "Query":
		return photosPage
	case "BatchWriteItem":
		return []byte(`{"UnprocessedItems":{}}`)
	}
	return []byte(`{}`)
}

func cannedProjected(op string, _ []byte) []byte {
	if op == "Query" {
		return projectedPage
	}
	return []byte(`{}`)
}

func cannedCollection(op string, _ []byte) []byte {
	if op == "Query" {
		return collectionPage
	}
	return []byte(`{}`)
}

func cannedUser(op string, _ []byte) []byte {
	if op == "UpdateItem" {
		return userItem
	}
	return []byte(`{}`)
}

// cannedBatchGet answers a BatchGetItem of the 100 photos from 100*c with
// those photos, in the order of the keys.
func cannedBatchGet(op string, req []byte) []byte {
	if i := photoIndex(req); op == "BatchGetItem" && i >= 0 && i%100 == 0 && i/100 < len(batchGetPages) {
		return batchGetPages[i/100]
	}
	return []byte(`{"Responses":{}}`)
}

// batchPhotos returns photos 0..n-1 of ann, as the batches write them and
// read their keys.
func batchPhotos(n int) []OpPhoto {
	ps := make([]OpPhoto, n)
	for i := range ps {
		ps[i] = opPhoto
		ps[i].Taken = photoTaken(i)
	}
	return ps
}

// The implementations of each operation. Each gets a client, a tablemap
// table and a guregu table of its own on the Op's stub.

type clients struct {
	c  *dynamodb.Client
	tm *tmTable
	g  dynamo.Table
	db *dynamo.DB
}

func newClients(st *stub) clients {
	db, g := newGuregu(st)
	return clients{c: stubClient(st), tm: newTM(st), g: g, db: db}
}

func getImpls(st *stub) []Impl {
	k := newClients(st)
	return opImpls(
		func(ctx context.Context) (any, error) { return rawGet(ctx, k.c, "ann", opTaken) },
		nil,
		func(ctx context.Context) (any, error) { return avGet(ctx, k.c, "ann", opTaken) },
		func(ctx context.Context) (any, error) { return gGet(ctx, k.g, "ann", opTaken) },
		k.tm.get)
}

func putImpls(st *stub) []Impl {
	k := newClients(st)
	return opImpls(
		func(ctx context.Context) (any, error) { return nil, rawPut(ctx, k.c, &opPhoto) },
		nil,
		func(ctx context.Context) (any, error) { return nil, avPut(ctx, k.c, &opPhoto) },
		func(ctx context.Context) (any, error) { return nil, gPut(ctx, k.g, &opPhoto) },
		k.tm.put)
}

func query10Impls(st *stub) []Impl {
	k := newClients(st)
	return opImpls(
		func(ctx context.Context) (any, error) { return rawQuery(ctx, k.c, "ann") },
		nil,
		func(ctx context.Context) (any, error) { return avQuery(ctx, k.c, "ann") },
		func(ctx context.Context) (any, error) { return gQuery(ctx, k.g, "ann") },
		k.tm.query10)
}

func queryFilteredImpls(st *stub) []Impl {
	k := newClients(st)
	return opImpls(
		func(ctx context.Context) (any, error) { return rawQueryFiltered(ctx, k.c, "ann") },
		nil,
		func(ctx context.Context) (any, error) { return avQueryFiltered(ctx, k.c, "ann") },
		func(ctx context.Context) (any, error) { return gQueryFiltered(ctx, k.g, "ann") },
		k.tm.queryFiltered)
}

func collectionImpls(st *stub) []Impl {
	k := newClients(st)
	return opImpls(
		func(ctx context.Context) (any, error) { return rawCollection(ctx, k.c, "ann", "p1") },
		nil,
		func(ctx context.Context) (any, error) { return avCollection(ctx, k.c, "ann", "p1") },
		func(ctx context.Context) (any, error) { return gCollection(ctx, k.g, "ann", "p1") },
		k.tm.collection)
}

func updateImpls(st *stub) []Impl {
	k := newClients(st)
	return opImpls(
		func(ctx context.Context) (any, error) { return rawUpdate(ctx, k.c, "ann") },
		nil,
		func(ctx context.Context) (any, error) { return avUpdate(ctx, k.c, "ann") },
		func(ctx context.Context) (any, error) { return gUpdate(ctx, k.g, "ann") },
		k.tm.updateRun)
}

var opFollow = OpFollow{Follower: "ann", Followed: "bob", Since: opSince}

func followTxImpls(st *stub) []Impl {
	k := newClients(st)
	return opImpls(
		func(ctx context.Context) (any, error) { return nil, rawFollowTx(ctx, k.c, "ann", "bob", opSince) },
		nil,
		func(ctx context.Context) (any, error) { return nil, avFollowTx(ctx, k.c, &opFollow) },
		func(ctx context.Context) (any, error) { return nil, gFollowTx(ctx, k.db, k.g, &opFollow) },
		k.tm.followTxRun)
}

func batchGetImpls(st *stub, n int) []Impl {
	k := newClients(st)
	keys := batchPhotos(n)
	for i := range keys {
		keys[i] = OpPhoto{Username: keys[i].Username, Taken: keys[i].Taken}
	}
	return append(opImpls(
		func(ctx context.Context) (any, error) { return rawBatchGet(ctx, k.c, keys, handDecode) },
		func(ctx context.Context) (any, error) { return rawBatchGetConc(ctx, k.c, keys) },
		func(ctx context.Context) (any, error) { return rawBatchGet(ctx, k.c, keys, avDecodePhoto) },
		func(ctx context.Context) (any, error) { return gBatchGet(ctx, k.g, keys) },
		k.tm.batchGet(n, 1)), Impl{"tablemap-concurrent", k.tm.batchGet(n, rawConcurrency)})
}

func batchWriteImpls(st *stub, n int) []Impl {
	k := newClients(st)
	ps := batchPhotos(n)
	return append(opImpls(
		func(ctx context.Context) (any, error) { return nil, rawBatchWrite(ctx, k.c, ps, handPhotoItemErr) },
		func(ctx context.Context) (any, error) { return nil, rawBatchWriteConc(ctx, k.c, ps) },
		func(ctx context.Context) (any, error) { return nil, rawBatchWrite(ctx, k.c, ps, avPhotoItem) },
		func(ctx context.Context) (any, error) { return nil, gBatchWrite(ctx, k.g, ps) },
		k.tm.batchWrite(n, 1)), Impl{"tablemap-concurrent", k.tm.batchWrite(n, rawConcurrency)})
}

// The Params operations build the request of Update, the follow
// transaction and the filtered query without sending it. guregu does not
// hand out its requests.

func paramsUpdateImpls(st *stub) []Impl {
	tm := newTM(st)
	return opImpls(
		func(context.Context) (any, error) { return rawUpdateInput("ann"), nil },
		nil,
		func(context.Context) (any, error) { return avUpdateInput("ann") },
		nil,
		tm.paramsUpdate)
}

func paramsTxImpls(st *stub) []Impl {
	tm := newTM(st)
	return opImpls(
		func(context.Context) (any, error) { return rawTxInput("ann", "bob", opSince), nil },
		nil,
		func(context.Context) (any, error) { return avTxInput(&opFollow) },
		nil,
		tm.paramsTx)
}

func paramsQueryImpls(st *stub) []Impl {
	tm := newTM(st)
	return opImpls(
		func(context.Context) (any, error) { return rawFilteredQueryInput("ann"), nil },
		nil,
		func(context.Context) (any, error) { return avFilteredQueryInput("ann") },
		nil,
		tm.paramsQuery)
}
