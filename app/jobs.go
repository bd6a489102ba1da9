package app

import (
	"context"
	"fmt"
	"log/slog"

	"gorm.io/gorm"

	"tenderprobe/app/jobs"
	"tenderprobe/app/probe"
	"tenderprobe/app/probecli"
)

// newJobs builds the probe engine from cfg.Probe and the worker pool that
// verifies attestations with it; nil with no workers configured, when runs
// are left to other processes sharing the database.
func newJobs(ctx context.Context, cfg Config, db *gorm.DB, log *slog.Logger, mailer jobs.Mailer) (*jobs.Pool, error) {
	if cfg.Probe.Workers == 0 {
		return nil, nil
	}
	pc, err := probecli.BuildConfig(ctx, cfg.Probe.Settings)
	if err != nil {
		return nil, fmt.Errorf("app: probe settings: %w", err)
	}
	engine, err := probe.New(pc)
	if err != nil {
		return nil, fmt.Errorf("app: probe settings: %w", err)
	}
	return jobs.New(db, engine, mailer, log.With("component", "jobs"), jobs.Config{
		Workers: cfg.Probe.Workers, RecheckInterval: cfg.Probe.RecheckInterval, Lease: cfg.Probe.Lease,
	}), nil
}

// startJobs runs the pool until the returned stop is called; stop waits
// until the workers have handed back their unfinished runs.
func (s *Server) startJobs(ctx context.Context) (stop func()) {
	if s.Jobs == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Jobs.Run(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}
