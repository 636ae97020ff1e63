// Command quickstart defines one entity, creates its table on DynamoDB Local
// (started in a container, or DYNAMODB_ENDPOINT, or AWS with -aws), puts an
// item, reads it back and prints what each step cost.
package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/exampleapp"
)

// Photo is one photo of a user; the tags say where it lives in the table.
type Photo struct {
	_        struct{}  `tablemap:"Photo" pk:"USER#{username}" sk:"PHOTO#{taken}"`
	Username string    `dynamo:"username"`
	Taken    time.Time `dynamo:"taken"`
	URL      string    `dynamo:"url"`
}

func main() {
	exampleapp.Main("quickstart", func(ctx context.Context, app *exampleapp.App) error {
		tbl := tablemap.NewTable(app.Client, app.Table)
		photos, err := tablemap.Define[Photo](tbl)
		if err != nil {
			return err
		}
		taken := time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)
		photo := Photo{Username: "ann", Taken: taken, URL: "s3://photos/ann/1.jpg"}
		// The access patterns, for -design: named, with the requests below.
		patterns := func(d *tablemap.Design) error {
			return errors.Join(
				d.Pattern("put photo", photos.Put(photo).IfNotExists()),
				d.Pattern("get photo", photos.Get(Photo{Username: "ann", Taken: taken})))
		}
		if err := app.CreateTable(ctx, tbl, patterns); err != nil {
			return err
		}

		app.Step(ctx, "put photo", func(ctx context.Context) (string, error) {
			if err := photos.Put(photo).IfNotExists().Run(ctx); err != nil {
				return "", err
			}
			k, err := photos.Key(photo)
			return fmt.Sprintf("wrote %v", k), err
		})
		app.Step(ctx, "get photo", func(ctx context.Context) (string, error) {
			got, err := photos.Get(Photo{Username: "ann", Taken: taken}).Run(ctx)
			if err != nil {
				return "", err
			}
			if got.URL != photo.URL {
				return "", fmt.Errorf("read back url %q, want %q", got.URL, photo.URL)
			}
			return fmt.Sprintf("%s taken %s: %s", got.Username, got.Taken.Format(time.RFC3339), got.URL), nil
		})
		return nil
	})
}
