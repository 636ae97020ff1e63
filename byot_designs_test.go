package tablemap_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/tablemap/tablemap"
)

// The reference applications' original table designs, declared as they
// are published (see REFERENCE_DESIGNS.md): created, described, verified,
// read from items that raw SDK calls wrote, each pattern in one request.

// sdkPut writes items with the SDK, as another program would: no _type.
func sdkPut(t *testing.T, tbl *tablemap.Table, items ...map[string]types.AttributeValue) {
	t.Helper()
	for _, item := range items {
		if _, err := tbl.Client().PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(tbl.Name()), Item: item}); err != nil {
			t.Fatal(err)
		}
	}
}

// describe checks that the live table has the declared key schema and
// indexes, and that Verify passes.
func describe(t *testing.T, tbl *tablemap.Table, key string, indexes map[string]string) {
	t.Helper()
	out, err := tbl.Client().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(tbl.Name())})
	if err != nil {
		t.Fatal(err)
	}
	keyText := func(ks []types.KeySchemaElement) string {
		var b string
		for _, k := range ks {
			b += string(k.KeyType) + " " + aws.ToString(k.AttributeName) + ";"
		}
		return b
	}
	got := map[string]string{}
	for _, g := range out.Table.GlobalSecondaryIndexes {
		got[aws.ToString(g.IndexName)] = keyText(g.KeySchema)
	}
	for _, l := range out.Table.LocalSecondaryIndexes {
		got[aws.ToString(l.IndexName)] = keyText(l.KeySchema)
	}
	if d := cmp.Diff(key, keyText(out.Table.KeySchema)); d != "" {
		t.Errorf("key schema (-want +got):\n%s", d)
	}
	if indexes == nil {
		indexes = map[string]string{}
	}
	if d := cmp.Diff(indexes, got); d != "" {
		t.Errorf("indexes (-want +got):\n%s", d)
	}
	if err := tbl.Verify(ctx); err != nil {
		t.Errorf("Verify: %v", err)
	}
}

type dtThought struct {
	_         struct{} `tablemap:"Thought" pk:"{username}" sk:"{createdAt}" all.pk:"{kind}" all.sk:"{createdAt}"`
	Username  string   `dynamo:"username"`
	CreatedAt int64    `dynamo:"createdAt"`
	Kind      string   `dynamo:"kind,omitempty"`
	Thought   string   `dynamo:"thought"`
}

func TestDesignDeepThoughts(t *testing.T) {
	tbl, m := setup(t, tablemap.WithKey("username", "createdAt"), tablemap.WithKeyType("createdAt", types.ScalarAttributeTypeN),
		tablemap.WithTypeAttribute(""), tablemap.WithIndex("all", "kind", "createdAt"))
	thoughts := define[dtThought](t, tbl)
	create(t, tbl, m)
	describe(t, tbl, "HASH username;RANGE createdAt;", map[string]string{"all": "HASH kind;RANGE createdAt;"})
	sdkPut(t, tbl,
		map[string]types.AttributeValue{"username": s("ann"), "createdAt": n("1700000000001"), "thought": s("first"), "kind": s("t")},
		map[string]types.AttributeValue{"username": s("ann"), "createdAt": n("1700000000002"), "thought": s("second"), "kind": s("t")},
		map[string]types.AttributeValue{"username": s("bob"), "createdAt": n("1700000000003"), "thought": s("bob's"), "kind": s("t")})
	m.Reset()
	got := collect(t, thoughts.Query(dtThought{Username: "ann"}).Newest().All(ctx))
	want := []dtThought{
		{Username: "ann", CreatedAt: 1700000000002, Kind: "t", Thought: "second"},
		{Username: "ann", CreatedAt: 1700000000001, Kind: "t", Thought: "first"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("one user's thoughts, newest first (-want +got):\n%s", d)
	}
	all := collect(t, thoughts.Query(dtThought{Kind: "t"}).Index("all").Newest().All(ctx))
	if len(all) != 3 || all[0].Username != "bob" {
		t.Errorf("all users' thoughts through the index: %+v", all)
	}
	newer := collect(t, thoughts.Query(dtThought{Username: "ann"}).SKGreater(dtThought{CreatedAt: 1700000000001}).All(ctx))
	if len(newer) != 1 || newer[0].Thought != "second" {
		t.Errorf("numeric sort key condition: %+v", newer)
	}
	if n := m.Requests("Query"); n != 3 {
		t.Errorf("%d queries for 3 patterns", n)
	}
}

type noteItem struct {
	_          struct{} `tablemap:"Note" pk:"{userId}" sk:"{noteId}"`
	UserID     string   `dynamo:"userId"`
	NoteID     string   `dynamo:"noteId"`
	Content    string   `dynamo:"content"`
	Attachment string   `dynamo:"attachment,omitempty"`
	CreatedAt  int64    `dynamo:"createdAt"`
}

func TestDesignNotes(t *testing.T) {
	tbl, m := setup(t, tablemap.WithKey("userId", "noteId"), tablemap.WithTypeAttribute(""), tablemap.WithProvisionedThroughput(5, 5))
	notes := define[noteItem](t, tbl)
	create(t, tbl, m)
	describe(t, tbl, "HASH userId;RANGE noteId;", nil)
	out, err := tbl.Client().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(tbl.Name())})
	if err != nil {
		t.Fatal(err)
	}
	if pt := out.Table.ProvisionedThroughput; aws.ToInt64(pt.ReadCapacityUnits) != 5 || aws.ToInt64(pt.WriteCapacityUnits) != 5 {
		t.Errorf("provisioned %d/%d, want 5/5", aws.ToInt64(pt.ReadCapacityUnits), aws.ToInt64(pt.WriteCapacityUnits))
	}
	sdkPut(t, tbl,
		map[string]types.AttributeValue{"userId": s("u1"), "noteId": s("n1"), "content": s("hello"), "createdAt": n("1700")},
		map[string]types.AttributeValue{"userId": s("u1"), "noteId": s("n2"), "content": s("world"), "attachment": s("a.png"), "createdAt": n("1701")})
	m.Reset()
	got, err := notes.Get(noteItem{UserID: "u1", NoteID: "n2"}).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(noteItem{UserID: "u1", NoteID: "n2", Content: "world", Attachment: "a.png", CreatedAt: 1701}, got); d != "" {
		t.Errorf("get (-want +got):\n%s", d)
	}
	if list := collect(t, notes.Query(noteItem{UserID: "u1"}).All(ctx)); len(list) != 2 || list[0].Content != "hello" {
		t.Errorf("list: %+v", list)
	}
	if n := m.Requests(); n != 2 {
		t.Errorf("%d requests for get and list", n)
	}

	// Create, update and delete through the entity: one request each, and
	// the stored item is what the original application wrote (no _type).
	m.Reset()
	if err := notes.Put(noteItem{UserID: "u1", NoteID: "n3", Content: "new", CreatedAt: 1702}).IfNotExists().Run(ctx); err != nil {
		t.Fatal(err)
	}
	if err := notes.Put(noteItem{UserID: "u1", NoteID: "n3", Content: "again"}).IfNotExists().Run(ctx); !errors.Is(err, tablemap.ErrExists) {
		t.Errorf("second create: %v, want ErrExists", err)
	}
	up, err := notes.Update(noteItem{UserID: "u1", NoteID: "n3"}).Set("content", "edited").Run(ctx)
	if err != nil || up.Content != "edited" || up.CreatedAt != 1702 {
		t.Errorf("update: %+v, %v", up, err)
	}
	if _, err := notes.Update(noteItem{UserID: "u1", NoteID: "nope"}).Set("content", "x").Run(ctx); !errors.Is(err, tablemap.ErrNotFound) {
		t.Errorf("update of a missing note: %v, want ErrNotFound", err)
	}
	raw, err := tbl.Client().GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(tbl.Name()),
		Key: map[string]types.AttributeValue{"userId": s("u1"), "noteId": s("n3")}})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(map[string]types.AttributeValue{"userId": s("u1"), "noteId": s("n3"), "content": s("edited"), "createdAt": n("1702")}, raw.Item, rawOpts); d != "" {
		t.Errorf("stored note (-want +got):\n%s", d)
	}
	if _, err := notes.Delete(noteItem{UserID: "u1", NoteID: "n3"}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := notes.Get(noteItem{UserID: "u1", NoteID: "n3"}).Run(ctx); !errors.Is(err, tablemap.ErrNotFound) {
		t.Errorf("get after delete: %v, want ErrNotFound", err)
	}
	if n := m.Requests("PutItem", "UpdateItem", "DeleteItem"); n != 5 {
		t.Errorf("%d write requests for 5 writes", n)
	}
}

type ezyCredential struct {
	_           struct{} `tablemap:"Credential" pk:"{user_name}" sk:"{website_name}" ezy_user.pk:"{ezy_user}"`
	UserName    string   `dynamo:"user_name"`
	WebsiteName string   `dynamo:"website_name"`
	EzyUser     string   `dynamo:"ezy_user,omitempty"`
	Password    string   `dynamo:"password"`
	WebsiteID   string   `dynamo:"website_id"`
}

func TestDesignEzyPass(t *testing.T) {
	tbl, m := setup(t, tablemap.WithKey("user_name", "website_name"), tablemap.WithTypeAttribute(""), tablemap.WithIndex("ezy_user", "ezy_user", ""))
	creds := define[ezyCredential](t, tbl)
	create(t, tbl, m)
	describe(t, tbl, "HASH user_name;RANGE website_name;", map[string]string{"ezy_user": "HASH ezy_user;"})
	sdkPut(t, tbl,
		map[string]types.AttributeValue{"user_name": s("ann@site"), "website_name": s("github"), "ezy_user": s("ann"), "password": s("x"), "website_id": s("w1")},
		map[string]types.AttributeValue{"user_name": s("ann2"), "website_name": s("gitlab"), "ezy_user": s("ann"), "password": s("y"), "website_id": s("w2")})
	m.Reset()
	list := collect(t, creds.Query(ezyCredential{EzyUser: "ann"}).Index("ezy_user").All(ctx))
	if len(list) != 2 {
		t.Errorf("a user's credentials: %+v", list)
	}
	one, err := creds.Get(ezyCredential{UserName: "ann@site", WebsiteName: "github"}).Run(ctx)
	if err != nil || one.Password != "x" || one.EzyUser != "ann" {
		t.Errorf("get by website: %+v, %v", one, err)
	}
	if n := m.Requests(); n != 2 {
		t.Errorf("%d requests for 2 patterns", n)
	}
}

type movieRole struct {
	_     struct{} `tablemap:"Role" pk:"{actor}" sk:"{movie}"`
	Actor string   `dynamo:"actor"`
	Movie string   `dynamo:"movie"`
	Role  string   `dynamo:"role"`
	Year  int      `dynamo:"year"`
	Genre string   `dynamo:"genre"`
}

func TestDesignMovies(t *testing.T) {
	opts := []tablemap.TableOption{tablemap.WithKey("actor", "movie"), tablemap.WithTypeAttribute(""), tablemap.WithInvertedIndexName("movie_actor")}
	tbl, m := setup(t, opts...)
	roles := define[movieRole](t, tbl)
	create(t, tbl, m)
	describe(t, tbl, "HASH actor;RANGE movie;", map[string]string{"movie_actor": "HASH movie;RANGE actor;"})
	sdkPut(t, tbl,
		map[string]types.AttributeValue{"actor": s("Tom Hanks"), "movie": s("Cast Away"), "role": s("Chuck"), "year": n("2000"), "genre": s("drama")},
		map[string]types.AttributeValue{"actor": s("Tom Hanks"), "movie": s("Big"), "role": s("Josh"), "year": n("1988"), "genre": s("comedy")},
		map[string]types.AttributeValue{"actor": s("Helen Hunt"), "movie": s("Cast Away"), "role": s("Kelly"), "year": n("2000"), "genre": s("drama")})
	m.Reset()
	if got := collect(t, roles.Query(movieRole{Actor: "Tom Hanks"}).All(ctx)); len(got) != 2 || got[0].Movie != "Big" {
		t.Errorf("an actor's movies: %+v", got)
	}
	if got := collect(t, roles.Query(movieRole{Movie: "Cast Away"}).Index("movie_actor").All(ctx)); len(got) != 2 || got[0].Actor != "Helen Hunt" {
		t.Errorf("a movie's actors: %+v", got)
	}
	one, err := roles.Get(movieRole{Actor: "Helen Hunt", Movie: "Cast Away"}).Run(ctx)
	if d := cmp.Diff(movieRole{Actor: "Helen Hunt", Movie: "Cast Away", Role: "Kelly", Year: 2000, Genre: "drama"}, one); d != "" || err != nil {
		t.Errorf("one role (-want +got), %v:\n%s", err, d)
	}
	if n := m.Requests(); n != 3 {
		t.Errorf("%d requests for 3 patterns", n)
	}

	// The same table declared wrongly: every difference in one error.
	wrong := tablemap.NewTable(tbl.Client(), tbl.Name(), tablemap.WithKey("actor", "year"), tablemap.WithKeyType("year", types.ScalarAttributeTypeN),
		tablemap.WithTypeAttribute(""), tablemap.WithIndex("by_genre", "genre", ""), tablemap.WithInvertedIndexName("movie_actor"))
	err = wrong.Verify(ctx)
	var me *tablemap.MismatchError
	if !errors.Is(err, tablemap.ErrTableMismatch) || !errors.As(err, &me) {
		t.Fatalf("Verify of a wrong declaration: %v", err)
	}
	want := []string{
		"table key is HASH actor, RANGE movie, declared HASH actor, RANGE year",
		`index "movie_actor" key is HASH movie, RANGE actor, declared HASH year, RANGE actor`,
		`global secondary index "by_genre" is missing (the table has movie_actor)`,
	}
	if d := cmp.Diff(want, me.Mismatches); d != "" {
		t.Errorf("mismatches (-want +got):\n%s", d)
	}
}

type photoUser struct {
	_         struct{} `tablemap:"User" pk:"USER#{username}" sk:"#METADATA#{username}"`
	Username  string   `dynamo:"username"`
	Followers int      `dynamo:"followers"`
	Photos    int      `dynamo:"photos"`
}

type photoPhoto struct {
	_         struct{}       `tablemap:"Photo" pk:"USER#{username}" sk:"PHOTO#{username}#{timestamp}"`
	Username  string         `dynamo:"username"`
	Timestamp string         `dynamo:"timestamp"`
	Reactions map[string]int `dynamo:"reactions"`
}

type photoReaction struct {
	_         struct{} `tablemap:"Reaction" pk:"REACTION#{reactor}#{type}" sk:"PHOTO#{owner}#{timestamp}"`
	Reactor   string   `dynamo:"reactor"`
	Type      string   `dynamo:"type"`
	Owner     string   `dynamo:"owner"`
	Timestamp string   `dynamo:"timestamp"`
}

type photoFriend struct {
	_        struct{} `tablemap:"Friendship" pk:"USER#{followed}" sk:"#FRIEND#{follower}"`
	Followed string   `dynamo:"followed"`
	Follower string   `dynamo:"follower"`
}

func TestDesignPhotoApp(t *testing.T) {
	tbl, m := setup(t, tablemap.WithTypeAttribute(""), tablemap.WithInvertedIndexName("InvertedIndex"))
	users := define[photoUser](t, tbl)
	photos := define[photoPhoto](t, tbl)
	reactions := define[photoReaction](t, tbl)
	friends := define[photoFriend](t, tbl)
	create(t, tbl, m)
	describe(t, tbl, "HASH PK;RANGE SK;", map[string]string{"InvertedIndex": "HASH SK;RANGE PK;"})
	key := func(pk, sk string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"PK": s(pk), "SK": s(sk)}
	}
	user := key("USER#ann", "#METADATA#ann")
	user["followers"], user["photos"] = n("1"), n("2")
	p1, p2 := key("USER#ann", "PHOTO#ann#2024-01-01"), key("USER#ann", "PHOTO#ann#2024-02-01")
	p2["reactions"] = &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"heart": n("1")}}
	sdkPut(t, tbl, user, p1, p2, key("REACTION#bob#heart", "PHOTO#ann#2024-02-01"), key("USER#ann", "#FRIEND#bob"))
	m.Reset()

	page, err := tablemap.Collect2(users.Query(photoUser{Username: "ann"}).Newest(), photos).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.A) != 1 || page.A[0].Followers != 1 || len(page.B) != 2 || page.B[0].Timestamp != "2024-02-01" || page.B[0].Reactions["heart"] != 1 {
		t.Errorf("profile with photos, newest first: %+v", page)
	}
	rs := collect(t, reactions.Query(photoReaction{Owner: "ann", Timestamp: "2024-02-01"}).Index("InvertedIndex").All(ctx))
	if d := cmp.Diff([]photoReaction{{Reactor: "bob", Type: "heart", Owner: "ann", Timestamp: "2024-02-01"}}, rs); d != "" {
		t.Errorf("a photo's reactions (-want +got):\n%s", d)
	}
	fs := collect(t, friends.Query(photoFriend{Followed: "ann"}).All(ctx))
	if d := cmp.Diff([]photoFriend{{Followed: "ann", Follower: "bob"}}, fs); d != "" {
		t.Errorf("followers (-want +got):\n%s", d)
	}
	fd := collect(t, friends.Query(photoFriend{Follower: "bob"}).Index("InvertedIndex").All(ctx))
	if d := cmp.Diff([]photoFriend{{Followed: "ann", Follower: "bob"}}, fd); d != "" {
		t.Errorf("followed (-want +got):\n%s", d)
	}
	if n := m.Requests(); n != 4 {
		t.Errorf("%d requests for 4 patterns", n)
	}
}
