package report

import (
	"bufio"
	"context"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"tenderprobe/models/dbtest"
)

// peakRSSMB reads the process's peak resident set size (VmHWM) in MB.
func peakRSSMB(tb testing.TB) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		tb.Skipf("no /proc/self/status: %v", err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				tb.Fatal(err)
			}
			return kb / 1024
		}
	}
	tb.Skip("no VmHWM in /proc/self/status")
	return 0
}

// BenchmarkAnnualReport loads and renders the annual report of a synthetic
// year of 1,000 tenders with 8 of 40 standards each and 5,000 submitted
// attestations (40,000 answers with verdicts, about 17,000 explanations),
// plus 200 tenders the year before for the comparison. The database is
// built once; the peak memory (VmHWM) is reset after building it, so
// peak-MB is what loading and rendering add on top of the test binary.
func BenchmarkAnnualReport(b *testing.B) {
	db := dbtest.Open(b)
	buildSynthYear(b, db, synthYear{Year: 2025, Tenders: 1000, Previous: 200, Standards: 40, PerTender: 8, VendorsPerTender: 5})
	ctx := context.Background()
	runtime.GC()
	debug.FreeOSMemory()
	// Writing 5 to clear_refs resets VmHWM to the current RSS (Linux).
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0o200)
	b.ReportAllocs()
	pages := 0
	cpu := cpuTime()
	for b.Loop() {
		r, err := LoadAnnualReport(ctx, db, 2025, nil)
		if err != nil {
			b.Fatal(err)
		}
		cw := &countingWriter{}
		if err := WriteAnnualReport(cw, r, Options{Created: generated}); err != nil {
			b.Fatal(err)
		}
		pages = cw.n
	}
	// CPU time per report, which other processes on a busy machine do not
	// inflate the way they inflate wall time.
	b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(peakRSSMB(b), "peak-MB")
	b.ReportMetric(float64(pages)/1e6, "pdf-MB")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// countingWriter counts bytes written.
type countingWriter struct{ n int }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

var _ io.Writer = (*countingWriter)(nil)
