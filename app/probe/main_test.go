package probe_test

import (
	"os"
	"testing"

	"tenderprobe/app/probe/probetest"
)

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(probeChildArgs); ok {
		os.Exit(runProbeChild(args))
	}
	os.Exit(probetest.Main(m, 4))
}
