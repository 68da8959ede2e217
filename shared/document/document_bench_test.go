package document

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"iter"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/sbor-project/sbor/scripts/bench/workload"
	"github.com/sbor-project/sbor/shared/calendar"
)

// The documents figure: the protocol and every volume of signature sheets
// of a project with n counted signatures, as the server renders them (two
// collectors, sheet_size 10, 200 sheets a volume), against fpdf writing
// the same number of empty pages in the same number of files with the
// same fonts. Each size runs best in a process of its own, so that the
// peak-RSS-MB metric (VmHWM) is that size's alone:
//
//	go test -run '^$' -bench 'Documents/signatures=100000$' -benchtime 1x ./shared/document
//
// SBOR_BENCH_SIGNATURES runs BenchmarkDocuments for that size only.
// BenchmarkEmptyPages takes its page count from SBOR_BENCH_PAGES (the
// pages BenchmarkDocuments reported) and its file count from
// SBOR_BENCH_VOLUMES; without them it uses those of 10,000 signatures.

const (
	benchSheetSize       = 10
	benchSheetsPerVolume = 200 // sync-server/internal/web.SheetsPerVolume
	benchPoints          = 90
)

var pageObj = regexp.MustCompile(`/Type /Page\b[^s]`)

// benchStrokes are the drawn signatures the rows take turns with, made
// once so that the figure is the rendering's, not the making of input.
var benchStrokes = func() [][][][]float64 {
	out := make([][][][]float64, 97)
	for i := range out {
		out[i] = workload.Strokes(i, benchPoints)
	}
	return out
}()

// countingWriter counts the pages of the PDFs written through it.
type countingWriter struct {
	buf   bytes.Buffer
	pages int
	bytes int64
}

func (c *countingWriter) flush() {
	c.pages += len(pageObj.FindAll(c.buf.Bytes(), -1))
	c.bytes += int64(c.buf.Len())
	c.buf.Reset()
}

// benchSheets yields the sheets of one volume of a project with n
// signatures collected by two collectors, as the server streams them.
func benchSheets(n, volume int) iter.Seq2[Sheet, error] {
	collectors := []Collector{
		{FullName: workload.Collectors[0].FullName, BirthDate: workload.Collectors[0].BirthDate,
			Document: workload.Collectors[0].Document, Address: workload.Collectors[0].Address},
		{FullName: workload.Collectors[1].FullName, BirthDate: workload.Collectors[1].BirthDate,
			Document: workload.Collectors[1].Document, Address: workload.Collectors[1].Address},
	}
	signed := calendar.MustParse("2026-05-20")
	first, last := (volume-1)*benchSheetsPerVolume+1, volume*benchSheetsPerVolume
	return func(yield func(Sheet, error) bool) {
		number := 0
		for c, col := range collectors {
			count := n / len(collectors)
			if c == 0 {
				count += n % len(collectors)
			}
			for i := 0; i < count; i += benchSheetSize {
				number++
				if number < first {
					continue
				}
				if number > last {
					return
				}
				s := Sheet{Number: number, Collector: col}
				for r := 0; r < benchSheetSize && i+r < count; r++ {
					name, birth := workload.Citizen(c*n + i + r)
					s.Rows = append(s.Rows, Row{N: r + 1, FullName: name, BirthDate: birth, SignedOn: signed,
						Strokes: benchStrokes[(i+r)%len(benchStrokes)]})
				}
				if !yield(s, nil) {
					return
				}
			}
		}
	}
}

func benchSheetCount(n int) int {
	half := n / 2
	return (half+n%2+benchSheetSize-1)/benchSheetSize + (half+benchSheetSize-1)/benchSheetSize
}

// writeProjectDocuments renders the protocol and all sheet volumes of a
// project with n signatures, returning pages and files written.
func writeProjectDocuments(n int, out *countingWriter) (volumes int, err error) {
	sheets := benchSheetCount(n)
	volumes = max(1, (sheets+benchSheetsPerVolume-1)/benchSheetsPerVolume)
	digest := sha256.Sum256([]byte(strconv.Itoa(n)))
	p := Protocol{ProjectName: "Ремонт детской площадки", TerritoryName: "с. Кевсала",
		Resolution: "постановление № 12 от 01.03.2026", Residents: 4 * n, Required: n, Sheets: sheets, Signatures: n,
		Date: calendar.MustParse("2026-06-01"), Digest: hex.EncodeToString(digest[:]),
		VerifyURL: "https://sbor.example/verify/" + hex.EncodeToString(digest[:]), CreatedAt: time.Now(),
		Initiators: []Person{{FullName: workload.Collectors[0].FullName}, {FullName: workload.Collectors[1].FullName}}}
	if err := WriteProtocol(&out.buf, p); err != nil {
		return 0, err
	}
	out.flush()
	for v := 1; v <= volumes; v++ {
		h := SheetsHeader{ProjectName: p.ProjectName, TerritoryName: p.TerritoryName, Volume: v, Volumes: volumes, CreatedAt: time.Now()}
		if err := WriteSheets(&out.buf, h, benchSheets(n, v)); err != nil {
			return 0, err
		}
		out.flush()
	}
	return volumes + 1, nil
}

// BenchmarkDocuments renders the protocol and the signature sheets with
// drawn signatures of a project with 10,000 and 100,000 signatures.
func BenchmarkDocuments(b *testing.B) {
	sizes := []int{10000, 100000}
	if n := envInt("SBOR_BENCH_SIGNATURES", 0); n > 0 {
		sizes = []int{n}
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("signatures=%d", n), func(b *testing.B) {
			var out countingWriter
			files := 0
			cpu0 := cpuTime()
			for i := 0; i < b.N; i++ {
				out = countingWriter{}
				var err error
				if files, err = writeProjectDocuments(n, &out); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			reportDocs(b, out.pages, files, out.bytes, cpuTime()-cpu0)
		})
	}
}

// BenchmarkEmptyPages is the documents figure's limit: fpdf writing the
// same number of empty pages, split into the same number of files, each
// with the fonts the forms embed.
func BenchmarkEmptyPages(b *testing.B) {
	pages, files := envInt("SBOR_BENCH_PAGES", 1001), envInt("SBOR_BENCH_VOLUMES", 6)
	b.Run(fmt.Sprintf("pages=%d", pages), func(b *testing.B) {
		var out countingWriter
		cpu0 := cpuTime()
		for i := 0; i < b.N; i++ {
			out = countingWriter{}
			for f := 0; f < files; f++ {
				pdf := newPDF("L", time.Now(), "Пустые страницы")
				for p := f * pages / files; p < (f+1)*pages/files; p++ {
					pdf.AddPage()
				}
				if err := finish(&out.buf, pdf, "empty"); err != nil {
					b.Fatal(err)
				}
				out.flush()
			}
		}
		b.StopTimer()
		if out.pages != pages {
			b.Fatalf("wrote %d pages, want %d", out.pages, pages)
		}
		reportDocs(b, out.pages, files, out.bytes, cpuTime()-cpu0)
	})
}

// BenchmarkBareFpdfPages is fpdf at its barest: empty pages, no fonts.
func BenchmarkBareFpdfPages(b *testing.B) {
	pages := envInt("SBOR_BENCH_PAGES", 1001)
	var out countingWriter
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		out = countingWriter{}
		pdf := fpdf.New("L", "mm", "A4", "")
		for p := 0; p < pages; p++ {
			pdf.AddPage()
		}
		if err := pdf.Output(&out.buf); err != nil {
			b.Fatal(err)
		}
		out.flush()
	}
	b.StopTimer()
	reportDocs(b, out.pages, 1, out.bytes, cpuTime()-cpu0)
}

// reportDocs reports a run's pages, files and rates: pages/s by the wall
// clock, pages/cpu-s by the process's CPU time (user and system, the
// garbage collector's included), which a busy machine disturbs less.
func reportDocs(b *testing.B, pages, files int, size int64, cpu time.Duration) {
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(pages), "pages")
	b.ReportMetric(float64(files), "files")
	b.ReportMetric(float64(pages)/sec, "pages/s")
	b.ReportMetric(float64(pages)/(cpu.Seconds()/float64(b.N)), "pages/cpu-s")
	b.ReportMetric(float64(size)/float64(pages), "B/page")
	if hwm := peakRSS(); hwm > 0 {
		b.ReportMetric(hwm, "peak-RSS-MB")
	}
}

// peakRSS is this process's VmHWM in MB, or 0 off Linux.
func peakRSS() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// cpuTime is the CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
