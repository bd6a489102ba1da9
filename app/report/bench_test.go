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

	"tenderprobe/models"
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

// BenchmarkStoredSheet compares, in one run and back to back, rendering a
// published tender's sheet of 12 requirements with sending it from
// storage. All start from the loaded tender, as the handler does: a render
// is SheetOf and WriteSheet; a stored send is SheetOf, the hash and the
// lookup, in this process's memory (stored-ms, the usual case) or, with
// the memory emptied first, one SELECT on SQLite (db-ms, the first send
// by a process). The renders run first (b.Loop, so ns/op and B/op are a
// render's); after a collection, as many stored sends of each kind run,
// timed on their own. speedup is a render's time over a stored send's,
// speedup-db over a send from the database.
func BenchmarkStoredSheet(b *testing.B) {
	db := dbtest.Open(b)
	ctx := context.Background()
	tn := storedTender()
	for i := 3; i <= 12; i++ {
		tn.Requirements = append(tn.Requirements, tn.Requirements[i%2])
	}
	if _, err := SheetPlan(tn, generated).Document(ctx, db); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		p := SheetPlan(tn, generated)
		p.Hash = ""
		if d, err := p.Document(ctx, db); err != nil || d.Stored {
			b.Fatal(err, d.Stored)
		}
		n++
	}
	render := b.Elapsed()
	send := func(forget bool) time.Duration {
		runtime.GC()
		var total time.Duration
		for range n {
			if forget {
				forgetRecent(db)
			}
			start := time.Now()
			if d, err := SheetPlan(tn, generated).Document(ctx, db); err != nil || !d.Stored {
				b.Fatal(err, d.Stored)
			}
			total += time.Since(start)
		}
		return total
	}
	fromDB := send(true)
	stored := send(false)
	b.ReportMetric(render.Seconds()*1e3/float64(n), "render-ms")
	b.ReportMetric(stored.Seconds()*1e3/float64(n), "stored-ms")
	b.ReportMetric(fromDB.Seconds()*1e3/float64(n), "db-ms")
	b.ReportMetric(render.Seconds()/stored.Seconds(), "speedup")
	b.ReportMetric(render.Seconds()/fromDB.Seconds(), "speedup-db")
}

// BenchmarkAnnualReportLarge is goal 4 of issue 13: the annual report of a
// synthetic year of 5,000 tenders with 8 of 40 standards each and 25,000
// submitted attestations (200,000 answers with verdicts, about 85,000
// explanations), plus 200 tenders the year before, on SQLite. Each
// iteration loads and renders the report (load-s, render-s: wall time;
// cpu-s: process CPU time, which other work on a busy machine does not
// inflate), then sends it from storage as the handler does for a closed
// year after a write (stored-s: load, hash, lookup) and with no write since
// it was last sent (stamp-s: the change stamp and the lookup, as the
// handler does; speedup-stamp). peak-MB is the process's peak
// resident set (VmHWM) after resetting it to the resident set once the
// database is built: what loading, rendering and storing add, SQLite's
// page cache (in this process) included.
func BenchmarkAnnualReportLarge(b *testing.B) {
	db := dbtest.Open(b)
	buildSynthYear(b, db, synthYear{Year: 2025, Tenders: 5000, Previous: 200, Standards: 40, PerTender: 8, VendorsPerTender: 5})
	ctx := context.Background()
	opt := Options{Created: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	runtime.GC()
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0o200)
	b.ReportAllocs()
	var load, draw, stored, byStamp time.Duration
	var cpu time.Duration
	size := 0
	for b.Loop() {
		forgetRecent(db)
		if err := db.Where("1 = 1").Delete(&models.StoredPDF{}).Error; err != nil {
			b.Fatal(err)
		}
		c0, t0 := cpuTime(), time.Now()
		r, err := LoadAnnualReport(ctx, db, 2025, nil)
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		cw := &countingWriter{}
		if err := WriteAnnualReport(cw, r, opt); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		cpu += cpuTime() - c0
		load, draw, size = load+t1.Sub(t0), draw+t2.Sub(t1), cw.n
		// Store it once (not timed), then time a send from storage.
		stamp, err := models.PageStamp(ctx, db)
		if err != nil {
			b.Fatal(err)
		}
		p, err := PlanAnnual(ctx, db, 2025, nil, opt, stamp)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.Document(ctx, db); err != nil {
			b.Fatal(err)
		}
		forgetRecent(db)
		t3 := time.Now()
		again, err := LoadAnnualReport(ctx, db, 2025, nil)
		if err != nil {
			b.Fatal(err)
		}
		if d, err := AnnualPlan(again, opt).Document(ctx, db); err != nil || !d.Stored {
			b.Fatal(err, d.Stored)
		}
		stored += time.Since(t3)
		t4 := time.Now()
		now, err := models.PageStamp(ctx, db)
		if err != nil {
			b.Fatal(err)
		}
		sp, err := PlanAnnual(ctx, db, 2025, nil, opt, now)
		if err != nil {
			b.Fatal(err)
		}
		if d, err := sp.Document(ctx, db); err != nil || !d.Stored || d.Hash != p.Hash {
			b.Fatal(err, d.Stored)
		}
		byStamp += time.Since(t4)
	}
	n := float64(b.N)
	b.ReportMetric(load.Seconds()/n, "load-s")
	b.ReportMetric(draw.Seconds()/n, "render-s")
	b.ReportMetric(cpu.Seconds()/n, "cpu-s")
	b.ReportMetric(stored.Seconds()/n, "stored-s")
	b.ReportMetric((load+draw).Seconds()/stored.Seconds(), "speedup")
	b.ReportMetric(byStamp.Seconds()/n, "stamp-s")
	b.ReportMetric((load+draw).Seconds()/byStamp.Seconds(), "speedup-stamp")
	b.ReportMetric(peakRSSMB(b), "peak-MB")
	b.ReportMetric(float64(size)/1e6, "pdf-MB")
}
