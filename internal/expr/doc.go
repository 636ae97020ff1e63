// Package expr renders the DynamoDB expressions tablemap itself makes
// (entity-type, existence, version and expiry guards, updates, read filters,
// key conditions, projections) from a value-free description compiled once
// per shape, instead of running the SDK's feature/dynamodb/expression builder
// on every request.
//
// # Why
//
// expression.NewBuilder()...Build() rebuilds the whole tree, formats every
// placeholder with fmt and allocates maps on each call: about half the
// client CPU of an Update. The strings and the ExpressionAttributeNames of a
// request depend only on its shape (which attributes, which operators), not
// on its values, so a Compiled shape keeps them and a request only builds
// its ExpressionAttributeValues map.
//
// # The equality guarantee
//
// For every Shape, Compile gives byte for byte what expression gives for the
// same logical input: the same condition, filter, key condition, projection
// and update strings, the same names map and, from Compiled.Values, the same
// values map. It fails where Build fails (an empty or malformed attribute
// path, an unset condition). The tests check this against the expression
// package on a table of shapes and on random trees and update lists.
//
// The numbering rules of expression (v1.10.7), which Compile follows:
//
//   - The kinds render in the byte order of their internal names: condition,
//     filter, keyCondition, projection, update. Placeholders are numbered in
//     one sequence across all of them, in the order they appear in the text.
//   - Names are #0, #1, ... in order of first appearance and deduplicated:
//     a path element seen before reuses its number. Values are :0, :1, ...
//     and never deduplicated.
//   - An update renders its clauses grouped by action in the byte order
//     ADD, DELETE, REMOVE, SET, each group as "ACTION c1, c2\n" (a trailing
//     newline after every group), clauses of a group in the order added.
//   - A path ("a.b[2]") splits at '.'; each element is a name, a trailing
//     "[n]" index stays in the text ("#0.#1[2]"). A key condition's names
//     (expression.Key) do not split.
//   - And/Or render as "(c1) AND (c2)" with no flattening of nested ones.
//
// # Values
//
// Compiled.Values takes the values in the order of the Shape: the fields of
// Shape in declaration order (Condition, Filter, KeyCondition, Update), each
// in the order written (depth first, left to right for a condition; clauses
// in the order listed for an update, if_not_exists's value before the
// appended one for AppendList). It maps them to the placeholders expression
// would have given them, which for an update differ from that order.
//
// # Callers' conditions
//
// A caller writes its conditions and filters with expression, so they
// arrive as opaque expression.ConditionBuilder trees. UserCond.Read reads
// such a tree (through mirrors of expression's unexported structs, checked
// against them at init) into a structure key, which determines the text
// expression builds and the attribute value type of each value, and the
// values, marshaled as expression marshals them. Marked gives a copy of
// the tree whose values are marker strings: built once with expression,
// it shows where each value's placeholder lands, so a cache keyed by the
// structure renders every later request of that structure with only its
// values marshaled. Read refuses what it does not know (see its doc), and
// the caller then builds the tree with expression, as before.
//
// # Ownership
//
// A Compiled is immutable and shared by every request of its shape: the
// strings it points to and the map Names returns must not be modified (the
// SDK only reads them). The map Values returns is new on every call and
// belongs to the caller.
package expr
