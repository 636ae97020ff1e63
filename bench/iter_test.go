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

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/tablemap/tablemap"
)

// BenchmarkQueryAll100k iterates a query of 100,000 items, answered by an
// in-process stub in 100 pages of 1,000 items, and samples the heap in use
// once per page: it stays bounded by about one page, whatever the size of
// the result, because All decodes and yields one response at a time.
//
// Reported: heap-base-MiB, in use before the iteration (the stub's canned
// page included); heap-peak-MiB, the most in use during it; page-KiB, the
// size of one response on the wire; page-heap-MiB, the heap one response
// takes once the SDK has decoded it; result-MiB, the wire size of the whole
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
	client := stubClient(&stub{respond: respond})
	photos := tablemap.MustDefine[OpPhoto](tablemap.NewTable(client, "bench"))
	ctx := context.Background()

	// The heap one page takes once the SDK has decoded it.
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	before := ms.HeapAlloc
	page, err := client.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("bench")})
	if err != nil || len(page.Items) != perPage {
		b.Fatalf("page of %d items: %v", len(page.Items), err)
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	pageHeap := ms.HeapAlloc - before
	runtime.KeepAlive(page)
	page = nil

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
	b.ReportMetric(float64(pageHeap)/mib, "page-heap-MiB")
	b.ReportMetric(float64(pages*len(head))/mib, "result-MiB")
}
