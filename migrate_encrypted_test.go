package tablemap_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/dynamotest"
)

type secretV1 struct {
	_     struct{} `tablemap:"Secret" pk:"OWNER#{owner}" sk:"SECRET#{id}"`
	Owner string   `dynamo:"owner"`
	ID    int      `dynamo:"id"`
	Name  string   `dynamo:"name"`
	Body  string   `dynamo:"body,encrypted"`
}

type secretV2 struct {
	_     struct{} `tablemap:"Secret" pk:"OWNER#{owner}" sk:"SECRET#{name}#{id}"`
	Owner string   `dynamo:"owner"`
	ID    int      `dynamo:"id"`
	Name  string   `dynamo:"name"`
	Body  string   `dynamo:"body,encrypted"`
}

// TestMigrateEncrypted re-keys items with an encrypted attribute (sealed
// anew for the new key), with a concurrent write in the middle of one
// item's migration: the write wins and the item is migrated from it.
func TestMigrateEncrypted(t *testing.T) {
	t.Parallel()
	cipher, err := tablemap.LocalKey(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	m := tablemap.NewMeter()
	client := dynamotest.Client(t, m.Attach)
	name := dynamotest.TableName(t)
	tOld := tablemap.NewTable(client, name, tablemap.WithCipher(cipher))
	tNew := tablemap.NewTable(client, name, tablemap.WithCipher(cipher))
	old, new := tablemap.MustDefine[secretV1](tOld), tablemap.MustDefine[secretV2](tNew)
	if err := tNew.CreateTable(migCtx); err != nil {
		t.Fatal(err)
	}
	secret := func(i int) secretV1 {
		return secretV1{Owner: "ann", ID: i, Name: fmt.Sprint("n", i%5), Body: fmt.Sprint("body ", i)}
	}
	for i := range 60 {
		if err := old.Put(secret(i)).Run(migCtx); err != nil {
			t.Fatal(err)
		}
	}
	const raced = 7
	calls := 0
	move := func(s secretV1) (secretV2, tablemap.MigrateAction, error) {
		if s.ID == raced {
			if calls++; calls == 1 { // the application writes between the read and the write
				_, err := old.Update(secretV1{Owner: "ann", ID: raced}).Set("body", "written during the migration").Run(migCtx)
				if err != nil {
					return secretV2{}, 0, err
				}
			}
		}
		return secretV2(s), tablemap.MigrateRewrite, nil
	}
	rep, err := tablemap.Migrate(old, new, move).Segments(1).Verify().Run(migCtx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rekeyed != 60 || rep.Retried != 1 || rep.Verified.Mismatched != 0 {
		t.Errorf("counts %+v, verification %+v; want 60 re-keyed, 1 retried, no mismatch", rep.MigrateCounts, rep.Verified)
	}
	for i := range 60 {
		want := secretV2(secret(i))
		if i == raced {
			want.Body = "written during the migration"
		}
		got, err := new.Get(want).Run(migCtx)
		if err != nil || got != want {
			t.Errorf("secret %d: %+v, %v; want %+v", i, got, err, want)
		}
		if _, err := old.Get(secret(i)).Run(migCtx); !errors.Is(err, tablemap.ErrNotFound) {
			t.Errorf("secret %d at its old key: %v, want ErrNotFound", i, err)
		}
	}
	m.Reset()
	rep, err = tablemap.Migrate(old, new, move).Run(migCtx)
	if w := m.Requests("PutItem", "DeleteItem", "TransactWriteItems"); err != nil || w != 0 || rep.Skipped != 60 {
		t.Errorf("second run: %v, %d writes, counts %+v; want 60 skipped (ciphertexts differ, plaintexts equal)", err, w, rep.MigrateCounts)
	}
}
