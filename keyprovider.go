package tablemap

import (
	"cmp"
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

	"github.com/tablemap/tablemap/internal/engine"
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
	out := make([]byte, len(header)+engine.NonceSize, len(header)+engine.NonceSize+len(plaintext)+engine.TagSize)
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
	if len(rest) < engine.NonceSize+engine.TagSize {
		return nil, errors.New("ciphertext too short")
	}
	plain, err := aead.Open(nil, rest[:engine.NonceSize], rest[engine.NonceSize:], append(header[:len(header):len(header)], aad...))
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
	if sealed[0] != engine.FormatVersion {
		return nil, fmt.Errorf("unknown format version %d", sealed[0])
	}
	if sealed[1] != kind {
		return nil, fmt.Errorf("sealed by %s, not %s", kindName(sealed[1]), kindName(kind))
	}
	return sealed[2:], nil
}

func kindName(k byte) string {
	switch k {
	case engine.KindLocal:
		return "a local key cipher"
	case engine.KindEnvelope:
		return "an envelope cipher"
	}
	return fmt.Sprintf("a cipher of kind %d", k)
}

// localKey is the Cipher of LocalKey.
type localKey struct {
	id     [engine.KeyIDSize]byte
	header []byte
	aead   cipher.AEAD
	keys   map[[engine.KeyIDSize]byte]cipher.AEAD // the current and previous keys, by id
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
	l := &localKey{keys: map[[engine.KeyIDSize]byte]cipher.AEAD{}}
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
	l.header = append([]byte{engine.FormatVersion, engine.KindLocal}, l.id[:]...)
	return l, nil
}

func keyID(key []byte) (id [engine.KeyIDSize]byte) {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("tablemap local key id"))
	copy(id[:], mac.Sum(nil))
	return id
}

func (l *localKey) Seal(_ context.Context, plaintext, aad []byte) ([]byte, error) {
	return sealGCM(l.aead, l.header, plaintext, aad)
}

func (l *localKey) Open(_ context.Context, sealed, aad []byte) ([]byte, error) {
	rest, err := checkHeader(sealed, engine.KindLocal)
	if err != nil {
		return nil, err
	}
	if len(rest) < engine.KeyIDSize {
		return nil, errors.New("ciphertext too short")
	}
	id := [engine.KeyIDSize]byte(rest[:engine.KeyIDSize])
	aead := l.keys[id]
	if aead == nil {
		return nil, fmt.Errorf("wrong key: the value was sealed under key %x, this cipher has key %x", id, l.id)
	}
	return openGCM(aead, sealed[:2+engine.KeyIDSize], sealed, aad)
}

// A DataKeySource makes and unwraps the data keys of an Envelope, shaped
// like AWS KMS GenerateDataKey and Decrypt. Package
// github.com/tablemap/tablemap/kmskey is one over AWS KMS; it is also a
// BoundDataKeySource.
type DataKeySource interface {
	// GenerateDataKey returns a new 32-byte data key in clear and wrapped
	// (encrypted under a master key the source holds).
	GenerateDataKey(ctx context.Context) (plaintext, wrapped []byte, err error)
	// Decrypt returns the data key that wrapped holds, and fails when the
	// source's master key did not wrap it.
	Decrypt(ctx context.Context, wrapped []byte) (plaintext []byte, err error)
}

// A BoundDataKeySource is a DataKeySource that binds each data key to
// where it is used. An Envelope whose source has these methods calls them
// instead of DataKeySource's, and never uses a data key made for one
// binding for another. A source over AWS KMS passes the binding as the
// encryption context: KMS then unwraps a data key only for the binding it
// was made for, records the binding with each request in CloudTrail, and
// key policies can limit a role to the data keys of one table.
type BoundDataKeySource interface {
	DataKeySource
	GenerateBoundDataKey(ctx context.Context, b DataKeyBinding) (plaintext, wrapped []byte, err error)
	DecryptBound(ctx context.Context, wrapped []byte, b DataKeyBinding) (plaintext []byte, err error)
}

// A DataKeyBinding is what an Envelope binds a data key to: the table, the
// entity and the encrypted attribute of the values it seals. The table and
// attribute come from the additional data each value is sealed with (see
// Cipher), which binds the value itself to its item too; the entity comes
// from the context tablemap passes to Seal and Open. A value sealed by a
// direct caller of Seal, with other additional data, has the zero binding.
type DataKeyBinding struct {
	Table     string // the table's name, or its logical name (WithLogicalTableName)
	Entity    string // the entity type name
	Attribute string // the encrypted attribute's name
}

// DataKeyLimits bound how long and how much an Envelope uses one data key.
// A zero field takes its default.
//
// Whatever the limits, each value gets a fresh random 96-bit nonce and
// stores the wrapped data key it was sealed under. What is reused is the
// data key itself, one per binding at a time (one in all for a source that
// is not a BoundDataKeySource), and for reads the unwrapped data keys,
// cached by binding and wrapped key: values written within MaxAge of each
// other mostly share one data key, and one source call serves them all.
type DataKeyLimits struct {
	// MaxAge is how long a data key seals values after the source made it,
	// and how long an unwrapped data key stays cached for Open. It bounds
	// how long a process goes on encrypting and decrypting after the master
	// key is disabled or access to it revoked, and how long a data key sits
	// in memory. Default 5 minutes: a busy process asks for about one data
	// key per binding each 5 minutes, a cost that does not grow with load.
	MaxAge time.Duration
	// MaxValues is how many values one data key seals. Default 2^20:
	// AES-GCM with random nonces allows 2^32 values per key (NIST SP
	// 800-38D), the most EnvelopeWithLimits accepts; at 2^20 the chance of
	// a repeated nonce is about 2^-57.
	// 1 gives each value a data key of its own: a source call per value
	// written, and one per value read that is not cached.
	MaxValues int
	// MaxBytes is how many plaintext bytes one data key seals; a value
	// larger than that gets a data key of its own. Default 1 GiB: what one
	// leaked data key can expose. Password-sized values reach MaxValues
	// first; values at DynamoDB's 400 KB item limit change key every 2,600.
	MaxBytes int64
	// MaxKeys is how many unwrapped data keys Open keeps, the oldest out
	// first. Default 1000: values sealed under one data key share an entry,
	// and a writer makes about one per binding and MaxAge, so 1000 serves
	// hundreds of writers at a few hundred bytes each.
	MaxKeys int
}

// defaultDataKeyLimits are the limits of Envelope.
var defaultDataKeyLimits = DataKeyLimits{
	MaxAge:    5 * time.Minute,
	MaxValues: 1 << 20,
	MaxBytes:  1 << 30,
	MaxKeys:   1000,
}

// envelope is the Cipher of Envelope.
type envelope struct {
	src    DataKeySource
	bound  BoundDataKeySource // src, when it binds data keys
	limits DataKeyLimits

	mu      sync.Mutex
	cur     map[DataKeyBinding]*dataKey // the key Seal uses, per binding
	open    map[openKey]*dataKey        // unwrapped keys for Open
	pending map[any]*flight             // source calls under way, by DataKeyBinding or openKey
}

// openKey is what Open caches an unwrapped data key by: its binding is part
// of it, so a cached key never skips the source's check of the binding.
type openKey struct {
	b       DataKeyBinding
	wrapped string
}

type dataKey struct {
	aead    cipher.AEAD
	header  []byte // format version, kind, wrapped key
	wrapped []byte // the end of header
	born    time.Time
	uses    int
	bytes   int64
}

// A flight is one source call that concurrent Seals or Opens needing the
// same data key wait for, so a cold cache costs one call, not one per
// request.
type flight struct {
	done chan struct{}
	k    *dataKey
	err  error
}

// Envelope returns a Cipher that seals each value with AES-256-GCM under a
// data key from source and stores the wrapped data key with the value.
// Only source holds the master key (in KMS, it never leaves KMS). It uses
// the default DataKeyLimits; see there for what is per value and what is
// reused. Concurrent Seals or Opens that need the same data key share one
// source call. A wrapped key that source cannot decrypt (another master key,
// another binding, or the source failing) is an ErrDecrypt.
func Envelope(source DataKeySource) Cipher {
	return newEnvelope(source, defaultDataKeyLimits)
}

// EnvelopeWithLimits is Envelope with other data key limits; a zero field
// of limits takes its default. A negative limit, MaxValues over 2^32 or a
// nil source is an error.
func EnvelopeWithLimits(source DataKeySource, limits DataKeyLimits) (Cipher, error) {
	if source == nil {
		return nil, errors.New("tablemap: EnvelopeWithLimits: nil DataKeySource")
	}
	if limits.MaxAge < 0 || limits.MaxValues < 0 || limits.MaxBytes < 0 || limits.MaxKeys < 0 {
		return nil, fmt.Errorf("tablemap: EnvelopeWithLimits: negative limit in %+v", limits)
	}
	if uint64(limits.MaxValues) > 1<<32 {
		return nil, fmt.Errorf("tablemap: EnvelopeWithLimits: MaxValues %d is over AES-GCM's 2^32 values per key with random nonces", limits.MaxValues)
	}
	d := defaultDataKeyLimits
	limits.MaxAge = cmp.Or(limits.MaxAge, d.MaxAge)
	limits.MaxValues = cmp.Or(limits.MaxValues, d.MaxValues)
	limits.MaxBytes = cmp.Or(limits.MaxBytes, d.MaxBytes)
	limits.MaxKeys = cmp.Or(limits.MaxKeys, d.MaxKeys)
	return newEnvelope(source, limits), nil
}

func newEnvelope(source DataKeySource, limits DataKeyLimits) *envelope {
	e := &envelope{src: source, limits: limits, cur: map[DataKeyBinding]*dataKey{},
		open: map[openKey]*dataKey{}, pending: map[any]*flight{}}
	e.bound, _ = source.(BoundDataKeySource)
	return e
}

// binding returns the binding of a value sealed with aad: for a source
// that does not bind data keys, the zero binding, so all values share one.
func (e *envelope) binding(ctx context.Context, aad []byte) DataKeyBinding {
	if e.bound == nil {
		return DataKeyBinding{}
	}
	b := bindingOf(aad)
	if b.Table != "" {
		b.Entity, _ = ctx.Value(engine.EntityKey{}).(string)
	}
	return b
}

func (e *envelope) fresh(k *dataKey, now time.Time) bool { return now.Sub(k.born) < e.limits.MaxAge }

// sealsMore reports whether k may seal n more bytes.
func (e *envelope) sealsMore(k *dataKey, n int64, now time.Time) bool {
	return e.fresh(k, now) && k.uses < e.limits.MaxValues && (k.bytes == 0 || k.bytes+n <= e.limits.MaxBytes)
}

func (e *envelope) Seal(ctx context.Context, plaintext, aad []byte) ([]byte, error) {
	b := e.binding(ctx, aad)
	n := int64(len(plaintext))
	for {
		e.mu.Lock()
		if k := e.cur[b]; k != nil && e.sealsMore(k, n, time.Now()) {
			k.uses++
			k.bytes += n
			e.mu.Unlock()
			return sealGCM(k.aead, k.header, plaintext, aad)
		}
		f, lead := e.join(b)
		e.mu.Unlock()
		if lead {
			k, err := e.generate(ctx, b)
			e.land(b, f, k, err, func() {
				prune(e, e.cur, time.Now())
				e.cur[b] = k
				e.cache(openKey{b, string(k.wrapped)}, k)
			})
		}
		if err := e.wait(ctx, f, lead); err != nil {
			return nil, err
		} else if f.err != nil {
			continue // the leading call ran out of its own time: try again
		}
		// Loop to claim a use of the new key: a concurrent Seal may have
		// used it up already (MaxValues 1).
	}
}

func (e *envelope) generate(ctx context.Context, b DataKeyBinding) (*dataKey, error) {
	var plain, wrapped []byte
	var err error
	if e.bound != nil {
		plain, wrapped, err = e.bound.GenerateBoundDataKey(ctx, b)
	} else {
		plain, wrapped, err = e.src.GenerateDataKey(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("generate data key: %w", err)
	}
	if len(wrapped) == 0 || len(wrapped) > engine.MaxWrappedKey {
		return nil, fmt.Errorf("generate data key: wrapped key of %d bytes", len(wrapped))
	}
	k, err := newDataKey(plain, wrapped, time.Now())
	if err != nil {
		return nil, fmt.Errorf("generate data key: %w", err)
	}
	return k, nil
}

// join returns the flight under way for key, or starts one (lead true);
// e.mu is held.
func (e *envelope) join(key any) (f *flight, lead bool) {
	if f := e.pending[key]; f != nil {
		return f, false
	}
	f = &flight{done: make(chan struct{})}
	e.pending[key] = f
	return f, true
}

// land ends flight f with the source call's result, running keep (with
// e.mu held) when it succeeded.
func (e *envelope) land(key any, f *flight, k *dataKey, err error, keep func()) {
	e.mu.Lock()
	f.k, f.err = k, err
	if err == nil {
		keep()
	}
	delete(e.pending, key)
	e.mu.Unlock()
	close(f.done)
}

// wait waits for f and returns the error to give up with: ctx's, or the
// flight's unless it is only the leader's own deadline or cancellation
// (then nil, with f.err set, to try again).
func (e *envelope) wait(ctx context.Context, f *flight, lead bool) error {
	select {
	case <-f.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	if f.err == nil {
		return nil
	}
	if !lead && ctx.Err() == nil && (errors.Is(f.err, context.Canceled) || errors.Is(f.err, context.DeadlineExceeded)) {
		return nil
	}
	return f.err
}

func newDataKey(plain, wrapped []byte, now time.Time) (*dataKey, error) {
	aead, err := newGCM(plain)
	if err != nil {
		return nil, err
	}
	header := binary.AppendUvarint([]byte{engine.FormatVersion, engine.KindEnvelope}, uint64(len(wrapped)))
	header = append(header, wrapped...)
	return &dataKey{aead: aead, header: header, wrapped: header[len(header)-len(wrapped):], born: now}, nil
}

// prune drops the keys of m that are past MaxAge once m holds MaxKeys,
// and then the oldest until it holds fewer; e.mu is held.
func prune[K comparable](e *envelope, m map[K]*dataKey, now time.Time) {
	if len(m) < e.limits.MaxKeys {
		return
	}
	for w, k := range m {
		if !e.fresh(k, now) {
			delete(m, w)
		}
	}
	for len(m) >= e.limits.MaxKeys {
		var oldest K
		var born time.Time
		first := true
		for w, k := range m {
			if first || k.born.Before(born) {
				oldest, born, first = w, k.born, false
			}
		}
		delete(m, oldest)
	}
}

// cache keeps k for Open; e.mu is held.
func (e *envelope) cache(ok openKey, k *dataKey) {
	prune(e, e.open, time.Now())
	e.open[ok] = k
}

func (e *envelope) Open(ctx context.Context, sealed, aad []byte) ([]byte, error) {
	wrapped, header, err := envelopeHeader(sealed)
	if err != nil {
		return nil, err
	}
	ok := openKey{e.binding(ctx, aad), string(wrapped)}
	for {
		e.mu.Lock()
		k := e.open[ok]
		if k != nil && e.fresh(k, time.Now()) {
			e.mu.Unlock()
			return openGCM(k.aead, header, sealed, aad)
		}
		f, lead := e.join(ok)
		e.mu.Unlock()
		if lead {
			k, err := e.unwrap(ctx, ok.b, wrapped)
			e.land(ok, f, k, err, func() { e.cache(ok, k) })
		}
		if err := e.wait(ctx, f, lead); err != nil {
			return nil, err
		} else if f.err == nil {
			return openGCM(f.k.aead, header, sealed, aad)
		}
	}
}

func (e *envelope) unwrap(ctx context.Context, b DataKeyBinding, wrapped []byte) (*dataKey, error) {
	var plain []byte
	var err error
	if e.bound != nil {
		plain, err = e.bound.DecryptBound(ctx, wrapped, b)
	} else {
		plain, err = e.src.Decrypt(ctx, wrapped)
	}
	if err != nil {
		return nil, fmt.Errorf("the data key source did not unwrap the value's data key (wrong key, wrong binding, or the source failed): %w", err)
	}
	k, err := newDataKey(plain, wrapped, time.Now())
	if err != nil {
		return nil, fmt.Errorf("unwrapped data key: %w", err)
	}
	return k, nil
}

// envelopeHeader returns the wrapped data key of a value an envelope
// sealed, and the header it ends.
func envelopeHeader(sealed []byte) (wrapped, header []byte, err error) {
	rest, err := checkHeader(sealed, engine.KindEnvelope)
	if err != nil {
		return nil, nil, err
	}
	n, w := binary.Uvarint(rest)
	if w <= 0 || n == 0 || n > engine.MaxWrappedKey || n > uint64(len(rest)-w) {
		return nil, nil, errors.New("malformed wrapped data key")
	}
	return rest[w : w+int(n)], sealed[:2+w+int(n)], nil
}

// WrappedDataKey returns the wrapped data key stored with a value an
// Envelope sealed (the stored bytes of an encrypted attribute), without
// unwrapping it: a key rotation job tells by it which values are still
// under an old master key (see kmskey.WrappingKey).
func WrappedDataKey(sealed []byte) ([]byte, error) {
	wrapped, _, err := envelopeHeader(sealed)
	if err != nil {
		return nil, fmt.Errorf("tablemap: WrappedDataKey: %w", err)
	}
	return wrapped, nil
}

// bindingOf returns the binding of the additional data Table.aad makes:
// length-prefixed "tablemap attribute v1", table, PK, SK, attribute. Other
// additional data has the zero binding.
func bindingOf(aad []byte) DataKeyBinding {
	var parts [5][]byte
	for i := range parts {
		if len(aad) < 4 {
			return DataKeyBinding{}
		}
		n := binary.BigEndian.Uint32(aad)
		if uint64(n) > uint64(len(aad)-4) {
			return DataKeyBinding{}
		}
		parts[i], aad = aad[4:4+n], aad[4+n:]
	}
	if len(aad) != 0 || string(parts[0]) != "tablemap attribute v1" {
		return DataKeyBinding{}
	}
	return DataKeyBinding{Table: string(parts[1]), Attribute: string(parts[4])}
}
