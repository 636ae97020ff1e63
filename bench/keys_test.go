package bench

import (
	"testing"
	"time"

	"github.com/tablemap/tablemap"
)

// BenchmarkKey builds a photo's table key (a string and a time field) and
// parses one back, as projected queries do for the fields they leave out.
func BenchmarkKey(b *testing.B) {
	photos := tablemap.MustDefine[OpPhoto](tablemap.NewTable(nil, "bench"))
	v := OpPhoto{Username: "ann", Taken: time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)}
	k, err := photos.Key(v)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Key", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := photos.Key(v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ParseKey", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := photos.ParseKey(k.PK, k.SK); err != nil {
				b.Fatal(err)
			}
		}
	})
}
