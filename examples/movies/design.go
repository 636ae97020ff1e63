package main

import (
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/tablemap/tablemap"
)

// patterns returns the example's access patterns, each with the request
// its step sends, for -design.
func patterns(d data, actors *tablemap.Entity[Actor], movies *tablemap.Entity[Movie], roles *tablemap.Entity[Role]) func(*tablemap.Design) error {
	evans, harbor := d.actor("Chris Evans", 0), d.movie("Harbor Lights")
	return func(design *tablemap.Design) error {
		for _, p := range []struct {
			name    string
			request any
		}{
			{"actors of a name (GSI1)", actors.Query(Actor{Name: evans.Name}).Index("GSI1")},
			{"roles of an actor", roles.Query(Role{Actor: evans.ID})},
			{"actors in a movie (inverted index)", roles.Query(Role{Movie: harbor.ID}).Index(tablemap.InvertedIndex)},
			{"roles of an actor in a genre (filter)", roles.Query(Role{Actor: evans.ID}).Filter(expression.Name("genre").Equal(expression.Value("drama")))},
			{"actor with roles (collection)", tablemap.Collect2(actors.Query(Actor{ID: evans.ID}), roles)},
			{"movie and cast (collection)", tablemap.Collect2(movies.Query(Movie{ID: harbor.ID}).Index(tablemap.InvertedIndex), roles)},
		} {
			if err := design.Pattern(p.name, p.request); err != nil {
				return err
			}
		}
		return nil
	}
}
