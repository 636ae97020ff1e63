// Command paired runs the operation benchmarks of package bench
// interleaved, so that a shared, noisy machine slows every implementation
// alike: for each operation it runs a short block of each implementation
// in turn, forward then backward (A B C C B A), measures the process's CPU
// time (user + system, from getrusage) and wall time per op in each
// block, and repeats for a number of rounds. It prints, per operation and
// implementation, the CPU time per op, the ratio to raw with a 95%
// confidence interval (a t-interval over the rounds' log ratios), the same
// for wall time, tablemap's CPU ratio to guregu the same way where guregu
// has the operation (a ratio of two implementations measured in the same
// rounds, so its interval is narrower than comparing their ratios to
// raw), and allocations per op.
//
//	cd bench && go run ./cmd/paired [-rounds 60] [-block 25ms] [-minops 10] [-max 7m] [-run regexp] [-latency 0] [-isolate=true]
//
// A block runs for -block and at least -minops ops. Each block starts
// with a forced garbage collection, after which the next one comes once
// the block has allocated about 4 MB: in a block of a few ops that is
// always the same point of the first op, which for a batch of 1,000
// writes is its worst (all its items held). Ten ops or more spread the
// collections over the ops, as a long-running program sees them.
//
// With -latency, the in-memory server waits that long before each answer,
// as a network would: the CPU ratios stay what they are, and the wall
// ratios show what concurrent requests gain.
//
// Every operation gets an equal share of -max; an operation whose share
// runs out stops after the rounds done, and the table says how many.
//
// Each operation runs in a process of its own (this command again, with
// -run naming it), so that no operation measures on the heap an earlier
// one left: after the 1,000-item batches, the Params rows read 0.1–0.2
// higher than in a process of their own. -isolate=false runs them all in
// this process.
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tablemap/tablemap/bench"
)

func main() {
	rounds := flag.Int("rounds", 60, "rounds per operation")
	block := flag.Duration("block", 25*time.Millisecond, "length of one block of one implementation (CPU or wall time, the longer)")
	minOps := flag.Int("minops", 10, "fewest ops in one block")
	maxTime := flag.Duration("max", 7*time.Minute, "time limit of the whole run")
	run := flag.String("run", "", "run only the operations matching this regexp")
	latency := flag.Duration("latency", 0, "delay of the in-memory server's every answer")
	isolate := flag.Bool("isolate", true, "run each operation in a process of its own")
	rowsOnly := flag.Bool("rows", false, "print the table's rows only (for -isolate)")
	flag.Parse()
	re, err := regexp.Compile(*run)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var ops []bench.Op
	for _, op := range bench.Ops(bench.Config{Latency: *latency}) {
		if re.MatchString(op.Name) {
			ops = append(ops, op)
		}
	}
	if len(ops) == 0 {
		fmt.Fprintln(os.Stderr, "no operation matches", *run)
		os.Exit(2)
	}
	budget := *maxTime / time.Duration(len(ops))
	if !*rowsOnly {
		fmt.Printf("paired: %s, %s %s/%s, GOMAXPROCS %d, load %s\n", time.Now().UTC().Format(time.RFC3339),
			runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), loadavg())
		fmt.Printf("rounds %d, blocks of %v and at least %d ops, A B … B A order, time limit %v, latency %v, isolated %v\n\n", *rounds, *block, *minOps, *maxTime, *latency, *isolate)
		fmt.Println("| op | impl | CPU µs/op | CPU ×raw [95% CI] | wall ×raw [95% CI] | CPU ×guregu [95% CI] | allocs/op | rounds |")
		fmt.Println("|---|---|---:|---|---|---|---:|---:|")
	}
	if *isolate {
		for _, op := range ops {
			cmd := exec.Command(os.Args[0], "-isolate=false", "-rows", "-run", "^"+regexp.QuoteMeta(op.Name)+"$",
				"-rounds", strconv.Itoa(*rounds), "-block", block.String(), "-minops", strconv.Itoa(*minOps),
				"-max", budget.String(), "-latency", latency.String())
			cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
			if err := cmd.Run(); err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", op.Name, err)
				os.Exit(1)
			}
		}
		fmt.Printf("\nload at the end: %s\n", loadavg())
		return
	}
	for _, op := range ops {
		res, err := measure(context.Background(), op, *rounds, *minOps, *block, budget)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", op.Name, err)
			os.Exit(1)
		}
		report(op, res)
	}
	if !*rowsOnly {
		fmt.Printf("\nload at the end: %s\n", loadavg())
	}
}

// sample is what one round measured of one implementation: CPU and wall
// time per op, and allocations per op.
type sample struct{ cpu, wall, allocs float64 }

// measure runs rounds of blocks of op's implementations and returns the
// samples of each implementation, one per round done.
func measure(ctx context.Context, op bench.Op, rounds, minOps int, block, budget time.Duration) ([][]sample, error) {
	start := time.Now()
	iters := make([]int, len(op.Impls))
	for i, im := range op.Impls { // warm up and calibrate
		n := 1
		for {
			s, err := runBlock(ctx, im, n)
			if err != nil {
				return nil, err
			}
			per := max(s.cpu, s.wall)
			if took := time.Duration(per * float64(n)); took >= block/4 || n >= 1<<20 {
				iters[i] = max(1, minOps, int(float64(block)/per))
				break
			}
			n *= 2
		}
	}
	res := make([][]sample, len(op.Impls))
	order := make([]int, 0, 2*len(op.Impls))
	for i := range op.Impls {
		order = append(order, i)
	}
	for i := len(op.Impls) - 1; i >= 0; i-- {
		order = append(order, i)
	}
	for r := 0; r < rounds && (r < 3 || time.Since(start) < budget); r++ {
		sum := make([]sample, len(op.Impls))
		for _, i := range order {
			s, err := runBlock(ctx, op.Impls[i], iters[i])
			if err != nil {
				return nil, err
			}
			sum[i].cpu += s.cpu / 2
			sum[i].wall += s.wall / 2
			sum[i].allocs += s.allocs / 2
		}
		for i := range sum {
			res[i] = append(res[i], sum[i])
		}
	}
	return res, nil
}

// runBlock runs im n times after a garbage collection, so that one
// block's garbage is not collected in the next one's time.
func runBlock(ctx context.Context, im bench.Impl, n int) (sample, error) {
	var ms0, ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	cpu0, wall0 := cpuTime(), time.Now()
	for range n {
		if _, err := im.Run(ctx); err != nil {
			return sample{}, fmt.Errorf("%s: %w", im.Name, err)
		}
	}
	cpu, wall := cpuTime()-cpu0, time.Since(wall0)
	runtime.ReadMemStats(&ms1)
	return sample{
		cpu:    float64(cpu) / float64(n),
		wall:   float64(wall) / float64(n),
		allocs: float64(ms1.Mallocs-ms0.Mallocs) / float64(n),
	}, nil
}

// cpuTime is the process's CPU time so far, user and system, all threads.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// report prints the rows of one operation: raw's first, then each
// implementation's ratios to it, and tablemap's to guregu.
func report(op bench.Op, res [][]sample) {
	g := slices.IndexFunc(op.Impls, func(im bench.Impl) bool { return im.Name == "guregu" })
	for i, im := range op.Impls {
		cpus := make([]float64, len(res[i]))
		var allocs float64
		for r, s := range res[i] {
			cpus[r] = s.cpu
			allocs += s.allocs
		}
		allocs /= float64(len(res[i]))
		cpuCI, wallCI := "1", "1"
		if i > 0 {
			cpuCI = ratioCI(res[i], res[0], func(s sample) float64 { return s.cpu })
			wallCI = ratioCI(res[i], res[0], func(s sample) float64 { return s.wall })
		}
		gCI := "–"
		if g >= 0 && im.Name == "tablemap" {
			gCI = ratioCI(res[i], res[g], func(s sample) float64 { return s.cpu })
		}
		fmt.Printf("| %s | %s | %.1f | %s | %s | %s | %.0f | %d |\n",
			op.Name, im.Name, median(cpus)/1e3, cpuCI, wallCI, gCI, allocs, len(res[i]))
	}
}

// ratioCI returns the geometric mean of the per-round ratios a/b and its
// 95% confidence interval, a t-interval on the logarithms.
func ratioCI(a, b []sample, f func(sample) float64) string {
	logs := make([]float64, len(a))
	var mean float64
	for r := range a {
		logs[r] = math.Log(f(a[r]) / f(b[r]))
		mean += logs[r]
	}
	n := float64(len(logs))
	mean /= n
	var ss float64
	for _, l := range logs {
		ss += (l - mean) * (l - mean)
	}
	half := tQuantile975(n-1) * math.Sqrt(ss/(n-1)/n)
	return fmt.Sprintf("%.2f [%.2f, %.2f]", math.Exp(mean), math.Exp(mean-half), math.Exp(mean+half))
}

// tQuantile975 approximates the 97.5% quantile of Student's t with df
// degrees of freedom (Cornish-Fisher expansion; within 0.5% for df ≥ 3).
func tQuantile975(df float64) float64 {
	const z = 1.959964
	z3, z5 := z*z*z, z*z*z*z*z
	return z + (z3+z)/(4*df) + (5*z5+16*z3+3*z)/(96*df*df) + (3*z5*z*z+19*z5+17*z3-15*z)/(384*df*df*df)
}

func median(xs []float64) float64 {
	xs = slices.Clone(xs)
	slices.Sort(xs)
	if len(xs)%2 == 1 {
		return xs[len(xs)/2]
	}
	return (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}
