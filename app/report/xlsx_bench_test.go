package report

import (
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"tenderprobe/models/dbtest"
)

// BenchmarkAnnualXLSXLarge writes the annual workbook of the synthetic year
// of BenchmarkAnnualReportLarge (5,000 tenders, 25,000 attestations,
// 200,000 answers, about 85,000 explanations) on SQLite: the annual table
// and every explanation, streamed from the database into excelize's
// StreamWriter. The report is loaded once before the peak memory (VmHWM)
// is reset, so peak-MB is what writing the workbook adds to the resident
// set over base-MB, the resident set before, SQLite's page cache included.
func BenchmarkAnnualXLSXLarge(b *testing.B) {
	db := dbtest.Open(b)
	buildSynthYear(b, db, synthYear{Year: 2025, Tenders: 5000, Previous: 200, Standards: 40, PerTender: 8, VendorsPerTender: 5})
	ctx := context.Background()
	opt := Options{Created: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), Lang: "nl"}
	r, err := LoadAnnualReport(ctx, db, 2025, nil)
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0o200)
	base := rssMB(b)
	b.ReportAllocs()
	size, cpu := 0, time.Duration(0)
	for b.Loop() {
		c0 := cpuTime()
		cw := &countingWriter{}
		if err := WriteAnnualXLSX(ctx, db, cw, r, nil, opt); err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - c0
		size = cw.n
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s")
	b.ReportMetric(base, "base-MB")
	b.ReportMetric(peakRSSMB(b), "peak-MB")
	b.ReportMetric(float64(size)/1e6, "xlsx-MB")
}

// rssMB reads the process's resident set size (VmRSS) in MB.
func rssMB(tb testing.TB) float64 {
	body, err := os.ReadFile("/proc/self/status")
	if err != nil {
		tb.Skipf("no /proc/self/status: %v", err)
	}
	for _, line := range strings.Split(string(body), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				tb.Fatal(err)
			}
			return kb / 1024
		}
	}
	tb.Skip("no VmRSS in /proc/self/status")
	return 0
}
