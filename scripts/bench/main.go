// Command bench is Sbor's benchmark suite (`make bench`): it measures the
// figures of docs/benchmarks.md, each against a limit measured in the
// same run on the same machine, prints one table and rewrites the doc.
//
// It drives the real programs: the kiosk and the sync server built into
// bin/ run as child processes on loopback ports with their own temporary
// data dirs; a load generator in this process plays 100 kiosks that speak
// the sync protocol (shared/syncproto) with hash-chained logs
// (shared/record) of signatures (shared/signature), 1,000 watchers of a
// live progress page and a poller of the progress API. The documents and
// the dedupe recount run as Go benchmarks (testing.B) of their packages,
// each in a process of its own so that its peak RSS is its own.
//
//	go run ./scripts/bench -bin bin -out docs/benchmarks.md
//	go run ./scripts/bench -scale 0.1 -out /tmp/b.md   # a quick, smaller run
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/sbor-project/sbor/scripts/bench/workload"
)

type config struct {
	repo, bin, tmp, out string
	goCmd               string
	scale               float64
	points              int
	only                map[string]bool
	start               time.Time
}

func (c config) progress(format string, args ...any) {
	el := time.Since(c.start).Round(time.Second)
	fmt.Fprintf(os.Stderr, "bench %6s  %s\n", el, fmt.Sprintf(format, args...))
}

func (c config) runs(step string) bool { return len(c.only) == 0 || c.only[step] }

func main() {
	var cfg config
	var only string
	var keep bool
	var limit time.Duration
	flag.StringVar(&cfg.bin, "bin", "bin", "directory holding the kiosk and sync-server binaries (make build)")
	flag.StringVar(&cfg.out, "out", "docs/benchmarks.md", "the Markdown file to write; empty: print only")
	flag.StringVar(&cfg.repo, "repo", ".", "the repository root (migrations are read from it for the bare limits)")
	flag.Float64Var(&cfg.scale, "scale", 1, "fraction of the full sizes to run (0.1 for a quick look; the doc says so)")
	flag.IntVar(&cfg.points, "points", workload.Default.Points, "points of each drawn signature")
	flag.StringVar(&only, "only", "", "comma-separated steps to run: documents, kiosk, server (default all)")
	flag.BoolVar(&keep, "keep", false, "keep the temporary data dirs and logs")
	flag.DurationVar(&limit, "timeout", 14*time.Minute, "give up after this long")
	flag.Parse()
	cfg.start = time.Now()
	cfg.goCmd = "go"
	if g := os.Getenv("GO"); g != "" {
		cfg.goCmd = g
	}
	if only != "" {
		cfg.only = map[string]bool{}
		for _, s := range strings.Split(only, ",") {
			cfg.only[strings.TrimSpace(s)] = true
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	tmp, err := os.MkdirTemp("", "sbor-bench-")
	if err != nil {
		fail(err)
	}
	cfg.tmp = tmp
	if keep {
		cfg.progress("temporary files kept in %s", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	err = run(ctx, cfg)
	if !keep {
		os.RemoveAll(tmp)
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

func run(ctx context.Context, cfg config) error {
	for _, b := range []string{"kiosk", "sync-server"} {
		if _, err := os.Stat(filepath.Join(cfg.bin, b)); err != nil {
			return fmt.Errorf("%s: %w (run make build first)", filepath.Join(cfg.bin, b), err)
		}
	}
	machine := describeMachine()
	cfg.progress("%s", machine.String())
	var r report
	r.machine, r.scale = machine, cfg.scale

	cfg.progress("compiling the benchmark binaries")
	docBin, err := testBinary(ctx, cfg, "./shared/document")
	if err != nil {
		return err
	}
	storeBin, err := testBinary(ctx, cfg, "./sync-server/internal/sqlite")
	if err != nil {
		return err
	}

	scaled := func(n int) int { return max(1, int(float64(n)*cfg.scale+0.5)) }
	if cfg.runs("documents") {
		for i, n := range []int{scaled(10000), scaled(100000)} {
			d, err := runDocuments(ctx, cfg, docBin, n, 3-i)
			if err != nil {
				return err
			}
			r.docs = append(r.docs, d)
		}
	}
	if cfg.runs("kiosk") {
		k, err := runKiosk(ctx, cfg, scaled(10000))
		if err != nil {
			return err
		}
		r.kiosk = &k
	}
	if cfg.runs("server") {
		spec := workload.Default
		spec.PerKiosk = scaled(spec.PerKiosk)
		spec.Points = cfg.points
		s, err := runServer(ctx, cfg, spec, 1000)
		if err != nil {
			return err
		}
		r.server = &s
		cfg.progress("recount: every project of the server's store, from scratch")
		rc, err := runBench(ctx, storeBin, "^BenchmarkRecountAll$", "SBOR_BENCH_DATA="+s.DataDir)
		if err != nil {
			return err
		}
		r.recount = &rc
		cfg.progress("recount: %.2f s for %.0f signatures, %.0f rows rewritten", rc.Metrics["ns/op"]/1e9, rc.Metrics["signatures"], rc.Metrics["changed"])
	}
	if ctx.Err() != nil {
		return errors.Join(errors.New("out of time"), ctx.Err())
	}
	r.took = time.Since(cfg.start)
	rows := r.rows()
	fmt.Println()
	fmt.Print(terminalTable(rows))
	fmt.Printf("\n%s; run took %s\n", machine.String(), r.took.Round(time.Second))
	if cfg.out != "" {
		if err := writeDoc(cfg.out, r, rows); err != nil {
			return err
		}
		fmt.Println("written to", cfg.out)
	}
	return nil
}

// docResult is the documents figure for one size: runs of the documents
// and of the empty pages in turn, and the pair whose ratio is the median.
type docResult struct {
	N             int
	Docs, Empty   goBench // the median pair
	AllDocs, AllE []goBench
}

// runDocuments renders the protocol and every sheet volume of a project
// with n signatures, then has fpdf write the same number of empty pages
// in the same number of files, each in a process of its own, pairs times
// in turn; a busy machine slows CPU-bound work by varying amounts from
// one moment to the next, so each ratio is of runs side by side.
func runDocuments(ctx context.Context, cfg config, bin string, n, pairs int) (docResult, error) {
	res := docResult{N: n}
	type pair struct{ docs, empty goBench }
	var ps []pair
	for i := 0; i < pairs; i++ {
		d, err := runBench(ctx, bin, fmt.Sprintf("^BenchmarkDocuments$/^signatures=%d$", n), fmt.Sprintf("SBOR_BENCH_SIGNATURES=%d", n))
		if err != nil {
			return res, err
		}
		pages, files := int(d.Metrics["pages"]), int(d.Metrics["files"])
		e, err := runBench(ctx, bin, fmt.Sprintf("^BenchmarkEmptyPages$/^pages=%d$", pages),
			fmt.Sprintf("SBOR_BENCH_PAGES=%d", pages), fmt.Sprintf("SBOR_BENCH_VOLUMES=%d", files))
		if err != nil {
			return res, err
		}
		ps = append(ps, pair{d, e})
		res.AllDocs, res.AllE = append(res.AllDocs, d), append(res.AllE, e)
	}
	ratio := func(p pair) float64 { return p.docs.Metrics["pages/cpu-s"] / p.empty.Metrics["pages/cpu-s"] }
	slices.SortFunc(ps, func(a, b pair) int { return cmp.Compare(ratio(a), ratio(b)) })
	med := ps[(len(ps)-1)/2]
	res.Docs, res.Empty = med.docs, med.empty
	cfg.progress("documents: %d signatures, %.0f pages in %.0f files: %.1f s, %.0f pages/cpu-s, peak RSS %.0f MB; empty pages %.0f pages/cpu-s",
		n, res.Docs.Metrics["pages"], res.Docs.Metrics["files"], res.Docs.Metrics["ns/op"]/1e9, res.Docs.Metrics["pages/cpu-s"],
		res.Docs.Metrics["peak-RSS-MB"], res.Empty.Metrics["pages/cpu-s"])
	return res, nil
}
