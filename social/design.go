package social

import (
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/tablemap/tablemap"
)

// Sample values of the design's requests: two users and a photo and a
// thought with fixed ids, so the rendered design is the same every time.
const (
	sampleUser      = "ann"
	sampleOther     = "bob"
	samplePhotoID   = "01JCZ8W3T0P5Q6R7S8T9V0W1X2"
	sampleThoughtID = "01JCZ8W4A1B2C3D4E5F6G7H8J9"
)

// Patterns adds the service's access patterns (those of the package
// documentation) to d, each with the requests its method sends, built the
// way the method builds them from sample values ("ann", "bob" and fixed
// ids). d is the design of the service's table, which may hold the
// caller's entities and patterns too:
//
//	d := tbl.Design()
//	err := svc.Patterns(&d)
//	md, err := design.Markdown(d)
func (s *Service) Patterns(d *tablemap.Design) error {
	ann, bob := sampleUser, sampleOther
	now := s.now().UTC()
	photo := Photo{Owner: ann, ID: samplePhotoID, URL: "s3://photos/ann/beach.jpg", Caption: "the beach", Uploaded: now}
	thought := Thought{Username: ann, ID: sampleThoughtID, Text: "If trees could scream…", Posted: now, Shard: s.shardOf(sampleThoughtID)}
	reaction := Reaction{User: bob, Type: Heart, Owner: ann, PhotoID: samplePhotoID}
	follow := Follow{Followed: ann, Follower: bob}
	feed := make([]any, s.shards)
	for i := range feed {
		feed[i] = s.thoughts.Query(Thought{Shard: strconv.Itoa(i)}).Index("GSI1").Newest().Limit(DefaultLimit)
	}
	patterns := []struct {
		name     string
		requests []any
	}{
		{"create a profile", []any{s.users.Put(User{Username: ann, Name: "Ann", Location: "Lisbon", Interests: []string{"hiking"}}).IfNotExists()}},
		{"update a profile", []any{s.users.Update(User{Username: ann}).Set("status", "diving").Set("updated", now)}},
		{"get a profile with its counts", []any{s.users.Get(User{Username: ann})}},
		{"upload a photo", []any{s.tbl.WriteTx().
			Put(s.photos.Put(photo).IfNotExists()).
			Update(s.users.Update(User{Username: ann}).Incr("photos", 1))}},
		{"get a photo", []any{s.photos.Get(Photo{Owner: ann, ID: samplePhotoID})}},
		{"a user's recent photos", []any{s.photos.Query(Photo{Owner: ann}).Newest().Limit(DefaultLimit)}},
		{"react", []any{s.tbl.WriteTx().
			Put(s.reactions.Put(reaction).IfNotExists()).
			Update(s.photos.Update(Photo{Owner: ann, ID: samplePhotoID}).Incr(string(Heart), 1)).
			Check(s.users.Check(User{Username: bob}).Exists())}},
		{"remove a reaction", []any{s.tbl.WriteTx().
			Delete(s.reactions.Delete(reaction).If(expression.Name("user").AttributeExists())).
			Update(s.photos.Update(Photo{Owner: ann, ID: samplePhotoID}).Incr(string(Heart), -1))}},
		{"view a photo and its reactions", []any{tablemap.Collect2(
			s.photos.Query(Photo{Owner: ann, ID: samplePhotoID}).Index(tablemap.InvertedIndex).Newest().Limit(DefaultLimit+1),
			s.reactions)}},
		{"follow", []any{s.tbl.WriteTx().
			Put(s.follows.Put(follow).IfNotExists()).
			Update(s.users.Update(User{Username: bob}).Incr("following", 1)).
			Update(s.users.Update(User{Username: ann}).Incr("followers", 1))}},
		{"unfollow", []any{s.tbl.WriteTx().
			Delete(s.follows.Delete(follow).If(expression.Name("follower").AttributeExists())).
			Update(s.users.Update(User{Username: bob}).Incr("following", -1)).
			Update(s.users.Update(User{Username: ann}).Incr("followers", -1))}},
		{"a user's followers", []any{s.follows.Query(Follow{Followed: ann}).Limit(DefaultLimit)}},
		{"whom a user follows", []any{s.follows.Query(Follow{Follower: bob}).Index(tablemap.InvertedIndex).Limit(DefaultLimit)}},
		{"does a user follow another", []any{s.follows.Get(follow)}},
		{"post a thought", []any{s.tbl.WriteTx().
			Put(s.thoughts.Put(thought).IfNotExists()).
			Check(s.users.Check(User{Username: ann}).Exists())}},
		{"a user's thoughts", []any{s.thoughts.Query(Thought{Username: ann}).Newest().Limit(DefaultLimit)}},
		{"the feed of everyone's thoughts", feed},
	}
	for _, p := range patterns {
		if err := d.Pattern(p.name, p.requests...); err != nil {
			return fmt.Errorf("social: %w", err)
		}
	}
	return nil
}
