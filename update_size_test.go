package tablemap

import (
	"testing"
	"unsafe"
)

// TestUpdateBuilderFitsWithoutHeader checks that the Update builder of a
// small entity stays at most 512 bytes: Go puts an 8-byte header on
// objects over 512 bytes that hold pointers, and allocates them on a slower
// path into a bigger size class (704 bytes went into 768). The builder is
// allocated by every Update, so this is a good share of Params' cost.
func TestUpdateBuilderFitsWithoutHeader(t *testing.T) {
	type small struct {
		_                   struct{} `tablemap:"Small" pk:"S#{id}" sk:"S"`
		ID, Name, Bio, Mail string
		A, B, C             int
	}
	if n := unsafe.Sizeof(Update[small]{}); n > 512 {
		t.Errorf("Update of a %d-byte entity is %d bytes, over 512", unsafe.Sizeof(small{}), n)
	}
}
