package seed_test

import (
	"testing"

	"tenderprobe/models/dbtest"
	"tenderprobe/seed"
)

// TestMain drops the PostgreSQL template databases when the tests end.
func TestMain(m *testing.M) { dbtest.Main(m) }

// demo is a migrated database after one run of seed.Demo, made once per
// test binary (on SQLite and on PostgreSQL): the tests of the demo data
// look at copies of it, and the tests of a second run run it again.
var demo = dbtest.NewTemplate("demo", seed.Demo)
