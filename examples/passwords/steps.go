package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/kmskey"
)

// add stores a credential with a generated password.
func (d *demo) add(ctx context.Context, c Credential) (Credential, string, error) {
	password, err := GeneratePassword(20, Printable)
	if err != nil {
		return Credential{}, "", err
	}
	c.User, c.Secret = ann, password
	c, err = d.ez.AddCredential(ctx, c, ann)
	if err != nil {
		return Credential{}, "", err
	}
	d.secrets = append(d.secrets, password)
	return c, fmt.Sprintf("%s %s id=…%s", c.Site, c.Login, c.ID[len(c.ID)-4:]), nil
}

func (d *demo) credentials(ctx context.Context) {
	d.step(ctx, "add credential", func(ctx context.Context) (c string, err error) {
		d.personal, c, err = d.add(ctx, Credential{Site: "GitHub.com", Login: "ann", Notes: "personal"})
		return c, err
	})
	d.step(ctx, "add second login, same site", func(ctx context.Context) (c string, err error) {
		d.work, c, err = d.add(ctx, Credential{Site: "github.com", Login: "ann-at-work", Notes: "work, SSO"})
		return c, err
	})
	for _, site := range []string{"mail.example.com", "bank.example"} {
		d.step(ctx, "add credential, other site", func(ctx context.Context) (c string, err error) {
			_, c, err = d.add(ctx, Credential{Site: site, Login: "ann@example.com"})
			return c, err
		})
	}
	d.step(ctx, "get logins by site (no secrets)", func(ctx context.Context) (string, error) {
		cs, err := d.ez.BySite(ctx, ann, "github.com")
		return listing(cs), errors.Join(err, noSecrets(cs))
	})
	d.step(ctx, "list by site A-Z (no secrets)", func(ctx context.Context) (string, error) {
		cs, _, err := d.ez.List(ctx, ann, 100, "")
		return listing(cs), errors.Join(err, noSecrets(cs))
	})
	d.step(ctx, "stored items hold no plaintext", func(ctx context.Context) (string, error) {
		return d.noPlaintext(ctx)
	})
	d.reveals(ctx)
	d.updates(ctx)
}

func listing(cs []Credential) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "%s %s; ", c.Site, c.Login)
	}
	return fmt.Sprintf("%d: %s", len(cs), strings.TrimSuffix(b.String(), "; "))
}

func noSecrets(cs []Credential) error {
	for _, c := range cs {
		if c.Secret != "" {
			return fmt.Errorf("credential %s came back with its secret", c.ID)
		}
	}
	return nil
}

// noPlaintext reads the stored credentials with the SDK and checks that
// no generated password appears in any of their bytes.
func (d *demo) noPlaintext(ctx context.Context) (string, error) {
	items, err := d.ez.Stored(ctx, ann)
	if err != nil {
		return "", err
	}
	for _, item := range items {
		var all bytes.Buffer
		fmt.Fprint(&all, item)
		if b, ok := item["secret"].(*types.AttributeValueMemberB); ok {
			all.Write(b.Value)
		}
		for _, s := range d.secrets {
			if bytes.Contains(all.Bytes(), []byte(s)) {
				return "", fmt.Errorf("stored item %v holds a plaintext secret", item["SK"])
			}
		}
	}
	return fmt.Sprintf("%d credentials read raw: no password in any item", len(items)), nil
}

func (d *demo) reveals(ctx context.Context) {
	reveal := func(ez *EzyPass) func(ctx context.Context) (string, error) {
		return func(ctx context.Context) (string, error) {
			c, err := ez.Reveal(ctx, ann, d.work.Site, d.work.ID)
			if err == nil && c.Secret != d.secrets[1] {
				err = fmt.Errorf("revealed %q, stored %q", c.Secret, d.secrets[1])
			}
			return fmt.Sprintf("%s %s: %s", c.Site, c.Login, c.Secret), err
		}
	}
	if d.ring != nil {
		d.step(ctx, "reveal secret (new process)", reveal(d.as(d.ring.cipher(d.ring.old))))
	}
	d.step(ctx, "reveal secret", reveal(d.ez))
	d.step(ctx, "reveal with a wrong key (rejected)", func(ctx context.Context) (string, error) {
		wrong, err := tablemap.LocalKey(make([]byte, tablemap.KeySize))
		if d.ring != nil && d.ring.new != "" {
			wrong = d.ring.cipher(d.ring.new) // a key ring without the key of the secret
		} else if err != nil {
			return "", err
		}
		_, err = d.as(wrong).Reveal(ctx, ann, d.work.Site, d.work.ID)
		if !errors.Is(err, tablemap.ErrDecrypt) {
			return "", fmt.Errorf("read with a wrong key: %v, want ErrDecrypt", err)
		}
		if errors.Is(err, kmskey.ErrKeyNotAllowed) {
			return fmt.Sprintf("rejected, ErrDecrypt: data key wrapped under …%s, not in the key ring (no KMS call)", short(d.ring.old)), nil
		}
		msg := err.Error()
		if i := strings.Index(msg, "attribute "); i >= 0 {
			msg = msg[i:]
		}
		return "rejected: " + msg, nil
	})
}

func (d *demo) updates(ctx context.Context) {
	d.step(ctx, "update password (version check)", func(ctx context.Context) (string, error) {
		password, err := GeneratePassword(24, Printable)
		if err != nil {
			return "", err
		}
		c, err := d.ez.UpdateSecret(ctx, d.work, password, ann)
		if err == nil && c.Secret != password {
			err = fmt.Errorf("updated secret reads %q, want %q", c.Secret, password)
		}
		stale := d.work.Version
		d.work, d.secrets[1] = c, password
		d.secrets = append(d.secrets, password)
		return fmt.Sprintf("%s %s: v%d -> v%d, updated_by=%s", c.Site, c.Login, stale, c.Version, c.UpdatedBy), err
	})
	d.step(ctx, "update stale version (rejected)", func(ctx context.Context) (string, error) {
		stale := d.work
		stale.Version--
		_, err := d.ez.UpdateSecret(ctx, stale, "edited on an old copy", ann)
		if !errors.Is(err, tablemap.ErrVersionConflict) {
			return "", fmt.Errorf("update of version %d: %v, want ErrVersionConflict", stale.Version, err)
		}
		return fmt.Sprintf("rejected: v%d is stale, v%d is stored", stale.Version, d.work.Version), nil
	})
	d.step(ctx, "delete credential", func(ctx context.Context) (string, error) {
		old, err := d.ez.Delete(ctx, d.personal)
		return fmt.Sprintf("deleted %s %s (v%d)", old.Site, old.Login, old.Version), err
	})
}

// rotation re-encrypts ann's secrets under the new master key: find the
// stale ones (no KMS), re-encrypt two, "crash", resume, and read with the
// old key disabled.
func (d *demo) rotation(ctx context.Context) {
	if d.ring == nil || d.ring.new == "" {
		fmt.Fprintln(d.app.Out, "rotate master key: needs KMS (-kms, or -kms-key and -kms-new-key)")
		return
	}
	rotated := d.as(d.ring.cipher(d.ring.new, d.ring.old))
	var stale []map[string]types.AttributeValue
	find := func(ctx context.Context) (string, error) {
		var err error
		var next map[string]types.AttributeValue
		stale, next, err = rotated.StaleSecrets(ctx, ann, d.ring.new, nil)
		if err == nil && next != nil {
			err = errors.New("more than one page of credentials") // the demo has a few
		}
		return fmt.Sprintf("%d secrets under an old key", len(stale)), err
	}
	reencrypt := func(n int) func(ctx context.Context) (string, error) {
		return func(ctx context.Context) (string, error) {
			n := min(n, len(stale))
			if n == 0 {
				return "nothing to do", nil
			}
			err := rotated.Reencrypt(ctx, stale[:n], "key rotation")
			return fmt.Sprintf("%d secrets now under …%s (one transaction)", n, short(d.ring.new)), err
		}
	}
	d.step(ctx, "rotate master key: find stale", find)
	d.step(ctx, "rotate master key: re-encrypt 2", reencrypt(2))
	fmt.Fprintln(d.app.Out, "(rotation interrupted: run it again)")
	d.step(ctx, "rotate master key: find stale", find)
	d.step(ctx, "rotate master key: re-encrypt rest", reencrypt(100))
	d.step(ctx, "rotate master key: find stale", find)

	if d.ring.local {
		_, err := d.ring.admin.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(d.ring.old)})
		if err != nil {
			fmt.Fprintln(d.app.Out, "disable old key:", err)
			return
		}
	}
	newOnly := d.as(d.ring.cipher(d.ring.new))
	d.step(ctx, "reveal after rotation", func(ctx context.Context) (string, error) {
		c, err := newOnly.Reveal(ctx, ann, d.work.Site, d.work.ID)
		if err == nil && c.Secret != d.secrets[1] {
			err = fmt.Errorf("revealed %q, stored %q", c.Secret, d.secrets[1])
		}
		return fmt.Sprintf("%s %s: %s (old key disabled, updated_by=%q)", c.Site, c.Login, c.Secret, c.UpdatedBy), err
	})
}
