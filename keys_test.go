package tablemap_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tablemap/tablemap"
)

// Event has integer and time key fields, to show their sortable forms.
type Event struct {
	_      struct{}  `tablemap:"Event" pk:"STREAM#{stream}#{shard}" sk:"AT#{at}#SEQ#{seq}"`
	Stream string    `dynamo:"stream"`
	Shard  uint8     `dynamo:"shard"`
	At     time.Time `dynamo:"at"`
	Seq    int64     `dynamo:"seq"`
	Body   string    `dynamo:"body"`
}

func TestKeyAndParseKey(t *testing.T) {
	t.Parallel()
	tbl := tablemap.NewTable(nil, "app")
	events := define[Event](t, tbl)
	at := time.Date(2024, 5, 1, 12, 30, 0, 5, time.FixedZone("CEST", 2*3600))
	e := Event{Stream: "a#b c", Shard: 3, At: at, Seq: -2, Body: "not in the key"}

	key, err := events.Key(e)
	if err != nil {
		t.Fatal(err)
	}
	want := tablemap.Key{
		PK: "STREAM#a%23b%20c#00000000000000000003",
		SK: "AT#2024-05-01T10:30:00.000000005Z#SEQ#-9999999999999999998",
	}
	diff(t, "key", want, key)

	got, err := events.ParseKey(key.PK, key.SK)
	if err != nil {
		t.Fatal(err)
	}
	e.Body = ""
	diff(t, "parsed key fields", e, got)
	if !got.At.Equal(at) {
		t.Errorf("time %v, want %v", got.At, at)
	}
}

// TestKeyEscaping checks a user named "ann#PHOTO" cannot address ann's
// photos: distinct values never make the same key.
func TestKeyEscaping(t *testing.T) {
	t.Parallel()
	tbl := tablemap.NewTable(nil, "app")
	photos := define[Photo](t, tbl)
	users := define[User](t, tbl)
	ann, err := photos.Key(Photo{Username: "ann", Taken: taken})
	if err != nil {
		t.Fatal(err)
	}
	evil, err := users.Key(User{Username: "ann#PHOTO"})
	if err != nil {
		t.Fatal(err)
	}
	if ann.PK == evil.PK {
		t.Errorf("user %q shares ann's partition %q", "ann#PHOTO", ann.PK)
	}
}

func TestKeyErrors(t *testing.T) {
	t.Parallel()
	tbl := tablemap.NewTable(nil, "app")
	events := define[Event](t, tbl)
	photos := define[Photo](t, tbl)

	_, err := events.Key(Event{Shard: 1, At: taken})
	wantErr(t, err, tablemap.ErrInvalidKey)
	_, err = photos.Key(Photo{Username: "ann"})
	wantErr(t, err, tablemap.ErrInvalidKey)
	// A zero integer is a value like any other in a full key.
	if _, err := events.Key(Event{Stream: "s", At: taken}); err != nil {
		t.Errorf("key with zero integers: %v", err)
	}

	for _, k := range []tablemap.Key{
		{PK: "USER#ann", SK: "PHOTO#yesterday"},
		{PK: "USR#ann", SK: "PHOTO#" + takenKey},
		{PK: "USER#ann#x", SK: "PHOTO#" + takenKey},
		{PK: "USER#", SK: "PHOTO#" + takenKey},
	} {
		_, err := photos.ParseKey(k.PK, k.SK)
		wantErr(t, err, tablemap.ErrInvalidKey)
	}
	_, err = events.ParseKey("STREAM#s#00000000000000000300", "AT#"+takenKey+"#SEQ#00000000000000000001")
	wantErr(t, err, tablemap.ErrInvalidKey) // 300 overflows a uint8
}

// zScore is a player's score on a level of a game: a sort key that starts
// with an integer field, which may be zero.
type zScore struct {
	_      struct{} `tablemap:"Score" pk:"GAME#{game}" sk:"LEVEL#{level}#{player}"`
	Game   string   `dynamo:"game"`
	Level  int      `dynamo:"level"`
	Player string   `dynamo:"player"`
	Points int      `dynamo:"points"`
}

// TestQueryZeroKeyFields checks that a zero integer is a value in a
// partial value and in sort key conditions, that a query never widens to
// fields the caller did not give, and that Get and Query agree.
func TestQueryZeroKeyFields(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	scores := define[zScore](t, tbl)
	follows := define[qFollow](t, tbl)
	create(t, tbl, m)
	var all []zScore
	for _, level := range []int{-1, 0, 1} {
		for _, player := range []string{"a", "b"} {
			s := zScore{Game: "g", Level: level, Player: player, Points: 10*level + len(player)}
			put(t, scores, s)
			all = append(all, s)
		}
	}
	put(t, follows, qFollow{User: "bob", Other: "ann", Since: minute(1)}, qFollow{User: "bob", Other: "cat", Since: minute(2)})
	levelZeroA := all[2]

	got, err := scores.Get(zScore{Game: "g", Level: 0, Player: "a"}).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "get level 0 a", levelZeroA, got)
	m.Reset()
	for _, tc := range []struct {
		name string
		q    *tablemap.Query[zScore]
		want []zScore
	}{
		{"whole partition", scores.Query(zScore{Game: "g"}), all},
		{"level 0, player a: the item Get reads", scores.Query(zScore{Game: "g", Level: 0, Player: "a"}), []zScore{levelZeroA}},
		{"zero level before a set player", scores.Query(zScore{Game: "g", Player: "b"}), []zScore{all[3]}},
		{"level 1", scores.Query(zScore{Game: "g", Level: 1}), all[4:]},
		{"equal level 0, player a", scores.Query(zScore{Game: "g"}).SKEqual(zScore{Level: 0, Player: "a"}), []zScore{levelZeroA}},
		{"equal level 0", scores.Query(zScore{Game: "g"}).SKEqual(zScore{Level: 0}), all[2:4]},
		{"less than level 0", scores.Query(zScore{Game: "g"}).SKLess(zScore{Level: 0}), all[:2]},
		{"between levels 0 and 1", scores.Query(zScore{Game: "g"}).SKBetween(zScore{Level: 0}, zScore{Level: 1}), all[2:]},
		{"between levels -1 and 0", scores.Query(zScore{Game: "g"}).SKBetween(zScore{Level: -1}, zScore{}), all[:4]},
	} {
		diff(t, tc.name, tc.want, collect(t, tc.q.All(ctx)))
	}
	if n := m.Requests("Query"); n != 9 {
		t.Errorf("%d Query requests, want 9 (one per query)", n)
	}

	// A field set after an empty one cannot be honoured by a prefix: an
	// error naming both, before any request, not bob's every follow.
	m.Reset()
	_, err = follows.Query(qFollow{User: "bob", Since: minute(1)}).Params()
	wantErr(t, err, tablemap.ErrInvalidKey)
	for _, name := range []string{`"other"`, `"since"`} {
		if err != nil && !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not name field %s", err, name)
		}
	}
	_, err = follows.Query(qFollow{User: "bob"}).SKLess(qFollow{Since: minute(1)}).First(ctx)
	wantErr(t, err, tablemap.ErrInvalidKey)
	if n := m.Requests(); n != 0 {
		t.Errorf("%d requests for refused queries, want 0", n)
	}
}

// zDoc has a table key and a GSI key, for key size limits.
type zDoc struct {
	_     struct{} `tablemap:"Doc" pk:"DOC#{owner}" sk:"NAME#{name}" gsi1pk:"TAG#{tag}" gsi1sk:"{name}"`
	Owner string   `dynamo:"owner"`
	Name  string   `dynamo:"name"`
	Tag   string   `dynamo:"tag,omitempty"`
}

// TestKeySizeLimits checks that keys over DynamoDB's limits (2,048 bytes
// for a partition key, 1,024 for a sort key, as stored after escaping) are
// ErrInvalidKey before any request, with a short message, for writes,
// reads and queries, of the table and of an index.
func TestKeySizeLimits(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	docs := define[zDoc](t, tbl)
	create(t, tbl, m)
	owner := func(n int) string { return strings.Repeat("o", n) }
	name := func(n int) string { return strings.Repeat("n", n) }
	// At the limits exactly: stored.
	atLimit := zDoc{Owner: owner(tablemap.MaxPartitionKeyBytes - len("DOC#")), Name: name(tablemap.MaxSortKeyBytes - len("NAME#")), Tag: "t"}
	put(t, docs, atLimit)
	got, err := docs.Get(atLimit).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "item at the limits", atLimit, got)

	m.Reset()
	ok := zDoc{Owner: "ann", Name: "a", Tag: "t"}
	for what, v := range map[string]zDoc{
		"partition key":                  {Owner: owner(tablemap.MaxPartitionKeyBytes), Name: "a"},
		"partition key after escaping":   {Owner: strings.Repeat("#", 700), Name: "a"},
		"sort key":                       {Owner: "ann", Name: name(tablemap.MaxSortKeyBytes - len("NAME#") + 1)},
		"GSI partition key":              {Owner: "ann", Name: "a", Tag: strings.Repeat("t", tablemap.MaxPartitionKeyBytes)},
		"GSI sort key after escaping":    {Owner: "ann", Name: strings.Repeat(" ", 400)},
		"sort key of 2 KB, message size": {Owner: "ann", Name: name(2000)},
	} {
		ops := map[string]func() error{
			"Put":    func() error { return docs.Put(v).Run(ctx) },
			"Delete": func() error { _, err := docs.Delete(v).Run(ctx); return err },
			"Get":    func() error { _, err := docs.Get(v).Run(ctx); return err },
		}
		if v.Tag != "" {
			ops = map[string]func() error{"Put": ops["Put"]} // only a write builds index keys
		}
		for op, run := range ops {
			err := run()
			wantErr(t, err, tablemap.ErrInvalidKey)
			if err != nil && len(err.Error()) > 400 {
				t.Errorf("%s %s: message of %d bytes: %.200s…", op, what, len(err.Error()), err)
			}
		}
	}
	for what, q := range map[string]*tablemap.Query[zDoc]{
		"partition":     docs.Query(zDoc{Owner: owner(tablemap.MaxPartitionKeyBytes)}),
		"GSI partition": docs.Query(zDoc{Tag: strings.Repeat("t", tablemap.MaxPartitionKeyBytes)}).Index("GSI1"),
		"sort prefix":   docs.Query(zDoc{Owner: "ann", Name: name(tablemap.MaxSortKeyBytes)}),
		"condition":     docs.Query(ok).SKGreater(zDoc{Name: name(tablemap.MaxSortKeyBytes)}),
		"begins with":   docs.Query(zDoc{Tag: "t"}).Index("GSI1").SKBeginsWith(zDoc{Name: name(tablemap.MaxSortKeyBytes + 1)}),
	} {
		_, err := q.First(ctx)
		wantErr(t, err, tablemap.ErrInvalidKey)
		if err != nil && len(err.Error()) > 400 {
			t.Errorf("query %s: message of %d bytes", what, len(err.Error()))
		}
	}
	if n := m.Requests(); n != 0 {
		t.Errorf("%d requests with keys over the limits, want 0 (%v)", n, m)
	}

	// With an inverted index, the table's partition key is that index's
	// sort key: DynamoDB holds it to 1,024 bytes.
	inv, im := setup(t, tablemap.WithInvertedIndex())
	idocs := define[zDoc](t, inv)
	create(t, inv, im)
	err = idocs.Put(zDoc{Owner: owner(tablemap.MaxSortKeyBytes), Name: "a"}).Run(ctx)
	wantErr(t, err, tablemap.ErrInvalidKey)
	if n := im.Requests(); n != 0 {
		t.Errorf("%d requests with a partition key over the inverted index's limit, want 0", n)
	}
}

// Upload's index sort key repeats its partition key's field.
type Upload struct {
	_     struct{}  `tablemap:"Upload" pk:"U#{owner}#{id}" gsi1pk:"UPLOADS#{owner}" gsi1sk:"{at}#{owner}#{id}"`
	Owner string    `dynamo:"owner"`
	ID    string    `dynamo:"id"`
	At    time.Time `dynamo:"at"`
}

// TestQueryPinnedSortKeyField: a sort key field the partition key also
// reads is fixed by the partition, so setting it (as the partition needs)
// after an empty sort key field is no gap; any other field set there is.
func TestQueryPinnedSortKeyField(t *testing.T) {
	t.Parallel()
	uploads := define[Upload](t, tablemap.NewTable(nil, "app"))
	in, err := uploads.Query(Upload{Owner: "ann"}).Index("GSI1").Params()
	if err != nil {
		t.Fatalf("query of a partition whose field the sort key repeats: %v", err)
	}
	if got := *in.KeyConditionExpression; strings.Contains(got, "begins_with") || strings.Contains(got, "AND") {
		t.Errorf("key condition %q: want the partition alone", got)
	}
	_, err = uploads.Query(Upload{Owner: "ann", ID: "x"}).Index("GSI1").Params()
	if !errors.Is(err, tablemap.ErrInvalidKey) || !strings.Contains(err.Error(), `"id"`) {
		t.Errorf("id set after the empty time: %v, want ErrInvalidKey naming id", err)
	}
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	in, err = uploads.Query(Upload{Owner: "ann", At: at}).Index("GSI1").Params()
	if err != nil {
		t.Fatal(err)
	}
	if got := *in.KeyConditionExpression; !strings.Contains(got, "begins_with") {
		t.Errorf("key condition %q: want a sort key prefix through at and owner", got)
	}
}
