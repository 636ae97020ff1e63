// Package bench compares tablemap's codec with attributevalue, guregu/dynamo
// and a hand-written conversion on two fixed structs, and whole DynamoDB
// operations made with tablemap, the raw SDK, attributevalue and guregu
// against an in-memory server (see Ops and cmd/paired). It is a module of
// its own so that users of tablemap never download its dependencies.
package bench

import "time"

// Photo and User are the benchmark's structs. Keep them as they are: the
// figures in README.md are only comparable while they stay the same.
type Photo struct {
	Username  string
	Timestamp time.Time
	URL       string
	Reactions map[string]int
	Tags      []string
	Width     int
	Height    int
}

type User struct {
	ID          string
	Email       string
	DisplayName string
	Bio         string
	Age         int
	Followers   int64
	Score       float64
	Balance     float64
	Verified    bool
	CreatedAt   time.Time
	LastLogin   time.Time
	Nickname    *string
	Roles       []string
	Prefs       map[string]string
	Address     struct {
		Street   string
		City     string
		Country  string
		PostCode string
	}
	Version int
}

// SamplePhoto and SampleUser are the values encoded and decoded. Every field
// is set (no empty strings, nil pointers or nil maps) so that all four
// implementations, whose defaults differ there, write the same item.
func SamplePhoto() *Photo {
	return &Photo{
		Username:  "ann",
		Timestamp: time.Date(2024, 6, 1, 18, 30, 12, 345678900, time.UTC),
		URL:       "https://img.example.com/ann/2024/06/01/sunset.jpg",
		Reactions: map[string]int{"like": 128, "love": 31, "wow": 4},
		Tags:      []string{"sea", "sunset", "norway"},
		Width:     4032,
		Height:    3024,
	}
}

func SampleUser() *User {
	nick := "annie"
	u := &User{
		ID:          "u-7f3c9a",
		Email:       "ann@example.com",
		DisplayName: "Ann Example",
		Bio:         "Photographer. Coffee. Fjords.",
		Age:         34,
		Followers:   1204981,
		Score:       4.75,
		Balance:     1234.56,
		Verified:    true,
		CreatedAt:   time.Date(2019, 3, 14, 9, 26, 53, 589793000, time.UTC),
		LastLogin:   time.Date(2024, 6, 2, 7, 1, 0, 0, time.UTC),
		Nickname:    &nick,
		Roles:       []string{"member", "creator"},
		Prefs:       map[string]string{"theme": "dark", "lang": "nb", "units": "metric"},
		Version:     17,
	}
	u.Address.Street = "Strandgaten 1"
	u.Address.City = "Bergen"
	u.Address.Country = "NO"
	u.Address.PostCode = "5013"
	return u
}
