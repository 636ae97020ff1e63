package tablemap

// Expired items.
//
// DynamoDB deletes an item whose time to live has passed only eventually
// (it can take days), and until then every read returns it. So tablemap
// decides expiry itself, by the table's clock (WithClock): an item of an
// entity with a ttl field is expired when its ttl attribute is at or before
// the current epoch second. Reads hide expired items unless asked not to
// (IncludeExpired): queries, scans and collections with a filter in the
// same request (attribute_not_exists(ttl) OR ttl > :now), so that Limit,
// Page and Count agree with what is returned; Get and BatchGet by checking
// the item read. Writes that require an item, or its absence, treat an
// expired item as absent (Put's IfNotExists and its implied condition for
// a version 0, Check's Exists and NotExists).
