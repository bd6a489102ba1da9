package probe_test

import (
	"os"
	"testing"

	"tenderprobe/app/probe/probetest"
)

func TestMain(m *testing.M) { os.Exit(probetest.Main(m, 4)) }
