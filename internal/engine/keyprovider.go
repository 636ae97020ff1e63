package engine

import (
	"context"
)

// Both ciphers here store
//
//	format version (1 byte, 1) | kind (1 byte) | key material | nonce (12 bytes) | AES-256-GCM ciphertext and tag (16 bytes)
//
// where the key material is, for a local key (kind 1), the 8-byte id of the
// key, and for an envelope (kind 2), the wrapped data key, uvarint
// length-prefixed. Everything before the nonce (the header) is
// authenticated with the additional data the table gives, so neither the
// header nor the binding can change without the value failing to open.
const (
	FormatVersion byte = 1
	KindLocal     byte = 1
	KindEnvelope  byte = 2

	KeyIDSize = 8
	NonceSize = 12
	TagSize   = 16

	MaxWrappedKey = 4096 // KMS ciphertext blobs are about 200 bytes
)

// EntityKey is the context key of the entity whose attributes a Cipher
// seals or opens: the Cipher interface has no parameter for it.
type EntityKey struct{}

// WithEntity returns ctx carrying the entity name for an Envelope's
// binding.
func WithEntity(ctx context.Context, entity string) context.Context {
	return context.WithValue(ctx, EntityKey{}, entity)
}
