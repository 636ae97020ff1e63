// Command notes runs every access pattern of the notes package on DynamoDB
// Local (started in a container, or DYNAMODB_ENDPOINT, or AWS with -aws)
// and prints one line per pattern: its name, the requests it took, its
// latency and what came back.
package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/exampleapp"
	"github.com/tablemap/tablemap/notes"
)

func main() {
	exampleapp.Main("notes", func(ctx context.Context, app *exampleapp.App) error {
		tbl := tablemap.NewTable(app.Client, app.Table)
		store, err := notes.New(tbl)
		if err != nil {
			return err
		}
		if err := app.CreateTable(ctx, tbl, store.Patterns); err != nil {
			return err
		}
		const user = "ann"
		var note notes.Note
		if err := app.Setup(ctx, "two earlier notes of "+user, func(ctx context.Context) error {
			for _, c := range []string{"call bob", "book train"} {
				if _, err := store.Create(ctx, user, c, ""); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}

		app.Step(ctx, "create note", func(ctx context.Context) (string, error) {
			n, err := store.Create(ctx, user, "buy milk", "s3://notes/ann/list.png")
			note = n
			return describe(n), err
		})
		app.Step(ctx, "get note", func(ctx context.Context) (string, error) {
			n, err := store.Get(ctx, user, note.ID)
			return describe(n), err
		})
		app.Step(ctx, "list notes (newest first)", func(ctx context.Context) (string, error) {
			page, err := store.List(ctx, user, "", 2)
			if err != nil {
				return "", err
			}
			contents := make([]string, len(page.Notes))
			for i, n := range page.Notes {
				contents[i] = fmt.Sprintf("%q", n.Content)
			}
			more := "last page"
			if page.Next != "" {
				more = "next cursor " + page.Next
			}
			return fmt.Sprintf("%d notes [%s], %s", len(page.Notes), strings.Join(contents, " "), more), nil
		})
		stale := note.Version
		app.Step(ctx, "update note content", func(ctx context.Context) (string, error) {
			content := "buy oat milk"
			n, err := store.Update(ctx, user, note.ID, note.Version, notes.Change{Content: &content})
			if err == nil {
				note = n
			}
			return describe(n), err
		})
		app.Step(ctx, "update note, stale version", func(ctx context.Context) (string, error) {
			content := "buy soy milk"
			_, err := store.Update(ctx, user, note.ID, stale, notes.Change{Content: &content})
			return expect(err, notes.ErrVersionConflict, fmt.Sprintf("rejected as expected: version conflict (v%d given, v%d stored)", stale, note.Version))
		})
		app.Step(ctx, "delete note", func(ctx context.Context) (string, error) {
			old, err := store.Delete(ctx, user, note.ID)
			if err != nil {
				return "", err
			}
			if old.Attachment == "" {
				return "", fmt.Errorf("deleted %s without its attachment", describe(old))
			}
			return "deleted " + describe(old) + " (now delete the attachment)", nil
		})
		app.Step(ctx, "get deleted note", func(ctx context.Context) (string, error) {
			_, err := store.Get(ctx, user, note.ID)
			return expect(err, notes.ErrNotFound, "not found, as expected")
		})
		return nil
	})
}

func describe(n notes.Note) string {
	s := fmt.Sprintf("note %s v%d %q", n.ID, n.Version, n.Content)
	if n.Attachment != "" {
		s += " attachment " + n.Attachment
	}
	return s
}

// expect returns outcome when err is the expected error, and an error
// otherwise: these steps succeed by being refused.
func expect(err, want error, outcome string) (string, error) {
	switch {
	case errors.Is(err, want):
		return outcome, nil
	case err == nil:
		return "", fmt.Errorf("succeeded; want %v", want)
	}
	return "", fmt.Errorf("%w; want %v", err, want)
}
