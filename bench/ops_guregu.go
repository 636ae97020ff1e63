package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"
)

// The guregu/dynamo implementations. guregu has no key templates: its
// structs carry their key and type attributes as fields, which the code
// fills in before a write; a read decodes into the same struct.

// gKeys are the key and type attributes of a guregu item.
type gKeys struct {
	PK   string `dynamo:"PK"`
	SK   string `dynamo:"SK"`
	Type string `dynamo:"_type"`
}

type gPhoto struct {
	gKeys
	OpPhoto
}

type gUser struct {
	gKeys
	OpUser
}

type gFollow struct {
	gKeys
	OpFollow
}

func newGuregu(st *stub) (*dynamo.DB, dynamo.Table) {
	db := dynamo.New(awsConfig(st))
	return db, db.Table("bench")
}

func gPhotoItem(p *OpPhoto) gPhoto {
	return gPhoto{gKeys{"USER#" + p.Username, "PHOTO#" + p.Taken.UTC().Format(keyTime), "Photo"}, *p}
}

func gPhotos(gs []gPhoto) []OpPhoto {
	ps := make([]OpPhoto, len(gs))
	for i := range gs {
		ps[i] = gs[i].OpPhoto
	}
	return ps
}

func gGet(ctx context.Context, t dynamo.Table, username string, taken time.Time) (OpPhoto, error) {
	var g gPhoto
	err := t.Get("PK", "USER#"+username).Range("SK", dynamo.Equal, "PHOTO#"+taken.UTC().Format(keyTime)).One(ctx, &g)
	return g.OpPhoto, err
}

func gPut(ctx context.Context, t dynamo.Table, p *OpPhoto) error {
	return t.Put(gPhotoItem(p)).If("attribute_not_exists($) OR $ = ?", "PK", "_type", "Photo").Run(ctx)
}

func gQuery(ctx context.Context, t dynamo.Table, username string) ([]OpPhoto, error) {
	var gs []gPhoto
	err := t.Get("PK", "USER#"+username).Range("SK", dynamo.BeginsWith, "PHOTO#").
		Filter("$ = ?", "_type", "Photo").
		All(ctx, &gs)
	return gPhotos(gs), err
}

func gQueryFiltered(ctx context.Context, t dynamo.Table, username string) ([]OpPhoto, error) {
	var gs []gPhoto
	err := t.Get("PK", "USER#"+username).Range("SK", dynamo.BeginsWith, "PHOTO#").
		Filter("$ = ? AND $ > ?", "_type", "Photo", "width", minWidth).
		Project("_type", "PK", "SK", "url", "width").
		All(ctx, &gs)
	if err != nil {
		return nil, err
	}
	ps := gPhotos(gs)
	for i := range gs {
		if err := parsePhotoKey(gs[i].PK, gs[i].SK, &ps[i]); err != nil {
			return nil, err
		}
	}
	return ps, nil
}

func gCollection(ctx context.Context, t dynamo.Table, owner, id string) (PhotoView, error) {
	var (
		v     PhotoView
		items []map[string]types.AttributeValue
	)
	err := t.Get("PK", "PHOTO#"+owner+"#"+id).
		Range("SK", dynamo.Between, "A", "REACTION$").
		Filter("$ IN (?, ?)", "_type", "ColPhoto", "Reaction").
		All(ctx, &items)
	if err != nil {
		return v, err
	}
	v.Reactions = make([]Reaction, 0, len(items))
	for _, item := range items {
		var typ string
		if err := dynamo.Unmarshal(item["_type"], &typ); err != nil {
			return v, err
		}
		switch typ {
		case "ColPhoto":
			err = dynamo.UnmarshalItem(item, &v.Photo)
		case "Reaction":
			v.Reactions = append(v.Reactions, Reaction{})
			err = dynamo.UnmarshalItem(item, &v.Reactions[len(v.Reactions)-1])
		default:
			err = fmt.Errorf("unknown type %q", typ)
		}
		if err != nil {
			return v, err
		}
	}
	return v, nil
}

func gUpdate(ctx context.Context, t dynamo.Table, username string) (OpUser, error) {
	var g gUser
	err := t.Update("PK", "USER#"+username).Range("SK", "PROFILE#"+username).
		Set("name", updName).Set("bio", updBio).Set("email", updEmail).
		Add("photos", 1).
		If("$ = ?", "_type", "User").
		If("$ < ?", "photos", photoQuota).
		Value(ctx, &g)
	return g.OpUser, err
}

func gCounter(t dynamo.Table, username, counter string) *dynamo.Update {
	return t.Update("PK", "USER#"+username).Range("SK", "PROFILE#"+username).
		Add(counter, 1).
		If("$ = ?", "_type", "User")
}

func gFollowTx(ctx context.Context, db *dynamo.DB, t dynamo.Table, f *OpFollow) error {
	item := gFollow{gKeys{"USER#" + f.Followed, "FOLLOW#" + f.Follower, "Follow"}, *f}
	return db.WriteTx().Idempotent(true).
		Put(t.Put(item).If("attribute_not_exists($)", "PK")).
		Update(gCounter(t, f.Follower, "following")).
		Update(gCounter(t, f.Followed, "followers")).
		Run(ctx)
}

func gBatchGet(ctx context.Context, t dynamo.Table, keys []OpPhoto) ([]OpPhoto, error) {
	ks := make([]dynamo.Keyed, len(keys))
	for i, k := range keys {
		ks[i] = dynamo.Keys{"USER#" + k.Username, "PHOTO#" + k.Taken.UTC().Format(keyTime)}
	}
	var gs []gPhoto
	err := t.Batch("PK", "SK").Get(ks...).All(ctx, &gs)
	return gPhotos(gs), err
}

func gBatchWrite(ctx context.Context, t dynamo.Table, ps []OpPhoto) error {
	items := make([]any, len(ps))
	for i := range ps {
		items[i] = gPhotoItem(&ps[i])
	}
	_, err := t.Batch().Write().Put(items...).Run(ctx)
	return err
}
