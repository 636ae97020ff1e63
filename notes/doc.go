// Package notes keeps users' notes in one DynamoDB table: the serverless
// notes app done right on tablemap. Every call is scoped by a user id, and
// every access pattern is one DynamoDB request.
//
//	store, err := notes.New(tablemap.NewTable(client, "app"))
//	n, err := store.Create(ctx, "ann", "buy milk", "")
//	page, err := store.List(ctx, "ann", "", 20) // page.Notes newest first, page.Next
//	n, err = store.Update(ctx, "ann", n.ID, n.Version, notes.Change{Content: &text})
//	old, err := store.Delete(ctx, "ann", n.ID) // delete old.Attachment next
//
// # Table design
//
// One entity, Note, in the table's primary key (no index), and the record
// of a Create made with a Token:
//
//	entity     PK               SK                 attributes
//	Note       USER#<user id>   NOTE#<id>          _type "Note", user, id, content,
//	                                               attachment (absent when none), v,
//	                                               created, updated
//	NoteToken  USER#<user id>   NOTETOKEN#<token>  _type "NoteToken", user, token, id,
//	                                               request digest, expires (ttl)
//
// The note id is a ULID (time-ordered, 26 characters of Crockford base32),
// so a user's sort keys sort by creation, and one user's notes are one
// partition read newest first by a reverse Query.
//
//	access pattern                 request
//	Create a note                  PutItem, if attribute_not_exists(PK)
//	Create a note with a Token     GetItem NoteToken; TransactWriteItems: Put note
//	                               (new) + Put NoteToken (new)
//	Get a note                     GetItem, consistent
//	List notes, newest first       Query PK = USER#<user> AND begins_with(SK, "NOTE#"),
//	                               filter _type = "Note", descending, consistent,
//	                               limit+1 (a full last page knows it is the last),
//	                               starting after the note the cursor names
//	Update content / attachment    UpdateItem, if attribute_exists(PK) AND v = <version>;
//	                               returns ALL_NEW, and ALL_OLD on a failed condition
//	Delete a note                  DeleteItem, returns ALL_OLD
//
// A failed condition returns the stored item (ReturnValuesOnConditionCheckFailure
// ALL_OLD), which tells a missing note (ErrNotFound) from another version
// (ErrVersionConflict) without a second request. A delete of a missing note
// returns no old item: ErrNotFound.
//
// # Isolation
//
// Users cannot reach each other's notes: every method takes the user id and
// builds the partition key from it, and the note id only selects within
// that partition. Key values are escaped (every byte up to '%', the escape
// character, is written %XX), so a user id holding the delimiter cannot
// name another partition: "ann#NOTE" is the partition USER#ann%23NOTE, not
// USER#ann, and "ann%23NOTE" is USER#ann%2523NOTE. Note ids must be ULIDs
// as the Store makes them, and a List cursor holds only a note id, so
// neither can carry a key of its own.
//
// # Sharing a table
//
// New defines the Note entity on the Table it is given, which may hold a
// service's other entities: define them all on one Table, then create it
// with Table.CreateTable. Store.Entity gives the Note entity for the
// service's own reads, writes and transactions.
package notes
