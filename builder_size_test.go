package tablemap_test

import (
	"testing"
	"time"
	"unsafe"

	"github.com/tablemap/tablemap"
)

// sizePhoto is a small entity of 96 bytes, as bench's OpPhoto.
type sizePhoto struct {
	_        struct{}  `tablemap:"Photo" pk:"USER#{username}" sk:"PHOTO#{taken}"`
	Username string    `dynamo:"username"`
	Taken    time.Time `dynamo:"taken"`
	URL      string    `dynamo:"url"`
	Width    int       `dynamo:"width"`
	Height   int       `dynamo:"height"`
	Tags     []string  `dynamo:"tags"`
}

// TestQueryBuilderSize keeps the Query builder of a small entity, one
// allocation per query, within 512 bytes: Go puts an 8-byte malloc header
// on larger objects that hold pointers, so one byte more costs a 640-byte
// size class through the slower header path (a third of a Params query's
// bytes when it was 616).
func TestQueryBuilderSize(t *testing.T) {
	if n := unsafe.Sizeof(sizePhoto{}); n != 96 {
		t.Fatalf("sizePhoto is %d bytes, want 96 (bench's OpPhoto)", n)
	}
	q := unsafe.Sizeof(tablemap.Query[sizePhoto]{})
	sc := unsafe.Sizeof(tablemap.Scan[sizePhoto]{})
	t.Logf("Query %d bytes, Scan %d bytes", q, sc)
	if q > 512 {
		t.Errorf("Query[sizePhoto] is %d bytes, over 512: it gets a malloc header and a 640-byte size class", q)
	}
	if sc > 512 {
		t.Errorf("Scan[sizePhoto] is %d bytes, over 512: it gets a malloc header and a 640-byte size class", sc)
	}
}

// sizeUser is a small entity of 88 bytes, as bench's OpUser.
type sizeUser struct {
	_                   struct{} `tablemap:"User" pk:"USER#{id}" sk:"PROFILE"`
	ID, Name, Bio, Mail string
	A, B, C             int
}

// TestUpdateBuilderSize keeps the Update builder of a small entity within
// 512 bytes too, for the same reason (704 bytes went into a 768-byte
// class; the builder is allocated by every Update).
func TestUpdateBuilderSize(t *testing.T) {
	if n := unsafe.Sizeof(tablemap.Update[sizeUser]{}); n > 512 {
		t.Errorf("Update of a %d-byte entity is %d bytes, over 512", unsafe.Sizeof(sizeUser{}), n)
	}
}
