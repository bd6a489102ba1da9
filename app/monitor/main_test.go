package monitor_test

import (
	"testing"

	"tenderprobe/models/dbtest"
)

// TestMain drops the PostgreSQL template databases when the tests end.
func TestMain(m *testing.M) { dbtest.Main(m) }
