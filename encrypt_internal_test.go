package tablemap

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestPlaintextForm round-trips every kind of attribute value through the
// binary form encrypted attributes are sealed in, and refuses every
// truncation of it.
func TestPlaintextForm(t *testing.T) {
	av := &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
		"s":     &types.AttributeValueMemberS{Value: "héllo"},
		"empty": &types.AttributeValueMemberS{Value: ""},
		"n":     &types.AttributeValueMemberN{Value: "-12.5e3"},
		"b":     &types.AttributeValueMemberB{Value: []byte{0, 255}},
		"t":     &types.AttributeValueMemberBOOL{Value: true},
		"f":     &types.AttributeValueMemberBOOL{Value: false},
		"null":  &types.AttributeValueMemberNULL{Value: true},
		"ss":    &types.AttributeValueMemberSS{Value: []string{"a", "b"}},
		"ns":    &types.AttributeValueMemberNS{Value: []string{"1", "2"}},
		"bs":    &types.AttributeValueMemberBS{Value: [][]byte{{1}, {2, 3}}},
		"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{
			&types.AttributeValueMemberS{Value: "x"},
			&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}},
		}},
	}}
	b, err := appendValue(nil, av)
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseValue(b)
	if err != nil {
		t.Fatal(err)
	}
	opts := cmpopts.IgnoreUnexported(types.AttributeValueMemberS{}, types.AttributeValueMemberN{},
		types.AttributeValueMemberB{}, types.AttributeValueMemberBOOL{}, types.AttributeValueMemberNULL{},
		types.AttributeValueMemberSS{}, types.AttributeValueMemberNS{}, types.AttributeValueMemberBS{},
		types.AttributeValueMemberL{}, types.AttributeValueMemberM{})
	if d := cmp.Diff(types.AttributeValue(av), got, opts); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}
	for i := range len(b) {
		if _, err := parseValue(b[:i]); err == nil {
			t.Errorf("the first %d of %d bytes parsed", i, len(b))
		}
	}
	if _, err := parseValue(append(b, 0)); err == nil {
		t.Error("trailing byte parsed")
	}
}

// plainSource is a DataKeySource whose wrapped key is the key itself: it
// tests the envelope's caching, not key wrapping.
type plainSource struct{}

func (plainSource) GenerateDataKey(context.Context) ([]byte, []byte, error) {
	k := make([]byte, KeySize)
	rand.Read(k)
	return k, append([]byte("w"), k...), nil
}

func (plainSource) Decrypt(_ context.Context, wrapped []byte) ([]byte, error) {
	return wrapped[1:], nil
}

// TestCipherConcurrent seals and opens from many goroutines at once (run
// with -race): both ciphers are shared by every request of a table.
func TestCipherConcurrent(t *testing.T) {
	local, err := LocalKey(make([]byte, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]Cipher{"local": local, "envelope": Envelope(plainSource{})} {
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for g := range 16 {
			wg.Go(func() {
				for i := range 50 {
					msg := fmt.Appendf(nil, "value %d of %d", i, g)
					aad := []byte{byte(g), byte(i)}
					sealed, err := c.Seal(context.Background(), msg, aad)
					if err != nil {
						errs <- err
						return
					}
					got, err := c.Open(context.Background(), sealed, aad)
					if err != nil || !bytes.Equal(got, msg) {
						errs <- fmt.Errorf("opened %q, %v; want %q", got, err, msg)
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("%s: %v", name, err)
		}
	}
}
