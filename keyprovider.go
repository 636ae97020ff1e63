package tablemap

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"
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
	formatVersion byte = 1
	kindLocal     byte = 1
	kindEnvelope  byte = 2

	keyIDSize = 8
	nonceSize = 12
	tagSize   = 16

	maxWrappedKey = 4096 // KMS ciphertext blobs are about 200 bytes
)

// errAuth is a value that fails authentication with the right key.
var errAuth = errors.New("authentication failed: the value was sealed for another item, attribute or table, or altered")

// KeySize is the size of an AES-256 key: LocalKey's key and the data keys
// an Envelope's source returns.
const KeySize = 32

func newGCM(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("key of %d bytes, want %d (AES-256)", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// sealGCM returns header | nonce | ciphertext, with header and aad
// authenticated.
func sealGCM(aead cipher.AEAD, header, plaintext, aad []byte) ([]byte, error) {
	out := make([]byte, len(header)+nonceSize, len(header)+nonceSize+len(plaintext)+tagSize)
	copy(out, header)
	nonce := out[len(header):]
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return aead.Seal(out, nonce, plaintext, append(header[:len(header):len(header)], aad...)), nil
}

// openGCM opens what sealGCM returned, header being its first bytes.
func openGCM(aead cipher.AEAD, header, sealed, aad []byte) ([]byte, error) {
	rest := sealed[len(header):]
	if len(rest) < nonceSize+tagSize {
		return nil, errors.New("ciphertext too short")
	}
	plain, err := aead.Open(nil, rest[:nonceSize], rest[nonceSize:], append(header[:len(header):len(header)], aad...))
	if err != nil {
		return nil, errAuth
	}
	return plain, nil
}

// checkHeader checks the format version and kind of sealed and returns the rest.
func checkHeader(sealed []byte, kind byte) ([]byte, error) {
	if len(sealed) < 2 {
		return nil, errors.New("ciphertext too short")
	}
	if sealed[0] != formatVersion {
		return nil, fmt.Errorf("unknown format version %d", sealed[0])
	}
	if sealed[1] != kind {
		return nil, fmt.Errorf("sealed by %s, not %s", kindName(sealed[1]), kindName(kind))
	}
	return sealed[2:], nil
}

func kindName(k byte) string {
	switch k {
	case kindLocal:
		return "a local key cipher"
	case kindEnvelope:
		return "an envelope cipher"
	}
	return fmt.Sprintf("a cipher of kind %d", k)
}

// localKey is the Cipher of LocalKey.
type localKey struct {
	id     [keyIDSize]byte
	header []byte
	aead   cipher.AEAD
	keys   map[[keyIDSize]byte]cipher.AEAD // the current and previous keys, by id
}

// LocalKey returns a Cipher that seals with AES-256-GCM under key, 32
// bytes the caller supplies and keeps secret (from a secrets manager, not
// the source code). Values sealed under the previous keys still open: to
// rotate, make the new key current and pass the old one as previous until
// every item has been written again.
//
// Each stored value records an 8-byte id of its key (derived from the key
// with HMAC-SHA256; it reveals nothing of the key), so a value sealed under
// another key is reported as such: a wrong key is a clear ErrDecrypt, never
// garbage.
func LocalKey(key []byte, previous ...[]byte) (Cipher, error) {
	l := &localKey{keys: map[[keyIDSize]byte]cipher.AEAD{}}
	for i, k := range append([][]byte{key}, previous...) {
		aead, err := newGCM(k)
		if err != nil {
			return nil, fmt.Errorf("tablemap: LocalKey: key %d: %w", i, err)
		}
		id := keyID(k)
		if i == 0 {
			l.id, l.aead = id, aead
		}
		if _, dup := l.keys[id]; !dup {
			l.keys[id] = aead
		}
	}
	l.header = append([]byte{formatVersion, kindLocal}, l.id[:]...)
	return l, nil
}

func keyID(key []byte) (id [keyIDSize]byte) {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("tablemap local key id"))
	copy(id[:], mac.Sum(nil))
	return id
}

func (l *localKey) Seal(_ context.Context, plaintext, aad []byte) ([]byte, error) {
	return sealGCM(l.aead, l.header, plaintext, aad)
}

func (l *localKey) Open(_ context.Context, sealed, aad []byte) ([]byte, error) {
	rest, err := checkHeader(sealed, kindLocal)
	if err != nil {
		return nil, err
	}
	if len(rest) < keyIDSize {
		return nil, errors.New("ciphertext too short")
	}
	id := [keyIDSize]byte(rest[:keyIDSize])
	aead := l.keys[id]
	if aead == nil {
		return nil, fmt.Errorf("wrong key: the value was sealed under key %x, this cipher has key %x", id, l.id)
	}
	return openGCM(aead, sealed[:2+keyIDSize], sealed, aad)
}

// A DataKeySource makes and unwraps data keys, shaped like AWS KMS
// GenerateDataKey and Decrypt, so a KMS client plugs in:
//
//	type kmsKeys struct {
//		client *kms.Client
//		keyID  string // the KMS key's id or ARN
//	}
//
//	func (k kmsKeys) GenerateDataKey(ctx context.Context) ([]byte, []byte, error) {
//		out, err := k.client.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{
//			KeyId: aws.String(k.keyID), KeySpec: kmstypes.DataKeySpecAes256})
//		if err != nil {
//			return nil, nil, err
//		}
//		return out.Plaintext, out.CiphertextBlob, nil
//	}
//
//	func (k kmsKeys) Decrypt(ctx context.Context, wrapped []byte) ([]byte, error) {
//		out, err := k.client.Decrypt(ctx, &kms.DecryptInput{
//			KeyId: aws.String(k.keyID), CiphertextBlob: wrapped})
//		if err != nil {
//			return nil, err
//		}
//		return out.Plaintext, nil
//	}
type DataKeySource interface {
	// GenerateDataKey returns a new 32-byte data key in clear and wrapped
	// (encrypted under a master key the source holds).
	GenerateDataKey(ctx context.Context) (plaintext, wrapped []byte, err error)
	// Decrypt returns the data key that wrapped holds, and fails when the
	// source's master key did not wrap it.
	Decrypt(ctx context.Context, wrapped []byte) (plaintext []byte, err error)
}

// How long, and for how many values, an Envelope uses one data key.
const (
	dataKeyMaxAge   = 5 * time.Minute
	dataKeyMaxUses  = 1 << 20 // far below GCM's 2^32 random nonces per key
	dataKeyMaxCache = 1000    // unwrapped data keys kept for Open
)

// envelope is the Cipher of Envelope.
type envelope struct {
	src DataKeySource

	mu   sync.Mutex
	cur  *dataKey            // the key Seal uses
	open map[string]*dataKey // unwrapped keys, by wrapped key
}

type dataKey struct {
	aead   cipher.AEAD
	header []byte // format version, kind, wrapped key
	born   time.Time
	uses   int
}

func (k *dataKey) fresh(now time.Time) bool { return now.Sub(k.born) < dataKeyMaxAge }

// Envelope returns a Cipher that seals each value with AES-256-GCM under a
// data key from source and stores the wrapped data key with the value.
// Only source holds the master key (in KMS, it never leaves KMS).
//
// To spare a source call per item, a data key seals values for up to five
// minutes (or a million values) before Seal asks for a new one, and Open
// keeps up to a thousand unwrapped data keys for five minutes. A wrapped
// key that source cannot decrypt (another master key) is an ErrDecrypt.
func Envelope(source DataKeySource) Cipher {
	return &envelope{src: source, open: map[string]*dataKey{}}
}

func (e *envelope) Seal(ctx context.Context, plaintext, aad []byte) ([]byte, error) {
	now := time.Now()
	e.mu.Lock()
	k := e.cur
	if k != nil && (!k.fresh(now) || k.uses >= dataKeyMaxUses) {
		k = nil
	}
	if k != nil {
		k.uses++
	}
	e.mu.Unlock()
	if k == nil {
		plain, wrapped, err := e.src.GenerateDataKey(ctx)
		if err != nil {
			return nil, fmt.Errorf("generate data key: %w", err)
		}
		if len(wrapped) == 0 || len(wrapped) > maxWrappedKey {
			return nil, fmt.Errorf("generate data key: wrapped key of %d bytes", len(wrapped))
		}
		if k, err = newDataKey(plain, wrapped, now); err != nil {
			return nil, fmt.Errorf("generate data key: %w", err)
		}
		k.uses = 1
		e.mu.Lock()
		e.cur = k
		e.cache(string(wrapped), k, now)
		e.mu.Unlock()
	}
	return sealGCM(k.aead, k.header, plaintext, aad)
}

func newDataKey(plain, wrapped []byte, now time.Time) (*dataKey, error) {
	aead, err := newGCM(plain)
	if err != nil {
		return nil, err
	}
	header := binary.AppendUvarint([]byte{formatVersion, kindEnvelope}, uint64(len(wrapped)))
	return &dataKey{aead: aead, header: append(header, wrapped...), born: now}, nil
}

// cache keeps k for Open; e.mu is held.
func (e *envelope) cache(wrapped string, k *dataKey, now time.Time) {
	if len(e.open) >= dataKeyMaxCache {
		for w, old := range e.open {
			if !old.fresh(now) {
				delete(e.open, w)
			}
		}
		if len(e.open) >= dataKeyMaxCache {
			clear(e.open)
		}
	}
	e.open[wrapped] = k
}

func (e *envelope) Open(ctx context.Context, sealed, aad []byte) ([]byte, error) {
	rest, err := checkHeader(sealed, kindEnvelope)
	if err != nil {
		return nil, err
	}
	n, w := binary.Uvarint(rest)
	if w <= 0 || n == 0 || n > maxWrappedKey || n > uint64(len(rest)-w) {
		return nil, errors.New("malformed wrapped data key")
	}
	wrapped := rest[w : w+int(n)]
	header := sealed[:2+w+int(n)]

	now := time.Now()
	e.mu.Lock()
	k := e.open[string(wrapped)]
	e.mu.Unlock()
	if k == nil || !k.fresh(now) {
		plain, err := e.src.Decrypt(ctx, wrapped)
		if err != nil {
			return nil, fmt.Errorf("wrong key: the data key source cannot unwrap the value's data key: %w", err)
		}
		if k, err = newDataKey(plain, wrapped, now); err != nil {
			return nil, fmt.Errorf("unwrapped data key: %w", err)
		}
		e.mu.Lock()
		e.cache(string(wrapped), k, now)
		e.mu.Unlock()
	}
	return openGCM(k.aead, header, sealed, aad)
}
