package social

import (
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap"
)

// Sample values of the design's requests: two users and a photo and a
// thought with fixed ids, so the rendered design is the same every time.
const (
	sampleUser      = "ann"
	sampleOther     = "bob"
	sampleFan       = "cid"
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
//
// A method whose requests depend on the data has the pattern of one
// situation: "upload a photo" is an upload by a user without followers,
// "fan-out of an upload" one by a user with a follower (bob), who is no
// celebrity; "follow" backfills one photo; "unfollow" and "delete a
// photo" each take one entry out of a timeline; "a user's home timeline"
// is the first page of a user who follows no celebrity, and its variant
// the first page of one who follows one celebrity; "a follow that makes a
// celebrity" is cid's follow of ann, whose followers (bob and cid) then
// cross the celebrity threshold (see WithCelebrityThreshold).
func (s *Service) Patterns(d *tablemap.Design) error {
	patterns, err := s.patterns()
	if err != nil {
		return fmt.Errorf("social: %w", err)
	}
	for _, p := range patterns {
		if err := d.Pattern(p.name, p.requests...); err != nil {
			return fmt.Errorf("social: %w", err)
		}
	}
	return nil
}

// A pattern is an access pattern's name and requests, as Design.Pattern
// takes them.
type pattern struct {
	name     string
	requests []any
}

// patterns returns the service's access patterns: those of the profiles,
// photos, reactions, follows and thoughts, then the home timeline's.
func (s *Service) patterns() ([]pattern, error) {
	ann, bob := sampleUser, sampleOther
	now := s.now().UTC()
	photo := Photo{Owner: ann, ID: samplePhotoID, URL: "s3://photos/ann/beach.jpg", Caption: "the beach", Uploaded: now}
	thought := Thought{Username: ann, ID: sampleThoughtID, Text: "If trees could scream…", Posted: now, Shard: s.shardOf(sampleThoughtID)}
	reaction := Reaction{User: bob, Type: Heart, Owner: ann, PhotoID: samplePhotoID}
	follow := Follow{Followed: ann, Follower: bob}
	feed := make([]any, s.shards)
	for i := range feed {
		feed[i] = s.ent.Thoughts.Query(Thought{Shard: strconv.Itoa(i)}).Index("GSI1").Newest().Limit(DefaultLimit)
	}
	tl, err := s.timelinePatterns(photo)
	if err != nil {
		return nil, err
	}
	followers := expression.Name("followers")
	return []pattern{
		{"create a profile", []any{s.ent.Users.Put(User{Username: ann, Name: "Ann", Location: "Lisbon", Interests: []string{"hiking"}}).IfNotExists()}},
		{"update a profile", []any{s.ent.Users.Update(User{Username: ann}).Set("status", "diving").Set("updated", now)}},
		{"get a profile with its counts", []any{s.ent.Users.Get(User{Username: ann})}},
		{"upload a photo", []any{
			s.ent.Users.Get(User{Username: ann}).Consistent(),
			s.tbl.WriteTx().
				Put(s.ent.Photos.Put(photo).IfNotExists()).
				Update(s.ent.Users.Update(User{Username: ann}).Incr("photos", 1).
					If(followers.AttributeNotExists().Or(followers.Equal(expression.Value(0)))))}},
		{"get a photo", []any{s.ent.Photos.Get(Photo{Owner: ann, ID: samplePhotoID})}},
		tl["fan-out of an upload"],
		tl["upload a photo by a celebrity"],
		{"a user's recent photos", []any{s.ent.Photos.Query(Photo{Owner: ann}).Newest().Limit(DefaultLimit)}},
		tl["delete a photo"],
		{"react", []any{s.tbl.WriteTx().
			Put(s.ent.Reactions.Put(reaction).IfNotExists()).
			Update(s.ent.Photos.Update(Photo{Owner: ann, ID: samplePhotoID}).Incr(string(Heart), 1)).
			Check(s.ent.Users.Check(User{Username: bob}).Exists())}},
		{"remove a reaction", []any{s.tbl.WriteTx().
			Delete(s.ent.Reactions.Delete(reaction).If(expression.Name("user").AttributeExists())).
			Update(s.ent.Photos.Update(Photo{Owner: ann, ID: samplePhotoID}).Incr(string(Heart), -1))}},
		{"view a photo and its reactions", []any{tablemap.Collect2(
			s.ent.Photos.Query(Photo{Owner: ann, ID: samplePhotoID}).Index(tablemap.InvertedIndex).Newest().Limit(DefaultLimit+1),
			s.ent.Reactions)}},
		tl["follow"],
		tl["a follow of a celebrity"],
		tl["a follow that makes a celebrity"],
		tl["unfollow"],
		{"a user's followers", []any{s.ent.Follows.Query(Follow{Followed: ann}).Limit(DefaultLimit)}},
		{"whom a user follows", []any{s.ent.Follows.Query(Follow{Follower: bob}).Index(tablemap.InvertedIndex).Limit(DefaultLimit)}},
		{"does a user follow another", []any{s.ent.Follows.Get(follow)}},
		{"post a thought", []any{s.tbl.WriteTx().
			Put(s.ent.Thoughts.Put(thought).IfNotExists()).
			Check(s.ent.Users.Check(User{Username: ann}).Exists())}},
		{"a user's thoughts", []any{s.ent.Thoughts.Query(Thought{Username: ann}).Newest().Limit(DefaultLimit)}},
		{"the feed of everyone's thoughts", feed},
		tl["a user's home timeline"],
		tl["a user's home timeline, following a celebrity"],
		tl["repair a cut-short fan-out"],
	}, nil
}

// timelinePatterns returns the patterns of the methods that write or read
// the home timeline, by name, with bob following ann, who uploaded photo.
func (s *Service) timelinePatterns(photo Photo) (map[string]pattern, error) {
	ann, bob := photo.Owner, sampleOther
	follow := Follow{Followed: ann, Follower: bob}
	b, err := s.timelineBatches(photo)
	if err != nil {
		return nil, err
	}
	profile := s.ent.Users.Get(User{Username: ann}).Consistent()
	followers := s.ent.Follows.Query(Follow{Followed: ann}).Consistent()
	followTx := s.tbl.WriteTx().
		Put(s.ent.Follows.Put(follow).IfNotExists()).
		Update(s.ent.Users.Update(User{Username: bob}).Incr("following", 1)).
		Update(s.ent.Users.Update(User{Username: ann}).Incr("followers", 1))
	timeline := tablemap.Collect2(s.entryQuery(bob, nil, DefaultLimit+1), s.ent.CelebrityFollows)
	clearPending := s.ent.Users.Update(User{Username: ann}).DeleteFromSet("pending", []string{photo.ID})
	ps := []pattern{
		{"fan-out of an upload", []any{
			profile,
			s.tbl.WriteTx().
				Put(s.ent.Photos.Put(photo).IfNotExists()).
				Update(s.ent.Users.Update(User{Username: ann}).Incr("photos", 1).Add("pending", photo.ID)),
			followers, b.putEntry, clearPending}},
		{"upload a photo by a celebrity", []any{
			profile,
			s.tbl.WriteTx().
				Put(s.ent.Photos.Put(photo).IfNotExists()).
				Update(s.ent.Users.Update(User{Username: ann}).Incr("photos", 1))}},
		{"follow", []any{
			followTx,
			profile,
			s.ent.Photos.Query(Photo{Owner: ann}).Index("GSI1").Newest().
				SKGreater(Photo{Uploaded: s.now().Add(-s.ttl)}).Limit(s.backfill),
			b.putEntry}},
		{"a follow of a celebrity", []any{followTx, profile, s.ent.CelebrityFollows.Put(CelebrityFollow{User: bob, Celebrity: ann})}},
		{"a follow that makes a celebrity", []any{
			s.tbl.WriteTx().
				Put(s.ent.Follows.Put(Follow{Followed: ann, Follower: sampleFan}).IfNotExists()).
				Update(s.ent.Users.Update(User{Username: sampleFan}).Incr("following", 1)).
				Update(s.ent.Users.Update(User{Username: ann}).Incr("followers", 1)),
			profile, followers, b.stars,
			s.ent.Users.Update(User{Username: ann}).Set("celebrity", true),
			followers, b.stars}},
		{"unfollow", []any{
			s.tbl.WriteTx().
				Delete(s.ent.Follows.Delete(follow).If(expression.Name("follower").AttributeExists())).
				Update(s.ent.Users.Update(User{Username: bob}).Incr("following", -1)).
				Update(s.ent.Users.Update(User{Username: ann}).Incr("followers", -1)),
			s.ent.Timelines.Query(TimelineEntry{User: bob}).Consistent().
				Filter(expression.Name("owner").Equal(expression.Value(ann))).Project("owner"),
			b.cleanUp}},
		{"a user's home timeline", []any{timeline}},
		{"a user's home timeline, following a celebrity", []any{
			timeline,
			s.ent.Photos.Query(Photo{Owner: ann}).Index("GSI1").Newest().Limit(DefaultLimit + 1)}},
		{"delete a photo", []any{
			s.ent.Photos.Get(Photo{Owner: ann, ID: photo.ID}).Consistent(),
			s.ent.Timelines.Query(TimelineEntry{Uploaded: photo.Uploaded, Owner: ann, ID: photo.ID}).
				Index(tablemap.InvertedIndex).Project("owner"),
			b.deleteEntry,
			s.tbl.WriteTx().
				Delete(s.ent.Photos.Delete(Photo{Owner: ann, ID: photo.ID}).If(expression.Name("id").AttributeExists())).
				Update(s.ent.Users.Update(User{Username: ann}).Incr("photos", -1).DeleteFromSet("pending", photo.ID))}},
		{"repair a cut-short fan-out", []any{
			profile,
			s.ent.Photos.Get(Photo{Owner: ann, ID: photo.ID}).Consistent(),
			followers, b.putEntry, clearPending}},
	}
	byName := make(map[string]pattern, len(ps))
	for _, p := range ps {
		byName[p.name] = p
	}
	return byName, nil
}

// timelineBatches are the batch writes of the home timeline's patterns.
type timelineBatches struct {
	putEntry    *dynamodb.BatchWriteItemInput // a photo into bob's timeline
	deleteEntry *dynamodb.BatchWriteItemInput // the photo out of it
	cleanUp     *dynamodb.BatchWriteItemInput // an unfollow's: ann out of bob's timeline
	stars       *dynamodb.BatchWriteItemInput // a conversion to celebrity's
}

// timelineBatches returns the batch writes of the home timeline's
// patterns, with bob following ann, who uploaded photo.
func (s *Service) timelineBatches(photo Photo) (timelineBatches, error) {
	ann, bob := photo.Owner, sampleOther
	entryKey := TimelineEntry{User: bob, Uploaded: photo.Uploaded, Owner: ann, ID: photo.ID}
	var b timelineBatches
	var err error
	if b.putEntry, err = batchPattern(s.tbl.Name(), putRequest, s.ent.Timelines.Put(s.entryOf(bob, photo))); err != nil {
		return b, err
	}
	if b.deleteEntry, err = batchPattern(s.tbl.Name(), deleteRequest, s.ent.Timelines.Delete(entryKey)); err != nil {
		return b, err
	}
	if b.cleanUp, err = batchPattern(s.tbl.Name(), deleteRequest, s.ent.CelebrityFollows.Delete(CelebrityFollow{User: bob, Celebrity: ann}), s.ent.Timelines.Delete(entryKey)); err != nil {
		return b, err
	}
	// The conversion puts a CelebrityFollow for each follower, twice (see
	// makeCelebrity): here bob's and the fan's.
	b.stars, err = batchPattern(s.tbl.Name(), putRequest, s.ent.CelebrityFollows.Put(CelebrityFollow{User: bob, Celebrity: ann}),
		s.ent.CelebrityFollows.Put(CelebrityFollow{User: sampleFan, Celebrity: ann}))
	return b, err
}

// batchPattern returns the BatchWriteItem input a batcher sends to table
// for writes (puts, or deletes): req makes each one's request from its
// Params.
func batchPattern[In any](table string, req func(*In) types.WriteRequest, writes ...interface{ Params() (*In, error) }) (*dynamodb.BatchWriteItemInput, error) {
	reqs := make([]types.WriteRequest, len(writes))
	for i, w := range writes {
		in, err := w.Params()
		if err != nil {
			return nil, err
		}
		reqs[i] = req(in)
	}
	return &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: reqs}}, nil
}

func putRequest(in *dynamodb.PutItemInput) types.WriteRequest {
	return types.WriteRequest{PutRequest: &types.PutRequest{Item: in.Item}}
}

func deleteRequest(in *dynamodb.DeleteItemInput) types.WriteRequest {
	return types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: in.Key}}
}
