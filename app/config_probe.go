package app

import (
	"time"

	"tenderprobe/app/jobs"
	"tenderprobe/app/probecli"
)

// ProbeConfig holds the probe settings of `serve` (the same as those of
// `tenderprobe probe`, so an installation can point at its own resolver
// and a test at loopback peers) and the verification queue's settings.
type ProbeConfig struct {
	probecli.Settings
	// Workers is how many probe runs this process works on at once; 0
	// runs no workers here (another process sharing the database probes).
	Workers int
	// RecheckInterval is how often the attestations of awarded and active
	// tenders are verified again.
	RecheckInterval time.Duration
	// Lease is how long a run stays with a worker that stopped answering
	// before another worker takes it over.
	Lease time.Duration
}

func defaultProbeConfig() ProbeConfig {
	return ProbeConfig{
		Settings:        probecli.Settings{Timeout: 60 * time.Second},
		Workers:         jobs.DefaultWorkers,
		RecheckInterval: jobs.DefaultRecheckInterval,
		Lease:           jobs.DefaultLease,
	}
}
