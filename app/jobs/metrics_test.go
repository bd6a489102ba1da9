package jobs_test

import (
	"context"
	"errors"
	"testing"

	dto "github.com/prometheus/client_model/go"

	"tenderprobe/app/jobs"
	"tenderprobe/app/jobs/jobstest"
	"tenderprobe/app/metrics"
	"tenderprobe/app/probe"
	"tenderprobe/app/probe/probetest"
	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

// gathered reads the registry of db as a scrape would: the value of each
// series, keyed by family name and its one label's value ("" for none).
func gathered(t *testing.T, reg interface {
	Gather() ([]*dto.MetricFamily, error)
}) map[string]float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			key := f.GetName()
			for _, l := range m.GetLabel() {
				key += "{" + l.GetValue() + "}"
			}
			switch {
			case m.Counter != nil:
				out[key] = m.Counter.GetValue()
			case m.Gauge != nil:
				out[key] = m.Gauge.GetValue()
			case m.Histogram != nil:
				out[key] = float64(m.Histogram.GetSampleCount())
			}
		}
	}
	return out
}

// unreachable is a prober for which no domain answers, as when the
// network is down: the run ends not measured.
type unreachable struct{}

func (unreachable) Probe(_ context.Context, domain string) (probe.Result, error) {
	return probe.Result{Domain: domain}, errors.New("connect: network is unreachable")
}

// Not parallel: the finished-run counters are the process's, and the
// parallel tests of this package finish runs too; they wait until this
// test is over, so the counts it reads moved only by its own runs.
func TestProbeRunsMoveTheRunMetrics(t *testing.T) {
	tb := probetest.NewTestbed(t)
	db := dbtest.Open(t)
	f := jobstest.New(t, db, slugs...)
	f.Submit(t, "Good Hosting", []string{probetest.GoodDomain}, []string{probetest.GoodDomain})
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	reg, err := metrics.NewRegistry(sqlDB, func(ctx context.Context) (map[string]int64, error) {
		return models.CountRunsByStatus(ctx, db)
	})
	if err != nil {
		t.Fatal(err)
	}

	queued := gathered(t, reg)
	t.Run("a submission's run waits in the queue", func(t *testing.T) {
		if queued["tenderprobe_probe_queue_depth"] != 1 || queued["tenderprobe_probe_runs{queued}"] != 1 || queued["tenderprobe_probe_runs{done}"] != 0 {
			t.Fatalf("queue depth %v, runs queued %v, done %v", queued["tenderprobe_probe_queue_depth"],
				queued["tenderprobe_probe_runs{queued}"], queued["tenderprobe_probe_runs{done}"])
		}
	})

	if n := drain(t, jobs.New(db, engineFor(t, tb), nil, nil, jobs.Config{})); n != 1 {
		t.Fatalf("worked %d runs, want 1", n)
	}
	done := gathered(t, reg)
	t.Run("a run worked to the end counts as done, with its duration, and leaves the queue", func(t *testing.T) {
		for key, want := range map[string]float64{
			"tenderprobe_probe_runs_finished_total{done}":         1,
			"tenderprobe_probe_run_duration_seconds{done}":        1,
			"tenderprobe_probe_runs_finished_total{failed}":       0,
			"tenderprobe_probe_runs_finished_total{not_measured}": 0,
		} {
			if got := done[key] - queued[key]; got != want {
				t.Errorf("%s moved by %v, want %v", key, got, want)
			}
		}
		if done["tenderprobe_probe_queue_depth"] != 0 || done["tenderprobe_probe_runs{done}"] != 1 || done["tenderprobe_probe_runs{queued}"] != 0 {
			t.Errorf("queue depth %v, runs done %v, queued %v", done["tenderprobe_probe_queue_depth"],
				done["tenderprobe_probe_runs{done}"], done["tenderprobe_probe_runs{queued}"])
		}
	})

	f.Submit(t, "Offline Hosting", []string{probetest.GoodDomain}, nil)
	if n := drain(t, jobs.New(db, unreachable{}, nil, nil, jobs.Config{})); n != 1 {
		t.Fatalf("worked %d runs, want 1", n)
	}
	offline := gathered(t, reg)
	t.Run("a run that reached no domain counts as not measured", func(t *testing.T) {
		if got := offline["tenderprobe_probe_runs_finished_total{not_measured}"] - done["tenderprobe_probe_runs_finished_total{not_measured}"]; got != 1 {
			t.Errorf("not_measured moved by %v, want 1", got)
		}
		if got := offline["tenderprobe_probe_runs_finished_total{done}"] - done["tenderprobe_probe_runs_finished_total{done}"]; got != 0 {
			t.Errorf("done moved by %v, want 0", got)
		}
		if offline["tenderprobe_probe_runs{not_measured}"] != 1 {
			t.Errorf("runs not measured %v, want 1", offline["tenderprobe_probe_runs{not_measured}"])
		}
	})
}
