// Command deepthoughts runs Deep Thoughts of package social end to end:
// users post thoughts, read one user's thoughts and the feed of everyone's,
// newest first, from an index (never a Scan). It creates the table on
// DynamoDB Local (started in a container, or DYNAMODB_ENDPOINT, or AWS with
// -aws), loads a few thoughts, runs every access pattern once and prints
//
//	<pattern>  requests=<n>  <latency>  <what came back>
//
// With -shards n the feed is spread over n index partitions (a higher write
// ceiling); a page of the feed then takes n requests.
package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/exampleapp"
	"github.com/tablemap/tablemap/social"
)

var shards = flag.Int("shards", 1, "feed shards (a page of the feed takes one request per shard)")

func main() {
	exampleapp.Main("deepthoughts", func(ctx context.Context, app *exampleapp.App) error {
		tbl := tablemap.NewTable(app.Client, app.Table, tablemap.WithInvertedIndex())
		svc, err := social.New(tbl, social.WithFeedShards(*shards))
		if err != nil {
			return err
		}
		if err := app.CreateTable(ctx, tbl, svc.Patterns); err != nil {
			return err
		}
		err = app.Setup(ctx, "sample data: users ann, bob, cid; 6 thoughts", func(ctx context.Context) error {
			for _, u := range []string{"ann", "bob", "cid"} {
				if _, err := svc.CreateUser(ctx, social.User{Username: u}); err != nil {
					return err
				}
			}
			for _, t := range [][2]string{
				{"ann", "If trees could scream, would we be so cavalier about cutting them down?"},
				{"bob", "The face of a child can say it all, especially the mouth part of the face."},
				{"cid", "Instead of having answers on a math test, they should just call them impressions."},
				{"ann", "I hope if dogs ever take over the world, they choose a king by size."},
				{"bob", "Maybe in order to understand mankind, we have to look at the word itself."},
				{"cid", "If you ever fall off the Sears Tower, just go real limp."},
			} {
				if _, err := svc.PostThought(ctx, t[0], t[1]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}

		app.Step(ctx, "post thought", func(ctx context.Context) (string, error) {
			th, err := svc.PostThought(ctx, "ann", "It takes a big man to cry, but it takes a bigger man to laugh at that man.")
			return fmt.Sprintf("thought %s by %s in feed shard %s", th.ID, th.Username, th.Shard), err
		})
		app.Step(ctx, "user thoughts", func(ctx context.Context) (string, error) {
			page, err := svc.UserThoughts(ctx, "ann", "", 2)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("ann, newest first: %s; next page: %v", texts(page.Items), page.Next != ""), nil
		})
		var next string
		app.Step(ctx, "feed", func(ctx context.Context) (string, error) {
			page, err := svc.Feed(ctx, "", 4)
			if err != nil {
				return "", err
			}
			next = page.Next
			return fmt.Sprintf("newest first: %s", who(page.Items)), nil
		})
		app.Step(ctx, "feed, next page", func(ctx context.Context) (string, error) {
			page, err := svc.Feed(ctx, next, 4)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("then: %s; last page: %v", who(page.Items), page.Next == ""), nil
		})
		return nil
	})
}

func texts(ts []social.Thought) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = fmt.Sprintf("%.28q…", t.Text)
	}
	return strings.Join(s, ", ")
}

func who(ts []social.Thought) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = t.Username + ":" + t.ID[len(t.ID)-4:]
	}
	return strings.Join(s, " ")
}
