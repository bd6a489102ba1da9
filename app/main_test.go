package app

import (
	"os"
	"runtime/debug"
	"testing"

	"tenderprobe/models/dbtest"
)

// testGCPercent is the garbage collector's target for the test binary
// unless GOGC says otherwise: the tests allocate much and keep little, and
// at Go's default of 100 a tenth of the package's CPU time went to
// collecting. The attacked server of the memory test (a re-run of this
// binary) keeps the default, so that its figures are a server's.
const testGCPercent = 200

// TestMain closes the journeys' browser and drops the PostgreSQL template
// databases when the tests end.
func TestMain(m *testing.M) {
	if os.Getenv("GOGC") == "" && os.Getenv(envMemoryChild) == "" {
		debug.SetGCPercent(testGCPercent)
	}
	dbtest.Main(m, closeChromium)
}
