package tablemap

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Cursors are opaque page tokens: base64url (no padding) of a small binary
// payload — a version byte, the entity name (or a collection's names), the
// index name, and the key attributes to resume after — followed by the first
// 12 bytes of an HMAC-SHA256 of the payload. The MAC catches altered and
// truncated cursors and cursors of another table. Cursors are signed, not
// encrypted: anyone holding one can read the key it carries.
//
// The MAC key is the table's cursor secret (WithCursorSecret), by default
// SHA-256 of "tablemap cursor v1" and the table's name: a fixed, documented
// key, so that every process serving a table accepts its cursors. With the
// default key a determined client can forge a cursor, but a cursor is
// checked against its query too — the entity, the index, the exact key
// attributes of that index and, for queries, the partition — so a forged
// cursor can only move a reader within the partition it may read anyway.
// Set a secret to make forging impossible.

const (
	cursorVersion = 1
	cursorMACSize = 12
)

// WithCursorSecret sets the key that signs and checks the table's page
// cursors (see Query.Page). Processes that exchange cursors must share it.
func WithCursorSecret(secret []byte) TableOption {
	return func(t *Table) { t.cursorKey = append([]byte(nil), secret...) }
}

func (t *Table) cursorMAC(payload []byte) []byte {
	key := t.cursorKey
	if key == nil {
		sum := sha256.Sum256([]byte("tablemap cursor v1\x00" + t.name))
		key = sum[:]
	}
	m := hmac.New(sha256.New, key)
	m.Write(payload)
	return m.Sum(nil)[:cursorMACSize]
}

// encodeCursor returns the cursor of key, the key attributes attrs of an
// item of ident read from index; "" for a nil key (the end).
func (t *Table) encodeCursor(ident, index string, attrs []string, key map[string]types.AttributeValue) (string, error) {
	if len(key) == 0 {
		return "", nil
	}
	b := make([]byte, 0, 128)
	b = append(b, cursorVersion)
	b = appendString(b, ident)
	b = appendString(b, index)
	b = binary.AppendUvarint(b, uint64(len(attrs)))
	for _, a := range attrs {
		v, ok := key[a].(*types.AttributeValueMemberS)
		if !ok {
			return "", fmt.Errorf("cursor: key attribute %q is %T, want a string", a, key[a])
		}
		b = appendString(b, a)
		b = appendString(b, v.Value)
	}
	b = append(b, t.cursorMAC(b)...)
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decodeCursor returns the key a cursor carries, checking that it is intact
// and that it belongs to ident on index, with exactly the key attributes
// attrs. "" is the start: a nil key. Errors wrap ErrInvalidCursor.
func (t *Table) decodeCursor(cursor, ident, index string, attrs []string) (map[string]types.AttributeValue, error) {
	if cursor == "" {
		return nil, nil
	}
	fail := func(why string, args ...any) (map[string]types.AttributeValue, error) {
		return nil, fmt.Errorf("%w: %s", ErrInvalidCursor, fmt.Sprintf(why, args...))
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(cursor)
	if err != nil {
		return fail("not base64url")
	}
	if len(raw) <= cursorMACSize {
		return fail("too short")
	}
	payload, mac := raw[:len(raw)-cursorMACSize], raw[len(raw)-cursorMACSize:]
	if !hmac.Equal(mac, t.cursorMAC(payload)) {
		return fail("altered, or not a cursor of table %s", t.name)
	}
	r := cursorReader{b: payload}
	if v := r.byte(); v != cursorVersion {
		return fail("version %d, want %d", v, cursorVersion)
	}
	gotIdent, gotIndex := r.string(), r.string()
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

func (r *cursorReader) byte() byte {
	if len(r.b) == 0 {
		r.err = errShort
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

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
	c, err := q.t.encodeCursor(q.ident, q.g.name, q.keyAttrs, key)
	if err != nil {
		return "", q.wrap(err)
	}
	return c, nil
}

// decodeCursor returns the start key of a cursor of this query: its
// entity, index, key attributes and partition.
func (q *querySpec) decodeCursor(cursor string) (map[string]types.AttributeValue, error) {
	key, err := q.t.decodeCursor(cursor, q.ident, q.g.name, q.keyAttrs)
	if err != nil {
		return nil, q.wrap(err)
	}
	if key != nil {
		if pk := key[q.g.pkAttr].(*types.AttributeValueMemberS).Value; pk != q.pk {
			return nil, q.wrap(fmt.Errorf("%w: a cursor of partition %q, not %q", ErrInvalidCursor, pk, q.pk))
		}
	}
	return key, nil
}
