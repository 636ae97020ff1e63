package tablemap_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/tablemap/tablemap"
)

type Address struct {
	City string `dynamo:"city"`
	Zip  int    `dynamo:"zip,string"`
}

// Card is a document with nested attributes: a struct, a map of counters
// and a list.
type Card struct {
	_         struct{}       `tablemap:"Card" pk:"OWNER#{owner}" sk:"CARD#{id}"`
	Owner     string         `dynamo:"owner"`
	ID        string         `dynamo:"id"`
	Title     string         `dynamo:"title"`
	Address   Address        `dynamo:"address"`
	Reactions map[string]int `dynamo:"reactions"`
	Tags      []string       `dynamo:"tags"`
}

func newCards(t *testing.T) *tablemap.Entity[Card] {
	t.Helper()
	tbl, m := setup(t)
	cards := define[Card](t, tbl)
	create(t, tbl, m)
	for _, c := range []Card{
		{Owner: "ann", ID: "1", Title: "one", Address: Address{City: "Oslo", Zip: 150}, Reactions: map[string]int{"heart": 3}, Tags: []string{"a"}},
		{Owner: "ann", ID: "2", Title: "two", Address: Address{City: "Rome", Zip: 118}, Reactions: map[string]int{"heart": 1, "laugh": 2}, Tags: []string{}},
		{Owner: "ann", ID: "3", Title: "three", Address: Address{City: "Oslo", Zip: 151}, Reactions: map[string]int{}, Tags: []string{"b", "c"}},
	} {
		if err := cards.Put(c).Run(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return cards
}

func cardIDs(cards []Card) string {
	var b []string
	for _, c := range cards {
		b = append(b, c.ID)
	}
	return strings.Join(b, ",")
}

// firstErr returns the first error of seq.
func firstErr[T any](seq func(func(T, error) bool)) error {
	for _, err := range seq {
		if err != nil {
			return err
		}
	}
	return nil
}

// TestNestedFilter filters a query and a scan on nested paths, and refuses
// before sending a nested path the type does not have or a value of
// another type than the one stored there.
func TestNestedFilter(t *testing.T) {
	t.Parallel()
	cards := newCards(t)
	q := cards.Query(Card{Owner: "ann"}).Filter(expression.Name("address.city").Equal(expression.Value("Oslo")).
		And(expression.Name("reactions.heart").GreaterThanEqual(expression.Value(2))))
	got := collect(t, q.All(ctx))
	diff(t, "cards in Oslo with 2 hearts or more", "1", cardIDs(got))

	got = collect(t, cards.Scan().Filter(expression.Name("tags[0]").Equal(expression.Value("b"))).All(ctx))
	diff(t, "cards whose first tag is b", "3", cardIDs(got))

	got = collect(t, cards.Query(Card{Owner: "ann"}).Filter(expression.Name("address.zip").Equal(expression.Value("118"))).All(ctx))
	diff(t, "cards at zip 118 (stored as a string)", "2", cardIDs(got))

	for _, cond := range []expression.ConditionBuilder{
		expression.Name("address.town").Equal(expression.Value("Oslo")),
		expression.Name("address.zip").Equal(expression.Value(118)),
		expression.Name("reactions.heart").Equal(expression.Value("3")),
		expression.Name("title.x").AttributeExists(),
	} {
		wantErr(t, firstErr(cards.Query(Card{Owner: "ann"}).Filter(cond).All(ctx)), tablemap.ErrInvalidCondition)
	}
}

// TestNestedCondition guards a Put, an Update and a Delete with conditions
// on nested paths.
func TestNestedCondition(t *testing.T) {
	t.Parallel()
	cards := newCards(t)
	key := Card{Owner: "ann", ID: "1"}
	inRome := expression.Name("address.city").Equal(expression.Value("Rome"))
	_, err := cards.Update(key).Set("title", "x").If(inRome).Run(ctx)
	wantErr(t, err, tablemap.ErrConditionFailed)
	got, err := cards.Update(key).Set("title", "uno").If(expression.Name("reactions.heart").Equal(expression.Value(3))).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "title", "uno", got.Title)

	err = cards.Put(Card{Owner: "ann", ID: "1"}).If(expression.Name("reactions.laugh").AttributeExists()).Run(ctx)
	wantErr(t, err, tablemap.ErrConditionFailed)
	_, err = cards.Delete(Card{Owner: "ann", ID: "2"}).If(expression.Name("reactions.laugh").Equal(expression.Value(2))).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = cards.Delete(key).If(expression.Name("address.zip").LessThan(expression.Value(200))).Run(ctx)
	wantErr(t, err, tablemap.ErrInvalidCondition)
}

// TestNestedProjection reads nested paths only, with Get and Query, and
// refuses list indexes, overlapping paths and unknown steps.
func TestNestedProjection(t *testing.T) {
	t.Parallel()
	cards := newCards(t)
	got, err := cards.Get(Card{Owner: "ann", ID: "2"}).Project("address.city", "reactions.laugh").Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := Card{Owner: "ann", ID: "2", Address: Address{City: "Rome"}, Reactions: map[string]int{"laugh": 2}}
	diff(t, "projected card", want, got)

	all := collect(t, cards.Query(Card{Owner: "ann"}).Project("address.zip").All(ctx))
	var zips []int
	for _, c := range all {
		if c.Title != "" || c.Address.City != "" {
			t.Errorf("card %s: attributes not projected were read: %+v", c.ID, c)
		}
		zips = append(zips, c.Address.Zip)
	}
	diff(t, "projected zips", []int{150, 118, 151}, zips)

	for attrs, msg := range map[string]string{
		"tags[1]":              "packed",
		"address,address.city": "overlap",
		"address.town":         "has no field",
	} {
		_, err := cards.Get(Card{Owner: "ann", ID: "1"}).Project(strings.Split(attrs, ",")...).Run(ctx)
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("Get projecting %s: %v, want an error with %q", attrs, err, msg)
		}
		err = firstErr(cards.Query(Card{Owner: "ann"}).Project(strings.Split(attrs, ",")...).All(ctx))
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("Query projecting %s: %v, want an error with %q", attrs, err, msg)
		}
	}
}

// TestNestedUpdate changes nested paths through the public Update: Set,
// Incr, Remove and a condition on a nested path, then SetIfNotExists,
// Append and Add; overlapping paths are refused before sending and a
// missing parent is ErrMissingParent with nothing applied.
func TestNestedUpdate(t *testing.T) {
	t.Parallel()
	cards := newCards(t)
	key := Card{Owner: "ann", ID: "1"}
	got, err := cards.Update(key).
		Set("address.city", "Bergen").
		Incr("reactions.heart", 2).
		Incr("reactions.wow", 1).
		Remove("tags[0]").
		If(expression.Name("address.city").Equal(expression.Value("Oslo"))).
		Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := Card{Owner: "ann", ID: "1", Title: "one", Address: Address{City: "Bergen", Zip: 150}, Reactions: map[string]int{"heart": 5, "wow": 1}, Tags: []string{}}
	diff(t, "updated card", want, got)

	_, err = cards.Update(key).Incr("reactions.heart", -6).Run(ctx)
	wantErr(t, err, tablemap.ErrConditionFailed)
	_, err = cards.Update(key).Set("address.town", "x").Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "town") {
		t.Errorf("Set address.town: %v", err)
	}
	var ie *tablemap.ItemError
	if _, err = cards.Update(key).Incr("address.city", 1).Run(ctx); !errors.As(err, &ie) {
		t.Errorf("Incr of a nested string: %v, want an *ItemError", err)
	}

	got, err = cards.Update(key).
		SetIfNotExists("reactions.heart", 100). // kept: stored
		SetIfNotExists("reactions.new", 7).
		Add("reactions.plus", 5).
		Incr("reactions.wow", -1).
		Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want.Reactions = map[string]int{"heart": 5, "wow": 0, "new": 7, "plus": 5}
	diff(t, "card after the second update", want, got)
	// zip is stored as a string: DynamoDB could not add to it.
	if _, err = cards.Update(key).Add("address.zip", 5).Run(ctx); err == nil || !strings.Contains(err.Error(), "needs a number stored as N") {
		t.Errorf("Add to a string-encoded number: %v", err)
	}
	_, err = cards.Update(key).Incr("reactions.heart", 1).Remove("reactions").Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "overlap") {
		t.Errorf("overlapping paths: %v", err)
	}

	// A nil map is stored as NULL: DynamoDB refuses a path below it, and
	// nothing of the Update is applied.
	bare := Card{Owner: "ann", ID: "4", Title: "four"}
	if err := cards.Put(bare).Run(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = cards.Update(bare).Set("title", "changed").Incr("reactions.heart", 1).Run(ctx)
	wantErr(t, err, tablemap.ErrMissingParent)
	if err == nil || !strings.Contains(err.Error(), `"reactions.heart"`) || !strings.Contains(err.Error(), "nothing applied") {
		t.Errorf("missing parent: %v, want the path named and nothing applied", err)
	}
	if b, err := cards.Get(bare).Run(ctx); err != nil || b.Title != "four" {
		t.Errorf("after the refused Update: %+v, %v; want it unchanged", b, err)
	}
	got, err = cards.Update(bare).Set("reactions", map[string]int{"heart": 1}).Run(ctx)
	if err != nil || got.Reactions["heart"] != 1 {
		t.Errorf("Set of the parent whole: %+v, %v", got.Reactions, err)
	}
	if got, err = cards.Update(bare).Incr("reactions.heart", 1).Run(ctx); err != nil || got.Reactions["heart"] != 2 {
		t.Errorf("Incr once the parent is stored: %+v, %v", got.Reactions, err)
	}
}
