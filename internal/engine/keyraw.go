package engine

import (
	"fmt"
	"reflect"
	"strconv"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/keys"
)

// Key parts stored as one field's value (KeyPart.Kind S, N or B): the
// template is exactly one integer or []byte field (N, B), or the string
// field the key attribute is named after (S, Identity); the part's key
// string is the number's decimal text, the bytes or the string as they
// are, unescaped; KeyValue makes them an attribute value of the declared
// type at the request's boundary.

// rawKind reports whether a part of kind k is one field stored as itself
// (N, B, or an Identity S part) rather than a string template.
func rawKind(k ScalarKind) bool { return k != "" }

// ScalarKind is a key attribute's type.
type ScalarKind = types.ScalarAttributeType

// rawPart compiles a number or binary part, or refuses a template that cannot be stored as kind.
func (s *Schema) rawPart(tagText string, tmpl *keys.Template, kind ScalarKind, attr string) (*KeyPart, error) {
	names := tmpl.Attrs()
	if len(names) != 1 || tmpl.Literal(0) != "" || tmpl.Literal(1) != "" {
		return nil, s.DefErr("_", tagText, fmt.Errorf("key attribute %q is declared %s, so its template must be exactly one %s field ({field}), not %q", attr, kind, kindWord(kind), tmpl.String()))
	}
	f := s.Codec.Field(names[0])
	if f == nil {
		return nil, s.DefErr("_", tagText, fmt.Errorf("template names attribute %q, which %s does not have", names[0], s.Typ))
	}
	ok := IsInt(f.Type)
	if kind == types.ScalarAttributeTypeB {
		ok = f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Uint8
	}
	if !ok {
		return nil, s.DefErr(f.Path, tagText, fmt.Errorf("key attribute %q is declared %s, but field %q has type %s, not %s", attr, kind, f.Name, f.Type, kindWord(kind)))
	}
	if f.HasOption("encrypted") || f == s.Version || f == s.Updated {
		return nil, s.DefErr(f.Path, tagText, fmt.Errorf("key field %q cannot be an encrypted, version or updated field", f.Name))
	}
	k := &KeyPart{Tmpl: tmpl, Tag: tagText, Kind: kind, Identity: f.Name == attr}
	k.Fields = append(k.Fields, f)
	k.Codecs = append(k.Codecs, nil)
	return k, nil
}

func kindWord(kind ScalarKind) string {
	if kind == types.ScalarAttributeTypeB {
		return "[]byte"
	}
	return "integer"
}

func (k *KeyPart) rawValue(p unsafe.Pointer) reflect.Value {
	return reflect.NewAt(k.Fields[0].Type, k.Ptr(0, p)).Elem()
}

// rawEmpty: an empty string or []byte is no key; every number is.
func (k *KeyPart) rawEmpty(p unsafe.Pointer) bool {
	return k.Kind != types.ScalarAttributeTypeN && k.rawValue(p).Len() == 0
}

// rawSet: a non-empty string or []byte, a non-zero number.
func (k *KeyPart) rawSet(p unsafe.Pointer) bool {
	v := k.rawValue(p)
	if k.Kind != types.ScalarAttributeTypeN {
		return v.Len() > 0
	}
	return !v.IsZero()
}

func (k *KeyPart) appendRaw(b []byte, p unsafe.Pointer) ([]byte, error) {
	v := k.rawValue(p)
	switch {
	case k.Kind != types.ScalarAttributeTypeN:
		if v.Len() == 0 {
			return b, fmt.Errorf("%s: key field %q is empty: %w", k.Tag, k.Fields[0].Name, ErrInvalidKey)
		}
		if k.Kind == types.ScalarAttributeTypeS {
			return append(b, v.String()...), nil
		}
		return append(b, v.Bytes()...), nil
	case v.CanInt():
		return strconv.AppendInt(b, v.Int(), 10), nil
	}
	return strconv.AppendUint(b, v.Uint(), 10), nil
}

func (k *KeyPart) parseRaw(key string, p unsafe.Pointer) error {
	v := k.rawValue(p)
	var err error
	switch {
	case k.Kind == types.ScalarAttributeTypeS:
		v.SetString(key)
	case k.Kind == types.ScalarAttributeTypeB:
		v.SetBytes([]byte(key))
	case v.CanInt():
		var n int64
		if n, err = strconv.ParseInt(key, 10, v.Type().Bits()); err == nil {
			v.SetInt(n)
		}
	default:
		var n uint64
		if n, err = strconv.ParseUint(key, 10, v.Type().Bits()); err == nil {
			v.SetUint(n)
		}
	}
	if err != nil {
		return fmt.Errorf("%s: key field %q: cannot decode %s: %w", k.Tag, k.Fields[0].Name, keys.Quote(key), err)
	}
	return nil
}

// below reports whether key a sorts below key b: as numbers for an N
// part, else as bytes.
func (k *KeyPart) below(a, b string) bool {
	if k.Kind == types.ScalarAttributeTypeN {
		x, errX := strconv.ParseFloat(a, 64)
		y, errY := strconv.ParseFloat(b, 64)
		if errX == nil && errY == nil {
			return x < y
		}
	}
	return a < b
}
