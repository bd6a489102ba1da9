package jobs_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"tenderprobe/app/jobs"
	"tenderprobe/app/jobs/jobstest"
	"tenderprobe/app/probe/probetest"
	"tenderprobe/models"
	"tenderprobe/models/dbtest"
	"tenderprobe/seed"
)

// twentySlugs are 18 standards the probes check and 2 they cannot.
func twentySlugs(b *testing.B) []string {
	f, err := seed.Catalogue()
	if err != nil {
		b.Fatal(err)
	}
	var checked, only []string
	for _, s := range f.ToModels() {
		if len(s.Checks) > 0 {
			checked = append(checked, s.Slug)
		} else {
			only = append(only, s.Slug)
		}
	}
	out := append(checked[:min(18, len(checked))], only[:20-min(18, len(checked))]...)
	if len(out) != 20 {
		b.Fatalf("%d standards", len(out))
	}
	return out
}

// BenchmarkSubmissionToVerdicts measures the time from a vendor's
// submission (20 requirements, one web and one mail domain) until every
// answer has its verdict, with the run claimed at once (as when the submit
// wakes the workers; a run queued by another process waits up to one poll
// interval more).
func BenchmarkSubmissionToVerdicts(b *testing.B) {
	tb := probetest.NewTestbed(b)
	db := dbtest.Open(b)
	f := jobstest.New(b, db, twentySlugs(b)...)
	pool := jobs.New(db, engineFor(b, tb), nil, nil, jobs.Config{})
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		id := f.Submit(b, fmt.Sprintf("Vendor %d", i), []string{probetest.GoodDomain}, []string{probetest.BrokenDomain})
		if ran, err := pool.RunOnce(ctx); err != nil || !ran {
			b.Fatalf("run: %v %v", ran, err)
		}
		if n := len(jobstest.Verdicts(b, db, id)); n != 20 {
			b.Fatalf("%d verdicts, want 20", n)
		}
	}
}

// BenchmarkRecheckTenderWith50Vendors measures one scheduled re-check of
// an awarded tender with 50 vendors (5 requirements, one domain each): the
// wall time until all 50 runs are done with the default pool of 4 workers,
// and the process's peak resident memory (VmHWM).
func BenchmarkRecheckTenderWith50Vendors(b *testing.B) {
	tb := probetest.NewTestbed(b)
	db := dbtest.Open(b)
	f := jobstest.New(b, db, slugs...)
	const vendors = 50
	for i := range vendors {
		d := probetest.GoodDomain
		if i%2 == 1 {
			d = probetest.BrokenDomain
		}
		f.Submit(b, fmt.Sprintf("Vendor %d", i), []string{d}, []string{d})
	}
	ctx := context.Background()
	for _, st := range []string{models.StatusClosed, models.StatusAwarded} {
		if _, err := models.SetTenderStatus(ctx, db, dbtest.ManagerOf(db, f.Tender.ID), f.Tender.ID, st, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	engine := engineFor(b, tb)
	now := time.Now()
	clock := func() time.Time { return now }
	pool := jobs.New(db, engine, nil, nil, jobs.Config{Now: clock})
	work := func() {
		var wg sync.WaitGroup
		for range jobs.DefaultWorkers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					ran, err := pool.RunOnce(ctx)
					if err != nil {
						b.Error(err)
						return
					}
					if !ran {
						return
					}
				}
			}()
		}
		wg.Wait()
	}
	work() // the submissions' runs
	b.ResetTimer()
	for b.Loop() {
		now = now.Add(8 * 24 * time.Hour)
		queued, err := pool.Schedule(ctx)
		if err != nil || len(queued) != vendors {
			b.Fatalf("scheduled %d runs, want %d: %v", len(queued), vendors, err)
		}
		work()
	}
	b.StopTimer()
	var left int64
	if err := db.Model(&models.ProbeRun{}).Where("status <> ?", models.RunDone).Count(&left).Error; err != nil || left != 0 {
		b.Fatalf("%d runs not done: %v", left, err)
	}
	b.ReportMetric(float64(vmHWM(b))/1024, "VmHWM-MB")
}

// vmHWM returns the process's peak resident set in KiB from /proc/self/status.
func vmHWM(b *testing.B) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Skipf("no /proc: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, err := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatal("no VmHWM line")
	return 0
}
