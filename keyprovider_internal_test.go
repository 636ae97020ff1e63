package tablemap

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestBindingOfAAD: the binding an envelope gives its source is the table
// and attribute of the additional data Table.aad makes; other additional
// data has none.
func TestBindingOfAAD(t *testing.T) {
	tbl := NewTable(nil, "real", WithLogicalTableName("logical"))
	got := bindingOf(tbl.core.Aad(Key{PK: "USER#ann", SK: "CRED#x"}, "secret"))
	if diff := cmp.Diff(DataKeyBinding{Table: "logical", Attribute: "secret"}, got); diff != "" {
		t.Errorf("binding (-want +got):\n%s", diff)
	}
	for _, aad := range [][]byte{nil, []byte("other"), append(tbl.core.Aad(Key{PK: "a", SK: "b"}, "c"), 0)} {
		if b := bindingOf(aad); b != (DataKeyBinding{}) {
			t.Errorf("bindingOf(%q) = %+v, want none", aad, b)
		}
	}
}

// countingSource is a plainSource that counts its calls.
type countingSource struct {
	plainSource
	generated int
}

func (c *countingSource) GenerateDataKey(ctx context.Context) ([]byte, []byte, error) {
	c.generated++
	return c.plainSource.GenerateDataKey(ctx)
}

// TestEnvelopeLimits: a zero limit takes its default, a negative one is an
// error, and a plain source's values share one data key whatever their
// attribute.
func TestEnvelopeLimits(t *testing.T) {
	if _, err := EnvelopeWithLimits(plainSource{}, DataKeyLimits{MaxValues: -1}); err == nil {
		t.Error("negative MaxValues: no error")
	}
	if _, err := EnvelopeWithLimits(plainSource{}, DataKeyLimits{MaxValues: math.MaxInt}); err == nil && math.MaxInt > 1<<32 {
		t.Error("MaxValues over 2^32: no error")
	}
	if _, err := EnvelopeWithLimits(nil, DataKeyLimits{}); err == nil {
		t.Error("nil source: no error")
	}
	src := &countingSource{}
	c, err := EnvelopeWithLimits(src, DataKeyLimits{MaxValues: 2})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(DataKeyLimits{MaxAge: 5 * time.Minute, MaxValues: 2, MaxBytes: 1 << 30, MaxKeys: 1000}, c.(*envelope).limits); diff != "" {
		t.Errorf("limits (-want +got):\n%s", diff)
	}
	tbl := NewTable(nil, "t")
	for _, attr := range []string{"a", "b", "a", "b"} {
		if _, err := c.Seal(context.Background(), []byte("x"), tbl.core.Aad(Key{PK: "p", SK: "s"}, attr)); err != nil {
			t.Fatal(err)
		}
	}
	if src.generated != 2 {
		t.Errorf("4 values, MaxValues 2, plain source: %d data keys, want 2", src.generated)
	}
}

// gatedSource is a plainSource whose GenerateDataKey waits for release (or
// its caller's context) and counts its calls.
type gatedSource struct {
	plainSource
	release chan struct{}
	calls   atomic.Int32
}

func (g *gatedSource) GenerateDataKey(ctx context.Context) ([]byte, []byte, error) {
	g.calls.Add(1)
	select {
	case <-g.release:
		return g.plainSource.GenerateDataKey(ctx)
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
}

// TestEnvelopeCoalesces: Seals that need a data key at once share one
// source call; when the call fails only because its caller gave up, the
// others try again with their own context.
func TestEnvelopeCoalesces(t *testing.T) {
	src := &gatedSource{release: make(chan struct{})}
	c := Envelope(src)
	leaderCtx, cancel := context.WithCancel(context.Background())
	leaderErr := make(chan error, 1)
	go func() {
		_, err := c.Seal(leaderCtx, []byte("x"), nil)
		leaderErr <- err
	}()
	for src.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			sealed, err := c.Seal(context.Background(), []byte("y"), nil)
			if err == nil {
				_, err = c.Open(context.Background(), sealed, nil)
			}
			errs <- err
		})
	}
	time.Sleep(20 * time.Millisecond) // let them join the leader's call
	cancel()
	if err := <-leaderErr; !errors.Is(err, context.Canceled) {
		t.Errorf("leader: %v, want context.Canceled", err)
	}
	close(src.release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := src.calls.Load(); n != 2 {
		t.Errorf("%d GenerateDataKey calls for 9 concurrent Seals (one cancelled), want 2", n)
	}
}

// boundRecorder is a BoundDataKeySource that records the bindings it is
// asked for.
type boundRecorder struct {
	plainSource
	mu       sync.Mutex
	bindings []DataKeyBinding
}

func (r *boundRecorder) GenerateBoundDataKey(ctx context.Context, b DataKeyBinding) ([]byte, []byte, error) {
	r.mu.Lock()
	r.bindings = append(r.bindings, b)
	r.mu.Unlock()
	return r.GenerateDataKey(ctx)
}

func (r *boundRecorder) DecryptBound(ctx context.Context, wrapped []byte, b DataKeyBinding) ([]byte, error) {
	r.mu.Lock()
	r.bindings = append(r.bindings, b)
	r.mu.Unlock()
	return r.Decrypt(ctx, wrapped)
}

// TestBindingNamesEntity: an entity's encrypted attribute is sealed and
// opened under a data key bound to the table, the entity and the
// attribute, so two entities never share a data key.
func TestBindingNamesEntity(t *testing.T) {
	type Vault struct {
		_      struct{} `tablemap:"Vault" pk:"V#{id}"`
		ID     string   `dynamo:"id"`
		Secret string   `dynamo:"secret,encrypted"`
	}
	type Diary struct {
		_      struct{} `tablemap:"Diary" pk:"D#{id}"`
		ID     string   `dynamo:"id"`
		Secret string   `dynamo:"secret,encrypted"`
	}
	src := &boundRecorder{}
	tbl := NewTable(nil, "app", WithCipher(Envelope(src)))
	vaults := MustDefine[Vault](tbl)
	diaries := MustDefine[Diary](tbl)
	ctx := context.Background()
	in, err := vaults.Put(Vault{ID: "1", Secret: "s"}).Params()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := diaries.Put(Diary{ID: "1", Secret: "s"}).Params(); err != nil {
		t.Fatal(err)
	}
	if _, err := vaults.decode(ctx, in.Item); err != nil {
		t.Fatal(err)
	}
	want := []DataKeyBinding{
		{Table: "app", Entity: "Vault", Attribute: "secret"},
		{Table: "app", Entity: "Diary", Attribute: "secret"},
	}
	// The read of the vault's value finds its data key cached by the
	// envelope: no third call.
	if diff := cmp.Diff(want, src.bindings); diff != "" {
		t.Errorf("bindings (-want +got):\n%s", diff)
	}
}
