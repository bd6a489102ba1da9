package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"tenderprobe/app/attest"
	"tenderprobe/app/receipt"
	"tenderprobe/models"
)

// Exit codes of `tenderprobe verify-receipt`.
const (
	receiptOK       = 0
	receiptMismatch = 1
	receiptUsage    = 2
	receiptFailed   = 3
)

// RunVerifyReceipt is `tenderprobe verify-receipt --db DSN --attestation ID
// [--version N] [--data-dir DIR]`: it re-computes the receipt of each
// submitted version (or only version N) from the rows in the database and
// compares it with the receipt stored at submission. With --data-dir it
// also re-hashes every evidence file of those versions. It exits 0 when
// everything matches, 1 on any mismatch, 2 on bad flags and 3 when the
// check cannot run (no database, no such attestation).
func RunVerifyReceipt(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	dataDir := os.Getenv("TENDERPROBE_DATA_DIR")
	var id uint
	var version int
	fs := flag.NewFlagSet("verify-receipt", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := dbFlag(fs)
	fs.UintVar(&id, "attestation", 0, "attestation id")
	fs.IntVar(&version, "version", 0, "submitted version to check (default: every submitted version)")
	fs.StringVar(&dataDir, "data-dir", dataDir, "also re-hash the evidence files stored here")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return receiptOK
		}
		return receiptUsage
	}
	if id == 0 || version < 0 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "tenderprobe verify-receipt: give --attestation ID (and optionally --version N, --db, --data-dir)")
		return receiptUsage
	}
	db, err := models.Open(*dsn)
	if err != nil {
		fmt.Fprintln(stderr, "tenderprobe verify-receipt:", err)
		return receiptFailed
	}
	defer models.Close(db)
	a, err := models.FindAttestation(ctx, db, id)
	if err != nil {
		fmt.Fprintln(stderr, "tenderprobe verify-receipt:", err)
		return receiptFailed
	}
	versions := []int{version}
	if version == 0 {
		versions = nil
		for _, s := range a.Submissions {
			versions = append(versions, s.Version)
		}
		if len(versions) == 0 {
			fmt.Fprintf(stderr, "tenderprobe verify-receipt: attestation %d has never been submitted\n", id)
			return receiptFailed
		}
	}
	code := receiptOK
	for _, v := range versions {
		res, sub, err := models.VerifyReceipt(ctx, db, id, v)
		if err != nil {
			fmt.Fprintln(stderr, "tenderprobe verify-receipt:", err)
			return receiptFailed
		}
		if res.Match {
			fmt.Fprintf(stdout, "attestation %d version %d: receipt %s matches (declared by %s at %s)\n", id, v, sub.Receipt, sub.Declarer, receipt.TimeString(sub.SubmittedAt))
		} else {
			code = receiptMismatch
			fmt.Fprintf(stdout, "attestation %d version %d: MISMATCH: stored %s, recomputed %s\n", id, v, res.Stored, res.Recomputed)
			for _, d := range res.Differences {
				fmt.Fprintf(stdout, "  %s\n", d)
			}
		}
		if dataDir == "" {
			continue
		}
		if err := models.LoadVersion(ctx, db, a, v); err != nil {
			fmt.Fprintln(stderr, "tenderprobe verify-receipt:", err)
			return receiptFailed
		}
		store := attest.Store{Dir: dataDir}
		for _, an := range a.Answers {
			for _, ev := range an.Evidence {
				if ev.Kind != models.EvidenceFile {
					continue
				}
				got, err := store.HashFile(ev.StoragePath)
				switch {
				case err != nil:
					code = receiptMismatch
					fmt.Fprintf(stdout, "  evidence %q: cannot read the stored file: %v\n", ev.FileName, err)
				case got != ev.SHA256:
					code = receiptMismatch
					fmt.Fprintf(stdout, "  evidence %q: file hashes to %s, declared %s\n", ev.FileName, got, ev.SHA256)
				}
			}
		}
	}
	return code
}
