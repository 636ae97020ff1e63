package tablemap

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap/internal/codec"
)

// A Cipher encrypts and decrypts the values of encrypted attributes: fields
// tagged `dynamo:"name,encrypted"`. Give a table one with WithCipher;
// LocalKey and Envelope return the ciphers tablemap ships, both AES-256-GCM
// with a fresh random nonce per value.
//
// Seal returns the bytes stored for plaintext. Open returns the plaintext
// of sealed, and must fail unless sealed came from Seal with the same
// additional data aad: aad binds the value to its table, item key and
// attribute name, so a value copied to another item or attribute does not
// open. Both must be safe for concurrent use. ctx is the context of the
// request being built or decoded, for a cipher that calls a key service:
// every read passes its caller's context to Open. Seal gets
// context.Background() where a write is built without one: Params and
// Value, the writes of a WriteTx or BatchWrite. So does Open in
// Entity.Decode.
type Cipher interface {
	Seal(ctx context.Context, plaintext, aad []byte) ([]byte, error)
	Open(ctx context.Context, sealed, aad []byte) ([]byte, error)
}

// WithCipher gives the table the cipher of its encrypted attributes.
// Defining an entity with an encrypted field on a table without one is an
// error wrapping ErrNoCipher.
//
// An encrypted attribute is stored as binary (B): the cipher's output for
// the attribute's value, encoded by the codec as it would be stored in
// clear, so a field of any type can be encrypted. The value is sealed
// before it leaves the process and opened after it arrives; DynamoDB never
// sees it. Consequences:
//
//   - An encrypted field cannot be a key field or appear in any key
//     template, nor be a version, created, updated or ttl field (an error
//     at Define).
//   - Conditions, filters and update expressions cannot look into an
//     encrypted attribute: they would compare ciphertexts, and every
//     sealing of a value differs, so they are refused before sending
//     (ErrInvalidCondition). attribute_exists and attribute_not_exists
//     still work. Update can Set, SetIfNotExists and Remove an encrypted
//     attribute, not Add, Append or DeleteFromSet to it.
//   - The ciphertext's length follows the plaintext's, and an omitempty
//     field's zero value stores no attribute: encryption hides the value,
//     not its size or presence. Each value is bound to its item, not the
//     item as a whole: someone who can write the table can remove an
//     encrypted attribute or put back an older ciphertext of the same
//     attribute of the same item, but cannot move one between items or
//     attributes, alter it, or replace it with a clear value.
//   - A value that does not open is an error wrapping ErrDecrypt, never
//     garbage; it names the entity, the item's key and the attribute.
func WithCipher(c Cipher) TableOption {
	return func(t *Table) { t.cipher = c }
}

// WithLogicalTableName sets the table name encrypted attributes are bound
// to (default: the table's name). A table restored from a backup has a new
// name; reading it with the original name here keeps its encrypted
// attributes readable.
func WithLogicalTableName(name string) TableOption {
	return func(t *Table) { t.logicalName = name }
}

// aad returns the additional authenticated data of attribute attr of the
// item at key k: every part length-prefixed, so no two different
// (table, key, attribute) give the same bytes.
func (t *Table) aad(k Key, attr string) []byte {
	name := t.name
	if t.logicalName != "" {
		name = t.logicalName
	}
	parts := [...]string{"tablemap attribute v1", name, k.PK, k.SK, attr}
	n := 0
	for _, p := range parts {
		n += 4 + len(p)
	}
	b := make([]byte, 0, n)
	for _, p := range parts {
		b = binary.BigEndian.AppendUint32(b, uint32(len(p)))
		b = append(b, p...)
	}
	return b
}

// itemKey reads the table key attributes of a stored item.
func (t *Table) itemKey(item map[string]types.AttributeValue) (Key, bool) {
	pk, ok1 := item[t.pk].(*types.AttributeValueMemberS)
	sk, ok2 := item[t.sk].(*types.AttributeValueMemberS)
	if !ok1 || !ok2 {
		return Key{}, false
	}
	return Key{PK: pk.Value, SK: sk.Value}, true
}

// sealItem replaces each encrypted attribute of item, the item at key k,
// with its ciphertext.
func (s *schema) sealItem(ctx context.Context, item map[string]types.AttributeValue, k Key) error {
	for _, f := range s.encrypted {
		av, ok := item[f.Name]
		if !ok {
			continue // omitted (omitempty)
		}
		sealed, err := s.seal(ctx, k, f, av)
		if err != nil {
			return err
		}
		item[f.Name] = sealed
	}
	return nil
}

// seal returns the stored form of av, the value of encrypted field f of the
// item at key k.
func (s *schema) seal(ctx context.Context, k Key, f *codec.Field, av types.AttributeValue) (types.AttributeValue, error) {
	plain, err := appendValue(nil, av)
	if err != nil {
		return nil, fmt.Errorf("attribute %q: %w", f.Name, err)
	}
	b, err := s.table.cipher.Seal(withEntity(ctx, s.name), plain, s.table.aad(k, f.Name))
	if err != nil {
		return nil, fmt.Errorf("attribute %q: encrypt: %w", f.Name, err)
	}
	return &types.AttributeValueMemberB{Value: b}, nil
}

// openItem returns item with its encrypted attributes decrypted (item
// itself when the entity has none). It also drops attributes whose names
// match an encrypted attribute's only case-insensitively: the codec would
// decode them into the field, a way around the encryption.
func (s *schema) openItem(ctx context.Context, item map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	if len(s.encrypted) == 0 {
		return item, nil
	}
	out := maps.Clone(item)
	for name := range item {
		if s.codec.Field(name) != nil {
			continue
		}
		for _, f := range s.encrypted {
			if strings.EqualFold(name, f.Name) {
				delete(out, name)
			}
		}
	}
	var k Key
	haveKey := false
	for _, f := range s.encrypted {
		av, ok := item[f.Name]
		if !ok {
			continue
		}
		if !haveKey {
			if k, haveKey = s.table.itemKey(item); !haveKey {
				return nil, decryptErr(f, fmt.Errorf("the item lacks its key attributes %s and %s, which the value is bound to", s.table.pk, s.table.sk))
			}
		}
		b, ok := av.(*types.AttributeValueMemberB)
		if !ok {
			return nil, decryptErr(f, fmt.Errorf("the stored value is %s, not a ciphertext (B)", codec.TypeName(av)))
		}
		plain, err := s.table.cipher.Open(withEntity(ctx, s.name), b.Value, s.table.aad(k, f.Name))
		if err != nil {
			return nil, decryptErr(f, err)
		}
		v, err := parseValue(plain)
		if err != nil {
			return nil, decryptErr(f, err)
		}
		out[f.Name] = v
	}
	return out, nil
}

// nestedEncrypted returns the Go path, below a field of type t, of a
// struct field tagged encrypted inside a nested struct ("" if none). Only
// top-level attributes are encrypted; such a tag would be ignored and its
// value stored in clear.
func nestedEncrypted(t reflect.Type, seen map[reflect.Type]bool) string {
	for {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
			t = t.Elem()
			continue
		}
		break
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return ""
	}
	seen[t] = true
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag, ok := sf.Tag.Lookup("dynamo")
		if !ok {
			tag = sf.Tag.Get("dynamodbav")
		}
		if tag == "-" {
			continue
		}
		_, opts, _ := strings.Cut(tag, ",")
		for opt := range strings.SplitSeq(opts, ",") {
			if opt == "encrypted" {
				return sf.Name
			}
		}
		if p := nestedEncrypted(sf.Type, seen); p != "" {
			return sf.Name + "." + p
		}
	}
	return ""
}

func decryptErr(f *codec.Field, err error) error {
	return fmt.Errorf("attribute %q: %w: %w", f.Name, ErrDecrypt, err)
}

// projectsEncrypted reports whether any of attrs is an encrypted attribute.
func (s *schema) projectsEncrypted(attrs []string) bool {
	for _, a := range attrs {
		if f := s.codec.Field(a); f != nil && f.HasOption("encrypted") {
			return true
		}
	}
	return false
}

// The plaintext of an encrypted attribute is its attribute value in a small
// binary form: a type byte, then for strings, numbers and binaries a
// uvarint length and the bytes; for BOOL and NULL one byte; for sets and
// lists a uvarint count and the elements; for maps a uvarint count and
// (name, value) pairs, the name as a length-prefixed string.
const (
	avS byte = 1 + iota
	avN
	avB
	avBOOL
	avNULL
	avSS
	avNS
	avBS
	avL
	avM
)

// maxDepth bounds the nesting parseValue follows; DynamoDB allows 32.
const maxDepth = 64

func appendLenBytes(b []byte, s []byte) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendLenString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// appendStrings appends the count of ss, then each string.
func appendStrings(b []byte, ss []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = appendLenString(b, s)
	}
	return b
}

// appendValue appends the binary form of av to b.
func appendValue(b []byte, av types.AttributeValue) ([]byte, error) {
	var err error
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		return appendLenString(append(b, avS), v.Value), nil
	case *types.AttributeValueMemberN:
		return appendLenString(append(b, avN), v.Value), nil
	case *types.AttributeValueMemberB:
		return appendLenBytes(append(b, avB), v.Value), nil
	case *types.AttributeValueMemberBOOL:
		return append(b, avBOOL, boolByte(v.Value)), nil
	case *types.AttributeValueMemberNULL:
		return append(b, avNULL, boolByte(v.Value)), nil
	case *types.AttributeValueMemberSS:
		return appendStrings(append(b, avSS), v.Value), nil
	case *types.AttributeValueMemberNS:
		return appendStrings(append(b, avNS), v.Value), nil
	case *types.AttributeValueMemberBS:
		b = binary.AppendUvarint(append(b, avBS), uint64(len(v.Value)))
		for _, e := range v.Value {
			b = appendLenBytes(b, e)
		}
		return b, nil
	case *types.AttributeValueMemberL:
		b = binary.AppendUvarint(append(b, avL), uint64(len(v.Value)))
		for _, e := range v.Value {
			if b, err = appendValue(b, e); err != nil {
				return nil, err
			}
		}
		return b, nil
	case *types.AttributeValueMemberM:
		b = binary.AppendUvarint(append(b, avM), uint64(len(v.Value)))
		for name, e := range v.Value {
			if b, err = appendValue(appendLenString(b, name), e); err != nil {
				return nil, err
			}
		}
		return b, nil
	}
	return nil, fmt.Errorf("cannot encrypt an attribute value of type %T", av)
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// parseValue reads back what appendValue wrote.
func parseValue(b []byte) (types.AttributeValue, error) {
	r := valueReader{b: b}
	av := r.value(0)
	if r.err == nil && len(r.b) > 0 {
		r.err = errors.New("trailing bytes")
	}
	if r.err != nil {
		return nil, fmt.Errorf("malformed plaintext: %w", r.err)
	}
	return av, nil
}

type valueReader struct {
	b   []byte
	err error
}

func (r *valueReader) fail(msg string) {
	if r.err == nil {
		r.err = errors.New(msg)
	}
}

func (r *valueReader) byte() byte {
	if r.err != nil || len(r.b) == 0 {
		r.fail("truncated")
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// count reads a length or count; each counted thing takes at least one
// byte, so a count over the bytes left is malformed.
func (r *valueReader) count() int {
	if r.err != nil {
		return 0
	}
	n, w := binary.Uvarint(r.b)
	if w <= 0 || n > uint64(len(r.b)-w) {
		r.fail("bad length")
		return 0
	}
	r.b = r.b[w:]
	return int(n)
}

func (r *valueReader) bytes() []byte {
	n := r.count()
	if r.err != nil {
		return nil
	}
	v := append([]byte{}, r.b[:n]...)
	r.b = r.b[n:]
	return v
}

func (r *valueReader) string() string {
	n := r.count()
	if r.err != nil {
		return ""
	}
	v := string(r.b[:n])
	r.b = r.b[n:]
	return v
}

// strings reads what appendStrings wrote.
func (r *valueReader) strings() []string {
	v := make([]string, r.count())
	for i := range v {
		v[i] = r.string()
	}
	return v
}

func (r *valueReader) value(depth int) types.AttributeValue {
	if depth > maxDepth {
		r.fail("nested too deeply")
		return nil
	}
	switch r.byte() {
	case avS:
		return &types.AttributeValueMemberS{Value: r.string()}
	case avN:
		return &types.AttributeValueMemberN{Value: r.string()}
	case avB:
		return &types.AttributeValueMemberB{Value: r.bytes()}
	case avBOOL:
		return &types.AttributeValueMemberBOOL{Value: r.byte() == 1}
	case avNULL:
		return &types.AttributeValueMemberNULL{Value: r.byte() == 1}
	case avSS:
		return &types.AttributeValueMemberSS{Value: r.strings()}
	case avNS:
		return &types.AttributeValueMemberNS{Value: r.strings()}
	case avBS:
		v := make([][]byte, r.count())
		for i := range v {
			v[i] = r.bytes()
		}
		return &types.AttributeValueMemberBS{Value: v}
	case avL:
		v := make([]types.AttributeValue, r.count())
		for i := range v {
			v[i] = r.value(depth + 1)
		}
		return &types.AttributeValueMemberL{Value: v}
	case avM:
		n := r.count()
		v := make(map[string]types.AttributeValue, n)
		for range n {
			name := r.string()
			v[name] = r.value(depth + 1)
		}
		return &types.AttributeValueMemberM{Value: v}
	}
	r.fail("unknown value type")
	return nil
}
