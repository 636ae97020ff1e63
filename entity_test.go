package tablemap_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tablemap/tablemap"
)

// Structs with faulty declarations, one fault each.
type (
	unknownAttr struct {
		_    struct{} `pk:"USER#{username}" sk:"PHOTO#{takne}"`
		User string   `dynamo:"username"`
		When string   `dynamo:"taken"`
	}
	missingPK struct {
		_    struct{} `tablemap:"NoPK" sk:"X"`
		Name string   `dynamo:"name"`
	}
	noBlankField struct {
		Name string `dynamo:"name"`
	}
	gsiSKWithoutPK struct {
		_    struct{} `pk:"U#{name}" gsi2sk:"X#{name}"`
		Name string   `dynamo:"name"`
	}
	floatKey struct {
		_     struct{} `pk:"SCORE#{score}"`
		Score float64  `dynamo:"score"`
	}
	sliceKey struct {
		_    struct{} `pk:"U#{name}" gsi1pk:"TAGS#{tags}"`
		Name string   `dynamo:"name"`
		Tags []string `dynamo:"tags"`
	}
	clashPK struct {
		_    struct{} `pk:"U#{name}"`
		Name string   `dynamo:"name"`
		PK   string   `dynamo:"PK"`
	}
	clashType struct {
		_    struct{} `pk:"U#{name}"`
		Name string   `dynamo:"name"`
		Type string   `dynamo:"_type"`
	}
	clashGSI struct {
		_    struct{} `pk:"U#{name}"`
		Name string   `dynamo:"name"`
		Key  string   `dynamo:"GSI7SK"`
	}
	clashFolded struct {
		_    struct{} `pk:"U#{name}"`
		Name string   `dynamo:"name"`
		Sort string   `dynamo:"sk,omitempty"`
	}
	badTemplate struct {
		_    struct{} `pk:"U#{name}{other}"`
		Name string   `dynamo:"name"`
	}
	gsi21 struct {
		_    struct{} `pk:"U#{name}" gsi21pk:"X"`
		Name string   `dynamo:"name"`
	}
	stringVersion struct {
		_       struct{} `pk:"U#{name}"`
		Name    string   `dynamo:"name"`
		Version string   `dynamo:"v,version"`
	}
	twoVersions struct {
		_    struct{} `pk:"U#{name}"`
		Name string   `dynamo:"name"`
		V1   int      `dynamo:"v1,version"`
		V2   int      `dynamo:"v2,version"`
	}
	intCreated struct {
		_       struct{} `pk:"U#{name}"`
		Name    string   `dynamo:"name"`
		Created int64    `dynamo:"created,created"`
	}
	stringTTL struct {
		_       struct{} `pk:"U#{name}"`
		Name    string   `dynamo:"name"`
		Expires string   `dynamo:"exp,ttl"`
	}
)

// Pairs of valid entities that clash on one table.
type (
	photoAgain struct {
		_    struct{} `tablemap:"Photo" pk:"P#{id}"`
		ID   string   `dynamo:"id"`
		Note string   `dynamo:"note"`
	}
	gsi1NoSK struct {
		_  struct{} `tablemap:"Other" pk:"O#{id}" gsi1pk:"O#{id}"`
		ID string   `dynamo:"id"`
	}
	ttlA struct {
		_   struct{}  `tablemap:"A" pk:"A#{id}"`
		ID  string    `dynamo:"id"`
		Exp time.Time `dynamo:"expires_at,ttl"`
	}
	ttlB struct {
		_   struct{} `tablemap:"B" pk:"B#{id}"`
		ID  string   `dynamo:"id"`
		Exp int64    `dynamo:"exp,ttl"`
	}
)

func defineErr[T any](tbl *tablemap.Table) error {
	_, err := tablemap.Define[T](tbl)
	return err
}

// TestDefineErrors checks every malformed declaration is an error at
// Define that names the struct, the field and the tag.
func TestDefineErrors(t *testing.T) {
	t.Parallel()
	const pkg = "tablemap_test."
	tests := []struct {
		name   string
		define func(*tablemap.Table) error
		want   tablemap.DefinitionError
	}{
		{"unknown attribute", defineErr[unknownAttr], tablemap.DefinitionError{Struct: pkg + "unknownAttr", Field: "_", Tag: `sk:"PHOTO#{takne}"`}},
		{"missing pk", defineErr[missingPK], tablemap.DefinitionError{Struct: pkg + "missingPK", Field: "_", Tag: "pk"}},
		{"no blank field", defineErr[noBlankField], tablemap.DefinitionError{Struct: pkg + "noBlankField", Field: "_", Tag: "pk"}},
		{"gsi sk without pk", defineErr[gsiSKWithoutPK], tablemap.DefinitionError{Struct: pkg + "gsiSKWithoutPK", Field: "_", Tag: `gsi2sk:"X#{name}"`}},
		{"float key field", defineErr[floatKey], tablemap.DefinitionError{Struct: pkg + "floatKey", Field: "Score", Tag: `pk:"SCORE#{score}"`}},
		{"slice key field", defineErr[sliceKey], tablemap.DefinitionError{Struct: pkg + "sliceKey", Field: "Tags", Tag: `gsi1pk:"TAGS#{tags}"`}},
		{"data attribute PK", defineErr[clashPK], tablemap.DefinitionError{Struct: pkg + "clashPK", Field: "PK", Tag: `dynamo:"PK"`}},
		{"data attribute _type", defineErr[clashType], tablemap.DefinitionError{Struct: pkg + "clashType", Field: "Type", Tag: `dynamo:"_type"`}},
		{"data attribute GSI7SK", defineErr[clashGSI], tablemap.DefinitionError{Struct: pkg + "clashGSI", Field: "Key", Tag: `dynamo:"GSI7SK"`}},
		{"data attribute sk", defineErr[clashFolded], tablemap.DefinitionError{Struct: pkg + "clashFolded", Field: "Sort", Tag: `dynamo:"sk,omitempty"`}},
		{"bad template", defineErr[badTemplate], tablemap.DefinitionError{Struct: pkg + "badTemplate", Field: "_", Tag: `pk:"U#{name}{other}"`}},
		{"gsi21", defineErr[gsi21], tablemap.DefinitionError{Struct: pkg + "gsi21", Field: "_", Tag: "gsi21pk"}},
		{"string version", defineErr[stringVersion], tablemap.DefinitionError{Struct: pkg + "stringVersion", Field: "Version", Tag: `dynamo:"v,version"`}},
		{"two versions", defineErr[twoVersions], tablemap.DefinitionError{Struct: pkg + "twoVersions", Field: "V2", Tag: `dynamo:"v2,version"`}},
		{"int created", defineErr[intCreated], tablemap.DefinitionError{Struct: pkg + "intCreated", Field: "Created", Tag: `dynamo:"created,created"`}},
		{"string ttl", defineErr[stringTTL], tablemap.DefinitionError{Struct: pkg + "stringTTL", Field: "Expires", Tag: `dynamo:"exp,ttl"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tbl := tablemap.NewTable(nil, "defs")
			err := tt.define(tbl)
			var de *tablemap.DefinitionError
			if !errors.As(err, &de) {
				t.Fatalf("Define: got %v, want a *DefinitionError", err)
			}
			diff(t, "DefinitionError", tt.want, *de, cmpopts.IgnoreFields(tablemap.DefinitionError{}, "Err"))
			t.Log(err)
		})
	}
}

// TestDefineTableConflicts checks entities that are valid alone but clash
// with another entity of the table.
func TestDefineTableConflicts(t *testing.T) {
	t.Parallel()
	t.Run("type name used twice", func(t *testing.T) {
		tbl := tablemap.NewTable(nil, "defs")
		if _, err := tablemap.Define[Photo](tbl); err != nil {
			t.Fatal(err)
		}
		var de *tablemap.DefinitionError
		if err := defineErr[photoAgain](tbl); !errors.As(err, &de) {
			t.Fatalf("Define: got %v, want a *DefinitionError", err)
		}
		diff(t, "DefinitionError", tablemap.DefinitionError{Struct: "tablemap_test.photoAgain", Field: "_", Tag: `tablemap:"Photo"`}, *de,
			cmpopts.IgnoreFields(tablemap.DefinitionError{}, "Err"))
		t.Log(de)
	})
	t.Run("same type defined twice", func(t *testing.T) {
		tbl := tablemap.NewTable(nil, "defs")
		if _, err := tablemap.Define[Photo](tbl); err != nil {
			t.Fatal(err)
		}
		var de *tablemap.DefinitionError
		if err := defineErr[Photo](tbl); !errors.As(err, &de) {
			t.Fatalf("Define: got %v, want a *DefinitionError", err)
		}
	})
	t.Run("index sort key disagreement", func(t *testing.T) {
		tbl := tablemap.NewTable(nil, "defs")
		if _, err := tablemap.Define[Photo](tbl); err != nil {
			t.Fatal(err)
		}
		var de *tablemap.DefinitionError
		if err := defineErr[gsi1NoSK](tbl); !errors.As(err, &de) {
			t.Fatalf("Define: got %v, want a *DefinitionError", err)
		}
		diff(t, "DefinitionError", tablemap.DefinitionError{Struct: "tablemap_test.gsi1NoSK", Field: "_", Tag: `gsi1pk:"O#{id}"`}, *de,
			cmpopts.IgnoreFields(tablemap.DefinitionError{}, "Err"))
	})
	t.Run("two ttl attributes", func(t *testing.T) {
		tbl := tablemap.NewTable(nil, "defs")
		if _, err := tablemap.Define[ttlA](tbl); err != nil {
			t.Fatal(err)
		}
		var de *tablemap.DefinitionError
		if err := defineErr[ttlB](tbl); !errors.As(err, &de) {
			t.Fatalf("Define: got %v, want a *DefinitionError", err)
		}
		diff(t, "DefinitionError", tablemap.DefinitionError{Struct: "tablemap_test.ttlB", Field: "Exp", Tag: `dynamo:"exp,ttl"`}, *de,
			cmpopts.IgnoreFields(tablemap.DefinitionError{}, "Err"))
	})
	t.Run("other table is independent", func(t *testing.T) {
		for range 2 {
			if _, err := tablemap.Define[Photo](tablemap.NewTable(nil, "defs")); err != nil {
				t.Fatal(err)
			}
		}
	})
}
