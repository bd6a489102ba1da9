package app

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"tenderprobe/app/i18n"
	"tenderprobe/app/report"
	"tenderprobe/models"
)

// reportUsage is the report subcommand's part of the help text.
const reportUsage = `  report tender --id N [--db DSN] [-o FILE] [--format pdf|csv|ocds] [--generated RFC3339]
                             a tender's comply-or-explain report, matrix CSV or OCDS JSON
  report annual --year YYYY [--db DSN] [-o FILE] [--format pdf|csv|explanations] [--generated RFC3339] [--lang en|nl|es]
                             the year's comply-or-explain report across all tenders;
                             explanations: every explained answer of the year as CSV
                             (a tender's report is in the tender's language)
`

// RunReport is `tenderprobe report tender --id N -o FILE` and `tenderprobe
// report annual --year YYYY -o FILE`. Both take --db like serve (and
// TENDERPROBE_DB), write to standard output without -o, and take
// --generated RFC3339 to fix the generation time for reproducible files.
// The command line reads the database directly, so it sees every tender.
func RunReport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, "tenderprobe report: name a subcommand: tender or annual\n\n", reportUsage)
		return 2
	}
	sub, args := args[0], args[1:]
	if sub == "-h" || sub == "--help" || sub == "help" {
		fmt.Fprint(stdout, reportUsage)
		return 0
	}
	if sub != "tender" && sub != "annual" {
		fmt.Fprintf(stderr, "tenderprobe report: unknown subcommand %q\n\n%s", sub, reportUsage)
		return 2
	}
	fs := flag.NewFlagSet("report "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := dbFlag(fs)
	outFile := fs.String("o", "", "write to FILE instead of standard output")
	format := fs.String("format", "pdf", "pdf, csv, (tender only) ocds or (annual only) explanations: every explained answer as CSV")
	generated := fs.String("generated", "", "generation time as RFC 3339 (default: now)")
	id := fs.Uint("id", 0, "tender id (report tender)")
	year := fs.Int("year", 0, "year of publication (report annual)")
	lang := fs.String("lang", i18n.Default, "language of the annual report: "+strings.Join(i18n.Available(), ", ")+" (a tender's report is in the tender's language)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	usage := func(msg string) int {
		fmt.Fprintf(stderr, "tenderprobe report %s: %s\n", sub, msg)
		return 2
	}
	switch {
	case fs.NArg() != 0:
		return usage("unexpected argument " + fs.Arg(0))
	case sub == "tender" && *id == 0:
		return usage("--id N is required")
	case sub == "annual" && (*year < 1900 || *year > 9999):
		return usage("--year must be a four-digit year such as 2026")
	case !slices.Contains(i18n.Available(), *lang):
		return usage("unknown --lang " + *lang + ": use one of " + strings.Join(i18n.Available(), ", "))
	case *format != "pdf" && *format != "csv" && !(sub == "tender" && *format == "ocds") && !(sub == "annual" && *format == "explanations"):
		return usage("unknown --format " + *format)
	}
	opt := report.Options{Created: time.Now().UTC().Truncate(time.Second), Lang: *lang}
	if *generated != "" {
		t, err := time.Parse(time.RFC3339, *generated)
		if err != nil {
			return usage("--generated must be an RFC 3339 time such as 2026-12-31T09:00:00Z")
		}
		opt.Created = t
	}

	db, err := openDatabase(ctx, *dsn)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer models.Close(db)
	var buf bytes.Buffer
	if sub == "tender" {
		err = writeTenderReport(ctx, db, uint(*id), *format, opt, &buf)
	} else {
		err = writeAnnualReport(ctx, db, *year, *format, opt, &buf)
	}
	if errors.Is(err, models.ErrNotFound) {
		fmt.Fprintf(stderr, "tenderprobe report tender: there is no tender %d\n", *id)
		return 1
	}
	if err != nil {
		fmt.Fprintln(stderr, "tenderprobe report:", err)
		return 1
	}
	if *outFile == "" || *outFile == "-" {
		if _, err := stdout.Write(buf.Bytes()); err != nil {
			fmt.Fprintln(stderr, "tenderprobe report:", err)
			return 1
		}
		return 0
	}
	if err := os.WriteFile(*outFile, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintln(stderr, "tenderprobe report:", err)
		return 1
	}
	return 0
}

func writeTenderReport(ctx context.Context, db *gorm.DB, id uint, format string, opt report.Options, w io.Writer) error {
	r, err := report.LoadTenderReport(ctx, db, id)
	if err != nil {
		return err
	}
	// A tender's documents are in its own language and zone.
	opt.Lang, opt.Zone = r.Lang, r.Zone
	switch format {
	case "csv":
		return report.WriteTenderCSV(w, r, r.Lang)
	case "ocds":
		return report.WriteTenderOCDS(w, r, report.DefaultOCIDPrefix, opt)
	}
	return report.WriteTenderReport(w, r, opt)
}

func writeAnnualReport(ctx context.Context, db *gorm.DB, year int, format string, opt report.Options, w io.Writer) error {
	if format == "explanations" {
		return report.WriteAnnualExplanationsCSV(ctx, db, w, year, nil, opt.Lang)
	}
	r, err := report.LoadAnnualReport(ctx, db, year, nil)
	if err != nil {
		return err
	}
	if format == "csv" {
		return report.WriteAnnualCSV(w, r, opt.Lang)
	}
	return report.WriteAnnualReport(w, r, opt)
}
