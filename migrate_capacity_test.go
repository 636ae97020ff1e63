package tablemap_test

import (
	"testing"
	"time"

	"github.com/tablemap/tablemap"
)

// TestMigrateCapacity checks that a migration with capacity targets
// consumes, over any 10 s window, at most 20% more than the targets allow,
// measured with a Meter on the client (sampled every 100 ms).
func TestMigrateCapacity(t *testing.T) {
	t.Parallel()
	const n, read, write = 400, 20.0, 200.0 // a re-key consumes 12 WCU on DynamoDB Local: about 24 s
	d := orderTable(t, n)
	type sample struct {
		at    time.Time
		units float64
	}
	samples := []sample{{time.Now(), 0}}
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				samples = append(samples, sample{time.Now(), d.meter.ConsumedCapacity()})
				return
			case now := <-tick.C:
				samples = append(samples, sample{now, d.meter.ConsumedCapacity()})
			}
		}
	}()
	rep, err := tablemap.Migrate(d.old, d.new, upgrade).Segments(4).Capacity(read, write).Run(migCtx)
	close(stop)
	<-sampled
	if err != nil {
		t.Fatal(err)
	}
	limit := 1.2 * (read + write) * 10
	worst := 0.0
	for i, a := range samples {
		for _, b := range samples[i+1:] {
			if b.at.Sub(a.at) > 10*time.Second {
				break
			}
			worst = max(worst, b.units-a.units)
		}
	}
	t.Logf("%v, %.0f RCU + %.0f WCU; at most %.0f units in 10 s (limit %.0f)", rep.Elapsed.Round(time.Millisecond), rep.ReadUnits, rep.WriteUnits, worst, limit)
	if worst > limit {
		t.Errorf("%.0f capacity units consumed in a 10 s window, over %.0f (targets %g RCU/s + %g WCU/s, +20%%)", worst, limit, read, write)
	}
	if total := rep.ReadUnits + rep.WriteUnits; total != d.meter.ConsumedCapacity() || rep.WriteUnits < n*4 {
		t.Errorf("report: %.0f units, meter %.0f; want equal, and %d re-keys", total, d.meter.ConsumedCapacity(), n)
	}
	if least := time.Duration(0.8 * rep.WriteUnits / write * float64(time.Second)); rep.Elapsed < least {
		t.Errorf("took %v for %.0f WCU, want at least %v at %g WCU/s", rep.Elapsed, rep.WriteUnits, least, write)
	}
}
