package social_test

import (
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/social"
)

// The table a service needs, and where its items go: the keys of each
// entity, with a username holding the key delimiter escaped into one
// field. Nothing is sent.
func Example_tableDesign() {
	tbl := tablemap.NewTable(nil, "app", tablemap.WithInvertedIndex()) // a *dynamodb.Client in real use
	svc, err := social.New(tbl)
	if err != nil {
		panic(err)
	}
	for _, g := range tbl.CreateTableInput().GlobalSecondaryIndexes {
		fmt.Printf("index %s: %s, %s\n", aws.ToString(g.IndexName), aws.ToString(g.KeySchema[0].AttributeName), aws.ToString(g.KeySchema[1].AttributeName))
	}
	e := svc.Entities()
	const id = "01JD7Y4ZKQ5V8T0W3X9N2B6C1M"
	keys := []struct {
		entity string
		key    func() (tablemap.Key, error)
	}{
		{"User", func() (tablemap.Key, error) { return e.Users.Key(social.User{Username: "ann#PHOTO"}) }},
		{"Photo", func() (tablemap.Key, error) { return e.Photos.Key(social.Photo{Owner: "ann", ID: id}) }},
		{"Reaction", func() (tablemap.Key, error) {
			return e.Reactions.Key(social.Reaction{User: "bob", Type: social.Heart, Owner: "ann", PhotoID: id})
		}},
		{"Follow", func() (tablemap.Key, error) { return e.Follows.Key(social.Follow{Follower: "bob", Followed: "ann"}) }},
		{"Thought", func() (tablemap.Key, error) { return e.Thoughts.Key(social.Thought{Username: "ann", ID: id}) }},
		{"Entry", func() (tablemap.Key, error) {
			return e.Timelines.Key(social.TimelineEntry{User: "bob", Owner: "ann", ID: id, Uploaded: time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)})
		}},
		{"Star", func() (tablemap.Key, error) {
			return e.CelebrityFollows.Key(social.CelebrityFollow{User: "bob", Celebrity: "ann"})
		}},
	}
	for _, k := range keys {
		key, err := k.key()
		if err != nil {
			panic(err)
		}
		fmt.Printf("%-8s %s\n", k.entity, key)
	}
	// Output:
	// index GSI1: GSI1PK, GSI1SK
	// index Inverted: SK, PK
	// User     PK "USER#ann%23PHOTO" SK "PROFILE#ann%23PHOTO"
	// Photo    PK "USER#ann" SK "PHOTO#ann#01JD7Y4ZKQ5V8T0W3X9N2B6C1M"
	// Reaction PK "REACTION#bob#heart" SK "PHOTO#ann#01JD7Y4ZKQ5V8T0W3X9N2B6C1M"
	// Follow   PK "USER#ann" SK "FOLLOW#bob"
	// Thought  PK "USER#ann" SK "THOUGHT#01JD7Y4ZKQ5V8T0W3X9N2B6C1M"
	// Entry    PK "TIMELINE#bob" SK "ENTRY#2026-11-21T09:30:00.000000000Z#ann#01JD7Y4ZKQ5V8T0W3X9N2B6C1M"
	// Star     PK "TIMELINE#bob" SK "STAR#ann"
}
