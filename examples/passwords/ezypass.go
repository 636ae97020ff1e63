package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/ulid"
	"github.com/tablemap/tablemap/kmskey"
)

// Audit is the record of changes that users and credentials carry: who
// made an item and who changed it last, when, and its version. Created and
// Updated are set by tablemap on every write; who made the change is the
// application's to say.
type Audit struct {
	Created   time.Time `dynamo:"created_at,created"`
	CreatedBy string    `dynamo:"created_by"`
	Updated   time.Time `dynamo:"updated_at,updated"`
	UpdatedBy string    `dynamo:"updated_by"`
	Version   int       `dynamo:"v,version"`
}

// User is an EzyPass account.
type User struct {
	_     struct{} `tablemap:"User" pk:"USER#{user}" sk:"PROFILE"`
	User  string   `dynamo:"user"`
	Name  string   `dynamo:"name"`
	Email string   `dynamo:"email"`
	Audit
}

// Credential is one login of a user on a site, in the user's partition.
// Its sort key starts with the site, so a user's credentials sort by site
// and one site's logins are one key prefix; ID, a ULID, tells several
// logins on one site apart, oldest first. Only Secret is encrypted.
type Credential struct {
	_      struct{} `tablemap:"Credential" pk:"USER#{user}" sk:"CRED#{site}#{id}"`
	User   string   `dynamo:"user"`
	Site   string   `dynamo:"site"`
	ID     string   `dynamo:"id"`
	Login  string   `dynamo:"login"`
	Secret string   `dynamo:"secret,encrypted"`
	Notes  string   `dynamo:"notes,omitempty"`
	Audit
}

// listed are the attributes a listing reads: everything but the secret,
// so a listing never decrypts (nor calls KMS).
var listed = []string{"site", "login", "notes", "created_at", "created_by", "updated_at", "updated_by", "v"}

// EzyPass is the password manager's data layer: every method is one
// DynamoDB request.
type EzyPass struct {
	tbl   *tablemap.Table
	users *tablemap.Entity[User]
	creds *tablemap.Entity[Credential]
}

// NewEzyPass defines EzyPass's entities on tbl, whose cipher encrypts the
// secrets.
func NewEzyPass(tbl *tablemap.Table) (*EzyPass, error) {
	users, err := tablemap.Define[User](tbl)
	if err != nil {
		return nil, err
	}
	creds, err := tablemap.Define[Credential](tbl)
	if err != nil {
		return nil, err
	}
	return &EzyPass{tbl: tbl, users: users, creds: creds}, nil
}

// Site normalises a site name: host names are case-insensitive, and the
// listing sorts by bytes.
func Site(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// AddUser creates a user; an existing one is ErrExists.
func (e *EzyPass) AddUser(ctx context.Context, u User, by string) (User, error) {
	u.CreatedBy, u.UpdatedBy = by, by
	put := e.users.Put(u).IfNotExists()
	if err := put.Run(ctx); err != nil {
		return User{}, err
	}
	return put.Value()
}

// GetUser reads a user.
func (e *EzyPass) GetUser(ctx context.Context, user string) (User, error) {
	return e.users.Get(User{User: user}).Consistent().Run(ctx)
}

// RenameUser changes a user's name if the user is still at version.
func (e *EzyPass) RenameUser(ctx context.Context, user string, version int, name, by string) (User, error) {
	return e.users.Update(User{User: user, Audit: Audit{Version: version}}).Set("name", name).Set("updated_by", by).Run(ctx)
}

// AddCredential stores a new login (its ID is made here) with its secret
// encrypted.
func (e *EzyPass) AddCredential(ctx context.Context, c Credential, by string) (Credential, error) {
	c.Site, c.ID, c.CreatedBy, c.UpdatedBy = Site(c.Site), ulid.New(), by, by
	if c.User == "" || c.Site == "" {
		return Credential{}, errors.New("a credential needs a user and a site")
	}
	put := e.creds.Put(c).IfNotExists()
	if err := put.Run(ctx); err != nil {
		return Credential{}, err
	}
	return put.Value()
}

// BySite returns the user's logins on site, oldest first, without secrets:
// one Query of the key prefix CRED#<site>#.
func (e *EzyPass) BySite(ctx context.Context, user, site string) ([]Credential, error) {
	page, err := e.creds.Query(Credential{User: user, Site: Site(site)}).Project(listed...).Page(ctx, "")
	if err != nil {
		return nil, err
	}
	return page.Items, notAll(page)
}

// List returns a page of the user's credentials by site, A to Z, without
// secrets: one Query; pass the returned cursor for the next page.
func (e *EzyPass) List(ctx context.Context, user string, limit int, cursor string) ([]Credential, string, error) {
	page, err := e.creds.Query(Credential{User: user}).Project(listed...).Limit(limit).Page(ctx, cursor)
	if err != nil {
		return nil, "", err
	}
	return page.Items, page.Next, nil
}

func notAll(page *tablemap.Page[Credential]) error {
	if page.Next != "" {
		return fmt.Errorf("more than one page of logins on %s", page.Items[0].Site)
	}
	return nil
}

// Reveal reads one credential with its secret: the only read that
// decrypts.
func (e *EzyPass) Reveal(ctx context.Context, user, site, id string) (Credential, error) {
	return e.creds.Get(Credential{User: user, Site: Site(site), ID: id}).Consistent().Run(ctx)
}

// UpdateSecret sets a credential's secret if it is still at c.Version.
func (e *EzyPass) UpdateSecret(ctx context.Context, c Credential, secret, by string) (Credential, error) {
	return e.creds.Update(Credential{User: c.User, Site: c.Site, ID: c.ID, Audit: Audit{Version: c.Version}}).
		Set("secret", secret).Set("updated_by", by).Run(ctx)
}

// Delete deletes a credential if it is still at c.Version.
func (e *EzyPass) Delete(ctx context.Context, c Credential) (Credential, error) {
	return e.creds.Delete(Credential{User: c.User, Site: c.Site, ID: c.ID, Audit: Audit{Version: c.Version}}).Run(ctx)
}

// Stored returns the user's credentials as DynamoDB stores them (one
// Query), to check what the table holds.
func (e *EzyPass) Stored(ctx context.Context, user string) ([]map[string]types.AttributeValue, error) {
	in, err := e.creds.Query(Credential{User: user}).Params()
	if err != nil {
		return nil, err
	}
	out, err := e.tbl.Client().Query(ctx, in)
	if err != nil {
		return nil, err
	}
	return out.Items, nil
}

// StaleSecrets returns the user's stored credentials, from start on (nil:
// the first), whose secret is under a data key that the KMS key keyARN did
// not wrap, and where to go on (nil: done). It is one Query and calls no
// KMS: each stored secret names the key that wrapped its data key.
func (e *EzyPass) StaleSecrets(ctx context.Context, user, keyARN string, start map[string]types.AttributeValue) (stale []map[string]types.AttributeValue, next map[string]types.AttributeValue, err error) {
	in, err := e.creds.Query(Credential{User: user}).Params()
	if err != nil {
		return nil, nil, err
	}
	in.ExclusiveStartKey, in.ConsistentRead = start, &consistent
	out, err := e.tbl.Client().Query(ctx, in)
	if err != nil {
		return nil, nil, err
	}
	for _, item := range out.Items {
		arn, err := wrappingKey(item["secret"])
		if err != nil {
			return nil, nil, fmt.Errorf("stored credential %v: %w", item["SK"], err)
		}
		if arn != keyARN {
			stale = append(stale, item)
		}
	}
	return stale, out.LastEvaluatedKey, nil
}

var consistent = true

// wrappingKey returns the ARN of the KMS key that wrapped the data key of
// a stored secret.
func wrappingKey(av types.AttributeValue) (string, error) {
	b, ok := av.(*types.AttributeValueMemberB)
	if !ok {
		return "", errors.New("secret is not a ciphertext")
	}
	w, err := tablemap.WrappedDataKey(b.Value)
	if err != nil {
		return "", err
	}
	return kmskey.WrappingKey(w)
}

// Reencrypt writes the secrets of stale credentials (as StaleSecrets
// returned them, at most 100) again under the table's current KMS key, in
// one transaction that applies only if none changed since it was read.
// A rotation is resumable: run StaleSecrets and Reencrypt again until
// nothing is stale; what was done is not done again.
func (e *EzyPass) Reencrypt(ctx context.Context, stale []map[string]types.AttributeValue, by string) error {
	if len(stale) == 0 || len(stale) > 100 {
		return fmt.Errorf("re-encrypt %d credentials: one transaction takes 1 to 100", len(stale))
	}
	tx := e.tbl.WriteTx()
	for _, item := range stale {
		c, err := e.creds.Decode(item) // decrypts under the old key
		if err != nil {
			return err
		}
		tx.Update(e.creds.Update(Credential{User: c.User, Site: c.Site, ID: c.ID, Audit: Audit{Version: c.Version}}).
			Set("secret", c.Secret).Set("updated_by", by))
	}
	return tx.Run(ctx)
}
