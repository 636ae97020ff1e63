// Package tablemap maps Go structs onto a single DynamoDB table.
//
// A service declares its entities as structs; struct tags turn them into key
// attributes (PK, SK, GSI keys) through key templates, and generic types give
// typed reads, writes, queries and transactions, each access pattern served by
// one DynamoDB request.
//
// # Entities
//
// An entity is a struct whose blank field declares its type name and key
// templates; the other fields are its attributes (see Entity for the whole
// grammar):
//
//	type Photo struct {
//		_        struct{}  `tablemap:"Photo" pk:"USER#{username}" sk:"PHOTO#{taken}" gsi1pk:"PHOTOS" gsi1sk:"{taken}"`
//		Username string    `dynamo:"username"`
//		Taken    time.Time `dynamo:"taken"`
//		URL      string    `dynamo:"url"`
//		Version  int       `dynamo:"v,version"`
//	}
//
//	tbl := tablemap.NewTable(client, "app")
//	photos, err := tablemap.Define[Photo](tbl) // every tag error surfaces here
//	err = tbl.CreateTable(ctx)                 // keys and GSIs from the defined entities
//
// Each item stores its key attributes (PK, SK, GSIn PK/SK), its entity type
// (the "_type" attribute) and all its data attributes, so it decodes without
// parsing keys. Key fields are escaped and sortable: a user named "ann#PHOTO"
// cannot address ann's photos, and numbers and times sort in their natural
// order. A zero number or false is a key value like any other; an empty
// string or zero time is no value, and a key over DynamoDB's size limits
// (MaxPartitionKeyBytes, MaxSortKeyBytes) is ErrInvalidKey before sending.
// A query's partial value never widens to fields the caller left out (see
// Query), and page cursors are encrypted (see Query.Page).
//
// # Item operations
//
// Operations are builders: options chain, the first error is kept, Run
// sends one request, and Params returns that request without sending it.
//
//	err := photos.Put(p).IfNotExists().Run(ctx)
//	p, err := photos.Get(Photo{Username: "ann", Taken: t}).Consistent().Run(ctx)
//	u, err := users.Update(User{Username: "bob"}).Add("followers", 1).Run(ctx) // the new item
//	old, err := photos.Delete(key).If(cond).Run(ctx)                          // the old item
//	in, err := photos.Put(p).Params()                                        // *dynamodb.PutItemInput
//
// Conditions are expression.ConditionBuilder values from the SDK's
// feature/dynamodb/expression package.
//
// # Expired items
//
// DynamoDB deletes an item whose time to live has passed only eventually
// (it can take days), and until then every read returns it. So tablemap
// decides expiry itself, by the table's clock (WithClock): an item of an
// entity with a ttl field is expired once its ttl attribute is at or before
// the current epoch second. Reads hide expired items unless asked not to
// (IncludeExpired): Get and BatchGet by checking the item read; queries,
// scans and collections with a filter in the same request
// (attribute_not_exists(ttl) OR ttl > :now), so that Limit, Page and Count
// agree with what is returned. Writes that require an item, or its
// absence, treat an expired item as absent (see the ttl option of Entity).
//
// # Encrypted attributes
//
// A field tagged encrypted is sealed in the process with AES-256-GCM before
// any request is built, and stored as a binary ciphertext bound to the
// table, the item's key and the attribute name: DynamoDB never sees the
// value, and a ciphertext copied to another item or attribute does not
// decrypt. The table's Cipher holds the key: LocalKey for a key the caller
// supplies, Envelope for data keys wrapped by a master key that never
// leaves AWS KMS (package kmskey, or any DataKeySource). Each value has its
// own nonce and carries its wrapped data key; an Envelope reuses a data key
// for a while (see DataKeyLimits).
//
//	type Credential struct {
//		_      struct{} `tablemap:"Credential" pk:"USER#{user}" sk:"CRED#{id}"`
//		User   string   `dynamo:"user"`
//		ID     string   `dynamo:"id"`
//		Secret string   `dynamo:"secret,encrypted"`
//	}
//
//	cipher, err := tablemap.LocalKey(key) // 32 bytes
//	tbl := tablemap.NewTable(client, "app", tablemap.WithCipher(cipher))
//
// A value that does not decrypt (a wrong key, a value moved or altered) is
// an error wrapping ErrDecrypt, never garbage. See WithCipher for what
// encryption rules out: encrypted key fields, conditions on ciphertexts.
//
// # Errors
//
// Operation errors are *ItemError values naming the operation, the entity
// and the key; they wrap a sentinel (ErrNotFound, ErrConditionFailed,
// ErrVersionConflict, ErrWrongEntity, ErrInvalidCondition,
// ErrItemTooLarge, ErrInvalidKey, ErrDecrypt) for
// errors.Is and the SDK's error for errors.As. Define reports a
// *DefinitionError naming the struct, field and tag.
//
// Every write's error says whether it may have been applied. One wrapping
// ErrUnknownOutcome was sent and got no definitive answer (a lost
// response, a server error, a context that ended while waiting): run it
// again with the same idempotency token (WriteTx.Token), or read back. Any
// other error of a write is definitive: refused before sending, or
// answered by DynamoDB, and nothing was applied. A batch retries
// throttling and lost responses itself; its *BatchError tells the writes
// certainly not done (Unprocessed) from those perhaps done (Unknown).
//
// Values are written as attributevalue writes them, except where it would
// crash or silently store something else: a string that is not valid UTF-8
// (the SDK sends U+FFFD in its place), a cyclic value (a fatal stack overflow
// in attributevalue) or a nil *types.AttributeValueMember… inside an item is
// an error wrapping ErrInvalidValue, naming the field, before any request is
// sent (see MarshalItem). A table made with a nil client fails every
// operation with ErrNoClient.
package tablemap
