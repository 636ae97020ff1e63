package tablemap

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"sync"
	"testing"
)

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

// TestCipherConcurrent seals engine.And opens from many goroutines at once (run
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
