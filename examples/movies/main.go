// Command movies is the actors-and-movies design on one DynamoDB table: an
// actor's roles live in the actor's partition (PK "ACTOR#<actor>", SK
// "MOVIE#<movie>"), and the table's inverted index (SK as partition key, PK
// as sort key) reads the same items from the movie's side, so "roles of an
// actor" and "actors in a movie" are each one Query of one relation stored
// once. Each role repeats the actor's name and the movie's title, year and
// genre, so neither query needs a second read.
//
// Actors and movies have surrogate ids (ULIDs), not names as keys: the
// sample data has two actors named Chris Evans, who stay two actors. The
// sample data is fictional.
package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/exampleapp"
	"github.com/tablemap/tablemap/internal/ulid"
)

// Actor is one person; actors are also found by name through GSI1.
type Actor struct {
	_    struct{} `tablemap:"Actor" pk:"ACTOR#{id}" gsi1pk:"NAME#{name}" gsi1sk:"ACTOR#{id}"`
	ID   string   `dynamo:"id"`
	Name string   `dynamo:"name"`
}

// Movie is one film.
type Movie struct {
	_     struct{} `tablemap:"Movie" pk:"MOVIE#{id}"`
	ID    string   `dynamo:"id"`
	Title string   `dynamo:"title"`
	Year  int      `dynamo:"year"`
	Genre string   `dynamo:"genre"`
}

// Role is an actor playing a part in a movie: the many-to-many relation,
// stored once, with the names both sides show.
type Role struct {
	_         struct{} `tablemap:"Role" pk:"ACTOR#{actor}" sk:"MOVIE#{movie}"`
	Actor     string   `dynamo:"actor"`
	Movie     string   `dynamo:"movie"`
	Role      string   `dynamo:"role"`
	ActorName string   `dynamo:"actor_name"`
	Title     string   `dynamo:"title"`
	Year      int      `dynamo:"year"`
	Genre     string   `dynamo:"genre"`
}

func main() {
	exampleapp.Main("movies", func(ctx context.Context, app *exampleapp.App) error {
		tbl := tablemap.NewTable(app.Client, app.Table, tablemap.WithInvertedIndex())
		actors, err := tablemap.Define[Actor](tbl)
		if err != nil {
			return err
		}
		movies, err := tablemap.Define[Movie](tbl)
		if err != nil {
			return err
		}
		roles, err := tablemap.Define[Role](tbl)
		if err != nil {
			return err
		}
		d := sampleData()
		if err := app.CreateTable(ctx, tbl, patterns(d, actors, movies, roles)); err != nil {
			return err
		}
		err = app.Setup(ctx, fmt.Sprintf("load %d actors, %d movies, %d roles", len(d.actors), len(d.movies), len(d.roles)), func(ctx context.Context) error {
			w := tbl.BatchWrite()
			for _, a := range d.actors {
				w.Put(actors.Put(a))
			}
			for _, m := range d.movies {
				w.Put(movies.Put(m))
			}
			for _, r := range d.roles {
				w.Put(roles.Put(r))
			}
			return w.Run(ctx)
		})
		if err != nil {
			return err
		}
		run(ctx, app, d, actors, movies, roles)
		return nil
	})
}

func run(ctx context.Context, app *exampleapp.App, d data, actors *tablemap.Entity[Actor], movies *tablemap.Entity[Movie], roles *tablemap.Entity[Role]) {
	evans, otherEvans := d.actor("Chris Evans", 0), d.actor("Chris Evans", 1)
	harbor := d.movie("Harbor Lights")

	app.Step(ctx, "actors named Chris Evans (GSI1)", func(ctx context.Context) (string, error) {
		page, err := actors.Query(Actor{Name: "Chris Evans"}).Index("GSI1").Page(ctx, "")
		if err != nil {
			return "", err
		}
		ids := make([]string, len(page.Items))
		for i, a := range page.Items {
			ids[i] = a.ID
		}
		if len(ids) != 2 {
			return "", fmt.Errorf("found %d actors named Chris Evans, want 2", len(ids))
		}
		return fmt.Sprintf("2 actors, one name: %s", strings.Join(ids, ", ")), nil
	})

	rolesOf := func(a Actor) func(ctx context.Context) (string, error) {
		return func(ctx context.Context) (string, error) {
			page, err := roles.Query(Role{Actor: a.ID}).Page(ctx, "")
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%s (…%s): %s", a.Name, a.ID[len(a.ID)-4:], listRoles(page.Items, func(r Role) string {
				return fmt.Sprintf("%s in %s (%d)", r.Role, r.Title, r.Year)
			})), nil
		}
	}
	app.Step(ctx, "roles of an actor", rolesOf(evans))
	app.Step(ctx, "roles of the other Chris Evans", rolesOf(otherEvans))

	app.Step(ctx, "actors in a movie (inverted index)", func(ctx context.Context) (string, error) {
		page, err := roles.Query(Role{Movie: harbor.ID}).Index(tablemap.InvertedIndex).Page(ctx, "")
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s: %s", harbor.Title, listRoles(page.Items, func(r Role) string {
			return fmt.Sprintf("%s (…%s) as %s", r.ActorName, r.Actor[len(r.Actor)-4:], r.Role)
		})), nil
	})

	app.Step(ctx, "roles of an actor, drama (filter)", func(ctx context.Context) (string, error) {
		page, err := roles.Query(Role{Actor: evans.ID}).Filter(expression.Name("genre").Equal(expression.Value("drama"))).Page(ctx, "")
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s, drama: %s", evans.Name, listRoles(page.Items, func(r Role) string {
			return fmt.Sprintf("%s in %s (%d)", r.Role, r.Title, r.Year)
		})), nil
	})

	app.Step(ctx, "actor with roles (collection)", func(ctx context.Context) (string, error) {
		page, err := tablemap.Collect2(actors.Query(Actor{ID: otherEvans.ID}), roles).Run(ctx)
		if err != nil {
			return "", err
		}
		if len(page.A) != 1 {
			return "", fmt.Errorf("%d actor items in the partition, want 1", len(page.A))
		}
		return fmt.Sprintf("%s and %d roles: %s", page.A[0].Name, len(page.B), listRoles(page.B, func(r Role) string { return r.Title })), nil
	})

	app.Step(ctx, "movie and cast (collection)", func(ctx context.Context) (string, error) {
		page, err := tablemap.Collect2(movies.Query(Movie{ID: harbor.ID}).Index(tablemap.InvertedIndex), roles).Run(ctx)
		if err != nil {
			return "", err
		}
		if len(page.A) != 1 {
			return "", fmt.Errorf("%d movie items in the partition, want 1", len(page.A))
		}
		m := page.A[0]
		return fmt.Sprintf("%s (%d, %s), cast of %d: %s", m.Title, m.Year, m.Genre, len(page.B), listRoles(page.B, func(r Role) string { return r.ActorName + " (…" + r.Actor[len(r.Actor)-4:] + ")" })), nil
	})
}

func listRoles(rs []Role, show func(Role) string) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = show(r)
	}
	return strings.Join(parts, "; ")
}

// data is the sample data: actors, movies, and the roles joining them.
type data struct {
	actors []Actor
	movies []Movie
	roles  []Role
}

// actor returns the n-th actor (0-based) of the given name.
func (d data) actor(name string, n int) Actor {
	for _, a := range d.actors {
		if a.Name == name {
			if n == 0 {
				return a
			}
			n--
		}
	}
	panic("no actor " + name)
}

func (d data) movie(title string) Movie {
	for _, m := range d.movies {
		if m.Title == title {
			return m
		}
	}
	panic("no movie " + title)
}

func sampleData() data {
	var d data
	for _, name := range []string{"Chris Evans", "Chris Evans", "Maya Lindqvist", "Tomás Okafor", "Priya Raman"} {
		d.actors = append(d.actors, Actor{ID: ulid.New(), Name: name})
	}
	for _, m := range []Movie{
		{Title: "Harbor Lights", Year: 2014, Genre: "drama"},
		{Title: "Iron Meridian", Year: 2019, Genre: "action"},
		{Title: "The Quiet Orbit", Year: 2021, Genre: "science fiction"},
		{Title: "Salt and Cedar", Year: 2023, Genre: "drama"},
	} {
		m.ID = ulid.New()
		d.movies = append(d.movies, m)
	}
	cast := []struct {
		actor string
		nth   int
		movie string
		role  string
	}{
		{"Chris Evans", 0, "Harbor Lights", "Tom Baylor"},
		{"Chris Evans", 0, "Iron Meridian", "Captain Reyes"},
		{"Chris Evans", 0, "Salt and Cedar", "Elias"},
		{"Chris Evans", 1, "The Quiet Orbit", "Flight Director"},
		{"Chris Evans", 1, "Harbor Lights", "Harbor Master"},
		{"Maya Lindqvist", 0, "Harbor Lights", "June Baylor"},
		{"Maya Lindqvist", 0, "The Quiet Orbit", "Commander Vale"},
		{"Tomás Okafor", 0, "Iron Meridian", "Dr. Amadi"},
		{"Priya Raman", 0, "Salt and Cedar", "Noor"},
		{"Priya Raman", 0, "The Quiet Orbit", "Ensign Rao"},
	}
	for _, c := range cast {
		a, m := d.actor(c.actor, c.nth), d.movie(c.movie)
		d.roles = append(d.roles, Role{
			Actor: a.ID, Movie: m.ID, Role: c.role,
			ActorName: a.Name, Title: m.Title, Year: m.Year, Genre: m.Genre,
		})
	}
	return d
}
