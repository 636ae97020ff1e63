package tablemap_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap"
)

// Doc is an entity whose data can hold what the codec must refuse.
type Doc struct {
	_    struct{}             `tablemap:"Doc" pk:"DOC#{id}" sk:"DOC"`
	ID   string               `dynamo:"id"`
	Body string               `dynamo:"body"`
	Tags []string             `dynamo:"tags,omitempty,set"`
	Meta map[string]string    `dynamo:"meta,omitempty"`
	Next *Doc                 `dynamo:"next,omitempty"`
	Raw  types.AttributeValue `dynamo:"raw,omitempty"`
}

// TestPutRefusesBadValues: invalid UTF-8 (which the SDK would silently
// send as U+FFFD), a cyclic value (a fatal stack overflow in
// attributevalue) and a nil attribute value member nested in an item (a
// panic in the SDK's serializer) are errors naming the field, before
// anything is sent, and nothing is stored.
func TestPutRefusesBadValues(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	docs := define[Doc](t, tbl)
	create(t, tbl, m)

	cyclic := &Doc{ID: "c"}
	cyclic.Next = cyclic
	var nilS *types.AttributeValueMemberS
	for _, c := range []struct {
		name  string
		doc   Doc
		field string
		kind  error
	}{
		{"invalid UTF-8", Doc{ID: "a", Body: "caf\xe9"}, "Doc.Body", tablemap.ErrInvalidValue},
		{"invalid UTF-8 in a set", Doc{ID: "b", Tags: []string{"ok", "\xff"}}, "Doc.Tags[1]", tablemap.ErrInvalidValue},
		{"invalid UTF-8 in a map key", Doc{ID: "c", Meta: map[string]string{"k\xff": "v"}}, "Doc.Meta", tablemap.ErrInvalidValue},
		{"invalid UTF-8 in a nested field", Doc{ID: "d", Next: &Doc{ID: "e", Body: "\xc3("}}, "Doc.Next.Body", tablemap.ErrInvalidValue},
		{"invalid UTF-8 in a key field", Doc{ID: "f\xff"}, `key field "id"`, tablemap.ErrInvalidKey},
		{"cycle", Doc{ID: "g", Next: cyclic}, "Doc.Next.Next", tablemap.ErrInvalidValue},
		{"nil member", Doc{ID: "h", Raw: &types.AttributeValueMemberL{Value: []types.AttributeValue{nilS}}}, "Doc.Raw[0]", tablemap.ErrInvalidValue},
	} {
		t.Run(c.name, func(t *testing.T) {
			m.Reset()
			err := docs.Put(c.doc).Run(ctx)
			if !errors.Is(err, c.kind) || !strings.Contains(err.Error(), c.field) {
				t.Fatalf("Put error %v, want %v naming %s", err, c.kind, c.field)
			}
			if n := m.Requests(); n != 0 {
				t.Errorf("%d requests, want 0 (%v)", n, m)
			}
			if utf8.ValidString(c.doc.ID) {
				if _, err := docs.Get(Doc{ID: c.doc.ID}).Run(ctx); !errors.Is(err, tablemap.ErrNotFound) {
					t.Errorf("Get after the refused Put: %v, want ErrNotFound", err)
				}
			}
		})
	}

	// A key built from invalid UTF-8 is refused too.
	m.Reset()
	if _, err := docs.Get(Doc{ID: "f\xff"}).Run(ctx); !errors.Is(err, tablemap.ErrInvalidKey) || !strings.Contains(err.Error(), "UTF-8") {
		t.Errorf("Get error %v, want ErrInvalidKey about UTF-8", err)
	}
	if n := m.Requests(); n != 0 {
		t.Errorf("%d requests, want 0 (%v)", n, m)
	}

	// An update's value goes through the same codec.
	m.Reset()
	_, err := docs.Update(Doc{ID: "a"}).Set("body", "caf\xe9").Run(ctx)
	if !errors.Is(err, tablemap.ErrInvalidValue) {
		t.Fatalf("Update error %v, want ErrInvalidValue", err)
	}
	if n := m.Requests(); n != 0 {
		t.Errorf("%d requests, want 0 (%v)", n, m)
	}
}

// TestNewTableNilClient: a table made with a nil client fails every
// operation with ErrNoClient naming the table, and panics nowhere.
func TestNewTableNilClient(t *testing.T) {
	t.Parallel()
	for name, client := range map[string]tablemap.Client{"nil": nil, "nil *dynamodb.Client": (*dynamodb.Client)(nil)} {
		t.Run(name, func(t *testing.T) {
			tbl := tablemap.NewTable(client, "orphans")
			docs := define[Doc](t, tbl)
			check := func(op string, err error) {
				t.Helper()
				if !errors.Is(err, tablemap.ErrNoClient) || !strings.Contains(err.Error(), "orphans") {
					t.Errorf("%s: error %v, want ErrNoClient naming the table", op, err)
				}
			}
			check("CreateTable", tbl.CreateTable(ctx))
			check("Put", docs.Put(Doc{ID: "a"}).Run(ctx))
			_, err := docs.Get(Doc{ID: "a"}).Run(ctx)
			check("Get", err)
			_, err = docs.Update(Doc{ID: "a"}).Set("body", "b").Run(ctx)
			check("Update", err)
			check("DeleteTable", tbl.DeleteTable(ctx))
		})
	}
}
