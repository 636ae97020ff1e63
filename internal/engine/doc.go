// Package engine is tablemap's type-erased core: everything an operation
// does except knowing the caller's Go type T.
//
// The layers, each depending only on those below it:
//
//	tablemap (the root)     the façade: generic builders, options, godoc, decoding into T
//	  │
//	internal/engine         schema compilation (tags → key templates, indexes, managed
//	  │                     fields), the write compiler (key + conditions + managed fields
//	  │                     → SDK input + failure classifier), the read source and paging
//	  │                     loop, cursors, outcomes and error mapping
//	  │
//	internal/keys, codec,   key templates and encodings, struct ↔ attribute values,
//	internal/expr           expressions compiled once per shape
//	  │
//	aws-sdk-go-v2           service/dynamodb, feature/dynamodb/expression
//
// The engine sees a value only as an unsafe.Pointer and its Schema; the
// façade turns a *T into one and decodes items back into T through
// Schema.NewValue or Schema.DecodeInto.
//
// One concern per file: schema.go compiles an entity (NewSchema), item.go
// encodes and decodes its items, keys.go builds and parses keys,
// table.go and createtable.go hold the table and its CreateTable request,
// condition.go refuses conditions that cannot hold, encrypt.go seals
// attributes, errors.go holds the error types.
//
// Where a change goes:
//
//   - A new operation: a façade file in the root (its builder and godoc)
//     plus, at most, one engine entry point that builds the SDK input from a
//     plain description, sends it and classifies the result.
//   - A new option: the façade builder that collects it and the field of the
//     engine's description that carries it; nothing else.
//   - A new index feature (an index kind, a key attribute layout): the
//     schema compilation in schema.go (the tags and the Index it builds),
//     CreateTableInput in createtable.go, and Table's options in the root.
package engine
