package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// A drainScript answers a drainer's requests by what each item has been
// through, not by how the requests were made up, so that one worker and
// several reach the same end: item stuck is never processed, item once is
// processed the second time, and the first request holding item lost
// fails with an outcome that may have been applied.
type drainScript struct {
	stuck, once, lost int

	mu    sync.Mutex
	sends map[int]int // by item
	lostn int
}

func (s *drainScript) send(_ context.Context, idx []int) ([]int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var left []int
	for _, i := range idx {
		s.sends[i]++
		if i == s.lost && s.lostn == 0 {
			s.lostn++
			return nil, fmt.Errorf("connection reset: %w", ErrUnknownOutcome)
		}
	}
	for _, i := range idx {
		if i == s.stuck || i == s.once && s.sends[i] == 1 {
			left = append(left, i)
		}
	}
	// A send may append to its items (their capacity keeps it from
	// writing into the drainer's queue).
	_ = append(idx, -1)
	return left, nil
}

// Drain ends the same whether one worker (on the caller's goroutine) or
// several send the requests: the items out of retries are not done, an
// item whose request may have been applied is done once sent again, and
// each item is sent as often.
func TestDrainWorkers(t *testing.T) {
	const n, retries = 250, 2
	var want map[int]int
	for _, workers := range []int{1, 2, 4} {
		s := &drainScript{stuck: 5, once: 7, lost: 150, sends: map[int]int{}}
		r := RetryPolicy{Retries: retries, Base: time.Microsecond, Max: time.Microsecond, Concurrency: workers}
		notDone, unknown, err := Drain(context.Background(), n, MaxBatchGet, r, s.send)
		if !errors.Is(err, ErrUnprocessed) {
			t.Fatalf("%d workers: err = %v, want ErrUnprocessed", workers, err)
		}
		if diff := cmp.Diff([]int{5}, notDone); diff != "" || unknown != nil {
			t.Fatalf("%d workers: not done (-want +got):\n%s\nunknown %v", workers, diff, unknown)
		}
		if s.sends[5] != retries+1 || s.sends[7] != 2 || s.sends[150] != 2 || s.sends[0] != 1 || len(s.sends) != n {
			t.Fatalf("%d workers: sends of 5, 7, 150, 0: %d, %d, %d, %d; want %d, 2, 2, 1", workers,
				s.sends[5], s.sends[7], s.sends[150], s.sends[0], retries+1)
		}
		if want == nil {
			want = s.sends
		} else if diff := cmp.Diff(want, s.sends); diff != "" {
			t.Fatalf("%d workers: sends by item differ from one worker's (-one +these):\n%s", workers, diff)
		}
	}
}

// A request that fails for good ends the batch with its error: the items
// of the requests sent are perhaps done (the error says so), the others
// not done, whatever the number of workers.
func TestDrainEnds(t *testing.T) {
	for _, workers := range []int{1, 4} {
		fail := fmt.Errorf("lost: %w", ErrUnknownOutcome)
		ctx, cancel := context.WithCancel(context.Background())
		var mu sync.Mutex
		sent := map[int]bool{}
		send := func(ctx context.Context, idx []int) ([]int, error) {
			mu.Lock()
			defer mu.Unlock()
			for _, i := range idx {
				sent[i] = true
			}
			cancel() // not retryable once the context has ended
			return nil, fail
		}
		r := RetryPolicy{Retries: 3, Base: time.Microsecond, Max: time.Microsecond, Concurrency: workers}
		notDone, unknown, err := Drain(ctx, 250, MaxBatchGet, r, send)
		if !errors.Is(err, fail) {
			t.Fatalf("%d workers: err %v, want %v", workers, err, fail)
		}
		var wantNot, wantUnknown []int
		for i := range 250 {
			if sent[i] {
				wantUnknown = append(wantUnknown, i)
			} else {
				wantNot = append(wantNot, i)
			}
		}
		if diff := cmp.Diff(wantUnknown, unknown); diff != "" || len(unknown) < 100 {
			t.Fatalf("%d workers: unknown (-want +got):\n%s", workers, diff)
		}
		if diff := cmp.Diff(wantNot, notDone); diff != "" {
			t.Fatalf("%d workers: not done (-want +got):\n%s", workers, diff)
		}
		if workers == 1 && len(unknown) != 100 {
			t.Fatalf("one worker: %d items perhaps done, want the first request's 100", len(unknown))
		}
	}
}

// A batch of one request that goes through costs its drainer and its
// queue alone: no goroutine, no condition variable, no copy of the
// request's items, no tries nor maybes kept for retries that never come.
func TestDrainOneRequestAllocs(t *testing.T) {
	send := func(context.Context, []int) ([]int, error) { return nil, nil }
	r := DefaultRetry()
	allocs := testing.AllocsPerRun(100, func() {
		if _, _, err := Drain(context.Background(), MaxBatchGet, MaxBatchGet, r, send); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 2 {
		t.Fatalf("Drain of one request: %v allocations, want at most 2", allocs)
	}
}
