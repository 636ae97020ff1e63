package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/tablemap/tablemap"
)

// BenchmarkQueryAll100k iterates a query of 100,000 items, answered by an
// in-process stub in 100 pages of 1,000 items, and samples the heap in use
// once per page: it stays bounded by about one page, whatever the size of
// the result, because All decodes and yields one response at a time.
//
// Reported: heap-base-MiB, in use before the iteration (the stub's canned
// page included); heap-peak-MiB, the most in use during it; page-KiB, the
// size of one response on the wire; result-MiB, the wire size of the whole
// result (what a reader holding every item would hold at least).
func BenchmarkQueryAll100k(b *testing.B) {
	const pages, perPage = 100, 1000
	items := make([]string, perPage)
	for i := range items {
		items[i] = photoJSON(i)
	}
	head := []byte(`{"Count":1000,"ScannedCount":1000,"Items":[` + strings.Join(items, ",") + `]`)
	pageNo := regexp.MustCompile(`PAGE#(\d+)`)
	respond := func(op string, req []byte) io.Reader {
		if op != "Query" {
			return strings.NewReader(`{}`)
		}
		n := 0 // the page after the start key's
		if m := pageNo.FindSubmatch(req); m != nil {
			n, _ = strconv.Atoi(string(m[1]))
			n++
		}
		tail := `}`
		if n < pages-1 {
			tail = fmt.Sprintf(`,"LastEvaluatedKey":{"PK":{"S":"USER#ann"},"SK":{"S":"PAGE#%05d"}}}`, n)
		}
		return io.MultiReader(bytes.NewReader(head), strings.NewReader(tail))
	}
	photos := tablemap.MustDefine[OpPhoto](tablemap.NewTable(stubClient(respond), "bench"))
	ctx := context.Background()

	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapInuse, ms.HeapInuse
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for p, err := range photos.Query(OpPhoto{Username: "ann"}).All(ctx) {
			if err != nil {
				b.Fatal(err)
			}
			if p.Width != 4032 {
				b.Fatalf("item %d: width %d", n, p.Width)
			}
			if n%perPage == perPage-1 {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
			n++
		}
		if n != pages*perPage {
			b.Fatalf("%d items, want %d", n, pages*perPage)
		}
	}
	const mib = 1 << 20
	b.ReportMetric(float64(base)/mib, "heap-base-MiB")
	b.ReportMetric(float64(peak)/mib, "heap-peak-MiB")
	b.ReportMetric(float64(len(head))/1024, "page-KiB")
	b.ReportMetric(float64(pages*len(head))/mib, "result-MiB")
}
