// Package tablemap maps Go structs onto a single DynamoDB table.
//
// A service declares its entities as structs; struct tags turn them into key
// attributes (PK, SK, GSI keys) through key templates, and generic types give
// typed reads, writes, queries and transactions, each access pattern served by
// one DynamoDB request.
package tablemap
