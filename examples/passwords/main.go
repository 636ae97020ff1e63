// Command passwords is EzyPass, a password manager on one DynamoDB table.
// A user's profile (with who created and last changed it, and when) and
// their credentials (site, login, secret, notes) share the user's
// partition; a credential's sort key starts with its site, so "the logins
// on this site" and "all my logins, A to Z by site" are each one Query, and
// several logins per site are allowed. The secret alone is encrypted, in
// the process, before it is sent: DynamoDB stores a ciphertext bound to its
// table, item and attribute.
//
// With -kms the secrets are encrypted under master keys in AWS KMS: the
// example starts local-kms (a KMS API server, see scripts/provision) on
// 127.0.0.1 and creates two keys there; -aws with -kms-key (and
// -kms-new-key to rotate) uses real DynamoDB and KMS instead. It then
// lists without decrypting, reveals one secret (the one read that calls
// KMS), updates and deletes with version checks, and rotates the user's
// secrets to a new master key, resumably. Every access pattern is one
// DynamoDB request (requests=1); KMS requests are shown apart, as kms[…].
//
// Without KMS the key is 32 bytes from -key (hex) or random for this run.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/exampleapp"
	"github.com/tablemap/tablemap/internal/kmstest"
	"github.com/tablemap/tablemap/kmskey"
)

var (
	keyHex    = flag.String("key", "", "without KMS: the 32-byte encryption key, in hex (default: a random key for this run)")
	localKMS  = flag.Bool("kms", false, "encrypt with master keys in a local-kms this example starts")
	kmsKey    = flag.String("kms-key", "", "encrypt with this AWS KMS key (id, ARN or alias) of the environment's account")
	kmsNewKey = flag.String("kms-new-key", "", "with -kms-key: the AWS KMS key to rotate the secrets to")
)

func main() {
	exampleapp.Main("passwords", func(ctx context.Context, app *exampleapp.App) error {
		ring, err := openKeyring(ctx, app)
		if err != nil {
			return err
		}
		if ring != nil {
			defer ring.close()
		}
		return run(ctx, app, ring)
	})
}

// run creates the table and runs every access pattern, with the keys of
// ring, or without KMS when ring is nil.
func run(ctx context.Context, app *exampleapp.App, ring *keyring) error {
	var cipher tablemap.Cipher
	var err error
	if ring != nil {
		cipher = ring.cipher(ring.old)
	} else if cipher, err = localCipher(app); err != nil {
		return err
	}
	ez, err := NewEzyPass(tablemap.NewTable(app.Client, app.Table, tablemap.WithCipher(cipher)))
	if err != nil {
		return err
	}
	if err := app.CreateTable(ctx, ez.tbl); err != nil {
		return err
	}
	d := &demo{app: app, ring: ring, ez: ez}
	d.users(ctx)
	d.credentials(ctx)
	d.rotation(ctx)
	return nil
}

// localCipher returns a LocalKey cipher under the key of -key, or a random one.
func localCipher(app *exampleapp.App) (tablemap.Cipher, error) {
	key := make([]byte, tablemap.KeySize)
	if *keyHex != "" {
		var err error
		if key, err = hex.DecodeString(*keyHex); err != nil {
			return nil, fmt.Errorf("-key: %w", err)
		}
	} else {
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		fmt.Fprintln(app.Out, "setup: random 256-bit key for this run (-key to give one; -kms for AWS KMS master keys)")
	}
	return tablemap.LocalKey(key)
}

// A keyring is the KMS side: a counted client and two master keys.
type keyring struct {
	client   *kms.Client // counted: what the secrets cost in KMS requests
	admin    *kms.Client // not counted: disabling a key
	counter  *kmstest.Counter
	old, new string // key ARNs; new is "" when there is nothing to rotate to
	local    bool   // keys in local-kms, which the example may disable
	close    func()
}

// openKeyring starts local-kms (-kms) or connects to AWS KMS (-kms-key),
// or returns nil for neither.
func openKeyring(ctx context.Context, app *exampleapp.App) (*keyring, error) {
	r := &keyring{counter: &kmstest.Counter{}, close: func() {}}
	switch {
	case *localKMS:
		local, err := kmstest.Start(ctx)
		if err != nil {
			return nil, err
		}
		if r, err = localKeyring(ctx, local); err != nil {
			local.Close()
			return nil, err
		}
		r.close = func() { local.Close() }
		fmt.Fprintf(app.Out, "setup: local-kms at %s, master keys …%s and …%s\n", local.Endpoint, short(r.old), short(r.new))
	case *kmsKey != "":
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("load AWS configuration: %w", err)
		}
		r.client, r.admin = kms.NewFromConfig(cfg, r.counter.Attach), kms.NewFromConfig(cfg)
		if r.old, err = r.arn(ctx, *kmsKey); err == nil && *kmsNewKey != "" {
			r.new, err = r.arn(ctx, *kmsNewKey)
		}
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(app.Out, "setup: AWS KMS (region %s), master key %s\n", cfg.Region, r.old)
	default:
		return nil, nil
	}
	return r, nil
}

// localKeyring returns a keyring of two new keys in local.
func localKeyring(ctx context.Context, local *kmstest.Local) (*keyring, error) {
	r := &keyring{counter: &kmstest.Counter{}, local: true, close: func() {}}
	r.client, r.admin = local.Client(r.counter.Attach), local.Client()
	var err error
	if r.old, err = local.CreateKey(ctx, "EzyPass master key 1"); err == nil {
		r.new, err = local.CreateKey(ctx, "EzyPass master key 2")
	}
	return r, err
}

// arn resolves a key id or alias to its key ARN.
func (r *keyring) arn(ctx context.Context, key string) (string, error) {
	out, err := r.admin.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(key)})
	if err != nil {
		return "", fmt.Errorf("KMS key %s: %w", key, err)
	}
	return aws.ToString(out.KeyMetadata.Arn), nil
}

// cipher returns a new Envelope (an empty data key cache, as in a new
// process) over a source with key current and the previous keys.
func (r *keyring) cipher(current string, previous ...string) tablemap.Cipher {
	src, err := kmskey.New(r.client, current, previous...)
	if err != nil {
		panic(err) // the keys are ARNs from KMS
	}
	return tablemap.Envelope(src)
}

func short(arn string) string { return arn[max(0, len(arn)-8):] }

// demo runs the access patterns, printing one line each.
type demo struct {
	app  *exampleapp.App
	ring *keyring
	ez   *EzyPass
	// what the steps share
	user     User
	personal Credential
	work     Credential
	secrets  []string
}

const (
	ann   = "ann"
	admin = "admin"
)

// step runs one access pattern; with KMS, its KMS requests lead the line.
func (d *demo) step(ctx context.Context, name string, run func(ctx context.Context) (string, error)) {
	if d.ring == nil {
		d.app.Step(ctx, name, run)
		return
	}
	d.app.Step(ctx, name, func(ctx context.Context) (string, error) {
		d.ring.counter.Reset()
		got, err := run(ctx)
		return fmt.Sprintf("kms[%s] %s", d.ring.counter, got), err
	})
}

// as returns the EzyPass of the same table with another cipher.
func (d *demo) as(c tablemap.Cipher) *EzyPass {
	ez, err := NewEzyPass(tablemap.NewTable(d.ez.tbl.Client(), d.ez.tbl.Name(), tablemap.WithCipher(c)))
	if err != nil {
		panic(err) // the same entities defined once already
	}
	return ez
}

func (d *demo) users(ctx context.Context) {
	d.step(ctx, "add user", func(ctx context.Context) (string, error) {
		u, err := d.ez.AddUser(ctx, User{User: ann, Name: "Ann", Email: "ann@example.com"}, admin)
		d.user = u
		return fmt.Sprintf("%s created_by=%s at %s", u.User, u.CreatedBy, u.Created.Format("15:04:05.000")), err
	})
	d.step(ctx, "update user (version check)", func(ctx context.Context) (string, error) {
		u, err := d.ez.RenameUser(ctx, ann, d.user.Version, "Ann Smith", ann)
		d.user = u
		return fmt.Sprintf("name=%q v%d updated_by=%s at %s", u.Name, u.Version, u.UpdatedBy, u.Updated.Format("15:04:05.000")), err
	})
	d.step(ctx, "get user", func(ctx context.Context) (string, error) {
		u, err := d.ez.GetUser(ctx, ann)
		if err == nil && (!u.Created.Equal(d.user.Created) || u.UpdatedBy != ann) {
			err = fmt.Errorf("read %+v, want the created time kept and updated_by %s", u, ann)
		}
		return fmt.Sprintf("%s %q created_by=%s updated_by=%s v%d", u.User, u.Name, u.CreatedBy, u.UpdatedBy, u.Version), err
	})
}
