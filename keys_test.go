package tablemap_test

import (
	"testing"
	"time"

	"github.com/tablemap/tablemap"
)

// Event has integer and time key fields, to show their sortable forms.
type Event struct {
	_      struct{}  `tablemap:"Event" pk:"STREAM#{stream}#{shard}" sk:"AT#{at}#SEQ#{seq}"`
	Stream string    `dynamo:"stream"`
	Shard  uint8     `dynamo:"shard"`
	At     time.Time `dynamo:"at"`
	Seq    int64     `dynamo:"seq"`
	Body   string    `dynamo:"body"`
}

func TestKeyAndParseKey(t *testing.T) {
	t.Parallel()
	tbl := tablemap.NewTable(nil, "app")
	events := define[Event](t, tbl)
	at := time.Date(2024, 5, 1, 12, 30, 0, 5, time.FixedZone("CEST", 2*3600))
	e := Event{Stream: "a#b c", Shard: 3, At: at, Seq: -2, Body: "not in the key"}

	key, err := events.Key(e)
	if err != nil {
		t.Fatal(err)
	}
	want := tablemap.Key{
		PK: "STREAM#a%23b%20c#00000000000000000003",
		SK: "AT#2024-05-01T10:30:00.000000005Z#SEQ#-9999999999999999998",
	}
	diff(t, "key", want, key)

	got, err := events.ParseKey(key.PK, key.SK)
	if err != nil {
		t.Fatal(err)
	}
	e.Body = ""
	diff(t, "parsed key fields", e, got)
	if !got.At.Equal(at) {
		t.Errorf("time %v, want %v", got.At, at)
	}
}

// TestKeyEscaping checks a user named "ann#PHOTO" cannot address ann's
// photos: distinct values never make the same key.
func TestKeyEscaping(t *testing.T) {
	t.Parallel()
	tbl := tablemap.NewTable(nil, "app")
	photos := define[Photo](t, tbl)
	users := define[User](t, tbl)
	ann, err := photos.Key(Photo{Username: "ann", Taken: taken})
	if err != nil {
		t.Fatal(err)
	}
	evil, err := users.Key(User{Username: "ann#PHOTO"})
	if err != nil {
		t.Fatal(err)
	}
	if ann.PK == evil.PK {
		t.Errorf("user %q shares ann's partition %q", "ann#PHOTO", ann.PK)
	}
}

func TestKeyErrors(t *testing.T) {
	t.Parallel()
	tbl := tablemap.NewTable(nil, "app")
	events := define[Event](t, tbl)
	photos := define[Photo](t, tbl)

	_, err := events.Key(Event{Shard: 1, At: taken})
	wantErr(t, err, tablemap.ErrInvalidKey)
	_, err = photos.Key(Photo{Username: "ann"})
	wantErr(t, err, tablemap.ErrInvalidKey)
	// A zero integer is a value like any other in a full key.
	if _, err := events.Key(Event{Stream: "s", At: taken}); err != nil {
		t.Errorf("key with zero integers: %v", err)
	}

	for _, k := range []tablemap.Key{
		{PK: "USER#ann", SK: "PHOTO#yesterday"},
		{PK: "USR#ann", SK: "PHOTO#" + takenKey},
		{PK: "USER#ann#x", SK: "PHOTO#" + takenKey},
		{PK: "USER#", SK: "PHOTO#" + takenKey},
	} {
		_, err := photos.ParseKey(k.PK, k.SK)
		wantErr(t, err, tablemap.ErrInvalidKey)
	}
	_, err = events.ParseKey("STREAM#s#00000000000000000300", "AT#"+takenKey+"#SEQ#00000000000000000001")
	wantErr(t, err, tablemap.ErrInvalidKey) // 300 overflows a uint8
}
