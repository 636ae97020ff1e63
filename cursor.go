package tablemap

import (
	"time"
)

// Cursors are opaque page tokens, authenticated and encrypted:
// base64url (no padding) of a version byte, a random 16-byte salt, and the
// AES-256-GCM sealing of a small binary payload — the entity name (or a
// collection's names), the index name, a digest of the query's key
// condition and order, the time the cursor was made, and the key
// attributes to resume after. The table's name is authenticated with it.
// The key of each cursor is HMAC-SHA256 of the salt under the table's
// cursor secret, so a secret can seal any number of cursors. A cursor
// reveals nothing of the key it carries (beyond its length), and an
// altered or forged cursor, or one of another table or secret, is
// ErrInvalidCursor.
//
// The secret is WithCursorSecret's; a table without one uses a random
// secret made once per process, so its cursors are valid in that process
// only, until it exits. A service that runs several instances behind one
// endpoint, or whose cursors must outlive a restart, sets the same secret
// on every instance.

// WithCursorSecret sets the secret that seals and opens the table's page
// cursors (see Query.Page); use at least 32 random bytes. Without it (or
// with an empty one) a table uses a random secret made once per process,
// so its cursors fail as ErrInvalidCursor in any other process: a service
// that runs several instances, or whose clients keep cursors across a
// restart, sets the same secret on every instance.
func WithCursorSecret(secret []byte) TableOption {
	return func(t *Table) { t.core.Cursor.Secret = append([]byte(nil), secret...) }
}

// WithCursorMaxAge makes the table's page cursors expire: a cursor older
// than d is ErrInvalidCursor, before any request. The age is measured with
// the table's clock (WithClock).
func WithCursorMaxAge(d time.Duration) TableOption {
	return func(t *Table) { t.core.Cursor.MaxAge = d }
}
