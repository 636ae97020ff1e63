package kmskey_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/dynamotest"
	"github.com/tablemap/tablemap/internal/kmstest"
	"github.com/tablemap/tablemap/kmskey"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.Main(m)) }

var ctx = context.Background()

// Secret is an entity with two encrypted attributes: each gets data keys
// of its own (the encryption context names the attribute).
type Secret struct {
	_     struct{} `tablemap:"Secret" pk:"OWNER#{owner}" sk:"SECRET#{name}"`
	Owner string   `dynamo:"owner"`
	Name  string   `dynamo:"name"`
	Value string   `dynamo:"value,encrypted"`
	PIN   int      `dynamo:"pin,encrypted,omitempty"`
}

// env is a local-kms, a counted client of it, and a table on DynamoDB Local.
type env struct {
	kms     *kmstest.Local
	counter *kmstest.Counter
	client  *kms.Client
	tbl     *tablemap.Table // created, with no cipher: reach it through entity
}

func newEnv(t *testing.T) *env {
	t.Helper()
	local := kmstest.New(t)
	c := &kmstest.Counter{}
	e := &env{kms: local, counter: c, client: local.Client(c.Attach)}
	e.tbl = tablemap.NewTable(dynamotest.Client(t), dynamotest.TableName(t), tablemap.WithCipher(tablemap.Envelope(e.source(t, local.Key(t)))))
	if _, err := tablemap.Define[Secret](e.tbl); err != nil {
		t.Fatal(err)
	}
	if err := e.tbl.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) source(t *testing.T, key string, previous ...string) *kmskey.Source {
	t.Helper()
	s, err := kmskey.New(e.client, key, previous...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// entity returns the Secret entity of the env's table with cipher c.
func (e *env) entity(t *testing.T, c tablemap.Cipher) *tablemap.Entity[Secret] {
	t.Helper()
	s, err := tablemap.Define[Secret](tablemap.NewTable(e.tbl.Client(), e.tbl.Name(), tablemap.WithCipher(c)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// raw reads the stored item with the SDK.
func raw(t *testing.T, tbl *tablemap.Table, owner, name string) map[string]types.AttributeValue {
	t.Helper()
	out, err := tbl.Client().GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(tbl.Name()), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "OWNER#" + owner},
			"SK": &types.AttributeValueMemberS{Value: "SECRET#" + name},
		}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Item
}

// wrappingKey returns the KMS key ARN that wrapped the data key of the
// stored attribute attr.
func wrappingKey(t *testing.T, item map[string]types.AttributeValue, attr string) string {
	t.Helper()
	b, ok := item[attr].(*types.AttributeValueMemberB)
	if !ok {
		t.Fatalf("stored %s is %T, want B", attr, item[attr])
	}
	w, err := tablemap.WrappedDataKey(b.Value)
	if err != nil {
		t.Fatal(err)
	}
	arn, err := kmskey.WrappingKey(w)
	if err != nil {
		t.Fatal(err)
	}
	return arn
}

func put(t *testing.T, s *tablemap.Entity[Secret], v Secret) {
	t.Helper()
	if err := s.Put(v).Run(ctx); err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, s *tablemap.Entity[Secret], owner, name string) Secret {
	t.Helper()
	got, err := s.Get(Secret{Owner: owner, Name: name}).Consistent().Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func wantKMS(t *testing.T, c *kmstest.Counter, what string, generate, decrypt int) {
	t.Helper()
	if g, d := c.Requests("GenerateDataKey"), c.Requests("Decrypt"); g != generate || d != decrypt {
		t.Errorf("%s: GenerateDataKey=%d Decrypt=%d, want %d and %d", what, g, d, generate, decrypt)
	}
	c.Reset()
}

// TestRoundTrip writes through KMS data keys and reads back with a fresh
// cipher: one GenerateDataKey per attribute for all writes, one Decrypt per
// attribute for all reads, no plaintext stored, each attribute's data key
// bound to it.
func TestRoundTrip(t *testing.T) {
	e := newEnv(t)
	key := e.kms.Key(t)
	writer := e.entity(t, tablemap.Envelope(e.source(t, key)))
	want := []Secret{
		{Owner: "ann", Name: "bank", Value: "correct horse battery staple", PIN: 4321},
		{Owner: "ann", Name: "mail", Value: "hunter2", PIN: 1111},
		{Owner: "bob", Name: "bank", Value: "tr0ub4dor&3", PIN: 9999},
	}
	for _, v := range want {
		put(t, writer, v)
	}
	wantKMS(t, e.counter, "3 puts, 2 encrypted attributes", 2, 0)

	item := raw(t, e.tbl, "ann", "bank")
	for _, attr := range []string{"value", "pin"} {
		b := item[attr].(*types.AttributeValueMemberB).Value
		if bytes.Contains(b, []byte("correct horse")) || bytes.Contains(b, []byte("4321")) {
			t.Errorf("stored %s holds the plaintext: %q", attr, b)
		}
		if got := wrappingKey(t, item, attr); got != key {
			t.Errorf("%s wrapped under %s, want %s", attr, got, key)
		}
	}
	if a, b := item["value"].(*types.AttributeValueMemberB).Value, raw(t, e.tbl, "ann", "mail")["value"].(*types.AttributeValueMemberB).Value; !bytes.Equal(wrapped(t, a), wrapped(t, b)) {
		t.Error("two values of one attribute written within MaxAge carry different data keys")
	}

	reader := e.entity(t, tablemap.Envelope(e.source(t, key)))
	for _, w := range want {
		if diff := cmp.Diff(w, get(t, reader, w.Owner, w.Name)); diff != "" {
			t.Errorf("read back (-want +got):\n%s", diff)
		}
	}
	wantKMS(t, e.counter, "3 reads with a fresh cipher", 0, 2)
	get(t, writer, "ann", "bank")
	wantKMS(t, e.counter, "a read by the writer", 0, 0)
}

func wrapped(t *testing.T, sealed []byte) []byte {
	t.Helper()
	w, err := tablemap.WrappedDataKey(sealed)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TestEncryptionContext: KMS itself refuses to unwrap a data key for
// another table, entity or attribute than it was made for.
func TestEncryptionContext(t *testing.T) {
	e := newEnv(t)
	src := e.source(t, e.kms.Key(t))
	bank := tablemap.DataKeyBinding{Table: "ezypass", Entity: "Secret", Attribute: "secret"}
	plain, w, err := src.GenerateBoundDataKey(ctx, bank)
	if err != nil {
		t.Fatal(err)
	}
	got, err := src.DecryptBound(ctx, w, bank)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("DecryptBound with the same binding: %x, %v; want the data key", got, err)
	}
	for _, other := range []tablemap.DataKeyBinding{
		{Table: "other", Entity: "Secret", Attribute: "secret"},
		{Table: "ezypass", Entity: "Note", Attribute: "secret"},
		{Table: "ezypass", Entity: "Secret", Attribute: "notes"},
		{Table: "ezypass", Attribute: "secret"},
		{},
	} {
		_, err := src.DecryptBound(ctx, w, other)
		var invalid *kmstypes.InvalidCiphertextException
		if !errors.As(err, &invalid) {
			t.Errorf("DecryptBound for %+v: %v, want KMS's InvalidCiphertextException", other, err)
		}
	}

	// Through tablemap: an item copied whole to another table reaches KMS
	// with the other table's name, and KMS refuses it (before AES-GCM would
	// refuse the value, bound to its table too).
	key := e.kms.Key(t)
	writer := e.entity(t, tablemap.Envelope(e.source(t, key)))
	put(t, writer, Secret{Owner: "ann", Name: "bank", Value: "s3cret"})
	item := raw(t, e.tbl, "ann", "bank")
	e.counter.Reset()
	copyTbl := tablemap.NewTable(e.tbl.Client(), dynamotest.TableName(t), tablemap.WithCipher(tablemap.Envelope(e.source(t, key))))
	copies, err := tablemap.Define[Secret](copyTbl)
	if err != nil {
		t.Fatal(err)
	}
	if err := copyTbl.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := copyTbl.Client().PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(copyTbl.Name()), Item: item}); err != nil {
		t.Fatal(err)
	}
	_, err = copies.Get(Secret{Owner: "ann", Name: "bank"}).Run(ctx)
	var invalid *kmstypes.InvalidCiphertextException
	if !errors.Is(err, tablemap.ErrDecrypt) || !errors.As(err, &invalid) {
		t.Errorf("read of an item copied to another table: %v, want ErrDecrypt from KMS's InvalidCiphertextException", err)
	}
	wantKMS(t, e.counter, "read in the other table", 0, 1)
	if got := get(t, e.entity(t, tablemap.Envelope(e.source(t, key))), "ann", "bank"); got.Value != "s3cret" {
		t.Errorf("original item reads %q", got.Value)
	}
}

// TestRotation moves from one KMS key to another: new writes go under the
// new key, old values still read, and a source without the old key refuses
// them without asking KMS.
func TestRotation(t *testing.T) {
	e := newEnv(t)
	oldKey, newKey := e.kms.Key(t), e.kms.Key(t)
	put(t, e.entity(t, tablemap.Envelope(e.source(t, oldKey))), Secret{Owner: "ann", Name: "old", Value: "v1"})

	rotated := e.entity(t, tablemap.Envelope(e.source(t, newKey, oldKey)))
	put(t, rotated, Secret{Owner: "ann", Name: "new", Value: "v2"})
	if got := wrappingKey(t, raw(t, e.tbl, "ann", "new"), "value"); got != newKey {
		t.Errorf("new value wrapped under %s, want the new key %s", got, newKey)
	}
	if got := get(t, rotated, "ann", "old"); got.Value != "v1" {
		t.Errorf("old value through the rotated source: %q", got.Value)
	}
	// Rewriting the old value moves it to the new key.
	put(t, rotated, Secret{Owner: "ann", Name: "old", Value: "v1"})
	if got := wrappingKey(t, raw(t, e.tbl, "ann", "old"), "value"); got != newKey {
		t.Errorf("rewritten value wrapped under %s, want %s", got, newKey)
	}

	put(t, e.entity(t, tablemap.Envelope(e.source(t, oldKey))), Secret{Owner: "ann", Name: "stale", Value: "v0"})
	e.counter.Reset()
	_, err := e.entity(t, tablemap.Envelope(e.source(t, newKey))).Get(Secret{Owner: "ann", Name: "stale"}).Run(ctx)
	if !errors.Is(err, tablemap.ErrDecrypt) || !errors.Is(err, kmskey.ErrKeyNotAllowed) {
		t.Errorf("value under a key the source does not list: %v, want ErrDecrypt and ErrKeyNotAllowed", err)
	}
	wantKMS(t, e.counter, "refused wrapping key", 0, 0)

	// A key named by id or by alias is recognised in the ARN of a value.
	id := oldKey[strings.LastIndex(oldKey, "/")+1:]
	if got := get(t, e.entity(t, tablemap.Envelope(e.source(t, newKey, id))), "ann", "stale"); got.Value != "v0" {
		t.Errorf("old key by id: %q", got.Value)
	}
	if _, err := e.client.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/old"), TargetKeyId: aws.String(oldKey)}); err != nil {
		t.Fatal(err)
	}
	e.counter.Reset()
	if got := get(t, e.entity(t, tablemap.Envelope(e.source(t, newKey, "alias/old"))), "ann", "stale"); got.Value != "v0" {
		t.Errorf("old key by alias: %q", got.Value)
	}
	if n := e.counter.Requests("DescribeKey"); n != 1 {
		t.Errorf("%d DescribeKey to resolve an alias, want 1", n)
	}
}

// TestDisabledKey: once the KMS key is disabled, a new cipher can neither
// write nor read; a running one keeps its cached data keys for MaxAge and
// no longer.
func TestDisabledKey(t *testing.T) {
	e := newEnv(t)
	key := e.kms.Key(t)
	const maxAge = 500 * time.Millisecond
	running, err := tablemap.EnvelopeWithLimits(e.source(t, key), tablemap.DataKeyLimits{MaxAge: maxAge})
	if err != nil {
		t.Fatal(err)
	}
	secrets := e.entity(t, running)
	put(t, secrets, Secret{Owner: "ann", Name: "bank", Value: "v1"})
	born := time.Now()
	if _, err := e.client.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(key)}); err != nil {
		t.Fatal(err)
	}

	fresh := e.entity(t, tablemap.Envelope(e.source(t, key)))
	var disabled *kmstypes.DisabledException
	err = fresh.Put(Secret{Owner: "ann", Name: "mail", Value: "v2"}).Run(ctx)
	t.Log(err)
	if !errors.As(err, &disabled) {
		t.Errorf("put with a disabled key: %v, want KMS's DisabledException", err)
	}
	if item := raw(t, e.tbl, "ann", "mail"); item != nil {
		t.Errorf("put with a disabled key wrote %v", item)
	}
	_, err = fresh.Get(Secret{Owner: "ann", Name: "bank"}).Run(ctx)
	if !errors.Is(err, tablemap.ErrDecrypt) || !errors.As(err, &disabled) {
		t.Errorf("read with a disabled key: %v, want ErrDecrypt from KMS's DisabledException", err)
	}

	if time.Since(born) < maxAge/2 { // the cached data key still works
		put(t, secrets, Secret{Owner: "ann", Name: "cached", Value: "v3"})
		get(t, secrets, "ann", "bank")
	}
	time.Sleep(time.Until(born.Add(maxAge)))
	if err := secrets.Put(Secret{Owner: "ann", Name: "late", Value: "v4"}).Run(ctx); !errors.As(err, &disabled) {
		t.Errorf("put past MaxAge with a disabled key: %v, want DisabledException", err)
	}
	if _, err := secrets.Get(Secret{Owner: "ann", Name: "bank"}).Run(ctx); !errors.As(err, &disabled) {
		t.Errorf("read past MaxAge with a disabled key: %v, want DisabledException", err)
	}
}

// TestUnavailable: with KMS out of reach a write fails before anything is
// sent to DynamoDB, saying what failed; a read fails with ErrDecrypt.
func TestUnavailable(t *testing.T) {
	e := newEnv(t)
	key := e.kms.Key(t)
	put(t, e.entity(t, tablemap.Envelope(e.source(t, key))), Secret{Owner: "ann", Name: "bank", Value: "v1"})
	e.kms.Close()

	// Two attempts, not the SDK's three with backoff, to keep the test short.
	src, err := kmskey.New(e.kms.Client(func(o *kms.Options) { o.RetryMaxAttempts = 2 }), key)
	if err != nil {
		t.Fatal(err)
	}
	cut := e.entity(t, tablemap.Envelope(src))
	shortCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	err = cut.Put(Secret{Owner: "ann", Name: "mail", Value: "v2"}).Run(shortCtx)
	t.Log(err)
	if err == nil || !strings.Contains(err.Error(), "KMS GenerateDataKey") || !strings.Contains(err.Error(), "connect") {
		t.Errorf("put with KMS unavailable: %v, want an error naming KMS GenerateDataKey and the connection", err)
	}
	if item := raw(t, e.tbl, "ann", "mail"); item != nil {
		t.Errorf("put with KMS unavailable wrote %v", item)
	}
	_, err = cut.Get(Secret{Owner: "ann", Name: "bank"}).Run(shortCtx)
	if !errors.Is(err, tablemap.ErrDecrypt) || !strings.Contains(err.Error(), "KMS Decrypt") {
		t.Errorf("read with KMS unavailable: %v, want ErrDecrypt naming KMS Decrypt", err)
	}
	t.Log(err)
}

// TestConcurrent writes and reads from many goroutines through one cipher
// and reads through a second, cold one: every value round-trips, and a cold
// cache under load costs one KMS call per data key, not one per request.
func TestConcurrent(t *testing.T) {
	e := newEnv(t)
	key := e.kms.Key(t)
	writer := e.entity(t, tablemap.Envelope(e.source(t, key)))
	reader := e.entity(t, tablemap.Envelope(e.source(t, key)))
	const n = 24
	run := func(f func(i int) error) {
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				if err := f(i); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}
	run(func(i int) error {
		return writer.Put(Secret{Owner: "ann", Name: fmt.Sprint(i), Value: fmt.Sprint("secret ", i)}).Run(ctx)
	})
	wantKMS(t, e.counter, fmt.Sprintf("%d concurrent puts", n), 1, 0)
	run(func(i int) error {
		got, err := reader.Get(Secret{Owner: "ann", Name: fmt.Sprint(i)}).Consistent().Run(ctx)
		if err == nil && got.Value != fmt.Sprint("secret ", i) {
			err = fmt.Errorf("value %d read back as %q", i, got.Value)
		}
		return err
	})
	wantKMS(t, e.counter, fmt.Sprintf("%d concurrent reads, cold cache", n), 0, 1)
}

// TestCacheLimits counts the KMS requests each limit of DataKeyLimits
// causes.
func TestCacheLimits(t *testing.T) {
	e := newEnv(t)
	key := e.kms.Key(t)
	entity := func(l tablemap.DataKeyLimits) *tablemap.Entity[Secret] {
		c, err := tablemap.EnvelopeWithLimits(e.source(t, key), l)
		if err != nil {
			t.Fatal(err)
		}
		return e.entity(t, c)
	}
	puts := func(s *tablemap.Entity[Secret], n int, value string) {
		for i := range n {
			put(t, s, Secret{Owner: "ann", Name: fmt.Sprint(i), Value: value})
		}
	}

	puts(entity(tablemap.DataKeyLimits{MaxValues: 3}), 7, "v")
	wantKMS(t, e.counter, "MaxValues 3, 7 puts", 3, 0)

	puts(entity(tablemap.DataKeyLimits{MaxValues: 1}), 4, "v")
	wantKMS(t, e.counter, "MaxValues 1 (a data key per value), 4 puts", 4, 0)
	seen := map[string]bool{}
	for i := range 4 {
		seen[string(wrapped(t, raw(t, e.tbl, "ann", fmt.Sprint(i))["value"].(*types.AttributeValueMemberB).Value))] = true
	}
	if len(seen) != 4 {
		t.Errorf("MaxValues 1: %d distinct data keys in 4 items, want 4", len(seen))
	}

	// A 100-byte value is 102 bytes of plaintext (type and length).
	puts(entity(tablemap.DataKeyLimits{MaxBytes: 250}), 5, strings.Repeat("x", 100))
	wantKMS(t, e.counter, "MaxBytes 250, 5 values of 102 bytes", 3, 0)

	aged := entity(tablemap.DataKeyLimits{MaxAge: 300 * time.Millisecond})
	puts(aged, 2, "v")
	get(t, aged, "ann", "0")
	wantKMS(t, e.counter, "MaxAge 300ms, 2 puts and a read at once", 1, 0)
	time.Sleep(300 * time.Millisecond)
	get(t, aged, "ann", "0")
	puts(aged, 1, "v")
	wantKMS(t, e.counter, "a read and a put past MaxAge", 1, 1)

	// Three items under three data keys, read in turn by a cache of two.
	puts(entity(tablemap.DataKeyLimits{MaxValues: 1}), 3, "v")
	e.counter.Reset()
	small := entity(tablemap.DataKeyLimits{MaxKeys: 2})
	for range 2 {
		for i := range 3 {
			get(t, small, "ann", fmt.Sprint(i))
		}
	}
	wantKMS(t, e.counter, "MaxKeys 2, 3 data keys read twice in turn", 0, 6)
	big := entity(tablemap.DataKeyLimits{})
	for range 2 {
		for i := range 3 {
			get(t, big, "ann", fmt.Sprint(i))
		}
	}
	wantKMS(t, e.counter, "default MaxKeys, 3 data keys read twice", 0, 3)
}

// TestNew checks the key names New takes.
func TestNew(t *testing.T) {
	for _, k := range []string{"1234abcd-12ab-34cd-56ef-1234567890ab", "alias/app", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "arn:aws:kms:us-east-1:111122223333:alias/app"} {
		if _, err := kmskey.New(&kms.Client{}, k); err != nil {
			t.Errorf("New(%q): %v", k, err)
		}
	}
	for _, k := range []string{"", "arn:aws:s3:::bucket", "key with space"} {
		if _, err := kmskey.New(&kms.Client{}, k); err == nil {
			t.Errorf("New(%q): no error", k)
		}
	}
	if _, err := kmskey.New(nil, "alias/app"); err == nil {
		t.Error("New(nil client): no error")
	}
	if _, err := kmskey.WrappingKey([]byte("garbage")); err == nil {
		t.Error("WrappingKey(garbage): no error")
	}
}
