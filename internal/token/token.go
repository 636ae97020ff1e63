// Package token is what the idempotent writes of packages notes and social
// share: the write option that gives a token, which strings are tokens, the
// digest that tells a retry of a request from another request under the
// same token, the lookup of the record an earlier run left, and which
// action of a cancelled transaction failed.
package token

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/tablemap/tablemap"
)

// Lifetime is how long a record of a token lives (the packages'
// TokenLifetime).
const Lifetime = 24 * time.Hour

// Options are what the WriteOptions of notes and social set.
type Options struct {
	Token string
}

// Set returns the option that gives a write token t (the packages' Token).
func Set(t string) func(*Options) {
	return func(o *Options) { o.Token = t }
}

// Collect returns the options opts set, in order.
func Collect[O ~func(*Options)](opts []O) Options {
	var o Options
	for _, f := range opts {
		f(&o)
	}
	return o
}

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

// Stored returns the record an earlier run left at key (of e, its token's
// record entity), read consistently, or false when there is none. A record
// whose request digest, which digest returns, is not want was left by
// another request: an error wrapping tablemap.ErrTokenReused.
func Stored[R any](ctx context.Context, e *tablemap.Entity[R], key R, digest func(R) string, want string) (R, bool, error) {
	var zero R
	got, err := e.Get(key).Consistent().Run(ctx)
	switch {
	case errors.Is(err, tablemap.ErrNotFound):
		return zero, false, nil
	case err != nil:
		return zero, false, err
	case digest(got) != want:
		return zero, false, fmt.Errorf("the token was used for another request: %w", tablemap.ErrTokenReused)
	}
	return got, true, nil
}

// FailedAt reports whether action i of a cancelled transaction failed with
// kind (an error such as tablemap.ErrExists: at a token's record, another
// run recorded the token first).
func FailedAt(err error, i int, kind error) bool {
	var te *tablemap.TxError
	if !errors.As(err, &te) {
		return false
	}
	for _, a := range te.Actions {
		if a.Index == i && errors.Is(a, kind) {
			return true
		}
	}
	return false
}
