package tablemap_test

import (
	"errors"
	"math"
	"testing"

	"github.com/tablemap/tablemap"
)

// TestUpdateRefusesIntegerThatDoesNotFit checks that an integer value
// outside the field's range is refused before sending, not wrapped around
// (uint8 255 was stored as int8 -1), and that one in range is sent as the
// same number.
func TestUpdateRefusesIntegerThatDoesNotFit(t *testing.T) {
	t.Parallel()
	type counter struct {
		_     struct{} `tablemap:"Counter" pk:"C#{id}"`
		ID    string   `dynamo:"id"`
		Small int8     `dynamo:"small"`
		Big   int64    `dynamo:"big"`
	}
	counters := define[counter](t, shopTable())
	for _, tc := range []struct {
		attr  string
		value any
	}{
		{"small", uint8(255)},
		{"small", 128},
		{"big", uint64(math.MaxUint64)},
		{"big", uint64(1 << 63)},
	} {
		_, err := counters.Update(counter{ID: "c"}).Set(tc.attr, tc.value).Params()
		if ie := (*tablemap.ItemError)(nil); !errors.As(err, &ie) {
			t.Errorf("Set(%q, %T %v): error %v, want an *ItemError", tc.attr, tc.value, tc.value, err)
		}
	}
	in, err := counters.Update(counter{ID: "c"}).Set("small", uint8(127)).Set("big", uint64(math.MaxInt64)).Params()
	if err != nil {
		t.Fatal(err)
	}
	update, _ := updateText(in)
	diff(t, "update", "SET small = 127, big = 9223372036854775807\n", update)
}
