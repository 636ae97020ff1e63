package tablemap

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap/internal/keys"
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

const (
	cursorVersion  = 2
	cursorSaltSize = 16
)

// cursorOptions are a table's cursor settings.
type cursorOptions struct {
	secret []byte        // nil: processCursorSecret
	maxAge time.Duration // 0: cursors do not expire
}

// processCursorSecret is the cursor secret of tables without one.
var processCursorSecret = sync.OnceValue(func() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return b
})

// WithCursorSecret sets the secret that seals and opens the table's page
// cursors (see Query.Page); use at least 32 random bytes. Without it (or
// with an empty one) a table uses a random secret made once per process,
// so its cursors fail as ErrInvalidCursor in any other process: a service
// that runs several instances, or whose clients keep cursors across a
// restart, sets the same secret on every instance.
func WithCursorSecret(secret []byte) TableOption {
	return func(t *Table) { t.cursor.secret = append([]byte(nil), secret...) }
}

// WithCursorMaxAge makes the table's page cursors expire: a cursor older
// than d is ErrInvalidCursor, before any request. The age is measured with
// the table's clock (WithClock).
func WithCursorMaxAge(d time.Duration) TableOption {
	return func(t *Table) { t.cursor.maxAge = d }
}

// cursorAEAD returns the cipher of the cursor with the given salt.
func (t *Table) cursorAEAD(salt []byte) cipher.AEAD {
	secret := t.cursor.secret
	if secret == nil {
		secret = processCursorSecret()
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("tablemap cursor v2\x00"))
	m.Write(salt)
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		panic(err) // a 32-byte key is always valid
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return aead
}

// cursorAD is the data a cursor authenticates without carrying it.
func (t *Table) cursorAD() []byte { return append([]byte{cursorVersion}, t.name...) }

// encodeCursor returns the cursor of key, the key attributes attrs of an
// item of ident read from index by a read whose key condition and order
// digest to scope; "" for a nil key (the end).
func (t *Table) encodeCursor(ident, index, scope string, attrs []string, key map[string]types.AttributeValue) (string, error) {
	if len(key) == 0 {
		return "", nil
	}
	b := make([]byte, 0, 128)
	b = appendString(b, ident)
	b = appendString(b, index)
	b = appendString(b, scope)
	b = binary.AppendUvarint(b, uint64(t.now().UnixMilli()))
	b = binary.AppendUvarint(b, uint64(len(attrs)))
	for _, a := range attrs {
		v, ok := key[a].(*types.AttributeValueMemberS)
		if !ok {
			return "", fmt.Errorf("cursor: key attribute %q is %T, want a string", a, key[a])
		}
		b = appendString(b, a)
		b = appendString(b, v.Value)
	}
	out := make([]byte, 1+cursorSaltSize, 1+cursorSaltSize+len(b)+16)
	out[0] = cursorVersion
	salt := out[1:]
	_, _ = rand.Read(salt)
	// Each salt makes a key of its own, used for this one cursor: a zero
	// nonce is safe.
	aead := t.cursorAEAD(salt)
	out = aead.Seal(out, make([]byte, aead.NonceSize()), b, t.cursorAD())
	return base64.RawURLEncoding.EncodeToString(out), nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// openCursor returns the payload of a cursor of this table, checking that
// it is intact.
func (t *Table) openCursor(cursor string) ([]byte, error) {
	raw, err := base64.RawURLEncoding.Strict().DecodeString(cursor)
	if err != nil {
		return nil, errors.New("not base64url")
	}
	if len(raw) < 1+cursorSaltSize+16 {
		return nil, errors.New("too short")
	}
	if raw[0] != cursorVersion {
		return nil, fmt.Errorf("version %d, want %d", raw[0], cursorVersion)
	}
	salt, sealed := raw[1:1+cursorSaltSize], raw[1+cursorSaltSize:]
	aead := t.cursorAEAD(salt)
	payload, err := aead.Open(nil, make([]byte, aead.NonceSize()), sealed, t.cursorAD())
	if err != nil {
		return nil, fmt.Errorf("altered, or not a cursor of table %s and its secret", t.name)
	}
	return payload, nil
}

// decodeCursor returns the key a cursor carries, checking that it is
// intact, not expired, and that it belongs to ident on index with the key
// condition and order that digest to scope, with exactly the key
// attributes attrs. "" is the start: a nil key. Errors wrap
// ErrInvalidCursor.
func (t *Table) decodeCursor(cursor, ident, index, scope string, attrs []string) (map[string]types.AttributeValue, error) {
	if cursor == "" {
		return nil, nil
	}
	fail := func(why string, args ...any) (map[string]types.AttributeValue, error) {
		return nil, fmt.Errorf("%w: %s", ErrInvalidCursor, fmt.Sprintf(why, args...))
	}
	payload, err := t.openCursor(cursor)
	if err != nil {
		return fail("%v", err)
	}
	r := cursorReader{b: payload}
	gotIdent, gotIndex, gotScope := r.string(), r.string(), r.string()
	made := r.uvarint()
	n := r.uvarint()
	if r.err != nil {
		return fail("malformed")
	}
	if gotIdent != ident {
		return fail("a cursor of %q, not %q", gotIdent, ident)
	}
	if gotIndex != index {
		return fail("a cursor of index %q, not %q", gotIndex, index)
	}
	if gotScope != scope {
		return fail("a cursor of another sort key condition or order")
	}
	if age := t.now().Sub(time.UnixMilli(int64(made))); t.cursor.maxAge > 0 && age > t.cursor.maxAge {
		return fail("expired: made %s ago, the limit is %s", age.Round(time.Millisecond), t.cursor.maxAge)
	}
	if n != uint64(len(attrs)) {
		return fail("%d key attributes, want %d", n, len(attrs))
	}
	key := make(map[string]types.AttributeValue, len(attrs))
	for _, a := range attrs {
		name, value := r.string(), r.string()
		if r.err != nil {
			return fail("malformed")
		}
		if name != a {
			return fail("key attribute %q, want %q", name, a)
		}
		key[a] = &types.AttributeValueMemberS{Value: value}
	}
	if len(r.b) != 0 {
		return fail("trailing bytes")
	}
	return key, nil
}

type cursorReader struct {
	b   []byte
	err error
}

var errShort = errors.New("short")

func (r *cursorReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errShort
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *cursorReader) string() string {
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.b)) {
		r.err = errShort
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

// encodeCursor returns the cursor to resume the query after key.
func (q *querySpec) encodeCursor(key map[string]types.AttributeValue) (string, error) {
	c, err := q.t.encodeCursor(q.ident, q.g.name, q.scope, q.keyAttrs, key)
	if err != nil {
		return "", q.wrap(err)
	}
	return c, nil
}

// decodeCursor returns the start key of a cursor of this query: its
// entity, index, key condition, order, key attributes and partition.
func (q *querySpec) decodeCursor(cursor string) (map[string]types.AttributeValue, error) {
	key, err := q.t.decodeCursor(cursor, q.ident, q.g.name, q.scope, q.keyAttrs)
	if err != nil {
		return nil, q.wrap(err)
	}
	if key != nil {
		if pk := key[q.g.pkAttr].(*types.AttributeValueMemberS).Value; pk != q.pk {
			return nil, q.wrap(fmt.Errorf("%w: a cursor of partition %s, not %s", ErrInvalidCursor, keys.Quote(pk), keys.Quote(q.pk)))
		}
	}
	return key, nil
}

// cursorScope returns the digest of a query's key condition and order that
// its cursors carry: a cursor resumes only the query that made it, since
// DynamoDB refuses a start key outside the key condition.
func cursorScope(pk string, sk skKey, desc bool) string {
	h := sha256.New()
	b := appendString(nil, pk)
	b = binary.AppendUvarint(b, uint64(sk.op))
	b = appendString(b, sk.a)
	b = appendString(b, sk.b)
	if desc {
		b = append(b, 1)
	}
	h.Write(b)
	return string(h.Sum(nil)[:16])
}
