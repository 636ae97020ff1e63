package engine

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

// A Cipher seals and opens the values of encrypted attributes, bound to
// additional data aad (see the root package's Cipher).
type Cipher interface {
	Seal(ctx context.Context, plaintext, aad []byte) ([]byte, error)
	Open(ctx context.Context, sealed, aad []byte) ([]byte, error)
}

// Aad returns the additional authenticated data of attribute attr of the
// item at key k: every part length-prefixed, so no two different
// (table, key, attribute) give the same bytes.
func (t *Table) Aad(k Key, attr string) []byte {
	name := t.Name
	if t.LogicalName != "" {
		name = t.LogicalName
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

// ItemKey reads the table key attributes of a stored item: ok is false
// when either is missing (or not a string), and the key holds what is there.
func (t *Table) ItemKey(item map[string]types.AttributeValue) (Key, bool) {
	var k Key
	var ok1, ok2 bool
	k.PK, ok1 = KeyString(item[t.PK])
	if t.SK == "" {
		return k, ok1
	}
	k.SK, ok2 = KeyString(item[t.SK])
	return k, ok1 && ok2
}

// SealItem replaces each encrypted attribute of item, the item at key k,
// with its ciphertext.
func (s *Schema) SealItem(ctx context.Context, item map[string]types.AttributeValue, k Key) error {
	for _, f := range s.Encrypted {
		av, ok := item[f.Name]
		if !ok {
			continue // omitted (omitempty)
		}
		sealed, err := s.Seal(ctx, k, f, av)
		if err != nil {
			return err
		}
		item[f.Name] = sealed
	}
	return nil
}

// Seal returns the stored form of av, the value of encrypted field f of the
// item at key k.
func (s *Schema) Seal(ctx context.Context, k Key, f *codec.Field, av types.AttributeValue) (types.AttributeValue, error) {
	plain, err := AppendValue(nil, av)
	if err != nil {
		return nil, fmt.Errorf("attribute %q: %w", f.Name, err)
	}
	b, err := s.Table.Cipher.Seal(WithEntity(ctx, s.Name), plain, s.Table.Aad(k, f.Name))
	if err != nil {
		return nil, fmt.Errorf("attribute %q: encrypt: %w", f.Name, err)
	}
	return &types.AttributeValueMemberB{Value: b}, nil
}

// OpenItem returns item with its encrypted attributes decrypted (item
// itself when the entity has none). It also drops attributes whose names
// match an encrypted attribute's only case-insensitively: the codec would
// decode them into the field, a way around the encryption.
func (s *Schema) OpenItem(ctx context.Context, item map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	if len(s.Encrypted) == 0 {
		return item, nil
	}
	out := maps.Clone(item)
	for name := range item {
		if s.Codec.Field(name) != nil {
			continue
		}
		for _, f := range s.Encrypted {
			if strings.EqualFold(name, f.Name) {
				delete(out, name)
			}
		}
	}
	var k Key
	haveKey := false
	for _, f := range s.Encrypted {
		av, ok := item[f.Name]
		if !ok {
			continue
		}
		if !haveKey {
			if k, haveKey = s.Table.ItemKey(item); !haveKey {
				return nil, DecryptErr(f, fmt.Errorf("the item lacks its key attributes %s and %s, which the value is bound to", s.Table.PK, s.Table.SK))
			}
		}
		b, ok := av.(*types.AttributeValueMemberB)
		if !ok {
			return nil, DecryptErr(f, fmt.Errorf("the stored value is %s, not a ciphertext (B)", codec.TypeName(av)))
		}
		plain, err := s.Table.Cipher.Open(WithEntity(ctx, s.Name), b.Value, s.Table.Aad(k, f.Name))
		if err != nil {
			return nil, DecryptErr(f, err)
		}
		v, err := ParseValue(plain)
		if err != nil {
			return nil, DecryptErr(f, err)
		}
		out[f.Name] = v
	}
	return out, nil
}

// NestedEncrypted returns the Go path, below a field of type t, of a
// struct field tagged encrypted inside a nested struct ("" if none). Only
// top-level attributes are encrypted; such a tag would be ignored and its
// value stored in clear.
func NestedEncrypted(t reflect.Type, seen map[reflect.Type]bool) string {
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
		if p := NestedEncrypted(sf.Type, seen); p != "" {
			return sf.Name + "." + p
		}
	}
	return ""
}

func DecryptErr(f *codec.Field, err error) error {
	return fmt.Errorf("attribute %q: %w: %w", f.Name, ErrDecrypt, err)
}

// ProjectsEncrypted reports whether any of attrs is an encrypted attribute.
func (s *Schema) ProjectsEncrypted(attrs []string) bool {
	for _, a := range attrs {
		if f := s.Codec.Field(a); f != nil && f.HasOption("encrypted") {
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
	AvS byte = 1 + iota
	AvN
	AvB
	AvBOOL
	AvNULL
	AvSS
	AvNS
	AvBS
	AvL
	AvM
)

// MaxDepth bounds the nesting parseValue follows; DynamoDB allows 32.
const MaxDepth = 64

func AppendLenBytes(b []byte, s []byte) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func AppendLenString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// AppendStrings appends the count of ss, then each string.
func AppendStrings(b []byte, ss []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = AppendLenString(b, s)
	}
	return b
}

// AppendValue appends the binary form of av to b.
func AppendValue(b []byte, av types.AttributeValue) ([]byte, error) {
	var err error
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		return AppendLenString(append(b, AvS), v.Value), nil
	case *types.AttributeValueMemberN:
		return AppendLenString(append(b, AvN), v.Value), nil
	case *types.AttributeValueMemberB:
		return AppendLenBytes(append(b, AvB), v.Value), nil
	case *types.AttributeValueMemberBOOL:
		return append(b, AvBOOL, BoolByte(v.Value)), nil
	case *types.AttributeValueMemberNULL:
		return append(b, AvNULL, BoolByte(v.Value)), nil
	case *types.AttributeValueMemberSS:
		return AppendStrings(append(b, AvSS), v.Value), nil
	case *types.AttributeValueMemberNS:
		return AppendStrings(append(b, AvNS), v.Value), nil
	case *types.AttributeValueMemberBS:
		b = binary.AppendUvarint(append(b, AvBS), uint64(len(v.Value)))
		for _, e := range v.Value {
			b = AppendLenBytes(b, e)
		}
		return b, nil
	case *types.AttributeValueMemberL:
		b = binary.AppendUvarint(append(b, AvL), uint64(len(v.Value)))
		for _, e := range v.Value {
			if b, err = AppendValue(b, e); err != nil {
				return nil, err
			}
		}
		return b, nil
	case *types.AttributeValueMemberM:
		b = binary.AppendUvarint(append(b, AvM), uint64(len(v.Value)))
		for name, e := range v.Value {
			if b, err = AppendValue(AppendLenString(b, name), e); err != nil {
				return nil, err
			}
		}
		return b, nil
	}
	return nil, fmt.Errorf("cannot encrypt an attribute value of type %T", av)
}

func BoolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// ParseValue reads back what appendValue wrote.
func ParseValue(b []byte) (types.AttributeValue, error) {
	r := ValueReader{B: b}
	av := r.Value(0)
	if r.Err == nil && len(r.B) > 0 {
		r.Err = errors.New("trailing bytes")
	}
	if r.Err != nil {
		return nil, fmt.Errorf("malformed plaintext: %w", r.Err)
	}
	return av, nil
}

type ValueReader struct {
	B   []byte
	Err error
}

func (r *ValueReader) Fail(msg string) {
	if r.Err == nil {
		r.Err = errors.New(msg)
	}
}

func (r *ValueReader) Byte() byte {
	if r.Err != nil || len(r.B) == 0 {
		r.Fail("truncated")
		return 0
	}
	c := r.B[0]
	r.B = r.B[1:]
	return c
}

// Count reads a length or count; each counted thing takes at least one
// byte, so a count over the bytes left is malformed.
func (r *ValueReader) Count() int {
	if r.Err != nil {
		return 0
	}
	n, w := binary.Uvarint(r.B)
	if w <= 0 || n > uint64(len(r.B)-w) {
		r.Fail("bad length")
		return 0
	}
	r.B = r.B[w:]
	return int(n)
}

func (r *ValueReader) Bytes() []byte {
	n := r.Count()
	if r.Err != nil {
		return nil
	}
	v := append([]byte{}, r.B[:n]...)
	r.B = r.B[n:]
	return v
}

func (r *ValueReader) String() string {
	n := r.Count()
	if r.Err != nil {
		return ""
	}
	v := string(r.B[:n])
	r.B = r.B[n:]
	return v
}

// Strings reads what appendStrings wrote.
func (r *ValueReader) Strings() []string {
	v := make([]string, r.Count())
	for i := range v {
		v[i] = r.String()
	}
	return v
}

func (r *ValueReader) Value(depth int) types.AttributeValue {
	if depth > MaxDepth {
		r.Fail("nested too deeply")
		return nil
	}
	switch r.Byte() {
	case AvS:
		return &types.AttributeValueMemberS{Value: r.String()}
	case AvN:
		return &types.AttributeValueMemberN{Value: r.String()}
	case AvB:
		return &types.AttributeValueMemberB{Value: r.Bytes()}
	case AvBOOL:
		return &types.AttributeValueMemberBOOL{Value: r.Byte() == 1}
	case AvNULL:
		return &types.AttributeValueMemberNULL{Value: r.Byte() == 1}
	case AvSS:
		return &types.AttributeValueMemberSS{Value: r.Strings()}
	case AvNS:
		return &types.AttributeValueMemberNS{Value: r.Strings()}
	case AvBS:
		v := make([][]byte, r.Count())
		for i := range v {
			v[i] = r.Bytes()
		}
		return &types.AttributeValueMemberBS{Value: v}
	case AvL:
		v := make([]types.AttributeValue, r.Count())
		for i := range v {
			v[i] = r.Value(depth + 1)
		}
		return &types.AttributeValueMemberL{Value: v}
	case AvM:
		n := r.Count()
		v := make(map[string]types.AttributeValue, n)
		for range n {
			name := r.String()
			v[name] = r.Value(depth + 1)
		}
		return &types.AttributeValueMemberM{Value: v}
	}
	r.Fail("unknown value type")
	return nil
}
