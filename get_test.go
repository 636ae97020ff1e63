package tablemap_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/tablemap/tablemap"
)

func TestGetNotFound(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	photos := define[Photo](t, tbl)
	create(t, tbl, m)

	got, err := photos.Get(Photo{Username: "ann", Taken: taken}).Run(ctx)
	wantErr(t, err, tablemap.ErrNotFound)
	diff(t, "result", Photo{}, got)
	for _, part := range []string{"Get", "Photo", "USER#ann", "PHOTO#" + takenKey, "not found"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not name %q", err, part)
		}
	}
	if n := m.Requests("GetItem"); n != 1 {
		t.Errorf("%d GetItem requests, want 1", n)
	}
}

// draft shares Photo's key templates: a Get of a Photo must not return it.
// Define refuses the two on one Table, so a draft is written through a
// second Table of the same DynamoDB table (see otherProgram), as another
// program would.
type draft struct {
	_        struct{}  `tablemap:"Draft" pk:"USER#{username}" sk:"PHOTO#{taken}"`
	Username string    `dynamo:"username"`
	Taken    time.Time `dynamo:"taken"`
}

// otherProgram returns another Table of tbl's DynamoDB table, with the same
// client: how a test writes what another program would.
func otherProgram(tbl *tablemap.Table) *tablemap.Table {
	return tablemap.NewTable(tbl.Client(), tbl.Name())
}

func TestGetOtherEntityType(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	photos := define[Photo](t, tbl)
	drafts := define[draft](t, otherProgram(tbl))
	create(t, tbl, m)

	if err := drafts.Put(draft{Username: "ann", Taken: taken}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := photos.Get(Photo{Username: "ann", Taken: taken}).Run(ctx)
	wantErr(t, err, tablemap.ErrNotFound)
	if !strings.Contains(err.Error(), `"Draft"`) {
		t.Errorf("error %q does not name the stored entity type", err)
	}
}

func TestGetConsistentProjection(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	photos := define[Photo](t, tbl)
	create(t, tbl, m)

	p := Photo{Username: "ann", Taken: taken, URL: "u", Title: "Sea", Likes: 7}
	if err := photos.Put(p).Run(ctx); err != nil {
		t.Fatal(err)
	}
	get := photos.Get(Photo{Username: "ann", Taken: taken, URL: "ignored"}).Consistent().Project("url", "likes")
	in, err := get.Params()
	if err != nil {
		t.Fatal(err)
	}
	want := &dynamodb.GetItemInput{
		TableName:                aws.String(tbl.Name()),
		Key:                      map[string]typesAV{"PK": s("USER#ann"), "SK": s("PHOTO#" + takenKey)},
		ConsistentRead:           aws.Bool(true),
		ProjectionExpression:     aws.String("#0, #1, #2"),
		ExpressionAttributeNames: map[string]string{"#0": "_type", "#1": "url", "#2": "likes"},
	}
	diff(t, "GetItemInput", want, in, rawOpts, ignoreUnexportedInputs)

	got, err := get.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The projected attributes, and the key fields from the key value.
	diff(t, "projected photo", Photo{Username: "ann", Taken: taken, URL: "u", Likes: 7}, got)
	if n := m.Requests(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestGetErrors(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	photos := define[Photo](t, tbl)
	create(t, tbl, m)

	_, err := photos.Get(Photo{Username: "ann", Taken: taken}).Project("url", "nope").Run(ctx)
	if err == nil || !strings.Contains(err.Error(), `"nope"`) || !strings.Contains(err.Error(), "Photo") {
		t.Errorf("Project of an unknown attribute: %v, want an error naming it and the entity", err)
	}
	_, err = photos.Get(Photo{Username: "ann"}).Run(ctx)
	wantErr(t, err, tablemap.ErrInvalidKey)
	if n := m.Requests(); n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
}
