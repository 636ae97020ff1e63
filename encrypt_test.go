package tablemap_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/dynamotest"
)

// Vault holds two encrypted attributes of different types and one in
// clear.
type Vault struct {
	_        struct{}   `tablemap:"Vault" pk:"VAULT#{owner}" sk:"ITEM#{name}"`
	Owner    string     `dynamo:"owner"`
	Name     string     `dynamo:"name"`
	Note     string     `dynamo:"note"`
	Secret   string     `dynamo:"secret,encrypted"`
	Recovery *VaultCard `dynamo:"recovery,encrypted,omitempty"`
	Version  int        `dynamo:"v,version"`
}

// VaultCard is a nested value, encrypted as a whole.
type VaultCard struct {
	Codes  []string       `dynamo:"codes"`
	Pin    int            `dynamo:"pin"`
	Blob   []byte         `dynamo:"blob"`
	Labels map[string]int `dynamo:"labels"`
	Used   bool           `dynamo:"used"`
	Tags   []string       `dynamo:"tags,set"`
}

const plainSecret = "correct horse battery staple"

func key32(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

func localKey(t *testing.T, b byte) tablemap.Cipher {
	t.Helper()
	c, err := tablemap.LocalKey(key32(b))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// vaultTable returns a created table with a Vault entity sealed by c.
func vaultTable(t *testing.T, c tablemap.Cipher, opts ...tablemap.TableOption) (*tablemap.Table, *tablemap.Entity[Vault], *tablemap.Meter) {
	t.Helper()
	tbl, m := setup(t, append([]tablemap.TableOption{tablemap.WithCipher(c)}, opts...)...)
	vaults := define[Vault](t, tbl)
	create(t, tbl, m)
	return tbl, vaults, m
}

// sameTable returns another Table value over the table of tbl, with cipher c.
func sameTable(t *testing.T, tbl *tablemap.Table, c tablemap.Cipher) *tablemap.Entity[Vault] {
	t.Helper()
	return define[Vault](t, tablemap.NewTable(tbl.Client(), tbl.Name(), tablemap.WithCipher(c)))
}

func sampleVault() Vault {
	return Vault{Owner: "ann", Name: "bank", Note: "visible", Secret: plainSecret, Recovery: &VaultCard{
		Codes: []string{"alpha-123", "bravo-456"}, Pin: 4321, Blob: []byte{0, 1, 2, 255},
		Labels: map[string]int{"x": 1}, Used: true, Tags: []string{"b", "a"},
	}}
}

// putRaw writes item with the SDK, bypassing tablemap.
func putRaw(t *testing.T, tbl *tablemap.Table, item map[string]types.AttributeValue) {
	t.Helper()
	if _, err := tbl.Client().PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(tbl.Name()), Item: item}); err != nil {
		t.Fatal(err)
	}
}

// wantDecryptErr checks err is an ErrDecrypt whose message holds every
// part.
func wantDecryptErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if !errors.Is(err, tablemap.ErrDecrypt) {
		t.Fatalf("error %v, want ErrDecrypt", err)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not mention %q", err, p)
		} else if p == parts[len(parts)-1] {
			t.Log(err)
		}
	}
}

// TestEncryptStoredItemHidesPlaintext reads the stored item with the SDK:
// the encrypted attributes are versioned binary ciphertexts holding none of
// the plaintext; the clear attribute is as it was.
func TestEncryptStoredItemHidesPlaintext(t *testing.T) {
	t.Parallel()
	tbl, vaults, _ := vaultTable(t, localKey(t, 1))
	if err := vaults.Put(sampleVault()).Run(ctx); err != nil {
		t.Fatal(err)
	}
	item := raw(t, tbl, "VAULT#ann", "ITEM#bank")
	diff(t, "clear attribute", s("visible"), item["note"], rawOpts)
	for _, attr := range []string{"secret", "recovery"} {
		b, ok := item[attr].(*types.AttributeValueMemberB)
		if !ok {
			t.Fatalf("stored %s is %T, want B", attr, item[attr])
		}
		if b.Value[0] != 1 || b.Value[1] != 1 {
			t.Errorf("stored %s starts %x, want format version 1, kind 1 (local key)", attr, b.Value[:2])
		}
		for _, plain := range []string{plainSecret, "horse", "alpha-123", "bravo-456", "labels", "codes"} {
			if bytes.Contains(b.Value, []byte(plain)) {
				t.Errorf("stored %s contains %q", attr, plain)
			}
		}
	}
}

// TestEncryptRoundTrip reads encrypted values back through every operation
// that returns items: Put then Get, Get with a projection, Update (ALL_NEW)
// and Delete (ALL_OLD).
func TestEncryptRoundTrip(t *testing.T) {
	t.Parallel()
	_, vaults, m := vaultTable(t, localKey(t, 2))
	v := sampleVault()
	if err := vaults.Put(v).Run(ctx); err != nil {
		t.Fatal(err)
	}
	v.Version = 1
	key := Vault{Owner: "ann", Name: "bank"}
	got, err := vaults.Get(key).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "read back", v, got)

	proj, err := vaults.Get(key).Project("secret").Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "projected", Vault{Owner: "ann", Name: "bank", Secret: plainSecret}, proj)

	updated, err := vaults.Update(key).Set("secret", "new secret").Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v.Secret, v.Version = "new secret", 2
	diff(t, "updated", v, updated)

	old, err := vaults.Delete(key).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "deleted", v, old)
	if n := m.Requests(); n != 5 {
		t.Errorf("%d requests, want 5 (%v)", n, m)
	}
}

// TestEncryptUpdateSeals checks an Update's Set stores a ciphertext, not
// the value, and that actions DynamoDB would apply to a ciphertext are
// refused.
func TestEncryptUpdateSeals(t *testing.T) {
	t.Parallel()
	tbl, vaults, _ := vaultTable(t, localKey(t, 3))
	key := Vault{Owner: "ann", Name: "bank"}
	if err := vaults.Put(sampleVault()).Run(ctx); err != nil {
		t.Fatal(err)
	}
	in, err := vaults.Update(key).Set("secret", "updated secret").Params()
	if err != nil {
		t.Fatal(err)
	}
	for name, av := range in.ExpressionAttributeValues {
		if b, ok := av.(*types.AttributeValueMemberS); ok && strings.Contains(b.Value, "updated secret") {
			t.Errorf("Update request carries the secret in clear in %s", name)
		}
	}
	if _, err := vaults.Update(key).Set("secret", "updated secret").Run(ctx); err != nil {
		t.Fatal(err)
	}
	stored, ok := raw(t, tbl, "VAULT#ann", "ITEM#bank")["secret"].(*types.AttributeValueMemberB)
	if !ok || bytes.Contains(stored.Value, []byte("updated secret")) {
		t.Errorf("stored secret after Update: %v, want a ciphertext", stored)
	}
	_, err = vaults.Update(key).Append("recovery", VaultCard{}).Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "encrypted") {
		t.Errorf("Append to an encrypted attribute: %v, want an error saying it is encrypted", err)
	}
}

// TestEncryptNonceFresh writes the same value twice: the ciphertexts differ.
func TestEncryptNonceFresh(t *testing.T) {
	t.Parallel()
	_, vaults, _ := vaultTable(t, localKey(t, 4))
	v := Vault{Owner: "ann", Name: "bank", Secret: plainSecret}
	first, err := vaults.Put(v).Params()
	if err != nil {
		t.Fatal(err)
	}
	second, err := vaults.Put(v).Params()
	if err != nil {
		t.Fatal(err)
	}
	a := first.Item["secret"].(*types.AttributeValueMemberB).Value
	b := second.Item["secret"].(*types.AttributeValueMemberB).Value
	if bytes.Equal(a, b) {
		t.Errorf("two seals of one value gave the same ciphertext %x", a)
	}
	if bytes.Equal(a[10:22], b[10:22]) {
		t.Errorf("two seals used the same nonce %x", a[10:22])
	}
}

// TestEncryptMovedToAnotherItem copies a ciphertext with the SDK into
// another item: reading it is ErrDecrypt naming the entity, the item's key
// and the attribute.
func TestEncryptMovedToAnotherItem(t *testing.T) {
	t.Parallel()
	tbl, vaults, _ := vaultTable(t, localKey(t, 5))
	if err := vaults.Put(sampleVault()).Run(ctx); err != nil {
		t.Fatal(err)
	}
	if err := vaults.Put(Vault{Owner: "bob", Name: "mail", Secret: "bob's own"}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	ann := raw(t, tbl, "VAULT#ann", "ITEM#bank")
	bob := raw(t, tbl, "VAULT#bob", "ITEM#mail")
	bob["secret"] = ann["secret"]
	putRaw(t, tbl, bob)

	_, err := vaults.Get(Vault{Owner: "bob", Name: "mail"}).Run(ctx)
	wantDecryptErr(t, err, "Vault", `"VAULT#bob"`, `"ITEM#mail"`, `attribute "secret"`, "another item, attribute or table")

	// The whole item copied under another key fails too.
	ann["PK"], ann["SK"] = s("VAULT#eve"), s("ITEM#bank")
	ann["owner"] = s("eve")
	putRaw(t, tbl, ann)
	_, err = vaults.Get(Vault{Owner: "eve", Name: "bank"}).Run(ctx)
	wantDecryptErr(t, err, `"VAULT#eve"`)
}

// TestEncryptMovedToAnotherAttribute copies one encrypted attribute's
// ciphertext into another of the same item.
func TestEncryptMovedToAnotherAttribute(t *testing.T) {
	t.Parallel()
	tbl, vaults, _ := vaultTable(t, localKey(t, 6))
	if err := vaults.Put(sampleVault()).Run(ctx); err != nil {
		t.Fatal(err)
	}
	item := raw(t, tbl, "VAULT#ann", "ITEM#bank")
	item["recovery"] = item["secret"]
	putRaw(t, tbl, item)
	_, err := vaults.Get(Vault{Owner: "ann", Name: "bank"}).Run(ctx)
	wantDecryptErr(t, err, `attribute "recovery"`, "authentication failed")
}

// TestEncryptMovedToAnotherTable copies an item to another table: it does
// not open there, unless the reader binds to the original table's name, as
// a reader of a table restored from a backup does.
func TestEncryptMovedToAnotherTable(t *testing.T) {
	t.Parallel()
	c := localKey(t, 7)
	tbl, vaults, _ := vaultTable(t, c)
	if err := vaults.Put(sampleVault()).Run(ctx); err != nil {
		t.Fatal(err)
	}
	restored, restoredVaults, _ := vaultTable(t, c)
	putRaw(t, restored, raw(t, tbl, "VAULT#ann", "ITEM#bank"))
	key := Vault{Owner: "ann", Name: "bank"}
	_, err := restoredVaults.Get(key).Run(ctx)
	wantDecryptErr(t, err, `attribute "secret"`)

	logical := define[Vault](t, tablemap.NewTable(restored.Client(), restored.Name(), tablemap.WithCipher(c), tablemap.WithLogicalTableName(tbl.Name())))
	got, err := logical.Get(key).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Secret != plainSecret {
		t.Errorf("secret read through the logical name: %q", got.Secret)
	}
}

// TestEncryptWrongLocalKey reads with another key: a clear ErrDecrypt
// naming both key ids, never a value.
func TestEncryptWrongLocalKey(t *testing.T) {
	t.Parallel()
	tbl, vaults, _ := vaultTable(t, localKey(t, 8))
	if err := vaults.Put(sampleVault()).Run(ctx); err != nil {
		t.Fatal(err)
	}
	wrong := sameTable(t, tbl, localKey(t, 9))
	got, err := wrong.Get(Vault{Owner: "ann", Name: "bank"}).Run(ctx)
	wantDecryptErr(t, err, "Vault", `"VAULT#ann"`, `attribute "secret"`, "wrong key", "this cipher has key")
	diff(t, "value returned with the error", Vault{}, got)
}

// TestEncryptKeyRotation reads values sealed under a previous key with a
// cipher whose current key is new, and seals new values under the new key.
func TestEncryptKeyRotation(t *testing.T) {
	t.Parallel()
	tbl, vaults, _ := vaultTable(t, localKey(t, 10))
	if err := vaults.Put(sampleVault()).Run(ctx); err != nil {
		t.Fatal(err)
	}
	rotated, err := tablemap.LocalKey(key32(11), key32(10))
	if err != nil {
		t.Fatal(err)
	}
	next := sameTable(t, tbl, rotated)
	key := Vault{Owner: "ann", Name: "bank"}
	got, err := next.Get(key).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := next.Put(got).Run(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := sameTable(t, tbl, localKey(t, 11)).Get(key).Run(ctx); err != nil {
		t.Errorf("rewritten item does not open with the new key alone: %v", err)
	}
	_, err = vaults.Get(key).Run(ctx)
	wantDecryptErr(t, err, "wrong key")
}

// TestEncryptTamperedOrClear alters a ciphertext, replaces it with a value
// in clear, and plants a clear value under a case variant of the
// attribute's name: none of them reads as the secret.
func TestEncryptTamperedOrClear(t *testing.T) {
	t.Parallel()
	tbl, vaults, _ := vaultTable(t, localKey(t, 12))
	key := Vault{Owner: "ann", Name: "bank"}
	if err := vaults.Put(sampleVault()).Run(ctx); err != nil {
		t.Fatal(err)
	}
	item := raw(t, tbl, "VAULT#ann", "ITEM#bank")
	sealed := item["secret"].(*types.AttributeValueMemberB).Value

	flipped := bytes.Clone(sealed)
	flipped[len(flipped)-1] ^= 1
	item["secret"] = &types.AttributeValueMemberB{Value: flipped}
	putRaw(t, tbl, item)
	_, err := vaults.Get(key).Run(ctx)
	wantDecryptErr(t, err, "authentication failed")

	item["secret"] = s("planted in clear")
	putRaw(t, tbl, item)
	_, err = vaults.Get(key).Run(ctx)
	wantDecryptErr(t, err, "not a ciphertext")

	delete(item, "secret")
	item["SECRET"] = s("planted in clear")
	putRaw(t, tbl, item)
	got, err := vaults.Get(key).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Secret != "" {
		t.Errorf("a clear attribute SECRET was read as the encrypted secret: %q", got.Secret)
	}
}

// fakeKMS is an in-process stand-in for AWS KMS (not for DynamoDB): it
// wraps data keys under a master key with AES-GCM, and counts its calls.
type fakeKMS struct {
	master              cipher.AEAD
	generated, unwraped atomic.Int32
}

func newFakeKMS(t *testing.T, b byte) *fakeKMS {
	t.Helper()
	block, err := aes.NewCipher(key32(b))
	if err != nil {
		t.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	return &fakeKMS{master: aead}
}

func (k *fakeKMS) GenerateDataKey(context.Context) ([]byte, []byte, error) {
	k.generated.Add(1)
	key := make([]byte, 32)
	nonce := make([]byte, 12)
	rand.Read(key)
	rand.Read(nonce)
	return key, k.master.Seal(nonce, nonce, key, nil), nil
}

func (k *fakeKMS) Decrypt(_ context.Context, wrapped []byte) ([]byte, error) {
	k.unwraped.Add(1)
	if len(wrapped) < 12 {
		return nil, errors.New("fake kms: InvalidCiphertextException")
	}
	key, err := k.master.Open(nil, wrapped[:12], wrapped[12:], nil)
	if err != nil {
		return nil, errors.New("fake kms: InvalidCiphertextException")
	}
	return key, nil
}

// TestEncryptEnvelope round-trips through the envelope cipher, checks it
// caches data keys (one GenerateDataKey for several puts, one Decrypt for
// several reads of a fresh cipher), and that another master key is a clear
// ErrDecrypt.
func TestEncryptEnvelope(t *testing.T) {
	t.Parallel()
	kms := newFakeKMS(t, 20)
	tbl, vaults, _ := vaultTable(t, tablemap.Envelope(kms))
	names := []string{"bank", "mail", "shop"}
	for _, name := range names {
		v := sampleVault()
		v.Name = name
		if err := vaults.Put(v).Run(ctx); err != nil {
			t.Fatal(err)
		}
	}
	item := raw(t, tbl, "VAULT#ann", "ITEM#bank")
	if b := item["secret"].(*types.AttributeValueMemberB).Value; b[0] != 1 || b[1] != 2 || bytes.Contains(b, []byte(plainSecret)) {
		t.Errorf("stored secret %x, want format 1, kind 2 (envelope), no plaintext", b)
	}
	if n := kms.generated.Load(); n != 1 {
		t.Errorf("%d GenerateDataKey calls for 3 puts, want 1", n)
	}

	reader := sameTable(t, tbl, tablemap.Envelope(kms))
	for _, name := range names {
		got, err := reader.Get(Vault{Owner: "ann", Name: name}).Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := sampleVault()
		want.Name, want.Version = name, 1
		diff(t, "read back "+name, want, got)
	}
	if n := kms.unwraped.Load(); n != 1 {
		t.Errorf("%d Decrypt calls for 3 reads, want 1", n)
	}

	wrong := sameTable(t, tbl, tablemap.Envelope(newFakeKMS(t, 21)))
	_, err := wrong.Get(Vault{Owner: "ann", Name: "bank"}).Run(ctx)
	wantDecryptErr(t, err, `attribute "secret"`, "wrong key", "InvalidCiphertextException")

	// Another master key's wrapped key is also refused by a local key.
	_, err = sameTable(t, tbl, localKey(t, 20)).Get(Vault{Owner: "ann", Name: "bank"}).Run(ctx)
	wantDecryptErr(t, err, "envelope")
}

type (
	encryptedPK struct {
		_      struct{} `tablemap:"EncPK" pk:"U#{user}"`
		User   string   `dynamo:"user,encrypted"`
		Secret string   `dynamo:"secret"`
	}
	encryptedGSI struct {
		_     struct{} `tablemap:"EncGSI" pk:"U#{user}" gsi1pk:"MAIL#{email}"`
		User  string   `dynamo:"user"`
		Email string   `dynamo:"email,encrypted"`
	}
	encryptedNested struct {
		_    struct{}           `tablemap:"EncNested" pk:"U#{user}"`
		User string             `dynamo:"user"`
		Card []*encryptedInside `dynamo:"card"`
	}
	encryptedInside struct {
		Number string `dynamo:"number,encrypted"`
	}
	encryptedVersion struct {
		_    struct{} `tablemap:"EncVersion" pk:"U#{user}"`
		User string   `dynamo:"user"`
		V    int      `dynamo:"v,version,encrypted"`
	}
)

// TestEncryptDefineErrors checks the declarations encryption cannot serve
// fail at Define, naming the struct, field and tag.
func TestEncryptDefineErrors(t *testing.T) {
	t.Parallel()
	const pkg = "tablemap_test."
	client := dynamotest.Client(t)
	ciphered := func() *tablemap.Table {
		return tablemap.NewTable(client, "t", tablemap.WithCipher(localKey(t, 30)))
	}
	tests := []struct {
		name   string
		define func(*tablemap.Table) error
		table  *tablemap.Table
		want   tablemap.DefinitionError
		is     error
	}{
		{"key field", defineErr[encryptedPK], ciphered(),
			tablemap.DefinitionError{Struct: pkg + "encryptedPK", Field: "User", Tag: `pk:"U#{user}"`}, nil},
		{"index key field", defineErr[encryptedGSI], ciphered(),
			tablemap.DefinitionError{Struct: pkg + "encryptedGSI", Field: "Email", Tag: `gsi1pk:"MAIL#{email}"`}, nil},
		{"version field", defineErr[encryptedVersion], ciphered(),
			tablemap.DefinitionError{Struct: pkg + "encryptedVersion", Field: "V", Tag: `dynamo:"v,version,encrypted"`}, nil},
		{"nested field", defineErr[encryptedNested], ciphered(),
			tablemap.DefinitionError{Struct: pkg + "encryptedNested", Field: "Card", Tag: `dynamo:"card"`}, nil},
		{"no cipher", defineErr[Vault], tablemap.NewTable(client, "t"),
			tablemap.DefinitionError{Struct: pkg + "Vault", Field: "Secret", Tag: `dynamo:"secret,encrypted"`}, tablemap.ErrNoCipher},
	}
	for _, tt := range tests {
		err := tt.define(tt.table)
		var de *tablemap.DefinitionError
		if !errors.As(err, &de) {
			t.Errorf("%s: error %v, want a *DefinitionError", tt.name, err)
			continue
		}
		got := tablemap.DefinitionError{Struct: de.Struct, Field: de.Field, Tag: de.Tag}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("%s: %v: (-want +got)\n%s", tt.name, err, d)
		}
		if tt.is != nil && !errors.Is(err, tt.is) {
			t.Errorf("%s: %v, want it to wrap %v", tt.name, err, tt.is)
		}
	}
}

// TestLocalKeySize refuses keys that are not 32 bytes.
func TestLocalKeySize(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := tablemap.LocalKey(make([]byte, n)); err == nil {
			t.Errorf("LocalKey of %d bytes: no error", n)
		}
	}
	if _, err := tablemap.LocalKey(key32(1), make([]byte, 16)); err == nil {
		t.Error("LocalKey with a previous key of 16 bytes: no error")
	}
}

// TestEncryptQuery reads encrypted items with a query: whole items decrypt;
// a projection without the encrypted attributes never reads them, one with
// them decrypts them.
func TestEncryptQuery(t *testing.T) {
	t.Parallel()
	_, vaults, m := vaultTable(t, localKey(t, 40))
	var want []Vault
	for _, name := range []string{"bank", "mail"} {
		v := sampleVault()
		v.Name = name
		if err := vaults.Put(v).Run(ctx); err != nil {
			t.Fatal(err)
		}
		v.Version = 1
		want = append(want, v)
	}
	m.Reset()
	var got []Vault
	for v, err := range vaults.Query(Vault{Owner: "ann"}).All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	diff(t, "queried", want, got)

	q := vaults.Query(Vault{Owner: "ann"}).Project("name", "note")
	in, err := q.Params()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range in.ExpressionAttributeNames {
		if name == "secret" || name == "recovery" {
			t.Errorf("projection without secrets names %q", name)
		}
	}
	page, err := q.Page(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "projected", []Vault{{Owner: "ann", Name: "bank", Note: "visible"}, {Owner: "ann", Name: "mail", Note: "visible"}}, page.Items)

	first, err := vaults.Query(Vault{Owner: "ann"}).Project("secret").First(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "projected secret", Vault{Owner: "ann", Name: "bank", Secret: plainSecret}, first)
	if n := m.Requests(); n != 3 {
		t.Errorf("%d requests for 3 queries, want 3 (%v)", n, m)
	}
}

// VaultOwner shares the partition of its owner's vaults, so a collection
// reads both.
type VaultOwner struct {
	_     struct{} `tablemap:"VaultOwner" pk:"VAULT#{owner}" sk:"OWNER"`
	Owner string   `dynamo:"owner"`
	Email string   `dynamo:"email,encrypted"`
}

// readKey is the context key of a value that a read's context carries to
// the data key source.
type readKey struct{}

// ctxKMS is a fakeKMS that records the readKey value of the context of
// every Decrypt: what a KMS client would send with (its deadline, its
// trace).
type ctxKMS struct {
	*fakeKMS
	mu   sync.Mutex
	seen []any
}

func (k *ctxKMS) Decrypt(ctx context.Context, wrapped []byte) ([]byte, error) {
	k.mu.Lock()
	k.seen = append(k.seen, ctx.Value(readKey{}))
	k.mu.Unlock()
	return k.fakeKMS.Decrypt(ctx, wrapped)
}

// TestEncryptReadsPassContext reads encrypted items on every read path,
// each through a fresh envelope cipher (so its data key is not cached) and
// with a context carrying a value: every Decrypt of the data key source
// gets the caller's context.
func TestEncryptReadsPassContext(t *testing.T) {
	t.Parallel()
	kms := newFakeKMS(t, 50)
	tbl, vaults, _ := vaultTable(t, tablemap.Envelope(kms))
	owners := define[VaultOwner](t, tbl)
	for _, name := range []string{"bank", "mail", "shop"} {
		v := sampleVault()
		v.Name = name
		if err := vaults.Put(v).Run(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := owners.Put(VaultOwner{Owner: "ann", Email: "ann@example.com"}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	bank := Vault{Owner: "ann", Name: "bank"}
	secrets := func(vs ...Vault) error {
		if len(vs) == 0 {
			return errors.New("no vault read")
		}
		for _, v := range vs {
			if v.Secret != plainSecret {
				return fmt.Errorf("vault %s: secret %q", v.Name, v.Secret)
			}
		}
		return nil
	}
	all := func(seq func(func(Vault, error) bool)) error {
		var vs []Vault
		for v, err := range seq {
			if err != nil {
				return err
			}
			vs = append(vs, v)
		}
		return secrets(vs...)
	}
	reads := []struct {
		name string
		read func(ctx context.Context, vaults *tablemap.Entity[Vault], owners *tablemap.Entity[VaultOwner]) error
	}{
		{"Get", func(ctx context.Context, vaults *tablemap.Entity[Vault], _ *tablemap.Entity[VaultOwner]) error {
			v, err := vaults.Get(bank).Run(ctx)
			if err != nil {
				return err
			}
			return secrets(v)
		}},
		{"Query.All", func(ctx context.Context, vaults *tablemap.Entity[Vault], _ *tablemap.Entity[VaultOwner]) error {
			return all(vaults.Query(Vault{Owner: "ann"}).All(ctx))
		}},
		{"Query.Page", func(ctx context.Context, vaults *tablemap.Entity[Vault], _ *tablemap.Entity[VaultOwner]) error {
			page, err := vaults.Query(Vault{Owner: "ann"}).Limit(2).Page(ctx, "")
			if err != nil {
				return err
			}
			return secrets(page.Items...)
		}},
		{"Query.First", func(ctx context.Context, vaults *tablemap.Entity[Vault], _ *tablemap.Entity[VaultOwner]) error {
			v, err := vaults.Query(Vault{Owner: "ann"}).First(ctx)
			if err != nil {
				return err
			}
			return secrets(v)
		}},
		{"Scan.All", func(ctx context.Context, vaults *tablemap.Entity[Vault], _ *tablemap.Entity[VaultOwner]) error {
			return all(vaults.Scan().All(ctx))
		}},
		{"Scan.All in segments", func(ctx context.Context, vaults *tablemap.Entity[Vault], _ *tablemap.Entity[VaultOwner]) error {
			return all(vaults.Scan().Segments(2).All(ctx))
		}},
		{"Scan.Page", func(ctx context.Context, vaults *tablemap.Entity[Vault], _ *tablemap.Entity[VaultOwner]) error {
			page, err := vaults.Scan().Page(ctx, "")
			if err != nil {
				return err
			}
			return secrets(page.Items...)
		}},
		{"Collect2.Run", func(ctx context.Context, vaults *tablemap.Entity[Vault], owners *tablemap.Entity[VaultOwner]) error {
			page, err := tablemap.Collect2(vaults.Query(Vault{Owner: "ann"}), owners).Run(ctx)
			if err != nil {
				return err
			}
			if len(page.B) != 1 || page.B[0].Email != "ann@example.com" {
				return fmt.Errorf("owners %+v", page.B)
			}
			return secrets(page.A...)
		}},
		{"Collect2.Page", func(ctx context.Context, vaults *tablemap.Entity[Vault], owners *tablemap.Entity[VaultOwner]) error {
			page, err := tablemap.Collect2(vaults.Query(Vault{Owner: "ann"}), owners).Page(ctx, "")
			if err != nil {
				return err
			}
			return secrets(page.A...)
		}},
		{"BatchGet", func(ctx context.Context, vaults *tablemap.Entity[Vault], _ *tablemap.Entity[VaultOwner]) error {
			vs, err := vaults.BatchGet(bank, Vault{Owner: "ann", Name: "mail"}).Run(ctx)
			if err != nil {
				return err
			}
			return secrets(vs...)
		}},
		{"ReadTx", func(ctx context.Context, vaults *tablemap.Entity[Vault], owners *tablemap.Entity[VaultOwner]) error {
			rt := vaults.Table().ReadTx()
			v := tablemap.TxGet(rt, vaults.Get(bank))
			o := tablemap.TxGet(rt, owners.Get(VaultOwner{Owner: "ann"}))
			if err := rt.Run(ctx); err != nil {
				return err
			}
			if got, err := o.Value(); err != nil || got.Email != "ann@example.com" {
				return fmt.Errorf("owner %+v, %v", got, err)
			}
			got, err := v.Value()
			if err != nil {
				return err
			}
			return secrets(got)
		}},
		{"Update", func(ctx context.Context, vaults *tablemap.Entity[Vault], _ *tablemap.Entity[VaultOwner]) error {
			v, err := vaults.Update(bank).Set("note", "seen").Run(ctx)
			if err != nil {
				return err
			}
			return secrets(v)
		}},
		{"Delete", func(ctx context.Context, vaults *tablemap.Entity[Vault], _ *tablemap.Entity[VaultOwner]) error {
			v, err := vaults.Delete(Vault{Owner: "ann", Name: "shop"}).Run(ctx)
			if err != nil {
				return err
			}
			return secrets(v)
		}},
	}
	for _, r := range reads {
		src := &ctxKMS{fakeKMS: kms}
		reader := tablemap.NewTable(tbl.Client(), tbl.Name(), tablemap.WithCipher(tablemap.Envelope(src)))
		if err := r.read(context.WithValue(ctx, readKey{}, r.name), define[Vault](t, reader), define[VaultOwner](t, reader)); err != nil {
			t.Errorf("%s: %v", r.name, err)
			continue
		}
		if len(src.seen) == 0 {
			t.Errorf("%s: the data key source was not asked to decrypt", r.name)
		}
		for _, got := range src.seen {
			if got != r.name {
				t.Errorf("%s: Decrypt got a context carrying %v, not the caller's", r.name, got)
			}
		}
	}
}
