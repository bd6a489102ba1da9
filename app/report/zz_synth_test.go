package report

import (
	"os"
	"testing"

	"tenderprobe/models/dbtest"
)

func TestZZSynth(t *testing.T) {
	db := dbtest.Open(t)
	buildSynthYear(t, db, synthYear{Year: 2025, Tenders: 5000, Previous: 200, Standards: 40, PerTender: 8, VendorsPerTender: 5})
	os.Remove("/tmp/synth.db")
	if err := db.Exec("VACUUM INTO '/tmp/synth.db'").Error; err != nil {
		t.Fatal(err)
	}
}
