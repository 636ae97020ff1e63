package tablemap_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/tablemap/tablemap"
)

// TestOptionDuringIteration checks that an option set (and a request
// built) while All iterates leaves the running iteration as it began: the
// builder's options live in the read it built, and must move to a read of
// their own before they change. Limit and the filter make All send several
// requests, so a read changed in place would show in the later pages.
func TestOptionDuringIteration(t *testing.T) {
	t.Parallel()
	_, _, posts, _, _ := postTable(t)
	for i := 1; i <= 5; i++ {
		put(t, posts, qPost{User: "ann", Posted: minute(i), ID: i, Tag: map[bool]string{true: "keep"}[i%2 == 1]})
	}
	keep := expression.Name("tag").Equal(expression.Value("keep"))

	q := posts.Query(qPost{User: "ann"}).Filter(keep).Limit(3)
	var got []int
	for v, err := range q.All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v.ID)
		if len(got) == 1 {
			q.Newest()
			if _, err := q.Params(); err != nil {
				t.Fatal(err)
			}
		}
	}
	diff(t, "query: kept posts, oldest first, as the iteration began", []int{1, 3, 5}, got)
	diff(t, "query: kept posts after Newest", []int{5, 3, 1}, ids(collect(t, q.All(ctx))))

	sc := posts.Scan().Filter(keep).Limit(3)
	got = nil
	for v, err := range sc.All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v.ID)
		if len(got) == 1 {
			sc.Filter(expression.Name("id").Equal(expression.Value(v.ID)))
			if _, err := sc.Params(); err != nil {
				t.Fatal(err)
			}
		}
	}
	diff(t, "scan: kept posts, as the iteration began", 3, len(got))
	diff(t, "scan: the post kept by both filters", 1, len(collect(t, sc.All(ctx))))
}

// TestRebuildAfterFailedBuild checks that a query or scan whose request
// did not build builds the next one afresh once an option fixes it (the
// failed read is built again in place).
func TestRebuildAfterFailedBuild(t *testing.T) {
	t.Parallel()
	_, _, posts, _, _ := postTable(t)
	for i := 1; i <= 3; i++ {
		put(t, posts, qPost{User: "ann", Posted: minute(i), ID: i})
	}

	q := posts.Query(qPost{User: "ann"}).Index("GSI9")
	if _, err := q.Params(); !errors.Is(err, tablemap.ErrInvalidKey) {
		t.Fatalf("query on index GSI9: %v, want ErrInvalidKey", err)
	}
	q.Index("").Newest()
	diff(t, "query after Index fixed", []int{3, 2, 1}, ids(collect(t, q.All(ctx))))

	sc := posts.Scan().Index("GSI9")
	if _, err := sc.Params(); !errors.Is(err, tablemap.ErrInvalidKey) {
		t.Fatalf("scan on index GSI9: %v, want ErrInvalidKey", err)
	}
	sc.Index("")
	diff(t, "scan after Index fixed", 3, len(collect(t, sc.All(ctx))))
}

type projected struct {
	_    struct{} `tablemap:"Projected" pk:"P#{id}" sk:"P"`
	ID   string   `dynamo:"id"`
	Name string   `dynamo:"name"`
	City string   `dynamo:"city"`
	Age  int      `dynamo:"age"`
}

// TestProjectListsApart: a projection is shared among reads of the same
// list (a memo), so a later Project of one read must not change another's.
func TestProjectListsApart(t *testing.T) {
	t.Parallel()
	e := tablemap.MustDefine[projected](tablemap.NewTable(nil, "projected"))
	names := func(q *tablemap.Query[projected]) []string {
		t.Helper()
		in, err := q.Params()
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, n := range in.ExpressionAttributeNames {
			if n == "name" || n == "city" || n == "age" {
				got = append(got, n)
			}
		}
		slices.Sort(got)
		return got
	}
	a := e.Query(projected{ID: "1"}).Project("name")
	b := e.Query(projected{ID: "2"}).Project("name")
	diff(t, "projected alone", []string{"name"}, names(a))
	b.Project("city")
	e.Query(projected{ID: "3"}).Project("name").Project("age")
	diff(t, "projected by a read whose list another extended", []string{"name"}, names(a))
	diff(t, "projected by a read extended", []string{"city", "name"}, names(b))
	diff(t, "projected by a new read of the list", []string{"name"}, names(e.Query(projected{ID: "4"}).Project("name")))
}
