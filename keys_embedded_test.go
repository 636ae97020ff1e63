package tablemap_test

import (
	"errors"
	"testing"
	"time"

	"github.com/tablemap/tablemap"
)

type embeddedBase struct {
	User string    `dynamo:"user"`
	N    int8      `dynamo:"n"`
	At   time.Time `dynamo:"at"`
}

type embeddedKey struct {
	_ struct{} `tablemap:"Embedded" pk:"U#{user}" sk:"N#{n}#AT#{at}"`
	*embeddedBase
	Note string `dynamo:"note"`
}

// TestKeyFieldsBehindEmbeddedPointer: key fields reached through an
// embedded pointer build and parse keys; a nil pointer holds empty fields.
func TestKeyFieldsBehindEmbeddedPointer(t *testing.T) {
	e := tablemap.MustDefine[embeddedKey](tablemap.NewTable(nil, "embedded"))
	at := time.Date(2024, 2, 29, 23, 59, 59, 999999999, time.FixedZone("X", -3600))
	v := embeddedKey{embeddedBase: &embeddedBase{User: "a#b c", N: -3, At: at}}
	k, err := e.Key(v)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "key", tablemap.Key{PK: "U#a%23b%20c", SK: "N#-9999999999999999997#AT#2024-03-01T00:59:59.999999999Z"}, k)
	got, err := e.ParseKey(k.PK, k.SK)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "parsed", embeddedBase{User: "a#b c", N: -3, At: at.UTC()}, *got.embeddedBase)
	if _, err := e.Key(embeddedKey{}); !errors.Is(err, tablemap.ErrInvalidKey) {
		t.Errorf("nil embedded pointer: error %v, want ErrInvalidKey", err)
	}
	if _, err := e.ParseKey(k.PK, "N#00000000000000000300#AT#2024-03-01T00:59:59.999999999Z"); !errors.Is(err, tablemap.ErrInvalidKey) {
		t.Errorf("300 into an int8: error %v, want ErrInvalidKey", err)
	}
	if _, err := e.ParseKey(k.PK, "N#00000000000000000001#AT#2023-02-29T00:59:59.999999999Z"); !errors.Is(err, tablemap.ErrInvalidKey) {
		t.Errorf("February 29 of 2023: error %v, want ErrInvalidKey", err)
	}
}
