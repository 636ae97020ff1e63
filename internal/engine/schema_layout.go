package engine

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/keys"
)

// keyFields records the fields of the table key's parts.
func (s *Schema) keyFields(parts ...*KeyPart) {
	for _, k := range parts {
		for _, f := range k.Fields {
			s.KeyFields[f.Name] = true
		}
	}
}

// keyPartFor compiles the template src of tag for key attribute attr: a
// number or binary part when the table declares attr N or B (the template
// must be exactly one such field), the field itself when the template is
// exactly the string field named attr (Identity), else a string template.
func (s *Schema) keyPartFor(tag, src, attr string) (*KeyPart, error) {
	tagText := fmt.Sprintf("%s:%q", tag, src)
	kind := s.Table.AttrType(attr)
	if kind != types.ScalarAttributeTypeS {
		tmpl, err := keys.Parse(src)
		if err != nil {
			return nil, s.DefErr("_", tagText, err)
		}
		return s.rawPart(tagText, tmpl, kind, attr)
	}
	k, err := s.KeyPart(tag, src)
	if err != nil {
		return nil, err
	}
	if len(k.Fields) == 1 && k.Fields[0].Name == attr && k.Tmpl.Literal(0) == "" && k.Tmpl.Literal(1) == "" {
		if k.Fields[0].Type.Kind() != reflect.String {
			return nil, s.DefErr(k.Fields[0].Path, tagText, fmt.Errorf("field %q is key attribute %q itself, which is a string (S), but the field is %s; declare the attribute N (WithKeyType) or give the field another attribute name", attr, attr, k.Fields[0].Type))
		}
		k.Kind, k.Identity, k.Codecs[0] = types.ScalarAttributeTypeS, true, nil
	}
	return k, nil
}

// declaredIndexes compiles the templates of the indexes the table declares
// by name: tags "<name>.pk" and "<name>.sk" (a local index has only the
// sort key: its partition key is the table's). A tag naming an index the
// table does not declare is refused.
func (s *Schema) declaredIndexes(tags BlankTags) error {
	t := s.Table
	for _, k := range tags.Keys {
		name, part, ok := cutIndexTag(k)
		if !ok {
			continue
		}
		d := t.Declared(name)
		switch {
		case d == nil:
			return s.DefErr("_", k, fmt.Errorf("tag %s names index %q, which table %s does not declare (WithIndex, WithLocalIndex)", k, name, t.Name))
		case part == "pk" && d.Local:
			return s.DefErr("_", k, fmt.Errorf("index %s is local: its partition key is the table's, so declare only %s.sk", name, name))
		case part == "sk" && d.SK == "":
			return s.DefErr("_", k, fmt.Errorf("index %s has no sort key", name))
		}
	}
	for _, d := range t.Layout.Indexes {
		if err := s.declaredIndex(tags, d); err != nil {
			return err
		}
	}
	return nil
}

// cutIndexTag splits a tag "<name>.pk" or "<name>.sk".
func cutIndexTag(k string) (name, part string, ok bool) {
	i := strings.LastIndexByte(k, '.')
	if i <= 0 || k[i+1:] != "pk" && k[i+1:] != "sk" {
		return "", "", false
	}
	return k[:i], k[i+1:], true
}

func (s *Schema) declaredIndex(tags BlankTags, d *IndexDecl) error {
	pkKey, skKey := d.Name+".pk", d.Name+".sk"
	pkSrc, hasPK := tags.Lookup(pkKey)
	skSrc, hasSK := tags.Lookup(skKey)
	if !hasPK && !hasSK {
		return nil // the entity's items are not in the index
	}
	g := &Index{Name: d.Name, PKAttr: d.PK, SKAttr: d.SK, Local: d.Local}
	var err error
	if d.Local {
		g.PKAttr, g.PK = s.Table.PK, s.Primary.PK
	} else {
		if !hasPK {
			return s.DefErr("_", fmt.Sprintf("%s:%q", skKey, skSrc), fmt.Errorf("index %s has a sort key template but no %s", d.Name, pkKey))
		}
		if g.PK, err = s.keyPartFor(pkKey, pkSrc, d.PK); err != nil {
			return err
		}
	}
	if d.SK != "" {
		if !hasSK {
			return s.DefErr("_", fmt.Sprintf("%s:%q", pkKey, pkSrc), fmt.Errorf("index %s has sort key %s: declare %s too", d.Name, d.SK, skKey))
		}
		if g.SK, err = s.keyPartFor(skKey, skSrc, d.SK); err != nil {
			return err
		}
		g.SK.Pin(g.PK)
	}
	s.addGSI(g)
	return nil
}

// matchTag reads the entity's match:"attr=value" tag: on a table without
// type attribute, its items are those whose attr holds value.
func (s *Schema) matchTag(tags BlankTags) error {
	src, ok := tags.Lookup("match")
	if !ok {
		return nil
	}
	tag := fmt.Sprintf("match:%q", src)
	attr, val, ok := strings.Cut(src, "=")
	switch {
	case s.Table.TypeAttr != "":
		return s.DefErr("_", tag, fmt.Errorf("table %s tells entities apart by its type attribute %q; a match tag is for tables without one (WithTypeAttribute(\"\"))", s.Table.Name, s.Table.TypeAttr))
	case !ok || attr == "" || val == "":
		return s.DefErr("_", tag, fmt.Errorf("a match tag is \"attribute=value\""))
	case s.Table.Reserved(attr) || s.Codec.Field(attr) != nil:
		return s.DefErr("_", tag, fmt.Errorf("match attribute %q is a key attribute or a field of %s; name an attribute only the match sets", attr, s.Typ))
	}
	s.Match.Attr, s.Match.Value = attr, val
	return nil
}

// reservedFields refuses a data field named like a key or type attribute
// of the table, unless the field is that key attribute (Identity).
func (s *Schema) reservedFields() error {
	t := s.Table
	own := map[string]bool{}
	for _, g := range append([]*Index{s.Primary}, s.GSIs...) {
		for _, k := range []*KeyPart{g.PK, g.SK} {
			if k != nil && k.Identity {
				own[k.Fields[0].Name] = true
			}
		}
	}
	for _, f := range s.Codec.Fields {
		if t.Reserved(f.Name) && !own[f.Name] {
			return s.fieldErr(f, fmt.Errorf("attribute %q clashes with a key or type attribute of table %s", f.Name, t.Name))
		}
	}
	return nil
}
