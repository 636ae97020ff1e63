// Package social is the mobile photo-sharing app and Deep Thoughts on
// tablemap: profiles, photos, reactions, follows, a home timeline of the
// photos of everyone a user follows, and thoughts with a feed, every read
// served by one DynamoDB request (a few for the timeline of a user who
// follows celebrities), on a table the service may share with its own
// entities.
//
//	tbl := tablemap.NewTable(client, "app", tablemap.WithInvertedIndex())
//	svc, err := social.New(tbl)                // defines the social entities on tbl
//	orders, err := tablemap.Define[Order](tbl) // the service's own, beside them
//	err = tbl.CreateTable(ctx)                 // keys, GSI1 and the inverted index
//
//	_, err = svc.CreateUser(ctx, social.User{Username: "ann", Name: "Ann"})
//	err = svc.Follow(ctx, "bob", "ann")                 // a transaction, then bob's timeline
//	p, err := svc.UploadPhoto(ctx, "ann", "s3://…", "") // a transaction, then the fan-out
//	err = svc.React(ctx, "bob", "ann", p.ID, social.Heart)
//	view, err := svc.ViewPhoto(ctx, "ann", p.ID, "", 20) // one Query
//	home, err := svc.Timeline(ctx, "bob", "", 20)        // one Query
//
// # Table design
//
// One table with the key attributes PK and SK, the global secondary index
// GSI1 (GSI1PK, GSI1SK) and the inverted index "Inverted" (partition key
// SK, sort key PK; tablemap.WithInvertedIndex). Every item also stores its
// entity type ("social.User" …) and its attributes. Key fields are escaped
// (see internal/keys: every byte up to '%' becomes %XX), so a username
// holding '#' or '%' is one key field and never reaches another user's
// items.
//
//	entity            PK                      SK                              GSI1PK / GSI1SK
//	User              USER#{username}         PROFILE#{username}              -
//	Photo             USER#{owner}            PHOTO#{owner}#{id}              PHOTOS#{owner} / {uploaded}#{owner}#{id}
//	Reaction          REACTION#{user}#{type}  PHOTO#{owner}#{photo}           -
//	Follow            USER#{followed}         FOLLOW#{follower}               -
//	Thought           USER#{username}         THOUGHT#{id}                    FEED#{shard} / {id}
//	TimelineEntry     TIMELINE#{user}         ENTRY#{uploaded}#{owner}#{id}   -
//	CelebrityFollow   TIMELINE#{user}         STAR#{star}                     -
//	WriteToken        USER#{user}             TOKEN#{token}                   -
//
// Photo and thought ids are ULIDs: time-ordered (a newer id sorts after an
// older one) and unique even for two writes in one millisecond. Counters
// are number attributes that may be absent (zero): a user's followers,
// following and photos; a photo's heart, smiley, thumbsup and sunglasses.
// A timeline entry has a time to live (attribute "expires"), and so has a
// WriteToken, the record of an upload or thought made with a Token.
//
// Why these keys:
//
//   - A user's partition USER#{username} holds the profile, the photos, the
//     follow edges of the user's followers and the thoughts, each under its
//     own sort key prefix, so each list is one Query with begins_with.
//   - The inverted index turns each sort key into a partition. A photo's
//     sort key PHOTO#{owner}#{id} is also every reaction's sort key, so one
//     partition of the inverted index holds the photo and its reactions;
//     read in descending order, the photo (range key USER#…) comes before
//     the reactions (REACTION#…). A follow's sort key FOLLOW#{follower}
//     makes the partition of everyone that follower follows.
//   - A reaction's table key holds user and type, so a user gives each type
//     once per photo; a follow's holds both users, so a follow exists once.
//   - The profile's sort key repeats the username, so no two profiles share
//     an inverted-index partition: a constant sort key ("PROFILE") would put
//     every profile, and every counter update, in one hot partition.
//   - A user's timeline is a partition of its own, TIMELINE#{user}, so one
//     Query with no sort key condition reads the CelebrityFollows (STAR#,
//     first in descending order) and the newest entries. An entry's sort key
//     orders by upload time and is unique per photo; in the inverted index
//     it is the partition of that photo's entries in every timeline.
//   - GSI1 orders each user's photos by upload time, owner and id — the
//     order of timeline sort keys — so a celebrity's photos merge into a
//     timeline exactly, by one cursor.
//
// # Access patterns
//
//	pattern                          method            request
//	create a profile                 CreateUser        PutItem, attribute_not_exists(PK)
//	update a profile                 UpdateUser        UpdateItem SET …, attribute_exists(PK)
//	get a profile with its counts    GetUser           GetItem USER#u / PROFILE#u
//	upload a photo                   UploadPhoto       GetItem profile; TransactWriteItems: Put photo (new) + ADD user.photos 1
//	                                                   (+ ADD pending id) (+ Put WriteToken (new), after a GetItem of it);
//	                                                   then the fan-out (see below)
//	a user's recent photos           RecentPhotos      Query PK=USER#u, begins_with(SK,"PHOTO#u#"), descending
//	delete a photo                   DeletePhoto       GetItem; its timeline entries (see below);
//	                                                   TransactWriteItems: Delete photo (exists) + ADD user.photos -1
//	react                            React             TransactWriteItems: Put reaction (new) + ADD photo.<type> 1 + check user exists
//	remove a reaction                Unreact           TransactWriteItems: Delete reaction (exists) + ADD photo.<type> -1 (if >= 1)
//	view a photo and its reactions   ViewPhoto         Query Inverted SK=PHOTO#o#id, descending
//	follow                           Follow            TransactWriteItems: Put follow (new) + ADD following 1 + ADD followers 1;
//	                                                   then the follower's timeline (see below)
//	unfollow                         Unfollow          TransactWriteItems: Delete follow (exists) + ADD -1, -1 (each if >= 1);
//	                                                   then the follower's timeline (see below)
//	a user's followers               Followers         Query PK=USER#u, begins_with(SK,"FOLLOW#")
//	whom a user follows              Following         Query Inverted SK=FOLLOW#u, begins_with(PK,"USER#")
//	does A follow B                  Follows           GetItem USER#b / FOLLOW#a
//	post a thought                   PostThought       TransactWriteItems: Put thought (new) + check user exists
//	                                                   (+ Put WriteToken (new), after a GetItem of it)
//	a user's thoughts                UserThoughts      Query PK=USER#u, begins_with(SK,"THOUGHT#"), descending
//	the feed of everyone's thoughts  Feed              Query GSI1 GSI1PK=FEED#0, descending (n shards: n Queries)
//	a user's home timeline           Timeline          Query PK=TIMELINE#u, descending (SK < cursor after page 1);
//	                                                   following k celebrities: + k Queries GSI1 PHOTOS#c (+1 after page 1)
//	fan-out of an upload             UploadPhoto       Query PK=USER#u, begins_with(SK,"FOLLOW#"); BatchWriteItem puts of 25;
//	                                                   UpdateItem DELETE pending id
//	backfill on follow               Follow            GetItem profile; Query GSI1 PHOTOS#b, descending, limit 50; BatchWriteItem
//	a follow of a celebrity          Follow            GetItem profile; PutItem CelebrityFollow
//	clean-up on unfollow             Unfollow          Query PK=TIMELINE#a filtered owner=b; BatchWriteItem deletes of 25
//	a photo's entries, on delete     DeletePhoto       Query Inverted SK=ENTRY#{uploaded}#o#id; BatchWriteItem deletes of 25
//	repair a cut-short fan-out       Refanout          GetItem profile, GetItem photo; the fan-out; UpdateItem
//
// Every list is paged: at most limit items (DefaultLimit when 0, never more
// than MaxLimit) and an opaque cursor for the next page, checked against
// the list it belongs to (ErrInvalidCursor otherwise). No pattern Scans.
//
// # Counters and transactions
//
// Follow, Unfollow, React and Unreact each write or delete the edge item and
// move both counters in one transaction: all of it happens or none. The
// edge's condition (attribute_not_exists for a new edge, attribute_exists
// for a removal) guards the counters, so a repeat is refused
// (ErrAlreadyFollowing, ErrNotFollowing, ErrAlreadyReacted, ErrNotReacted)
// with the counters unchanged, and a decrement also requires the counter
// to be at least one, so none goes below zero. Errors are told apart from
// the transaction's cancellation reasons, action by action, never by a
// second request. Give a write a Token to make a retry after a lost
// response succeed without applying twice: an error wrapping
// ErrUnknownOutcome (the write may have been applied) is answered by
// running the write again with the same token. Edge writes pass it to
// DynamoDB, which remembers it for ten minutes; UploadPhoto and
// PostThought record it in a WriteToken item for a day and return the same
// photo or thought (see Token). A transaction that meets another write of its items at
// the same time is cancelled with ErrConflict, and nothing is applied:
// retry it.
//
// # The feed and its write ceiling
//
// The feed is one partition of GSI1, FEED#0, sorted by thought id. A
// partition takes about 1,000 write units a second (1,000 thoughts of up
// to 1 KB), and since ids only grow, every write lands at the end of the
// partition, where splitting it does not help: the unsharded feed's
// ceiling is about 1,000 thoughts a second for the whole table, and beyond
// it the index throttles the table's writes. WithFeedShards(n) spreads
// thoughts over FEED#0 … FEED#{n-1} by a hash of their id, raising the
// ceiling n times; a page of the feed is then n Queries, one per shard,
// sent at once and merged by id, so it costs n requests instead of one.
// The default is one shard. The feed cursor is the id of the last thought
// read, so the next page is the thoughts with smaller ids in every shard.
//
// # The home timeline
//
// Timeline shows a user the photos of everyone they follow, newest first,
// by fan-out on write: UploadPhoto puts a TimelineEntry (owner, id, time,
// URL, caption: the whole row) into the timeline partition of each
// follower, so a page of the timeline is one Query. An upload costs
// 4 + ⌈followers/25⌉ requests (2 without followers), and each entry is a
// write to the table and to the inverted index. Entries expire after the
// timeline TTL (WithTimelineTTL, 30 days), through DynamoDB's time to
// live; Timeline shows no photo older than that.
//
// An account followed by more users than the celebrity threshold
// (WithCelebrityThreshold, 10,000) would make each upload thousands of
// writes; it becomes a celebrity instead, decided by its followers
// counter when a follow or upload finds it above the threshold. Its
// followers then get a CelebrityFollow item in their timeline partition,
// its uploads are not fanned out, and Timeline reads its photos from GSI1
// (one Query each, up to eight at once) and merges them with the entries:
// a timeline page of a user following k celebrities is 1 + k requests
// (one more when the CelebrityFollows crowd the first Query), and 2 + k
// after the first page. An account stays a celebrity when followers leave,
// so an account near the threshold does not flip back and forth. Entries
// fanned out before the account crossed stay until they expire; the merge
// shows each photo once.
//
// Follow copies the followed user's newest photos (WithTimelineBackfill,
// 50) into the follower's timeline, or writes the CelebrityFollow.
// Unfollow removes the followed user's entries (a Query of the whole
// timeline filtered on the owner) and the CelebrityFollow. DeletePhoto
// removes the photo's entries from every timeline, found by one Query of
// the inverted index.
//
// Consistency. None of this is in the transaction of the write it follows:
// a timeline lags an upload, follow, unfollow or delete by the fan-out's
// duration, and every step is a put or delete of a fixed item, so doing it
// twice is harmless. An upload marks its photo pending on the owner's
// profile in its transaction and clears the mark after the fan-out; if the
// fan-out fails (ErrFanoutIncomplete, the photo stays stored) or the
// process stops, the owner's next upload completes every pending fan-out,
// and Refanout completes one at once. A Follow or Unfollow whose timeline
// update failed reports ErrFanoutIncomplete and stands; repeating it, with
// its Token or without (ErrAlreadyFollowing, ErrNotFollowing), does the
// update again. Writes racing on one pair can still leave a timeline wrong
// until the next repeat or the entries' expiry: an upload fanned out to a
// follower who unfollows meanwhile can put an entry after the clean-up, a
// delete racing an unfinished fan-out can see an entry put back (and
// finds entries through the inverted index, which lags like GSI1), an
// unfollow racing the account's turn to celebrity can see its
// CelebrityFollow put back, and a follow's backfill reads GSI1, eventually
// consistent, so it can miss a photo uploaded within the index's lag
// (usually under a second). The follower lists the fan-outs read are
// strongly consistent Queries, so a follow done before an upload's
// fan-out starts always gets the photo.
//
// # Sharing a table
//
// New defines its entities on the caller's Table, next to the caller's
// own, and Entities exposes them. The social entity type names start with
// "social."; the caller's entities must not use the key prefixes above
// (partition keys USER#, REACTION#, TIMELINE#; sort keys PROFILE#, PHOTO#,
// FOLLOW#, THOUGHT#, ENTRY#, STAR#, TOKEN#; GSI1 partitions FEED#, PHOTOS#). GSI1,
// if the caller's entities use it too, must have a sort key for them as
// well. The timeline entries' time to live is the table's ttl attribute,
// "expires".
package social
