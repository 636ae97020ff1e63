package tablemap_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tablemap/tablemap"
)

// A new index and a new sort key for photos already stored: the old design
// and the new are the same table declared twice, and the migration moves
// every photo to its new key (with its new index keys) in a transaction,
// conditional on the photo being unchanged since read, at most 100 write
// capacity units per second, resumable from a checkpoint file, and
// verified at the end. It needs a table: with a *dynamodb.Client, it
// prints the progress and the counts.
func ExampleMigrate() {
	type PhotoV1 struct {
		_        struct{}  `tablemap:"Photo" pk:"USER#{username}" sk:"PHOTO#{id}"`
		Username string    `dynamo:"username"`
		ID       string    `dynamo:"id"`
		Taken    time.Time `dynamo:"taken"`
	}
	type Photo struct {
		_        struct{}  `tablemap:"Photo" pk:"USER#{username}" sk:"PHOTO#{taken}#{id}" gsi1pk:"PHOTOS" gsi1sk:"{taken}"`
		Username string    `dynamo:"username"`
		ID       string    `dynamo:"id"`
		Taken    time.Time `dynamo:"taken"`
	}
	var client tablemap.Client // a *dynamodb.Client in real use
	oldPhotos := tablemap.MustDefine[PhotoV1](tablemap.NewTable(client, "app"))
	photos := tablemap.MustDefine[Photo](tablemap.NewTable(client, "app"))

	rep, err := tablemap.Migrate(oldPhotos, photos, func(p PhotoV1) (Photo, tablemap.MigrateAction, error) {
		return Photo(p), tablemap.MigrateRewrite, nil
	}).
		Segments(8).
		Capacity(200, 100).
		Checkpoint(tablemap.FileCheckpoint("photos-v2.checkpoint")).
		Progress(5*time.Second, func(p tablemap.MigrateProgress) {
			fmt.Printf("%d/%d scanned, %d moved, %d failed, ETA %v\n", p.Scanned, p.Total, p.Rekeyed, p.Failed, p.ETA)
		}).
		Verify().
		Run(context.Background())
	if errors.Is(err, tablemap.ErrMigrationIncomplete) {
		for _, f := range rep.Failures {
			fmt.Println(f.Key, f.Err)
		}
	}
	fmt.Println(rep.Rekeyed, "photos moved", err)
}
