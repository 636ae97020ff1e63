// Package kmskey is a tablemap data key source over AWS KMS: the master
// keys stay in KMS, and tablemap.Envelope seals values under data keys KMS
// makes and unwraps.
//
//	keys, err := kmskey.New(kms.NewFromConfig(cfg), "alias/ezypass")
//	tbl := tablemap.NewTable(client, "app", tablemap.WithCipher(tablemap.Envelope(keys)))
//
// # What is per value, and what is cached
//
// Every value gets a fresh random nonce and carries the wrapped data key it
// was sealed under: the ARN of the KMS key that wrapped it (so Decrypt can
// name that key, and refuse others, without a lookup or a trial per key)
// and the KMS ciphertext blob, about 260 bytes with AWS KMS. The data key
// itself is reused: an Envelope asks KMS for a new one per table and
// attribute each 5 minutes, 2^20 values or 1 GiB, and caches unwrapped
// data keys for reads for 5 minutes (see tablemap.DataKeyLimits, and
// tablemap.EnvelopeWithLimits to change them). So a disabled key or a
// revoked grant stops a running process within that MaxAge, not at once.
//
// # Encryption context
//
// Each GenerateDataKey and Decrypt carries the encryption context
//
//	tablemap:table      the table's name (its logical name, if set)
//	tablemap:entity     the entity type name
//	tablemap:attribute  the encrypted attribute's name
//
// so KMS unwraps a data key only for the table, entity and attribute it was
// made for (a wrapped key copied elsewhere is an InvalidCiphertextException),
// CloudTrail records them with every request, and a key policy can grant a
// role the keys of one table, entity or attribute with the condition keys
// kms:EncryptionContext:tablemap:table, …:tablemap:entity and
// …:tablemap:attribute.
//
// # Rotation
//
// KMS's own rotation of a key's material needs nothing here: the key keeps
// its ARN. To move to another KMS key, make it the key of New and pass the
// old one as previous: new data keys come from the new key, and values
// under the old one still read. Rewrite each value (WrappingKey tells which
// are still under the old key) before dropping it from the list.
package kmskey

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/tablemap/tablemap"
)

// ErrKeyNotAllowed reports a data key wrapped under a KMS key that is not
// one of the Source's keys: the Source refuses it without asking KMS, since
// a value whose data key an attacker wrapped under a key of theirs that this
// role may use would otherwise decrypt to what they chose.
var ErrKeyNotAllowed = errors.New("kmskey: data key wrapped under a KMS key that is not one of this source's keys")

// API is the part of *kms.Client a Source calls.
type API interface {
	GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput, optFns ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error)
	Decrypt(ctx context.Context, in *kms.DecryptInput, optFns ...func(*kms.Options)) (*kms.DecryptOutput, error)
	DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, optFns ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
}

// A Source is a tablemap.BoundDataKeySource over AWS KMS. It is safe for
// concurrent use.
type Source struct {
	client API
	keys   []string // the current key, then the previous ones, as given

	mu      sync.Mutex
	allowed map[string]bool // key ARNs that may have wrapped a data key
	aliases map[string]bool // aliases of keys, resolved to ARNs in allowed
}

var _ tablemap.BoundDataKeySource = (*Source)(nil)

// New returns a Source that makes data keys under key and unwraps data keys
// made under key or any of previous. Name a key by its key ARN, key id,
// alias name ("alias/…") or alias ARN.
//
// Decrypt names the KMS key it expects (KMS's advice), and a data key
// wrapped under any other key is refused with ErrKeyNotAllowed. An alias
// stands for the key it points to when first needed (one DescribeKey, so
// the role needs kms:DescribeKey for an alias among previous): after an
// alias moves to a new key, list the old key by ARN or id among previous.
// The role needs kms:GenerateDataKey on key and kms:Decrypt on all of them.
func New(client API, key string, previous ...string) (*Source, error) {
	if client == nil {
		return nil, errors.New("kmskey: New: nil KMS client")
	}
	s := &Source{client: client, allowed: map[string]bool{}, aliases: map[string]bool{}}
	for i, k := range append([]string{key}, previous...) {
		if err := checkKeyID(k); err != nil {
			return nil, fmt.Errorf("kmskey: New: key %d: %w", i, err)
		}
		s.keys = append(s.keys, k)
		switch {
		case isKeyARN(k):
			s.allowed[k] = true
		case isAlias(k):
			s.aliases[k] = false
		}
	}
	return s, nil
}

func checkKeyID(k string) error {
	if k == "" {
		return errors.New("empty key id")
	}
	if len(k) > 2048 || strings.ContainsAny(k, " \t\n") {
		return fmt.Errorf("malformed key id %.100q", k)
	}
	if strings.HasPrefix(k, "arn:") && !isKeyARN(k) && !isAlias(k) {
		return fmt.Errorf("ARN %.100q names no KMS key or alias", k)
	}
	return nil
}

func isKeyARN(k string) bool {
	return strings.HasPrefix(k, "arn:") && strings.Contains(k, ":kms:") && strings.Contains(k, ":key/")
}

func isAlias(k string) bool {
	return strings.HasPrefix(k, "alias/") || strings.HasPrefix(k, "arn:") && strings.Contains(k, ":alias/")
}

// encryptionContext returns the KMS encryption context of b; empty values
// are left out (KMS refuses them).
func encryptionContext(b tablemap.DataKeyBinding) map[string]string {
	ec := map[string]string{}
	if b.Table != "" {
		ec["tablemap:table"] = b.Table
	}
	if b.Entity != "" {
		ec["tablemap:entity"] = b.Entity
	}
	if b.Attribute != "" {
		ec["tablemap:attribute"] = b.Attribute
	}
	return ec
}

// GenerateDataKey is GenerateBoundDataKey with no binding.
func (s *Source) GenerateDataKey(ctx context.Context) ([]byte, []byte, error) {
	return s.GenerateBoundDataKey(ctx, tablemap.DataKeyBinding{})
}

// Decrypt is DecryptBound with no binding.
func (s *Source) Decrypt(ctx context.Context, wrapped []byte) ([]byte, error) {
	return s.DecryptBound(ctx, wrapped, tablemap.DataKeyBinding{})
}

// GenerateBoundDataKey asks KMS for an AES-256 data key under the current
// key, with b as the encryption context. The wrapped key holds the ARN of
// the KMS key that wrapped it and the KMS ciphertext blob.
func (s *Source) GenerateBoundDataKey(ctx context.Context, b tablemap.DataKeyBinding) ([]byte, []byte, error) {
	out, err := s.client.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{
		KeyId:             aws.String(s.keys[0]),
		KeySpec:           kmstypes.DataKeySpecAes256,
		EncryptionContext: encryptionContext(b),
	})
	if err != nil {
		return nil, nil, fmt.Errorf("kmskey: KMS GenerateDataKey under %.100s: %w", s.keys[0], err)
	}
	arn := aws.ToString(out.KeyId)
	if !isKeyARN(arn) || len(out.Plaintext) != tablemap.KeySize || len(out.CiphertextBlob) == 0 {
		return nil, nil, fmt.Errorf("kmskey: KMS GenerateDataKey under %.100s answered key %.100q, %d-byte key, %d-byte blob", s.keys[0], arn, len(out.Plaintext), len(out.CiphertextBlob))
	}
	s.mu.Lock()
	s.allowed[arn] = true // the current key, whatever name it was given by
	s.mu.Unlock()
	return out.Plaintext, appendWrapped(nil, arn, out.CiphertextBlob), nil
}

// DecryptBound asks KMS to unwrap wrapped with b as the encryption context,
// naming the KMS key that wrapped it, once it is found to be one of the
// Source's keys.
func (s *Source) DecryptBound(ctx context.Context, wrapped []byte, b tablemap.DataKeyBinding) ([]byte, error) {
	arn, blob, err := parseWrapped(wrapped)
	if err != nil {
		return nil, err
	}
	if err := s.allow(ctx, arn); err != nil {
		return nil, err
	}
	out, err := s.client.Decrypt(ctx, &kms.DecryptInput{
		KeyId:             aws.String(arn),
		CiphertextBlob:    blob,
		EncryptionContext: encryptionContext(b),
	})
	if err != nil {
		return nil, fmt.Errorf("kmskey: KMS Decrypt under %.100s: %w", arn, err)
	}
	if got := aws.ToString(out.KeyId); got != arn || len(out.Plaintext) != tablemap.KeySize {
		return nil, fmt.Errorf("kmskey: KMS Decrypt under %.100s answered key %.100q, %d-byte key", arn, got, len(out.Plaintext))
	}
	return out.Plaintext, nil
}

// allow returns nil if arn is one of the Source's keys, resolving aliases
// when nothing else matches.
func (s *Source) allow(ctx context.Context, arn string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.allowed[arn] {
		return nil
	}
	_, id, _ := strings.Cut(arn, ":key/")
	for _, k := range s.keys {
		if k == id {
			s.allowed[arn] = true
			return nil
		}
	}
	for alias, resolved := range s.aliases {
		if resolved {
			continue
		}
		out, err := s.client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(alias)})
		if err != nil {
			return fmt.Errorf("kmskey: KMS DescribeKey %.100s: %w", alias, err)
		}
		s.aliases[alias] = true
		if out.KeyMetadata != nil {
			s.allowed[aws.ToString(out.KeyMetadata.Arn)] = true
		}
	}
	if s.allowed[arn] {
		return nil
	}
	return fmt.Errorf("%w: %.100s (keys: %.200s)", ErrKeyNotAllowed, arn, strings.Join(s.keys, ", "))
}

// A wrapped data key here is
//
//	format (1 byte, 1) | uvarint length | ARN of the KMS key | KMS ciphertext blob
const wrappedFormat byte = 1

func appendWrapped(b []byte, arn string, blob []byte) []byte {
	b = append(b, wrappedFormat)
	b = binary.AppendUvarint(b, uint64(len(arn)))
	b = append(b, arn...)
	return append(b, blob...)
}

func parseWrapped(w []byte) (arn string, blob []byte, err error) {
	if len(w) < 2 || w[0] != wrappedFormat {
		return "", nil, errors.New("kmskey: not a data key this package wrapped")
	}
	n, k := binary.Uvarint(w[1:])
	if k <= 0 || n == 0 || n > uint64(len(w)-1-k) {
		return "", nil, errors.New("kmskey: malformed wrapped data key")
	}
	arn, blob = string(w[1+k:1+k+int(n)]), w[1+k+int(n):]
	if len(blob) == 0 || !isKeyARN(arn) {
		return "", nil, errors.New("kmskey: malformed wrapped data key")
	}
	return arn, blob, nil
}

// WrappingKey returns the ARN of the KMS key that wrapped a data key of
// this package (as tablemap.WrappedDataKey returns it from a stored
// value), without calling KMS: a rotation job rewrites the values whose
// key is not the new one.
func WrappingKey(wrapped []byte) (string, error) {
	arn, _, err := parseWrapped(wrapped)
	return arn, err
}
