package app

import (
	"context"
	"time"

	"tenderprobe/models"
)

// stampCompactionInterval is how often a server folds PostgreSQL's
// per-transaction change stamps into counters (models.CompactChangeStamps):
// a busy minute adds a few hundred rows to what each cached page sums.
const stampCompactionInterval = time.Minute

// startStampCompaction compacts the change stamps every
// stampCompactionInterval while the server runs, on PostgreSQL; stop ends
// it. Several servers may compact at once: each folds what it sees.
func (s *Server) startStampCompaction(ctx context.Context) (stop func()) {
	if s.DB.Name() == "sqlite" {
		return func() {}
	}
	return every(ctx, stampCompactionInterval, func(ctx context.Context) {
		if err := models.CompactChangeStamps(ctx, s.DB); err != nil && ctx.Err() == nil {
			s.Log.Error("change stamps", "err", err)
		}
	})
}

// every runs fn at once and then every interval until ctx ends or stop
// is called; stop waits for a running fn to return.
func every(ctx context.Context, interval time.Duration, fn func(ctx context.Context)) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			fn(ctx)
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}
