package tablemap_test

import (
	"fmt"

	"github.com/tablemap/tablemap"
)

// A table's design is read from its entities; an access pattern is named
// with the builder that serves it, and shows the request it sends.
func ExampleDesign_Pattern() {
	tbl := tablemap.NewTable(nil, "app") // no client: nothing is sent
	photos := tablemap.MustDefine[Photo](tbl)

	d := tbl.Design()
	err := d.Pattern("a user's photos, newest first", photos.Query(Photo{Username: "ann"}).Newest().Limit(20))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range d.Entities {
		for _, k := range e.Keys {
			fmt.Printf("%s %q: %s = %s, %s = %s\n", e.Name, k.Index, k.PartitionKey.Attribute, k.PartitionKey.Template, k.SortKey.Attribute, k.SortKey.Template)
		}
	}
	for _, p := range d.Patterns {
		fmt.Printf("%s (%d request): %s\n", p.Name, len(p.Requests), p.Requests[0])
	}
	// Output:
	// Photo "": PK = USER#{username}, SK = PHOTO#{taken}
	// Photo "GSI1": GSI1PK = PHOTOS, GSI1SK = {taken}#{username}
	// a user's photos, newest first (1 request): Query: (PK = "USER#ann") AND (begins_with (SK, "PHOTO#")); filter _type = "Photo"; descending; limit 20
}
