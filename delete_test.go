package tablemap_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap"
)

func TestDeleteReturnsOld(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	photos := define[Photo](t, tbl)
	create(t, tbl, m)

	p := Photo{Username: "ann", Taken: taken, URL: "u", Likes: 2}
	if err := photos.Put(p).Run(ctx); err != nil {
		t.Fatal(err)
	}
	old, err := photos.Delete(Photo{Username: "ann", Taken: taken}).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "deleted photo", p, old)
	if item := raw(t, tbl, "USER#ann", "PHOTO#"+takenKey); item != nil {
		t.Errorf("item still stored: %v", item)
	}
	if n := m.Requests("DeleteItem"); n != 1 {
		t.Errorf("%d DeleteItem requests, want 1", n)
	}
}

// TestDeleteNotFound checks deleting a missing item is ErrNotFound, with
// and without a condition.
func TestDeleteNotFound(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	photos := define[Photo](t, tbl)
	create(t, tbl, m)

	key := Photo{Username: "ann", Taken: taken}
	old, err := photos.Delete(key).Run(ctx)
	wantErr(t, err, tablemap.ErrNotFound)
	diff(t, "old", Photo{}, old)
	if !strings.Contains(err.Error(), "Delete Photo") || !strings.Contains(err.Error(), "USER#ann") {
		t.Errorf("error %q does not name the operation, entity and key", err)
	}
	_, err = photos.Delete(key).If(expression.Name("likes").Equal(expression.Value(0))).Run(ctx)
	wantErr(t, err, tablemap.ErrNotFound)
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		t.Errorf("error %v does not wrap the SDK's exception", err)
	}
}

func TestDeleteCondition(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	photos := define[Photo](t, tbl)
	create(t, tbl, m)

	key := Photo{Username: "ann", Taken: taken}
	if err := photos.Put(Photo{Username: "ann", Taken: taken, URL: "u", Likes: 2}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := photos.Delete(key).If(expression.Name("likes").Equal(expression.Value(0))).Run(ctx)
	wantErr(t, err, tablemap.ErrConditionFailed)
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		t.Errorf("error %v does not wrap the SDK's exception", err)
	}
	if errors.Is(err, tablemap.ErrNotFound) {
		t.Errorf("error %v of an existing item is ErrNotFound", err)
	}
	if _, err := photos.Get(key).Consistent().Run(ctx); err != nil {
		t.Errorf("item gone after a failed conditional delete: %v", err)
	}
	old, err := photos.Delete(key).If(expression.Name("likes").Equal(expression.Value(2))).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if old.Likes != 2 {
		t.Errorf("old likes %d, want 2", old.Likes)
	}
}

func TestDeleteVersion(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	users := define[User](t, tbl)
	create(t, tbl, m)

	if err := users.Put(User{Username: "bob", Email: "b@x"}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := users.Update(User{Username: "bob"}).Add("followers", 1).Run(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := users.Delete(User{Username: "bob", Version: 1}).Run(ctx)
	wantErr(t, err, tablemap.ErrVersionConflict, tablemap.ErrConditionFailed)
	old, err := users.Delete(User{Username: "bob", Version: 2}).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if old.Version != 2 || old.Followers != 1 {
		t.Errorf("old version %d followers %d, want 2 and 1", old.Version, old.Followers)
	}
}

func TestDeleteParams(t *testing.T) {
	t.Parallel()
	tbl := tablemap.NewTable(nil, "app")
	photos := define[Photo](t, tbl)
	in, err := photos.Delete(Photo{Username: "ann", Taken: taken}).If(expression.Name("likes").Equal(expression.Value(0))).Params()
	if err != nil {
		t.Fatal(err)
	}
	want := &dynamodb.DeleteItemInput{
		TableName:                           aws.String("app"),
		Key:                                 map[string]types.AttributeValue{"PK": s("USER#ann"), "SK": s("PHOTO#" + takenKey)},
		ConditionExpression:                 aws.String("((attribute_not_exists (#0)) OR (#1 = :0)) AND (#2 = :1)"),
		ExpressionAttributeNames:            map[string]string{"#0": "PK", "#1": "_type", "#2": "likes"},
		ExpressionAttributeValues:           map[string]types.AttributeValue{":0": s("Photo"), ":1": n("0")},
		ReturnValues:                        types.ReturnValueAllOld,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
	diff(t, "DeleteItemInput", want, in, rawOpts, ignoreUnexportedInputs)

	_, err = photos.Delete(Photo{Taken: taken}).Params()
	wantErr(t, err, tablemap.ErrInvalidKey)
}
