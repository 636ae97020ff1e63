// Command passwords is EzyPass, a password manager on one DynamoDB table:
// each user's credentials (site, login, secret, notes) in the user's
// partition, the secret encrypted in the process before it is sent, so
// DynamoDB (and anyone reading the table) sees only a ciphertext bound to
// its item and attribute. It adds credentials (two for one site too: ids
// are time-ordered), lists them without their secrets, reveals one, updates
// a password with a version check and deletes one, printing what each
// access pattern cost.
//
// The key here is 32 bytes from -key (hex) or random for this run. A real
// deployment keeps no key in the process: it uses tablemap.Envelope with a
// DataKeySource over AWS KMS, so every item carries a data key only KMS can
// unwrap.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/exampleapp"
	"github.com/tablemap/tablemap/internal/ulid"
)

// Credential is one login of a user on a site. ID is a ULID, so a user's
// credentials sort by creation and two for one site never collide.
type Credential struct {
	_       struct{} `tablemap:"Credential" pk:"USER#{user}" sk:"CRED#{id}"`
	User    string   `dynamo:"user"`
	ID      string   `dynamo:"id"`
	Site    string   `dynamo:"site"`
	Login   string   `dynamo:"login"`
	Secret  string   `dynamo:"secret,encrypted"`
	Notes   string   `dynamo:"notes,omitempty"`
	Version int      `dynamo:"v,version"`
}

var keyHex = flag.String("key", "", "the 32-byte encryption key, in hex (default: a random key for this run)")

func main() {
	exampleapp.Main("passwords", func(ctx context.Context, app *exampleapp.App) error {
		key, err := encryptionKey(app)
		if err != nil {
			return err
		}
		cipher, err := tablemap.LocalKey(key)
		if err != nil {
			return err
		}
		tbl := tablemap.NewTable(app.Client, app.Table, tablemap.WithCipher(cipher))
		creds, err := tablemap.Define[Credential](tbl)
		if err != nil {
			return err
		}
		if err := app.CreateTable(ctx, tbl); err != nil {
			return err
		}
		run(ctx, app, tbl, creds)
		return nil
	})
}

// encryptionKey returns the key of -key, or a random one.
func encryptionKey(app *exampleapp.App) ([]byte, error) {
	if *keyHex != "" {
		key, err := hex.DecodeString(*keyHex)
		if err != nil {
			return nil, fmt.Errorf("-key: %w", err)
		}
		return key, nil
	}
	key := make([]byte, tablemap.KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	fmt.Fprintln(app.Out, "setup: random 256-bit key for this run (-key to give one; in production: tablemap.Envelope over AWS KMS)")
	return key, nil
}

func run(ctx context.Context, app *exampleapp.App, tbl *tablemap.Table, creds *tablemap.Entity[Credential]) {
	const user = "ann"
	var personal, work Credential

	add := func(ctx context.Context, c *Credential) (string, error) {
		password, err := GeneratePassword(20, Printable)
		if err != nil {
			return "", err
		}
		c.User, c.ID, c.Secret = user, ulid.New(), password
		put := creds.Put(*c).IfNotExists()
		in, err := put.Params() // to show what DynamoDB receives
		if err != nil {
			return "", err
		}
		if err := put.Run(ctx); err != nil {
			return "", err
		}
		stored, _ := put.Value()
		*c = stored
		// Format version, kind (local key), key id, nonce, ciphertext and tag.
		sealed := in.Item["secret"].(*types.AttributeValueMemberB).Value
		return fmt.Sprintf("%s %s id=%s; secret sent as %d bytes of ciphertext (key %x)", c.Site, c.Login, c.ID, len(sealed), sealed[2:10]), nil
	}
	app.Step(ctx, "add credential", func(ctx context.Context) (string, error) {
		personal = Credential{Site: "github.com", Login: "ann", Notes: "personal account"}
		return add(ctx, &personal)
	})
	app.Step(ctx, "add second credential same site", func(ctx context.Context) (string, error) {
		work = Credential{Site: "github.com", Login: "ann-at-work", Notes: "work account, SSO"}
		return add(ctx, &work)
	})
	app.Step(ctx, "add credential other site", func(ctx context.Context) (string, error) {
		mail := Credential{Site: "mail.example.com", Login: "ann@example.com"}
		return add(ctx, &mail)
	})

	app.Step(ctx, "list credentials (no secrets)", func(ctx context.Context) (string, error) {
		page, err := creds.Query(Credential{User: user}).Project("site", "login", "notes", "v").Page(ctx, "")
		if err != nil {
			return "", err
		}
		var b strings.Builder
		for _, c := range page.Items {
			if c.Secret != "" {
				return "", fmt.Errorf("credential %s came back with its secret", c.ID)
			}
			fmt.Fprintf(&b, "%s %s (…%s v%d); ", c.Site, c.Login, c.ID[len(c.ID)-4:], c.Version)
		}
		return fmt.Sprintf("%d credentials, no secret read: %s", len(page.Items), strings.TrimSuffix(b.String(), "; ")), nil
	})

	app.Step(ctx, "reveal secret", func(ctx context.Context) (string, error) {
		c, err := creds.Get(Credential{User: user, ID: work.ID}).Project("site", "login", "secret").Consistent().Run(ctx)
		if err != nil {
			return "", err
		}
		if c.Secret != work.Secret {
			return "", fmt.Errorf("revealed %q, stored %q", c.Secret, work.Secret)
		}
		return fmt.Sprintf("%s %s: %s", c.Site, c.Login, c.Secret), nil
	})

	app.Step(ctx, "reveal with a wrong key (rejected)", func(ctx context.Context) (string, error) {
		other, err := tablemap.LocalKey(make([]byte, tablemap.KeySize))
		if err != nil {
			return "", err
		}
		wrong, err := tablemap.Define[Credential](tablemap.NewTable(tbl.Client(), tbl.Name(), tablemap.WithCipher(other)))
		if err != nil {
			return "", err
		}
		_, err = wrong.Get(Credential{User: user, ID: work.ID}).Run(ctx)
		if !errors.Is(err, tablemap.ErrDecrypt) {
			return "", fmt.Errorf("read with a wrong key: %v, want ErrDecrypt", err)
		}
		msg := err.Error() // the entity and the key, then the attribute and why
		if i := strings.Index(msg, "attribute "); i >= 0 {
			msg = msg[i:]
		}
		return "rejected: " + msg, nil
	})

	app.Step(ctx, "update password (version check)", func(ctx context.Context) (string, error) {
		password, err := GeneratePassword(24, Printable)
		if err != nil {
			return "", err
		}
		// The version read with the credential: the update applies only if
		// nobody changed it since.
		c, err := creds.Update(Credential{User: user, ID: work.ID, Version: work.Version}).Set("secret", password).Run(ctx)
		if err != nil {
			return "", err
		}
		if c.Secret != password {
			return "", fmt.Errorf("updated secret reads %q, want %q", c.Secret, password)
		}
		stale := work.Version
		work = c
		return fmt.Sprintf("%s %s: version %d -> %d, new secret %s", c.Site, c.Login, stale, c.Version, c.Secret), nil
	})

	app.Step(ctx, "update stale version (rejected)", func(ctx context.Context) (string, error) {
		stale := work.Version - 1
		_, err := creds.Update(Credential{User: user, ID: work.ID, Version: stale}).Set("notes", "edited on an old copy").Run(ctx)
		if !errors.Is(err, tablemap.ErrVersionConflict) {
			return "", fmt.Errorf("update of version %d: %v, want ErrVersionConflict", stale, err)
		}
		return fmt.Sprintf("rejected: version %d is stale, %d is stored", stale, work.Version), nil
	})

	app.Step(ctx, "delete credential", func(ctx context.Context) (string, error) {
		old, err := creds.Delete(Credential{User: user, ID: personal.ID, Version: personal.Version}).Run(ctx)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("deleted %s %s (v%d)", old.Site, old.Login, old.Version), nil
	})
}
