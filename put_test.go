package tablemap_test

import (
	"testing"
)

func TestPutGetRoundTrip(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	photos := define[Photo](t, tbl)
	create(t, tbl, m)

	p := Photo{Username: "ann", Taken: taken, URL: "https://x/1.jpg", Tags: []string{"sea", "sun"}, Likes: 3}
	if err := photos.Put(p).Run(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := photos.Get(Photo{Username: "ann", Taken: taken}).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "photo", p, got)
	if n := m.Requests(); n != 2 {
		t.Errorf("%d requests, want 2 (%v)", n, m)
	}
}
