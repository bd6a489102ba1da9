package app

import (
	"testing"

	"tenderprobe/models/dbtest"
)

// TestMain closes the journeys' browser and drops the PostgreSQL template
// databases when the tests end.
func TestMain(m *testing.M) { dbtest.Main(m, closeChromium) }
