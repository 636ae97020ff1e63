// Package social is the mobile photo-sharing app and Deep Thoughts on
// tablemap: profiles, photos, reactions, follows and thoughts with a feed,
// every access pattern served by exactly one DynamoDB request, on a table
// the service may share with its own entities.
//
//	tbl := tablemap.NewTable(client, "app", tablemap.WithInvertedIndex())
//	svc, err := social.New(tbl)                // defines the social entities on tbl
//	orders, err := tablemap.Define[Order](tbl) // the service's own, beside them
//	err = tbl.CreateTable(ctx)                 // keys, GSI1 and the inverted index
//
//	_, err = svc.CreateUser(ctx, social.User{Username: "ann", Name: "Ann"})
//	err = svc.Follow(ctx, "bob", "ann")                 // one TransactWriteItems
//	p, err := svc.UploadPhoto(ctx, "ann", "s3://…", "") // one TransactWriteItems
//	err = svc.React(ctx, "bob", "ann", p.ID, social.Heart)
//	view, err := svc.ViewPhoto(ctx, "ann", p.ID, "", 20) // one Query
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
//	entity            PK                          SK                         GSI1PK / GSI1SK
//	User              USER#{username}             PROFILE#{username}         -
//	Photo             USER#{owner}                PHOTO#{owner}#{id}         -
//	Reaction          REACTION#{user}#{type}      PHOTO#{owner}#{photo}      -
//	Follow            USER#{followed}             FOLLOW#{follower}          -
//	Thought           USER#{username}             THOUGHT#{id}               FEED#{shard} / {id}
//
// Photo and thought ids are ULIDs: time-ordered (a newer id sorts after an
// older one) and unique even for two writes in one millisecond. Counters
// are number attributes that may be absent (zero): a user's followers,
// following and photos; a photo's heart, smiley, thumbsup and sunglasses.
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
//
// # Access patterns
//
//	pattern                          method            request
//	create a profile                 CreateUser        PutItem, attribute_not_exists(PK)
//	update a profile                 UpdateUser        UpdateItem SET …, attribute_exists(PK)
//	get a profile with its counts    GetUser           GetItem USER#u / PROFILE#u
//	upload a photo                   UploadPhoto       TransactWriteItems: Put photo (new) + ADD user.photos 1
//	a user's recent photos           RecentPhotos      Query PK=USER#u, begins_with(SK,"PHOTO#u#"), descending
//	react                            React             TransactWriteItems: Put reaction (new) + ADD photo.<type> 1 + check user exists
//	remove a reaction                Unreact           TransactWriteItems: Delete reaction (exists) + ADD photo.<type> -1 (if >= 1)
//	view a photo and its reactions   ViewPhoto         Query Inverted SK=PHOTO#o#id, descending
//	follow                           Follow            TransactWriteItems: Put follow (new) + ADD following 1 + ADD followers 1
//	unfollow                         Unfollow          TransactWriteItems: Delete follow (exists) + ADD -1, -1 (each if >= 1)
//	a user's followers               Followers         Query PK=USER#u, begins_with(SK,"FOLLOW#")
//	whom a user follows              Following         Query Inverted SK=FOLLOW#u, begins_with(PK,"USER#")
//	does A follow B                  Follows           GetItem USER#b / FOLLOW#a
//	post a thought                   PostThought       TransactWriteItems: Put thought (new) + check user exists
//	a user's thoughts                UserThoughts      Query PK=USER#u, begins_with(SK,"THOUGHT#"), descending
//	the feed of everyone's thoughts  Feed              Query GSI1 GSI1PK=FEED#0, descending (n shards: n Queries)
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
// response succeed without applying twice (DynamoDB's idempotency window
// is ten minutes). A transaction that meets another write of its items at
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
// # Sharing a table
//
// New defines its entities on the caller's Table, next to the caller's
// own, and Entities exposes them. The social entity type names start with
// "social."; the caller's entities must not use the key prefixes above
// (partition keys USER#, REACTION#; sort keys PROFILE#, PHOTO#, FOLLOW#,
// THOUGHT#; GSI1 partitions FEED#). GSI1, if the caller's entities use it
// too, must have a sort key for them as well.
package social
