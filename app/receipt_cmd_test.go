package app

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tenderprobe/models"
)

func TestVerifyReceiptCommand(t *testing.T) {
	t.Parallel()
	dbPath := demo.File(t)
	db, err := models.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = models.Close(db) })
	a := newTestAppOn(t, db).withEvidenceStore()
	w := newAttestWorld(t, a)
	ev := w.addFile(t)
	sub := w.submit(t)
	run := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := RunVerifyReceipt(context.Background(), append([]string{"--db", dbPath}, args...), &out, &errOut)
		return code, out.String() + errOut.String()
	}
	id := fmt.Sprint(w.att.ID)
	dataDir := a.h.Attest.Store.Dir

	cases := []struct {
		name   string
		tamper func(t *testing.T)
		args   []string
		code   int
		output string
	}{
		{"an untouched receipt matches", nil, []string{"--attestation", id}, 0, sub.Receipt + " matches"},
		{"the evidence files still match their hashes", nil, []string{"--attestation", id, "--version", "1", "--data-dir", dataDir}, 0, "matches"},
		{"no attestation id is a usage error", nil, nil, 2, "--attestation"},
		{"an unknown attestation cannot be checked", nil, []string{"--attestation", "999999"}, 3, "not found"},
		{"an unknown version cannot be checked", nil, []string{"--attestation", id, "--version", "7"}, 3, "not found"},
		{"a changed evidence file is reported", func(t *testing.T) {
			if err := os.WriteFile(filepath.Join(dataDir, ev.StoragePath), []byte("%PDF-1.4 forged"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, []string{"--attestation", id, "--data-dir", dataDir}, 1, "file hashes to"},
		{"an explanation edited in the database is reported", func(t *testing.T) {
			err := db.Exec("UPDATE answers SET explanation = 'Signed since 2019' WHERE attestation_id = ? AND requirement_id = ?", w.att.ID, w.dnssec).Error
			if err != nil {
				t.Fatal(err)
			}
		}, []string{"--attestation", id}, 1, `explanation changed from "Signing in Q2" to "Signed since 2019"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.tamper != nil {
				c.tamper(t)
			}
			code, out := run(c.args...)
			if code != c.code || !strings.Contains(out, c.output) {
				t.Errorf("exit %d, want %d; output:\n%s\nwant it to contain %q", code, c.code, out, c.output)
			}
		})
	}
	t.Run("the verify page reports the tampering too", func(t *testing.T) {
		page := a.session("auditor@demo.test").get(w.path("/receipt"))
		if page.status != 200 || !strings.Contains(page.body, "does NOT match") || !strings.Contains(page.body, "Signed since 2019") {
			t.Errorf("verify page %d: %s", page.status, errorText(page.body))
		}
	})
}
