package tablemap_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tablemap/tablemap"
)

// The write patterns of the reference applications' original designs,
// through the entities: one request each, and the stored items are what
// the original applications write (their attribute names and types, no
// type attribute). And each design declared wrongly fails Verify with
// every difference listed.

// stored reads an item with the SDK, as another program would.
func stored(t *testing.T, tbl *tablemap.Table, key map[string]types.AttributeValue) map[string]types.AttributeValue {
	t.Helper()
	out, err := tbl.Client().GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(tbl.Name()), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	return out.Item
}

// mismatches returns the differences Verify reports for tbl.
func mismatches(t *testing.T, tbl *tablemap.Table) []string {
	t.Helper()
	err := tbl.Verify(ctx)
	var me *tablemap.MismatchError
	if !errors.Is(err, tablemap.ErrTableMismatch) || !errors.As(err, &me) {
		t.Fatalf("Verify of a wrong declaration: %v, want a MismatchError", err)
	}
	return me.Mismatches
}

func TestDesignDeepThoughtsWrites(t *testing.T) {
	tbl, m := setup(t, tablemap.WithKey("username", "createdAt"), tablemap.WithKeyType("createdAt", types.ScalarAttributeTypeN),
		tablemap.WithTypeAttribute(""), tablemap.WithIndex("all", "kind", "createdAt"))
	thoughts := define[dtThought](t, tbl)
	create(t, tbl, m)
	m.Reset()
	if err := thoughts.Put(dtThought{Username: "ann", CreatedAt: 1700000000009, Kind: "t", Thought: "hello"}).IfNotExists().Run(ctx); err != nil {
		t.Fatal(err)
	}
	if n := m.Requests(); n != 1 {
		t.Errorf("%d requests to create a thought", n)
	}
	want := map[string]types.AttributeValue{"username": s("ann"), "createdAt": n("1700000000009"), "kind": s("t"), "thought": s("hello")}
	if d := cmp.Diff(want, stored(t, tbl, map[string]types.AttributeValue{"username": s("ann"), "createdAt": n("1700000000009")}), rawOpts); d != "" {
		t.Errorf("stored thought (-want +got):\n%s", d)
	}

	// createdAt declared a string: the difference is named. (An index the
	// declaration leaves out is no mismatch: Verify checks what is declared.)
	wrong := tablemap.NewTable(tbl.Client(), tbl.Name(), tablemap.WithKey("username", "createdAt"), tablemap.WithTypeAttribute(""))
	got := mismatches(t, wrong)
	if len(got) != 1 || !strings.Contains(got[0], "createdAt") {
		t.Errorf("mismatches %q, want the type of createdAt", got)
	}
}

func TestDesignEzyPassWrites(t *testing.T) {
	tbl, m := setup(t, tablemap.WithKey("user_name", "website_name"), tablemap.WithTypeAttribute(""), tablemap.WithIndex("ezy_user", "ezy_user", ""))
	creds := define[ezyCredential](t, tbl)
	create(t, tbl, m)
	m.Reset()
	c := ezyCredential{UserName: "ann", WebsiteName: "github", EzyUser: "ann", Password: "sealed", WebsiteID: "w1"}
	if err := creds.Put(c).IfNotExists().Run(ctx); err != nil {
		t.Fatal(err)
	}
	if err := creds.Put(c).IfNotExists().Run(ctx); !errors.Is(err, tablemap.ErrExists) {
		t.Errorf("adding a credential twice: %v, want ErrExists", err)
	}
	up, err := creds.Update(ezyCredential{UserName: "ann", WebsiteName: "github"}).Set("password", "resealed").Run(ctx)
	if err != nil || up.Password != "resealed" || up.WebsiteID != "w1" {
		t.Errorf("update: %+v, %v", up, err)
	}
	if _, err := creds.Delete(ezyCredential{UserName: "ann", WebsiteName: "github"}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	if item := stored(t, tbl, map[string]types.AttributeValue{"user_name": s("ann"), "website_name": s("github")}); item != nil {
		t.Errorf("deleted credential still stored: %v", item)
	}
	if n := m.Requests("PutItem", "UpdateItem", "DeleteItem"); n != 4 {
		t.Errorf("%d requests for 4 writes", n)
	}

	wrong := tablemap.NewTable(tbl.Client(), tbl.Name(), tablemap.WithKey("user_name", "website_name"), tablemap.WithTypeAttribute(""),
		tablemap.WithIndex("ezy_user", "user_id", ""), tablemap.WithIndex("by_site", "website_name", ""))
	if got := mismatches(t, wrong); len(got) != 2 {
		t.Errorf("mismatches %q, want the ezy_user index's key and the missing by_site index", got)
	}
}

func TestDesignMoviesWrites(t *testing.T) {
	tbl, m := setup(t, tablemap.WithKey("actor", "movie"), tablemap.WithTypeAttribute(""), tablemap.WithInvertedIndexName("movie_actor"))
	roles := define[movieRole](t, tbl)
	create(t, tbl, m)
	m.Reset()
	r := movieRole{Actor: "Tom Hanks", Movie: "Big", Role: "Josh", Year: 1988, Genre: "comedy"}
	if err := roles.Put(r).Run(ctx); err != nil {
		t.Fatal(err)
	}
	want := map[string]types.AttributeValue{"actor": s("Tom Hanks"), "movie": s("Big"), "role": s("Josh"), "year": n("1988"), "genre": s("comedy")}
	if d := cmp.Diff(want, stored(t, tbl, map[string]types.AttributeValue{"actor": s("Tom Hanks"), "movie": s("Big")}), rawOpts); d != "" {
		t.Errorf("stored role (-want +got):\n%s", d)
	}
	if got := collect(t, roles.Query(movieRole{Movie: "Big"}).Index("movie_actor").All(ctx)); len(got) != 1 || got[0] != r {
		t.Errorf("a movie's actors: %+v", got)
	}
	if n := m.Requests("PutItem", "Query"); n != 2 {
		t.Errorf("%d requests for 2 patterns", n)
	}
}

func TestDesignPhotoAppWrites(t *testing.T) {
	tbl, m := setup(t, tablemap.WithTypeAttribute(""), tablemap.WithInvertedIndexName("InvertedIndex"))
	users := define[photoUser](t, tbl)
	photos := define[photoPhoto](t, tbl)
	reactions := define[photoReaction](t, tbl)
	friends := define[photoFriend](t, tbl)
	create(t, tbl, m)
	for _, u := range []string{"ann", "bob"} {
		if err := users.Put(photoUser{Username: u}).IfNotExists().Run(ctx); err != nil {
			t.Fatal(err)
		}
	}
	m.Reset()
	if err := photos.Put(photoPhoto{Username: "ann", Timestamp: "2024-03-01"}).IfNotExists().Run(ctx); err != nil {
		t.Fatal(err)
	}
	// One reaction per user and type: the second is refused.
	heart := photoReaction{Reactor: "bob", Type: "heart", Owner: "ann", Timestamp: "2024-03-01"}
	if err := reactions.Put(heart).IfNotExists().Run(ctx); err != nil {
		t.Fatal(err)
	}
	if err := reactions.Put(heart).IfNotExists().Run(ctx); !errors.Is(err, tablemap.ErrExists) {
		t.Errorf("second heart: %v, want ErrExists", err)
	}
	// A follow: the edge and the followed user's counter in one transaction.
	err := tbl.WriteTx().
		Put(friends.Put(photoFriend{Followed: "ann", Follower: "bob"}).IfNotExists()).
		Update(users.Update(photoUser{Username: "ann"}).Incr("followers", 1)).
		Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := m.Requests(); n != 4 {
		t.Errorf("%d requests for 4 writes", n)
	}
	ann, err := users.Get(photoUser{Username: "ann"}).Run(ctx)
	if err != nil || ann.Followers != 1 {
		t.Errorf("ann after a follow: %+v, %v", ann, err)
	}
	if item := stored(t, tbl, map[string]types.AttributeValue{"PK": s("USER#ann"), "SK": s("#FRIEND#bob")}); item["_type"] != nil || item["PK"] == nil {
		t.Errorf("stored edge %v: want the original's attributes, no _type", item)
	}

	wrong := tablemap.NewTable(tbl.Client(), tbl.Name(), tablemap.WithTypeAttribute(""), tablemap.WithInvertedIndexName("Inverted"))
	if got := mismatches(t, wrong); len(got) != 1 || !strings.Contains(got[0], "Inverted") {
		t.Errorf("mismatches %q, want the missing Inverted index", got)
	}
}

func TestDesignNotesVerify(t *testing.T) {
	tbl, m := setup(t, tablemap.WithKey("userId", "noteId"), tablemap.WithTypeAttribute(""), tablemap.WithProvisionedThroughput(5, 5))
	define[noteItem](t, tbl)
	create(t, tbl, m)
	// The sort key named and typed as another attribute, and an index the
	// table lacks: every difference listed.
	wrong := tablemap.NewTable(tbl.Client(), tbl.Name(), tablemap.WithKey("userId", "createdAt"), tablemap.WithKeyType("createdAt", types.ScalarAttributeTypeN),
		tablemap.WithTypeAttribute(""), tablemap.WithIndex("by_attachment", "attachment", ""))
	if got := mismatches(t, wrong); len(got) != 2 {
		t.Errorf("mismatches %q, want the table key and the missing index", got)
	}
}
