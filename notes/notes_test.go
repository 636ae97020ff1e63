package notes_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/dynamotest"
	"github.com/tablemap/tablemap/notes"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.Main(m)) }

var ctx = context.Background()

// setup returns a Store on a new table of its own and the meter of its
// client, reset.
func setup(t *testing.T) (*notes.Store, *tablemap.Meter) {
	t.Helper()
	m := tablemap.NewMeter()
	tbl := tablemap.NewTable(dynamotest.Client(t, m.Attach), dynamotest.TableName(t))
	store, err := notes.New(tbl)
	if err != nil {
		t.Fatal(err)
	}
	if err := tbl.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	m.Reset()
	return store, m
}

// oneRequest checks that exactly one request, of operation op, was sent
// since the last check, and resets the meter.
func oneRequest(t *testing.T, m *tablemap.Meter, op string) {
	t.Helper()
	if n, nop := m.Requests(), m.Requests(op); n != 1 || nop != 1 {
		t.Errorf("%d requests (%d %s), want 1 %s", n, nop, op, op)
	}
	m.Reset()
}

func noRequest(t *testing.T, m *tablemap.Meter) {
	t.Helper()
	if n := m.Requests(); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
	m.Reset()
}

func diff(t *testing.T, what string, want, got any, opts ...cmp.Option) {
	t.Helper()
	if d := cmp.Diff(want, got, opts...); d != "" {
		t.Errorf("%s differs (-want +got):\n%s", what, d)
	}
}

func mustCreate(t *testing.T, s *notes.Store, user, content, attachment string) notes.Note {
	t.Helper()
	n, err := s.Create(ctx, user, content, attachment)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func mustGet(t *testing.T, s *notes.Store, user, id string) notes.Note {
	t.Helper()
	n, err := s.Get(ctx, user, id)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func ptr(s string) *string { return &s }

// isErr checks that err matches want (and, for a tablemap sentinel,
// tablemap's too).
func isErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: error %v, want %v", what, err, want)
	}
}

func TestCreate(t *testing.T) {
	t.Parallel()
	s, m := setup(t)
	before := time.Now()
	n := mustCreate(t, s, "ann", "buy milk", "s3://notes/ann/list.png")
	oneRequest(t, m, "PutItem")

	if len(n.ID) != 26 {
		t.Errorf("id %q, want a ULID", n.ID)
	}
	if n.Created.Before(before.Add(-time.Second)) || n.Created.After(time.Now().Add(time.Second)) {
		t.Errorf("created %v, want about now", n.Created)
	}
	want := notes.Note{UserID: "ann", ID: n.ID, Content: "buy milk", Attachment: "s3://notes/ann/list.png",
		Version: 1, Created: n.Created, Updated: n.Created}
	diff(t, "created note", want, n)
	diff(t, "stored note", n, mustGet(t, s, "ann", n.ID))

	// No attachment; ids increase with creation.
	n2 := mustCreate(t, s, "ann", "call bob", "")
	if n2.ID <= n.ID {
		t.Errorf("second id %s not after first %s", n2.ID, n.ID)
	}
	diff(t, "stored note without attachment", n2, mustGet(t, s, "ann", n2.ID))
	if n2.Attachment != "" {
		t.Errorf("attachment %q, want none", n2.Attachment)
	}
}

func TestCreateInvalid(t *testing.T) {
	t.Parallel()
	s, m := setup(t)
	tests := []struct {
		name                      string
		user, content, attachment string
	}{
		{"empty user", "", "x", ""},
		{"empty content", "ann", "", ""},
		{"long user", strings.Repeat("u", notes.MaxUserIDLen+1), "x", ""},
		{"long content", "ann", strings.Repeat("c", notes.MaxContentLen+1), ""},
		{"long attachment", "ann", "x", strings.Repeat("a", notes.MaxAttachmentLen+1)},
		{"user not UTF-8", "ann\xff", "x", ""},
		{"content not UTF-8", "ann", "\xff", ""},
	}
	for _, tt := range tests {
		_, err := s.Create(ctx, tt.user, tt.content, tt.attachment)
		isErr(t, tt.name, err, notes.ErrInvalid)
		noRequest(t, m)
	}
	// The largest note fits.
	n := mustCreate(t, s, strings.Repeat("%", notes.MaxUserIDLen), strings.Repeat("c", notes.MaxContentLen), strings.Repeat("a", notes.MaxAttachmentLen))
	oneRequest(t, m, "PutItem")
	diff(t, "largest note", n, mustGet(t, s, n.UserID, n.ID))
}

func TestGet(t *testing.T) {
	t.Parallel()
	s, m := setup(t)
	n := mustCreate(t, s, "ann", "buy milk", "")
	m.Reset()

	got, err := s.Get(ctx, "ann", n.ID)
	if err != nil {
		t.Fatal(err)
	}
	oneRequest(t, m, "GetItem")
	diff(t, "note", n, got)

	other := mustCreate(t, s, "bob", "x", "") // a valid id that ann has no note of
	m.Reset()
	_, err = s.Get(ctx, "ann", other.ID)
	oneRequest(t, m, "GetItem")
	isErr(t, "missing note", err, notes.ErrNotFound)
	isErr(t, "missing note", err, tablemap.ErrNotFound)

	for _, id := range []string{"", "x", strings.ToLower(n.ID), n.ID[:25], n.ID + "0", "8" + n.ID[1:], n.ID[:25] + "#", n.ID[:25] + "U"} {
		_, err := s.Get(ctx, "ann", id)
		isErr(t, fmt.Sprintf("id %q", id), err, notes.ErrInvalid)
		noRequest(t, m)
	}
	_, err = s.Get(ctx, "", n.ID)
	isErr(t, "empty user", err, notes.ErrInvalid)
	noRequest(t, m)
}

func TestList(t *testing.T) {
	t.Parallel()
	s, m := setup(t)
	a := mustCreate(t, s, "ann", "first", "")
	b := mustCreate(t, s, "ann", "second", "s3://b")
	c := mustCreate(t, s, "ann", "third", "")
	m.Reset()

	page, err := s.List(ctx, "ann", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	oneRequest(t, m, "Query")
	diff(t, "page", notes.Page{Notes: []notes.Note{c, b, a}}, page)

	page, err = s.List(ctx, "nobody", "", 10)
	if err != nil {
		t.Fatal(err)
	}
	oneRequest(t, m, "Query")
	diff(t, "page of a user without notes", notes.Page{Notes: []notes.Note{}}, page)
}

// TestListPages lists 45 notes 20 at a time: 20, 20, 5, newest first,
// each note once; and 40 notes in two pages, the second saying it is the
// last.
func TestListPages(t *testing.T) {
	t.Parallel()
	s, m := setup(t)
	var created []notes.Note
	for i := range 45 {
		created = append(created, mustCreate(t, s, "ann", fmt.Sprintf("note %d", i), ""))
	}
	for i := range 40 {
		mustCreate(t, s, "bob", fmt.Sprintf("note %d", i), "")
	}
	m.Reset()

	var listed []notes.Note
	var sizes []int
	cursor := ""
	for range 10 {
		page, err := s.List(ctx, "ann", cursor, 20)
		if err != nil {
			t.Fatal(err)
		}
		oneRequest(t, m, "Query")
		listed = append(listed, page.Notes...)
		sizes = append(sizes, len(page.Notes))
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	diff(t, "page sizes", []int{20, 20, 5}, sizes)
	slices.Reverse(created)
	diff(t, "notes listed", created, listed)

	sizes = nil
	for cursor = ""; ; {
		page, err := s.List(ctx, "bob", cursor, 20)
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(page.Notes))
		if cursor = page.Next; cursor == "" || len(sizes) == 10 {
			break
		}
	}
	diff(t, "page sizes of 40 notes", []int{20, 20}, sizes)
}

func TestListLimit(t *testing.T) {
	t.Parallel()
	s, m := setup(t)
	for i := range notes.MaxPageSize + 1 {
		mustCreate(t, s, "ann", fmt.Sprintf("note %d", i), "")
	}
	m.Reset()
	for _, tt := range []struct{ limit, want int }{{0, notes.DefaultPageSize}, {1, 1}, {notes.MaxPageSize + 50, notes.MaxPageSize}} {
		page, err := s.List(ctx, "ann", "", tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		oneRequest(t, m, "Query")
		if len(page.Notes) != tt.want || page.Next == "" {
			t.Errorf("limit %d: %d notes, next %q; want %d and a next page", tt.limit, len(page.Notes), page.Next, tt.want)
		}
	}

	_, err := s.List(ctx, "ann", "", -1)
	isErr(t, "negative limit", err, notes.ErrInvalid)
	noRequest(t, m)
	_, err = s.List(ctx, "", "", 10)
	isErr(t, "empty user", err, notes.ErrInvalid)
	noRequest(t, m)
	for _, c := range []string{"x", "!!!", "MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMA#", "YW5uI05PVEU"} {
		_, err = s.List(ctx, "ann", c, 10)
		isErr(t, "cursor "+c, err, notes.ErrInvalidCursor)
		noRequest(t, m)
	}
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	s, m := setup(t)
	n := mustCreate(t, s, "ann", "buy milk", "s3://a")
	m.Reset()

	// Content only: the attachment stays.
	got, err := s.Update(ctx, "ann", n.ID, 1, notes.Change{Content: ptr("buy oat milk")})
	if err != nil {
		t.Fatal(err)
	}
	oneRequest(t, m, "UpdateItem")
	if got.Updated.Before(n.Updated) {
		t.Errorf("updated %v before %v", got.Updated, n.Updated)
	}
	want := n
	want.Content, want.Version, want.Updated = "buy oat milk", 2, got.Updated
	diff(t, "note after content change", want, got)
	diff(t, "stored note", got, mustGet(t, s, "ann", n.ID))
	m.Reset()

	// Attachment only: the content stays.
	got, err = s.Update(ctx, "ann", n.ID, 2, notes.Change{Attachment: ptr("s3://b")})
	if err != nil {
		t.Fatal(err)
	}
	oneRequest(t, m, "UpdateItem")
	want.Attachment, want.Version, want.Updated = "s3://b", 3, got.Updated
	diff(t, "note after attachment change", want, got)

	// Remove the attachment, change the content.
	got, err = s.Update(ctx, "ann", n.ID, 3, notes.Change{Content: ptr("done"), RemoveAttachment: true})
	if err != nil {
		t.Fatal(err)
	}
	oneRequest(t, m, "UpdateItem")
	want.Content, want.Attachment, want.Version, want.Updated = "done", "", 4, got.Updated
	diff(t, "note after removing the attachment", want, got)
	diff(t, "stored note", got, mustGet(t, s, "ann", n.ID))
}

func TestUpdateErrors(t *testing.T) {
	t.Parallel()
	s, m := setup(t)
	n := mustCreate(t, s, "ann", "buy milk", "")
	missing := mustCreate(t, s, "bob", "x", "").ID // a valid id that ann has no note of
	m.Reset()

	// A missing note is ErrNotFound, whatever the version, and is not created.
	for _, v := range []int{1, 7} {
		_, err := s.Update(ctx, "ann", missing, v, notes.Change{Content: ptr("y")})
		oneRequest(t, m, "UpdateItem")
		isErr(t, "missing note", err, notes.ErrNotFound)
		if errors.Is(err, notes.ErrVersionConflict) {
			t.Errorf("missing note: error %v is also a version conflict", err)
		}
		if _, err := s.Get(ctx, "ann", missing); !errors.Is(err, notes.ErrNotFound) {
			t.Errorf("after the update of a missing note, get: %v, want ErrNotFound", err)
		}
		m.Reset()
	}

	// A stale version is ErrVersionConflict and changes nothing.
	if _, err := s.Update(ctx, "ann", n.ID, 1, notes.Change{Content: ptr("v2")}); err != nil {
		t.Fatal(err)
	}
	m.Reset()
	for _, v := range []int{1, 3} {
		_, err := s.Update(ctx, "ann", n.ID, v, notes.Change{Content: ptr("stale")})
		oneRequest(t, m, "UpdateItem")
		isErr(t, fmt.Sprintf("version %d", v), err, notes.ErrVersionConflict)
		isErr(t, fmt.Sprintf("version %d", v), err, tablemap.ErrVersionConflict)
		if errors.Is(err, notes.ErrNotFound) {
			t.Errorf("version %d: error %v is also not found", v, err)
		}
	}
	if got := mustGet(t, s, "ann", n.ID); got.Content != "v2" || got.Version != 2 {
		t.Errorf("stored content %q version %d, want v2 and 2", got.Content, got.Version)
	}
	m.Reset()

	invalid := []struct {
		name    string
		id      string
		version int
		change  notes.Change
	}{
		{"no change", n.ID, 2, notes.Change{}},
		{"set and remove the attachment", n.ID, 2, notes.Change{Attachment: ptr("s3://x"), RemoveAttachment: true}},
		{"empty content", n.ID, 2, notes.Change{Content: ptr("")}},
		{"empty attachment", n.ID, 2, notes.Change{Attachment: ptr("")}},
		{"long content", n.ID, 2, notes.Change{Content: ptr(strings.Repeat("c", notes.MaxContentLen+1))}},
		{"version 0", n.ID, 0, notes.Change{Content: ptr("x")}},
		{"bad id", "note-1", 2, notes.Change{Content: ptr("x")}},
	}
	for _, tt := range invalid {
		_, err := s.Update(ctx, "ann", tt.id, tt.version, tt.change)
		isErr(t, tt.name, err, notes.ErrInvalid)
		noRequest(t, m)
	}
}

func TestDelete(t *testing.T) {
	t.Parallel()
	s, m := setup(t)
	n := mustCreate(t, s, "ann", "buy milk", "s3://notes/ann/list.png")
	keep := mustCreate(t, s, "ann", "keep me", "")
	m.Reset()

	old, err := s.Delete(ctx, "ann", n.ID)
	if err != nil {
		t.Fatal(err)
	}
	oneRequest(t, m, "DeleteItem")
	diff(t, "deleted note", n, old)

	_, err = s.Get(ctx, "ann", n.ID)
	isErr(t, "get deleted note", err, notes.ErrNotFound)
	m.Reset()
	_, err = s.Delete(ctx, "ann", n.ID)
	oneRequest(t, m, "DeleteItem")
	isErr(t, "delete deleted note", err, notes.ErrNotFound)

	page, err := s.List(ctx, "ann", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "notes left", []notes.Note{keep}, page.Notes)
	m.Reset()
	_, err = s.Delete(ctx, "ann", "not-an-id")
	isErr(t, "bad id", err, notes.ErrInvalid)
	noRequest(t, m)
}

// TestIsolation gives users whose ids hold the key delimiter and the escape
// character notes, and checks no user reaches another's.
func TestIsolation(t *testing.T) {
	t.Parallel()
	s, m := setup(t)
	users := []string{"ann", "ann#NOTE", "ann%23NOTE", "ann#", "anne", "ANN", "ann NOTE"}
	own := map[string]notes.Note{}
	for _, u := range users {
		own[u] = mustCreate(t, s, u, "note of "+u, "")
	}
	// A user whose id ends in another user's note key.
	tricky := "ann#NOTE#" + own["ann"].ID
	own[tricky] = mustCreate(t, s, tricky, "tricky", "")
	users = append(users, tricky)
	m.Reset()

	// The partitions the package doc names.
	for user, pk := range map[string]string{"ann": "USER#ann", "ann#NOTE": "USER#ann%23NOTE", "ann%23NOTE": "USER#ann%2523NOTE"} {
		k, err := s.Entity().Key(own[user])
		if err != nil {
			t.Fatal(err)
		}
		diff(t, "key of "+user, tablemap.Key{PK: pk, SK: "NOTE#" + own[user].ID}, k)
	}

	for _, u := range users {
		page, err := s.List(ctx, u, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		oneRequest(t, m, "Query")
		diff(t, "notes of "+u, notes.Page{Notes: []notes.Note{own[u]}}, page)
		for _, other := range users {
			if other == u {
				continue
			}
			id := own[other].ID
			if _, err := s.Get(ctx, u, id); !errors.Is(err, notes.ErrNotFound) {
				t.Errorf("%s gets the note of %s: %v", u, other, err)
			}
			if _, err := s.Update(ctx, u, id, 1, notes.Change{Content: ptr("mine")}); !errors.Is(err, notes.ErrNotFound) {
				t.Errorf("%s updates the note of %s: %v", u, other, err)
			}
			if _, err := s.Delete(ctx, u, id); !errors.Is(err, notes.ErrNotFound) {
				t.Errorf("%s deletes the note of %s: %v", u, other, err)
			}
		}
		m.Reset()
	}
	for _, u := range users {
		diff(t, "note of "+u+" after the others tried", own[u], mustGet(t, s, u, own[u].ID))
	}

	// A cursor of one user's list, used by another, lists only the other's.
	mustCreate(t, s, "ann", "second", "")
	page, err := s.List(ctx, "ann", "", 1)
	if err != nil || page.Next == "" {
		t.Fatalf("list: %v, next %q", err, page.Next)
	}
	for _, u := range users[1:] {
		other, err := s.List(ctx, u, page.Next, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range other.Notes {
			if n.UserID != u {
				t.Errorf("%s lists a note of %s with ann's cursor", u, n.UserID)
			}
		}
	}
}

// TestConcurrentUpdate races two writers on one note with the same version,
// round after round: exactly one wins, the other gets ErrVersionConflict,
// the stored note is the winner's, and the loser, reading again, applies
// its change after it: nothing is lost.
func TestConcurrentUpdate(t *testing.T) {
	t.Parallel()
	s, _ := setup(t)
	for round := range 20 {
		n := mustCreate(t, s, "ann", "start", "")
		contents := []string{fmt.Sprintf("writer A, round %d", round), fmt.Sprintf("writer B, round %d", round)}
		var (
			got  [2]notes.Note
			errs [2]error
			wg   sync.WaitGroup
			go1  = make(chan struct{})
		)
		for i := range 2 {
			wg.Go(func() {
				<-go1
				got[i], errs[i] = s.Update(ctx, "ann", n.ID, n.Version, notes.Change{Content: &contents[i]})
			})
		}
		close(go1)
		wg.Wait()

		var winner, loser int
		switch {
		case errs[0] == nil && errors.Is(errs[1], notes.ErrVersionConflict):
			winner, loser = 0, 1
		case errs[1] == nil && errors.Is(errs[0], notes.ErrVersionConflict):
			winner, loser = 1, 0
		default:
			t.Fatalf("round %d: errors %v and %v; want one nil and one version conflict", round, errs[0], errs[1])
		}
		stored := mustGet(t, s, "ann", n.ID)
		diff(t, "stored note", got[winner], stored)
		if stored.Content != contents[winner] || stored.Version != n.Version+1 {
			t.Errorf("round %d: stored %q version %d, want %q version %d", round, stored.Content, stored.Version, contents[winner], n.Version+1)
		}

		retried, err := s.Update(ctx, "ann", n.ID, stored.Version, notes.Change{Content: &contents[loser]})
		if err != nil {
			t.Fatalf("round %d: the loser's retry: %v", round, err)
		}
		if retried.Content != contents[loser] || retried.Version != n.Version+2 {
			t.Errorf("round %d: after the retry %q version %d, want %q version %d", round, retried.Content, retried.Version, contents[loser], n.Version+2)
		}
	}
}

// Profile is another entity of a service that shares its table with the
// notes, in the same partitions.
type Profile struct {
	_    struct{} `tablemap:"Profile" pk:"USER#{user}" sk:"PROFILE"`
	User string   `dynamo:"user"`
	Name string   `dynamo:"name"`
}

// TestSharedTable defines the notes next to another entity on one table
// with key attributes of its own names.
func TestSharedTable(t *testing.T) {
	t.Parallel()
	m := tablemap.NewMeter()
	tbl := tablemap.NewTable(dynamotest.Client(t, m.Attach), dynamotest.TableName(t), tablemap.WithKeyAttributes("pk", "sk"))
	profiles, err := tablemap.Define[Profile](tbl)
	if err != nil {
		t.Fatal(err)
	}
	s, err := notes.New(tbl)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := notes.New(tbl); err == nil {
		t.Error("a second notes.New on one table: no error, want the entity defined twice")
	}
	if got := s.Entity().Name(); got != "Note" {
		t.Errorf("entity name %q, want Note", got)
	}
	if err := tbl.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	if err := profiles.Put(Profile{User: "ann", Name: "Ann"}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	n := mustCreate(t, s, "ann", "hello", "")
	m.Reset()

	page, err := s.List(ctx, "ann", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	oneRequest(t, m, "Query")
	diff(t, "notes next to a profile", notes.Page{Notes: []notes.Note{n}}, page)

	// The entity reads what the Store writes.
	got, err := s.Entity().Get(notes.Note{UserID: "ann", ID: n.ID}).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "note read through the entity", n, got, cmpopts.EquateApproxTime(0))
}

// TestUserIDLimitFitsKeys checks that the longest user id fits a
// partition key whatever its bytes escape to (three bytes at most each).
func TestUserIDLimitFitsKeys(t *testing.T) {
	if n := len("USER#") + 3*notes.MaxUserIDLen; n > tablemap.MaxPartitionKeyBytes {
		t.Errorf("a user id of %d bytes can make a partition key of %d bytes, over %d", notes.MaxUserIDLen, n, tablemap.MaxPartitionKeyBytes)
	}
}
