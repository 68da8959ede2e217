package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// machine describes where the figures were measured.
type machine struct {
	Cores    int
	MemGiB   float64
	CPU      string
	Go       string
	Kernel   string
	LoadAvg  string // at the start: the machine is shared
	Revision string
	Date     string
}

func describeMachine() machine {
	m := machine{Cores: runtime.NumCPU(), Go: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
		Date: time.Now().UTC().Format("2006-01-02 15:04 UTC")}
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
				m.MemGiB = kb / (1 << 20)
			}
		}
	}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if data, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(data))
	}
	if data, err := os.ReadFile("/proc/loadavg"); err == nil {
		f := strings.Fields(string(data))
		if len(f) >= 3 {
			m.LoadAvg = strings.Join(f[:3], " ")
		}
	}
	if out, _, err := runCapture(nilCtx(), nil, "git", "describe", "--always", "--dirty"); err == nil {
		m.Revision = strings.TrimSpace(out)
	}
	return m
}

func (m machine) String() string {
	return fmt.Sprintf("%d cores (%s), %.1f GiB memory, %s, Linux %s, load average %s at the start", m.Cores, m.CPU, m.MemGiB, m.Go, m.Kernel, m.LoadAvg)
}

// report gathers every step's results.
type report struct {
	machine machine
	scale   float64
	took    time.Duration
	docs    []docResult
	kiosk   *kioskResult
	server  *serverResult
	recount *goBench
}

// row is one line of the table.
type row struct {
	Figure, Value, Limit, Ratio, Target string
	Pass                                bool
	Run                                 bool
}

func (r row) result() string {
	switch {
	case !r.Run:
		return "not run"
	case r.Pass:
		return "PASS"
	}
	return "MISS"
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func ratio(v float64) string { return fmt.Sprintf("%.2f×", v) }

// rows turns the results into the table, one row per figure.
func (r report) rows() []row {
	var rows []row
	notRun := func(figure, target string) row {
		return row{Figure: figure, Value: "—", Limit: "—", Ratio: "—", Target: target}
	}

	if k := r.kiosk; k != nil {
		p50, p99, b50, b99 := ms(k.Submit.pct(50)), ms(k.Submit.pct(99)), ms(k.Bare.pct(50)), ms(k.Bare.pct(99))
		rows = append(rows, row{Figure: fmt.Sprintf("kiosk submit → committed, p50/p99 (%s signatures, HTTP API)", thousands(k.N)),
			Value: fmt.Sprintf("%.2f / %.2f ms", p50, p99), Limit: fmt.Sprintf("bare INSERT commit %.2f / %.2f ms", b50, b99),
			Ratio: "p99 " + ratio(p99/b99), Target: "p99 ≤ 2× bare", Pass: p99 <= 2*b99, Run: true})
	} else {
		rows = append(rows, notRun("kiosk submit → committed, p50/p99", "p99 ≤ 2× bare"))
	}
	if s := r.server; s != nil {
		rate := float64(s.IngestN) / s.IngestTime.Seconds()
		bare := 0.0
		for _, t := range s.BareTimes {
			bare = max(bare, float64(s.BareN)/t.Seconds())
		}
		rows = append(rows, row{Figure: fmt.Sprintf("server ingest, signatures/s (%d kiosks over websockets, %s signatures, dedupe)", s.Spec.Kiosks, thousands(s.IngestN)),
			Value: fmt.Sprintf("%.0f/s", rate), Limit: fmt.Sprintf("bare batched INSERT %.0f/s", bare),
			Ratio: ratio(rate / bare), Target: "≥ 0.5× bare", Pass: rate >= 0.5*bare, Run: true})
	} else {
		rows = append(rows, notRun("server ingest, signatures/s", "≥ 0.5× bare"))
	}
	if rc, s := r.recount, r.server; rc != nil && s != nil {
		sec := rc.Metrics["ns/op"] / 1e9
		rows = append(rows, row{Figure: fmt.Sprintf("dedupe: recompute counted sets from scratch (%s signatures, %d projects, %.0f %% repeats)",
			thousands(int(rc.Metrics["signatures"])), s.Spec.Projects, 100*float64(s.WantDup)/float64(max(1, s.Total))),
			Value: fmt.Sprintf("%.2f s", sec), Limit: "—", Ratio: "—", Target: "≤ 10 s", Pass: sec <= 10, Run: true})
	} else {
		rows = append(rows, notRun("dedupe: recompute counted sets from scratch", "≤ 10 s"))
	}
	if s := r.server; s != nil {
		p99 := ms(s.Progress.pct(99))
		rows = append(rows, row{Figure: fmt.Sprintf("dedupe: progress query p99 during ingest (%s queries)", thousands(len(s.Progress))),
			Value: fmt.Sprintf("%.1f ms (p50 %.1f)", p99, ms(s.Progress.pct(50))), Limit: "—", Ratio: "—", Target: "≤ 50 ms", Pass: p99 <= 50, Run: true})
		f99 := s.EventLatency.pct(99)
		rows = append(rows, row{Figure: fmt.Sprintf("live fan-out: kiosk commit → all %s watchers updated, p99 (%d commits)", thousands(s.Watchers), s.Events),
			Value: fmt.Sprintf("%.0f ms (one watcher p99 %.0f ms, %d missed)", ms(f99), ms(s.WatcherLatency.pct(99)), s.Missed),
			Limit: "—", Ratio: "—", Target: "≤ 1 s", Pass: s.Events > 0 && f99 <= time.Second && s.Missed == 0, Run: true})
	} else {
		rows = append(rows, notRun("dedupe: progress query p99 during ingest", "≤ 50 ms"), notRun("live fan-out p99", "≤ 1 s"))
	}
	peak := func(d docResult) float64 {
		m := 0.0
		for _, b := range d.AllDocs {
			m = max(m, b.Metrics["peak-RSS-MB"])
		}
		return m
	}
	for _, d := range r.docs {
		pages := d.Docs.Metrics["pages"]
		rate, empty := d.Docs.Metrics["pages/cpu-s"], d.Empty.Metrics["pages/cpu-s"]
		rows = append(rows, row{Figure: fmt.Sprintf("documents: protocol + sheets with drawn signatures, %s signatures", thousands(d.N)),
			Value: fmt.Sprintf("%.0f pages, %d files: %.1f s, %.0f pages/s, peak RSS %.0f MB", pages, int(d.Docs.Metrics["files"]),
				d.Docs.Metrics["ns/op"]/1e9, rate, peak(d)),
			Limit: fmt.Sprintf("fpdf, as many empty pages: %.0f pages/s", empty),
			Ratio: ratio(rate / empty), Target: "≥ 0.3× empty", Pass: rate >= 0.3*empty, Run: true})
	}
	if len(r.docs) == 2 {
		a, b := peak(r.docs[0]), peak(r.docs[1])
		rows = append(rows, row{Figure: fmt.Sprintf("documents: peak RSS bounded by volumes (%s vs %s signatures)", thousands(r.docs[1].N), thousands(r.docs[0].N)),
			Value: fmt.Sprintf("%.0f MB", b), Limit: fmt.Sprintf("%.0f MB for %s", a, thousands(r.docs[0].N)), Ratio: ratio(b / a),
			Target: "≤ 1.5× (volumes of 200 sheets)", Pass: b <= 1.5*a, Run: true})
	} else {
		rows = append(rows, notRun("documents", "≥ 0.3× empty"))
	}
	if k := r.kiosk; k != nil {
		rows = append(rows,
			row{Figure: "memory: kiosk RSS idle", Value: fmt.Sprintf("%.1f MB", k.Idle.RSS), Limit: "—", Ratio: "—", Target: "≤ 60 MB", Pass: k.Idle.RSS <= 60, Run: true},
			row{Figure: fmt.Sprintf("memory: kiosk peak RSS over %s signatures", thousands(k.N)), Value: fmt.Sprintf("%.1f MB (now %.1f)", k.Load.Peak, k.Load.RSS),
				Limit: "—", Ratio: "—", Target: "≤ 60 MB", Pass: k.Load.Peak <= 60, Run: true})
	} else {
		rows = append(rows, notRun("memory: kiosk RSS", "≤ 60 MB"))
	}
	if s := r.server; s != nil {
		rows = append(rows, row{Figure: fmt.Sprintf("memory: server peak RSS taking and holding %s signatures", thousands(s.Total)),
			Value: fmt.Sprintf("%.0f MB (now %.0f)", s.Memory.Peak, s.Memory.RSS), Limit: "—", Ratio: "—", Target: "≤ 300 MB",
			Pass: s.Memory.Peak <= 300, Run: true})
	} else {
		rows = append(rows, notRun("memory: server RSS", "≤ 300 MB"))
	}
	return rows
}

var tableHead = row{Figure: "figure", Value: "value", Limit: "limit (same run)", Ratio: "ratio", Target: "target"}

func cells(r row) []string {
	res := r.result()
	if r == tableHead {
		res = "result"
	}
	return []string{r.Figure, r.Value, r.Limit, r.Ratio, r.Target, res}
}

// terminalTable is the table as `make bench` prints it.
func terminalTable(rows []row) string {
	all := append([]row{tableHead}, rows...)
	widths := make([]int, 6)
	for _, r := range all {
		for i, c := range cells(r) {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	for n, r := range all {
		for i, c := range cells(r) {
			b.WriteString(c)
			if i < len(widths)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2))
			}
		}
		b.WriteByte('\n')
		if n == 0 {
			for i, w := range widths {
				b.WriteString(strings.Repeat("-", w))
				if i < len(widths)-1 {
					b.WriteString("  ")
				}
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func markdownTable(rows []row) string {
	var b strings.Builder
	b.WriteString("| " + strings.Join(cells(tableHead), " | ") + " |\n|---|---|---|---|---|---|\n")
	for _, r := range rows {
		c := cells(r)
		c[5] = "**" + c[5] + "**"
		b.WriteString("| " + strings.Join(c, " | ") + " |\n")
	}
	return b.String()
}

// benchLines are the figures in the Go benchmark format, so that
// `benchstat old.md new.md` compares two runs (it skips other lines).
func (r report) benchLines() []string {
	var out []string
	add := func(name string, n int, metrics ...any) {
		parts := []string{name, strconv.Itoa(max(n, 1))}
		for i := 0; i+1 < len(metrics); i += 2 {
			parts = append(parts, strconv.FormatFloat(metrics[i].(float64), 'g', 6, 64), metrics[i+1].(string))
		}
		out = append(out, strings.Join(parts, "\t"))
	}
	if k := r.kiosk; k != nil {
		add("BenchmarkKioskSubmit", k.N, ms(k.Submit.pct(50)), "p50-ms", ms(k.Submit.pct(99)), "p99-ms")
		add("BenchmarkKioskBareCommit", k.N, ms(k.Bare.pct(50)), "p50-ms", ms(k.Bare.pct(99)), "p99-ms")
		add("BenchmarkKioskRSS", 1, k.Idle.RSS, "idle-MB", k.Load.Peak, "peak-MB")
	}
	if s := r.server; s != nil {
		add("BenchmarkServerIngest", s.IngestN, float64(s.IngestN)/s.IngestTime.Seconds(), "sigs/s")
		for i, t := range s.BareTimes {
			add(fmt.Sprintf("BenchmarkServerBareInsert/run=%d", i+1), s.BareN, float64(s.BareN)/t.Seconds(), "sigs/s")
		}
		add("BenchmarkServerIngestAll", s.Total, float64(s.Total)/s.TotalTime.Seconds(), "sigs/s")
		add("BenchmarkProgressQuery", len(s.Progress), ms(s.Progress.pct(50)), "p50-ms", ms(s.Progress.pct(99)), "p99-ms")
		add("BenchmarkLiveFanout", s.Events, ms(s.EventLatency.pct(50)), "p50-ms", ms(s.EventLatency.pct(99)), "p99-ms", float64(s.Missed), "missed")
		add("BenchmarkServerRSS", 1, s.Memory.RSS, "MB", s.Memory.Peak, "peak-MB")
	}
	if rc := r.recount; rc != nil {
		out = append(out, rc.Line)
	}
	for _, d := range r.docs {
		for _, b := range append(d.AllDocs, d.AllE...) {
			out = append(out, b.Line)
		}
	}
	return out
}

const notesStart, notesEnd = "<!-- notes: kept as written when make bench rewrites this file -->", "<!-- /notes -->"

// writeDoc writes the Markdown report, keeping the hand-written notes
// (before/after of fixes, what misses and why) of the file it replaces.
func writeDoc(path string, r report, rows []row) error {
	notes := "\n_No notes yet._\n"
	if old, err := os.ReadFile(path); err == nil {
		s := string(old)
		if i := strings.Index(s, notesStart); i >= 0 {
			if j := strings.Index(s[i:], notesEnd); j >= 0 {
				notes = s[i+len(notesStart) : i+j]
			}
		}
	}
	var b strings.Builder
	b.WriteString("# Benchmarks\n\n")
	b.WriteString("Written by `make bench` (`scripts/bench`); do not edit the table by hand. Each figure is measured against a\n" +
		"limit measured **in the same run on the same machine**, so that a slower or busier machine moves both.\n\n")
	fmt.Fprintf(&b, "- **Machine:** %d cores (%s), %.1f GiB memory, %s, Linux %s\n", r.machine.Cores, r.machine.CPU, r.machine.MemGiB, r.machine.Go, r.machine.Kernel)
	fmt.Fprintf(&b, "- **Run:** %s, revision %s, load average %s at the start, took %s", r.machine.Date, r.machine.Revision, r.machine.LoadAvg, r.took.Round(time.Second))
	if r.scale != 1 {
		fmt.Fprintf(&b, ", **at %.2g of the full sizes**", r.scale)
	}
	b.WriteString("\n\n")
	b.WriteString(markdownTable(rows))
	pass, miss := 0, 0
	for _, rw := range rows {
		switch rw.result() {
		case "PASS":
			pass++
		case "MISS":
			miss++
		}
	}
	fmt.Fprintf(&b, "\n%d PASS, %d MISS.\n\n", pass, miss)
	b.WriteString(method)
	b.WriteString("\n## Notes\n\n" + notesStart + notes + notesEnd + "\n\n")
	b.WriteString("## Raw results\n\nIn Go's benchmark format: `benchstat old.md docs/benchmarks.md` compares two runs.\n\n```text\n")
	fmt.Fprintf(&b, "goos: %s\ngoarch: %s\ncpu: %s\ncores: %d\n", runtime.GOOS, runtime.GOARCH, r.machine.CPU, r.machine.Cores)
	for _, l := range r.benchLines() {
		b.WriteString(l + "\n")
	}
	b.WriteString("```\n")
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

const method = `## How each figure is measured

- **Kiosk submit → committed.** A real kiosk (` + "`bin/kiosk -demo`" + `, offline, its own data dir) takes 10,000
  signatures through ` + "`POST /api/projects/p1/signatures`" + ` one after another, as its screen sends them; the time
  is from sending the request to reading the 201, which the kiosk sends only after the commit. The limit is
  the same rows (the log record with its sealed part, the signature row and its near keys; sealed and hashed
  before the clock starts) inserted into the kiosk's own schema (its migration files)
  in a SQLite file opened the same way (` + "`shared/storage`" + `: WAL, ` + "`synchronous=FULL`" + `, secure delete), BEGIN to
  COMMIT. The two alternate in blocks of 500 so that whatever else the machine does weighs on both.
- **Server ingest.** A real ` + "`bin/sync-server`" + `; the office's API puts a catalogue of 1,001 projects and registers
  100 kiosks, each enrolled with its one-time code. 100 simulated kiosks each hold their own log (hash-chained with
  ` + "`shared/record`" + `, payloads ` + "`shared/signature.Signature`" + ` as JSON with drawn strokes, the personal members
  sealed to the office key the server stamps into its catalogue, as kiosks seal them; batches signed with each kiosk's
  device key) and send it over a
  loopback websocket in the real protocol (` + "`shared/syncproto`" + `: hello, welcome, batches of 200, at most 4
  unacknowledged, acks), all at once. The rate is over the first 10 % of every log, prepared in memory beforehand;
  5 % of all signatures repeat a citizen another kiosk signed up, and the server dedupes them. The limit is the same
  rows inserted bare into the server's schema, 200 a transaction with prepared statements, on a fresh file, once
  before and once after; the faster of the two counts.
- **Dedupe at scale.** The kiosks then send the rest of their logs: 1,000,000 signatures over 1,000 projects in all.
  Meanwhile a poller asks ` + "`GET /api/projects/{id}/progress`" + ` of a random project every 20 ms. At the end the
  server's counted and duplicate totals must equal the workload's, or the run fails. With the server stopped,
  ` + "`BenchmarkRecountAll`" + ` (` + "`sync-server/internal/sqlite`" + `) scrambles the flags of 1 % of the groups, then times
  ` + "`RecountAll`" + `, which decides every group's counted signature again from the signatures, ignoring the stored
  flags, and rewrites the rows that differ; it checks the result is exactly what incremental ingest left.
- **Live fan-out.** During that ingest, 1,000 websockets watch ` + "`/p/live/ws`" + ` (the public live page) of a project
  only a real kiosk signs: a second ` + "`bin/kiosk`" + ` enrolled to the server takes a signature every second. Each
  figure is from the kiosk's 201 to the moment the last of the 1,000 watchers received a count that includes it.
- **Documents.** ` + "`BenchmarkDocuments`" + ` (` + "`shared/document`" + `) renders the protocol and every volume of signature
  sheets (two collectors, 10 rows a sheet, 200 sheets a volume, as the server does) with drawn signatures of 90
  points; ` + "`BenchmarkEmptyPages`" + ` has fpdf write as many empty pages in as many files with the same fonts. Each runs
  in its own process, the two in turn, three times for 10,000 signatures and twice for 100,000; the pair with the
  median ratio counts (the lower of two). Rates are pages per CPU second of the rendering (getrusage around it: the
  machine is shared, and CPU time is what rendering costs), seconds are that run's wall time, peak RSS the highest
  VmHWM of the runs.
- **Memory.** VmRSS and VmHWM of the child processes from ` + "`/proc/PID/status`" + `: the kiosk after start-up, and at
  its peak over the 10,000 signatures; the server at its peak over taking the 1,000,000.
`
