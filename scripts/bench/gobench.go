package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// goBench is one result line of a Go benchmark binary.
type goBench struct {
	Line    string             // as printed, benchstat's format
	Name    string             // without the -GOMAXPROCS suffix
	N       int                // iterations
	Metrics map[string]float64 // unit → value, ns/op included
	CPU     time.Duration      // the process's user+system time
	Wall    time.Duration      // the process's run, start to exit
}

// testBinary compiles a package's tests (benchmarks included) once.
func testBinary(ctx context.Context, cfg config, pkg string) (string, error) {
	out := filepath.Join(cfg.tmp, strings.ReplaceAll(strings.Trim(pkg, "./"), "/", "_")+".test")
	if _, _, err := runCapture(ctx, nil, cfg.goCmd, "test", "-c", "-o", out, pkg); err != nil {
		return "", err
	}
	return out, nil
}

// runBench runs one benchmark (an anchored regexp) once in its own
// process, so that its peak RSS and CPU time are its own.
func runBench(ctx context.Context, bin, pattern string, env ...string) (goBench, error) {
	bs, err := runBenchCount(ctx, bin, pattern, 1, env...)
	if err != nil {
		return goBench{}, err
	}
	return bs[0], nil
}

// runBenchCount runs one benchmark count times in one process and
// returns each run's result line.
func runBenchCount(ctx context.Context, bin, pattern string, count int, env ...string) ([]goBench, error) {
	start := time.Now()
	out, cpu, err := runCapture(ctx, env, bin, "-test.run", "^$", "-test.bench", pattern, "-test.benchtime", "1x",
		"-test.count", strconv.Itoa(count), "-test.timeout", "20m")
	if err != nil {
		return nil, err
	}
	var bs []goBench
	for _, line := range strings.Split(out, "\n") {
		if b, ok := parseBenchLine(line); ok {
			b.CPU, b.Wall = cpu, time.Since(start)
			bs = append(bs, b)
		}
	}
	if len(bs) == 0 {
		return nil, fmt.Errorf("%s -test.bench %s: no result line in:\n%s", bin, pattern, out)
	}
	return bs, nil
}

// best is the run with the highest value of a metric: on a busy machine
// the least disturbed.
func best(bs []goBench, metric string) goBench {
	b := bs[0]
	for _, c := range bs[1:] {
		if c.Metrics[metric] > b.Metrics[metric] {
			b = c
		}
	}
	return b
}

// parseBenchLine reads "BenchmarkX/y-2  1  123 ns/op  4.5 unit …".
func parseBenchLine(line string) (goBench, bool) {
	f := strings.Fields(line)
	if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
		return goBench{}, false
	}
	n, err := strconv.Atoi(f[1])
	if err != nil {
		return goBench{}, false
	}
	b := goBench{Line: line, Name: f[0], N: n, Metrics: map[string]float64{}}
	if i := strings.LastIndexByte(b.Name, '-'); i > 0 {
		if _, err := strconv.Atoi(b.Name[i+1:]); err == nil {
			b.Name = b.Name[:i]
		}
	}
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return goBench{}, false
		}
		b.Metrics[f[i+1]] = v
	}
	return b, true
}
