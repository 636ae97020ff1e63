package tablemap_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tablemap/tablemap"
)

// TestCursorHidesKey checks that a page cursor carries its key encrypted:
// neither the partition nor the sort key can be read out of it.
func TestCursorHidesKey(t *testing.T) {
	t.Parallel()
	_, _, posts, _, _ := postTable(t)
	for i := 1; i <= 3; i++ {
		put(t, posts, qPost{User: "acme-rocket", Posted: minute(i), ID: i, Topic: "launch"})
	}
	for _, q := range []*tablemap.Query[qPost]{
		posts.Query(qPost{User: "acme-rocket"}).Limit(1),
		posts.Query(qPost{Topic: "launch"}).Index("GSI1").Limit(1),
	} {
		p, err := q.Page(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		raw, err := base64.RawURLEncoding.DecodeString(p.Next)
		if err != nil {
			t.Fatal(err)
		}
		for _, clear := range []string{"acme-rocket", "launch", "POST#", "2025-01-02"} {
			if strings.Contains(string(raw), clear) {
				t.Errorf("cursor %q shows %q in clear", p.Next, clear)
			}
		}
		next, err := q.Page(ctx, p.Next)
		if err != nil {
			t.Fatal(err)
		}
		diff(t, "second page", []int{2}, ids(next.Items))
	}
}

// forgeV1 returns a cursor in the old signed-only format, with the MAC
// keyed by the documented default key of the table.
func forgeV1(table string, key map[string]string, attrs ...string) string {
	app := func(b []byte, s string) []byte { return append(binary.AppendUvarint(b, uint64(len(s))), s...) }
	b := []byte{1}
	b = app(b, "Post")
	b = app(b, "")
	b = binary.AppendUvarint(b, uint64(len(attrs)))
	for _, a := range attrs {
		b = app(app(b, a), key[a])
	}
	k := sha256.Sum256([]byte("tablemap cursor v1\x00" + table))
	m := hmac.New(sha256.New, k[:])
	m.Write(b)
	return base64.RawURLEncoding.EncodeToString(append(b, m.Sum(nil)[:12]...))
}

// TestCursorChecksQuery checks the cursor refusals added with encryption:
// a cursor forged with a public key, a cursor of another sort key
// condition or order, and an expired cursor are ErrInvalidCursor before
// any request.
func TestCursorChecksQuery(t *testing.T) {
	t.Parallel()
	var now atomic.Int64
	now.Store(t0.UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	tbl, m, posts, _, _ := postTable(t, tablemap.WithClock(clock), tablemap.WithCursorMaxAge(time.Hour))
	for i := 1; i <= 4; i++ {
		put(t, posts, qPost{User: "ann", Posted: minute(i), ID: i})
	}
	k2, err := posts.Key(qPost{User: "ann", Posted: minute(2), ID: 2})
	if err != nil {
		t.Fatal(err)
	}
	base := func() *tablemap.Query[qPost] { return posts.Query(qPost{User: "ann"}).Limit(2) }
	p, err := base().Page(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	newest, err := base().Newest().Page(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	greater, err := base().SKGreater(qPost{Posted: minute(1), ID: 1}).Limit(1).Page(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	m.Reset()
	for name, c := range map[string]struct {
		q      *tablemap.Query[qPost]
		cursor string
	}{
		"forged with the public key": {base(), forgeV1(tbl.Name(), map[string]string{"PK": k2.PK, "SK": k2.SK}, "PK", "SK")},
		"another condition":          {base().SKLess(qPost{Posted: minute(3), ID: 3}), p.Next},
		"condition dropped":          {base(), greater.Next},
		"another condition value":    {base().SKGreater(qPost{Posted: minute(2), ID: 2}), greater.Next},
		"another order":              {base(), newest.Next},
		"same condition, reversed":   {base().Newest(), p.Next},
	} {
		_, err := c.q.Page(ctx, c.cursor)
		if !errors.Is(err, tablemap.ErrInvalidCursor) {
			t.Errorf("%s: error %v, want ErrInvalidCursor", name, err)
		}
	}
	if n := m.Requests(); n != 0 {
		t.Errorf("%d requests sent with invalid cursors, want 0", n)
	}

	// The same condition resumes; past the max age, the cursor expires.
	got, err := base().SKGreater(qPost{Posted: minute(1), ID: 1}).Limit(1).Page(ctx, greater.Next)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "resumed after post 2", []int{3}, ids(got.Items))
	now.Add(int64(time.Hour + time.Second))
	m.Reset()
	if _, err := base().Page(ctx, p.Next); !errors.Is(err, tablemap.ErrInvalidCursor) || !strings.Contains(err.Error(), "expired") {
		t.Errorf("cursor past its max age: error %v, want ErrInvalidCursor (expired)", err)
	}
	if n := m.Requests(); n != 0 {
		t.Errorf("%d requests sent with an expired cursor, want 0", n)
	}
}
