package engine

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

const (
	CursorVersion  = 2
	CursorSaltSize = 16
)

// CursorOptions are a table's cursor settings.
type CursorOptions struct {
	Secret []byte        // nil: processCursorSecret
	MaxAge time.Duration // 0: cursors do not expire
}

// ProcessCursorSecret is the cursor secret of tables without one.
var ProcessCursorSecret = sync.OnceValue(func() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return b
})

// CursorAEAD returns the cipher of the cursor with the given salt.
func (t *Table) CursorAEAD(salt []byte) cipher.AEAD {
	secret := t.Cursor.Secret
	if secret == nil {
		secret = ProcessCursorSecret()
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

// CursorAD is the data a cursor authenticates without carrying it.
func (t *Table) CursorAD() []byte { return append([]byte{CursorVersion}, t.Name...) }

// EncodeCursor returns the cursor of key, the key attributes attrs of an
// item of ident read from index by a read whose key condition and order
// digest to scope; "" for a nil key (the end).
func (t *Table) EncodeCursor(ident, index, scope string, attrs []string, key map[string]types.AttributeValue) (string, error) {
	if len(key) == 0 {
		return "", nil
	}
	b := make([]byte, 0, 128)
	b = AppendString(b, ident)
	b = AppendString(b, index)
	b = AppendString(b, scope)
	b = binary.AppendUvarint(b, uint64(t.Now().UnixMilli()))
	b = binary.AppendUvarint(b, uint64(len(attrs)))
	for _, a := range attrs {
		v, ok := KeyString(key[a])
		if !ok || attrKind(key[a]) != t.AttrType(a) {
			return "", fmt.Errorf("cursor: key attribute %q is %T, want a %s value", a, key[a], t.AttrType(a))
		}
		b = AppendString(b, a)
		b = AppendString(b, v)
	}
	out := make([]byte, 1+CursorSaltSize, 1+CursorSaltSize+len(b)+16)
	out[0] = CursorVersion
	salt := out[1:]
	_, _ = rand.Read(salt)
	// Each salt makes a key of its own, used for this one cursor: a zero
	// nonce is safe.
	aead := t.CursorAEAD(salt)
	out = aead.Seal(out, make([]byte, aead.NonceSize()), b, t.CursorAD())
	return base64.RawURLEncoding.EncodeToString(out), nil
}

func AppendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// OpenCursor returns the payload of a cursor of this table, checking that
// it is intact.
func (t *Table) OpenCursor(cursor string) ([]byte, error) {
	raw, err := base64.RawURLEncoding.Strict().DecodeString(cursor)
	if err != nil {
		return nil, errors.New("not base64url")
	}
	if len(raw) < 1+CursorSaltSize+16 {
		return nil, errors.New("too short")
	}
	if raw[0] != CursorVersion {
		return nil, fmt.Errorf("version %d, want %d", raw[0], CursorVersion)
	}
	salt, sealed := raw[1:1+CursorSaltSize], raw[1+CursorSaltSize:]
	aead := t.CursorAEAD(salt)
	payload, err := aead.Open(nil, make([]byte, aead.NonceSize()), sealed, t.CursorAD())
	if err != nil {
		return nil, fmt.Errorf("altered, or not a cursor of table %s and its secret", t.Name)
	}
	return payload, nil
}

// DecodeCursor returns the key a cursor carries, checking that it is
// intact, not expired, and that it belongs to ident on index with the key
// condition and order that digest to scope, with exactly the key
// attributes attrs. "" is the start: a nil key. Errors wrap
// ErrInvalidCursor.
func (t *Table) DecodeCursor(cursor, ident, index, scope string, attrs []string) (map[string]types.AttributeValue, error) {
	if cursor == "" {
		return nil, nil
	}
	fail := func(why string, args ...any) (map[string]types.AttributeValue, error) {
		return nil, fmt.Errorf("%w: %s", ErrInvalidCursor, fmt.Sprintf(why, args...))
	}
	payload, err := t.OpenCursor(cursor)
	if err != nil {
		return fail("%v", err)
	}
	r := CursorReader{B: payload}
	gotIdent, gotIndex, gotScope := r.String(), r.String(), r.String()
	made := r.Uvarint()
	n := r.Uvarint()
	if r.Err != nil {
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
	if age := t.Now().Sub(time.UnixMilli(int64(made))); t.Cursor.MaxAge > 0 && age > t.Cursor.MaxAge {
		return fail("expired: made %s ago, the limit is %s", age.Round(time.Millisecond), t.Cursor.MaxAge)
	}
	if n != uint64(len(attrs)) {
		return fail("%d key attributes, want %d", n, len(attrs))
	}
	key := make(map[string]types.AttributeValue, len(attrs))
	for _, a := range attrs {
		name, value := r.String(), r.String()
		if r.Err != nil {
			return fail("malformed")
		}
		if name != a {
			return fail("key attribute %q, want %q", name, a)
		}
		key[a] = t.KeyValue(a, value)
	}
	if len(r.B) != 0 {
		return fail("trailing bytes")
	}
	return key, nil
}

type CursorReader struct {
	B   []byte
	Err error
}

var ErrShort = errors.New("short")

func (r *CursorReader) Uvarint() uint64 {
	v, n := binary.Uvarint(r.B)
	if n <= 0 {
		r.Err = ErrShort
		return 0
	}
	r.B = r.B[n:]
	return v
}

func (r *CursorReader) String() string {
	n := r.Uvarint()
	if r.Err != nil || n > uint64(len(r.B)) {
		r.Err = ErrShort
		return ""
	}
	s := string(r.B[:n])
	r.B = r.B[n:]
	return s
}

// cursorIdent is the identity a read's cursors carry: its entity (or a
// collection's names), and whether it is a scan.
// scope is the digest of the key condition and order a cursor of the read
// holds, computed when a cursor is made or read, not for every read.
func (r *Read) scope() string {
	if r.IsScan() {
		return ""
	}
	return CursorScope(r.PK, r.SK, r.Desc)
}

func (r *Read) cursorIdent() string {
	if r.IsScan() {
		return r.Ident() + " scan"
	}
	return r.Ident()
}

// EncodeCursor returns the cursor to resume the read after key.
func (r *Read) EncodeCursor(key map[string]types.AttributeValue) (string, error) {
	if len(key) == 0 {
		return "", nil // the end: no scope to digest
	}
	c, err := r.T.EncodeCursor(r.cursorIdent(), r.G.Name, r.scope(), r.keyAttrs(), key)
	if err != nil {
		return "", r.Wrap(err)
	}
	return c, nil
}

// DecodeCursor returns the start key of a cursor of this read: its
// entity, index, key condition, order, key attributes and partition.
func (r *Read) DecodeCursor(cursor string) (map[string]types.AttributeValue, error) {
	if cursor == "" {
		return nil, nil // the start: no scope to digest
	}
	key, err := r.T.DecodeCursor(cursor, r.cursorIdent(), r.G.Name, r.scope(), r.keyAttrs())
	if err != nil {
		return nil, r.Wrap(err)
	}
	if key != nil && !r.IsScan() {
		if pk, _ := KeyString(key[r.G.PKAttr]); pk != r.PK {
			return nil, r.Wrap(fmt.Errorf("%w: a cursor of partition %s, not %s", ErrInvalidCursor, keys.Quote(pk), keys.Quote(r.PK)))
		}
	}
	return key, nil
}

// CursorScope returns the digest of a query's key condition and order that
// its cursors carry: a cursor resumes only the query that made it, since
// DynamoDB refuses a start key outside the key condition.
func CursorScope(pk string, sk SkKey, desc bool) string {
	h := sha256.New()
	b := AppendString(nil, pk)
	b = binary.AppendUvarint(b, uint64(sk.Op))
	b = AppendString(b, sk.A)
	b = AppendString(b, sk.B)
	if desc {
		b = append(b, 1)
	}
	h.Write(b)
	return string(h.Sum(nil)[:16])
}
