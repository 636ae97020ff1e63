package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/google/go-cmp/cmp"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/dynamotest"
	"github.com/tablemap/tablemap/internal/exampleapp"
	"github.com/tablemap/tablemap/internal/kmstest"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.Main(m)) }

var ctx = context.Background()

// fixture is EzyPass on its own table, secrets under the old key of a
// local-kms key ring, DynamoDB requests metered.
type fixture struct {
	ring  *keyring
	meter *tablemap.Meter
	ez    *EzyPass
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ring, err := localKeyring(ctx, kmstest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{ring: ring, meter: tablemap.NewMeter()}
	client := dynamotest.Client(t, f.meter.Attach)
	f.ez, err = NewEzyPass(tablemap.NewTable(client, dynamotest.TableName(t), tablemap.WithCipher(ring.cipher(ring.old))))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.ez.tbl.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	f.reset()
	return f
}

// with returns EzyPass over the same table with cipher c.
func (f *fixture) with(t *testing.T, c tablemap.Cipher) *EzyPass {
	t.Helper()
	ez, err := NewEzyPass(tablemap.NewTable(f.ez.tbl.Client(), f.ez.tbl.Name(), tablemap.WithCipher(c)))
	if err != nil {
		t.Fatal(err)
	}
	return ez
}

func (f *fixture) reset() { f.meter.Reset(); f.ring.counter.Reset() }

// want checks the DynamoDB requests and KMS requests since the last check.
func (f *fixture) want(t *testing.T, what string, requests, generate, decrypt int) {
	t.Helper()
	if n := f.meter.Requests(); n != requests {
		t.Errorf("%s: %d DynamoDB requests, want %d (%s)", what, n, requests, f.meter)
	}
	if g, d := f.ring.counter.Requests("GenerateDataKey"), f.ring.counter.Requests("Decrypt"); g != generate || d != decrypt {
		t.Errorf("%s: KMS GenerateDataKey=%d Decrypt=%d, want %d and %d", what, g, d, generate, decrypt)
	}
	f.reset()
}

func (f *fixture) add(t *testing.T, site, login, secret string) Credential {
	t.Helper()
	c, err := f.ez.AddCredential(ctx, Credential{User: "ann", Site: site, Login: login, Secret: secret}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestUserAudit: a user's created and updated times and who set them.
func TestUserAudit(t *testing.T) {
	f := newFixture(t)
	before := time.Now().Add(-time.Second)
	u, err := f.ez.AddUser(ctx, User{User: "ann", Name: "Ann"}, "admin")
	if err != nil {
		t.Fatal(err)
	}
	f.want(t, "add user", 1, 0, 0)
	if u.Created.Before(before) || !u.Updated.Equal(u.Created) || u.CreatedBy != "admin" || u.UpdatedBy != "admin" {
		t.Errorf("added user %+v: want created = updated = now, by admin", u)
	}
	if _, err := f.ez.AddUser(ctx, User{User: "ann"}, "admin"); !errors.Is(err, tablemap.ErrExists) {
		t.Errorf("adding ann again: %v, want ErrExists", err)
	}
	renamed, err := f.ez.RenameUser(ctx, "ann", u.Version, "Ann Smith", "ann")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ez.RenameUser(ctx, "ann", u.Version, "Stale", "bob"); !errors.Is(err, tablemap.ErrVersionConflict) {
		t.Errorf("rename at a stale version: %v, want ErrVersionConflict", err)
	}
	f.reset()
	got, err := f.ez.GetUser(ctx, "ann")
	if err != nil {
		t.Fatal(err)
	}
	f.want(t, "get user", 1, 0, 0)
	want := u
	want.Name, want.UpdatedBy, want.Updated, want.Version = "Ann Smith", "ann", renamed.Updated, u.Version+1
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("user after rename (-want +got):\n%s", diff)
	}
	if !got.Updated.After(got.Created) {
		t.Errorf("updated %v not after created %v", got.Updated, got.Created)
	}
}

// TestBySite: one Query returns every login on a site, oldest first, with
// no secret and no KMS call; a site that merely starts with the name is
// not included, and the site name is case-insensitive.
func TestBySite(t *testing.T) {
	f := newFixture(t)
	a := f.add(t, "GitHub.com", "ann", "s1")
	b := f.add(t, "github.com", "ann-at-work", "s2")
	f.add(t, "github.com.evil", "ann", "s3")
	f.add(t, "gitlab.com", "ann", "s4")
	f.reset()
	got, err := f.ez.BySite(ctx, "ann", "GITHUB.COM")
	if err != nil {
		t.Fatal(err)
	}
	f.want(t, "by site", 1, 0, 0)
	want := []string{a.ID + " ann", b.ID + " ann-at-work"}
	var ids []string
	for _, c := range got {
		ids = append(ids, c.ID+" "+c.Login)
		if c.Secret != "" || c.Site != "github.com" {
			t.Errorf("by site: %+v, want github.com without its secret", c)
		}
	}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("logins on github.com (-want +got):\n%s", diff)
	}
}

// TestListAlphabetical: pages of a user's credentials by site A to Z, one
// Query each, with no secret and no KMS call.
func TestListAlphabetical(t *testing.T) {
	f := newFixture(t)
	for _, s := range []string{"mail.example.com", "bank.example", "zoo.example", "github.com", "bank.example"} {
		f.add(t, s, "ann", "secret of "+s)
	}
	f.reset()
	var sites []string
	cursor, pages := "", 0
	for {
		cs, next, err := f.ez.List(ctx, "ann", 2, cursor)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, c := range cs {
			sites = append(sites, c.Site)
			if c.Secret != "" {
				t.Errorf("listed %s with its secret", c.Site)
			}
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	f.want(t, "list", pages, 0, 0)
	if diff := cmp.Diff([]string{"bank.example", "bank.example", "github.com", "mail.example.com", "zoo.example"}, sites); diff != "" {
		t.Errorf("listed sites (-want +got):\n%s", diff)
	}
}

// TestRevealUpdateDelete: reveal is the read that decrypts; update and
// delete check the version; nothing stored holds a secret in clear.
func TestRevealUpdateDelete(t *testing.T) {
	f := newFixture(t)
	c := f.add(t, "github.com", "ann", "hunter2")
	f.want(t, "add", 1, 1, 0)

	cold := f.with(t, f.ring.cipher(f.ring.old))
	got, err := cold.Reveal(ctx, "ann", "github.com", c.ID)
	if err != nil || got.Secret != "hunter2" {
		t.Fatalf("reveal: %q, %v", got.Secret, err)
	}
	f.want(t, "reveal, cold cache", 1, 0, 1)

	items, err := f.ez.Stored(ctx, "ann")
	if err != nil || len(items) != 1 {
		t.Fatalf("stored: %d items, %v", len(items), err)
	}
	sealed, ok := items[0]["secret"].(*types.AttributeValueMemberB)
	if !ok || bytes.Contains(sealed.Value, []byte("hunter2")) || strings.Contains(fmt.Sprint(items[0]), "hunter2") {
		t.Errorf("stored item holds the secret in clear: %v", items[0])
	}
	f.reset()

	updated, err := f.ez.UpdateSecret(ctx, c, "correct horse", "ann")
	if err != nil || updated.Secret != "correct horse" || updated.Version != c.Version+1 || updated.UpdatedBy != "ann" {
		t.Fatalf("update: %+v, %v", updated, err)
	}
	f.want(t, "update", 1, 0, 0) // the data key of the add, still cached
	if _, err := f.ez.UpdateSecret(ctx, c, "lost update", "bob"); !errors.Is(err, tablemap.ErrVersionConflict) {
		t.Errorf("update at a stale version: %v, want ErrVersionConflict", err)
	}
	if _, err := f.ez.Delete(ctx, c); !errors.Is(err, tablemap.ErrVersionConflict) {
		t.Errorf("delete at a stale version: %v, want ErrVersionConflict", err)
	}
	f.reset()
	if _, err := f.ez.Delete(ctx, updated); err != nil {
		t.Fatal(err)
	}
	f.want(t, "delete", 1, 0, 0)
	if _, err := f.ez.Reveal(ctx, "ann", "github.com", c.ID); !errors.Is(err, tablemap.ErrNotFound) {
		t.Errorf("reveal after delete: %v, want ErrNotFound", err)
	}
}

// TestRotateResumable moves a user's secrets to a new master key in
// batches: finding them calls no KMS, a batch is one transaction, an
// interrupted rotation resumes where it stopped, a credential changed
// under it makes its batch fail whole (and the next run pick it up), and
// afterwards every secret reads with the old key disabled.
func TestRotateResumable(t *testing.T) {
	f := newFixture(t)
	secrets := map[string]string{}
	var cs []Credential
	for i := range 5 {
		c := f.add(t, fmt.Sprintf("site%d.example", i), "ann", fmt.Sprint("secret ", i))
		secrets[c.ID] = c.Secret
		cs = append(cs, c)
	}
	f.reset()
	rotated := f.with(t, f.ring.cipher(f.ring.new, f.ring.old))
	stale := func(want int) []map[string]types.AttributeValue {
		t.Helper()
		s, next, err := rotated.StaleSecrets(ctx, "ann", f.ring.new, nil)
		if err != nil || next != nil || len(s) != want {
			t.Fatalf("stale secrets: %d, next %v, %v; want %d", len(s), next, err, want)
		}
		f.want(t, "find stale", 1, 0, 0)
		return s
	}
	if err := rotated.Reencrypt(ctx, stale(5)[:2], "key rotation"); err != nil {
		t.Fatal(err)
	}
	f.want(t, "re-encrypt 2", 1, 1, 1)

	// "Restart": a new process finds the 3 left. One changes meanwhile.
	rotated = f.with(t, f.ring.cipher(f.ring.new, f.ring.old))
	left := stale(3)
	changed := cs[4]
	if _, err := f.ez.UpdateSecret(ctx, changed, "changed during rotation", "ann"); err != nil {
		t.Fatal(err)
	}
	secrets[changed.ID] = "changed during rotation"
	if err := rotated.Reencrypt(ctx, left, "key rotation"); !errors.Is(err, tablemap.ErrConditionFailed) {
		t.Fatalf("re-encrypt over a changed credential: %v, want ErrConditionFailed", err)
	}
	f.reset()
	if err := rotated.Reencrypt(ctx, stale(3), "key rotation"); err != nil {
		t.Fatal(err)
	}
	f.want(t, "re-encrypt 3, data keys cached by the failed attempt", 1, 0, 0)
	stale(0)

	if _, err := f.ring.admin.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(f.ring.old)}); err != nil {
		t.Fatal(err)
	}
	newOnly := f.with(t, f.ring.cipher(f.ring.new))
	all, _, err := newOnly.List(ctx, "ann", 100, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range all {
		got, err := newOnly.Reveal(ctx, "ann", c.Site, c.ID)
		if err != nil || got.Secret != secrets[c.ID] {
			t.Errorf("%s after rotation, old key disabled: %q, %v; want %q", c.Site, got.Secret, err, secrets[c.ID])
		}
		if got.UpdatedBy != "key rotation" {
			t.Errorf("%s: updated_by %q, want key rotation", c.Site, got.UpdatedBy)
		}
	}
	if len(all) != 5 {
		t.Errorf("%d credentials after rotation, want 5", len(all))
	}
}

// TestDemo runs the example's every access pattern against local-kms and
// without KMS: each is one DynamoDB request and succeeds; with KMS, listing
// calls no KMS and a cold reveal one Decrypt.
func TestDemo(t *testing.T) {
	for _, withKMS := range []bool{true, false} {
		t.Run(fmt.Sprint("kms=", withKMS), func(t *testing.T) {
			var out bytes.Buffer
			meter := tablemap.NewMeter()
			app := &exampleapp.App{Client: dynamotest.Client(t, meter.Attach), Meter: meter, Table: dynamotest.TableName(t), Out: &out}
			var ring *keyring
			if withKMS {
				var err error
				if ring, err = localKeyring(ctx, kmstest.New(t)); err != nil {
					t.Fatal(err)
				}
			}
			if err := run(ctx, app, ring); err != nil {
				t.Fatal(err)
			}
			t.Log("\n" + out.String())
			checkDemo(t, out.String(), withKMS)
		})
	}
}

var stepLine = regexp.MustCompile(`^(.+?)\s+requests=(\d+)\s+\S+\s+(.*)$`)

func checkDemo(t *testing.T, out string, withKMS bool) {
	t.Helper()
	steps := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		m := stepLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if m[2] != "1" || strings.Contains(m[3], "ERROR") {
			t.Errorf("step %q: requests=%s, %s", m[1], m[2], m[3])
		}
		steps[m[1]] = m[3]
	}
	want := []string{"add user", "update user (version check)", "get user", "add credential", "get logins by site (no secrets)",
		"list by site A-Z (no secrets)", "stored items hold no plaintext", "reveal secret", "update password (version check)",
		"delete credential"}
	if withKMS {
		want = append(want, "reveal secret (new process)", "rotate master key: re-encrypt 2", "reveal after rotation")
	}
	for _, name := range want {
		if _, ok := steps[name]; !ok {
			t.Errorf("no step %q", name)
		}
	}
	if !withKMS {
		return
	}
	for name, kms := range map[string]string{
		"get logins by site (no secrets)": "kms[none]",
		"list by site A-Z (no secrets)":   "kms[none]",
		"reveal secret (new process)":     "kms[Decrypt=1]",
		"reveal secret":                   "kms[none]",
		"add credential":                  "kms[GenerateDataKey=1]",
	} {
		if !strings.HasPrefix(steps[name], kms) {
			t.Errorf("step %q: %q, want %s", name, steps[name], kms)
		}
	}
}
