// Package token is what the idempotency tokens of packages notes and social
// share: which strings are tokens, and the digest that tells a retry of a
// request from another request under the same token.
package token

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"unicode/utf8"
)

// MaxLen is the longest token in bytes, that of DynamoDB's
// ClientRequestToken, so that one token can serve a transaction too.
const MaxLen = 36

// Valid reports whether t is a token: 1 to MaxLen bytes of valid UTF-8.
func Valid(t string) bool {
	return t != "" && len(t) <= MaxLen && utf8.ValidString(t)
}

// Digest returns the digest of a request that its token's record keeps:
// the hex of the first 16 bytes of the SHA-256 of fields, each preceded by
// its length so that no two lists of fields read alike. Records stored by
// earlier versions hold it, so it must not change.
func Digest(fields ...string) string {
	h := sha256.New()
	for _, f := range fields {
		fmt.Fprintf(h, "%d:%s", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
