package engine

import (
	"context"
	"sync"
	"time"
)

// A CapacityLimiter keeps the capacity units a migration consumes near a
// target rate. Before a request it waits until the balance (units earned
// at the target rate, at most half a second's worth, minus units spent) is
// not negative, then spends an estimate of the request's cost (the cost of
// the last request of the same kind); once the request has answered it
// settles the difference with the units DynamoDB reports it consumed. So
// the units spent over any window exceed the rate by at most half a
// second's worth plus the estimates' errors of the requests in flight.
// A nil *CapacityLimiter (no target) lets every request through.
type CapacityLimiter struct {
	rate float64 // units per second

	mu       sync.Mutex
	balance  float64
	last     time.Time
	estimate map[string]float64 // by request kind
}

// NewCapacityLimiter returns a limiter of rate units per second, or nil
// when rate is not positive.
func NewCapacityLimiter(rate float64) *CapacityLimiter {
	if rate <= 0 {
		return nil
	}
	return &CapacityLimiter{rate: rate, last: time.Now(), estimate: map[string]float64{}}
}

// Wait blocks until a request of kind may be sent and spends its
// estimated cost, which it returns for Settle.
func (l *CapacityLimiter) Wait(ctx context.Context, kind string) (float64, error) {
	if l == nil {
		return 0, ctx.Err()
	}
	for {
		l.mu.Lock()
		now := time.Now()
		l.balance = min(l.balance+l.rate*now.Sub(l.last).Seconds(), l.rate/2)
		l.last = now
		if l.balance >= 0 {
			est, ok := l.estimate[kind]
			if !ok {
				est = 1
			}
			l.balance -= est
			l.mu.Unlock()
			return est, nil
		}
		wait := time.Duration(-l.balance / l.rate * float64(time.Second))
		l.mu.Unlock()
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(max(wait, time.Millisecond)):
		}
	}
}

// Settle replaces the estimate spent for a request of kind by the units it
// consumed.
func (l *CapacityLimiter) Settle(kind string, estimate, consumed float64) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.balance += estimate - consumed
	l.estimate[kind] = consumed
}

// Backoff waits before attempt n+1 of a throttled request: 50 ms doubling
// to at most 5 s.
func Backoff(ctx context.Context, n int) error {
	d := min(50*time.Millisecond<<min(n, 7), 5*time.Second)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
