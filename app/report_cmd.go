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
const reportUsage = `  report tender --id N [--db DSN] [-o FILE] [--format pdf|csv|xlsx|ocds] [--generated RFC3339]
                             a tender's comply-or-explain report, its requirement x vendor
                             matrix as CSV or XLSX, or OCDS JSON
  report annual --year YYYY [--db DSN] [-o FILE] [--format pdf|csv|xlsx|explanations] [--generated RFC3339] [--lang en|nl|es]
                             the year's comply-or-explain report across all tenders;
                             explanations: every explained answer of the year as CSV;
                             xlsx: the annual table and every explanation, a sheet each
  report sheet --id N [--db DSN] [-o FILE] [--format pdf|docx] [--generated RFC3339]
                             a tender's requirement sheet as PDF or Word (DOCX)
                             (a tender's documents are in the tender's language)
`

// reportFormats are the formats of each report subcommand, the default first.
var reportFormats = map[string][]string{
	"tender": {"pdf", "csv", "xlsx", "ocds"},
	"annual": {"pdf", "csv", "xlsx", "explanations"},
	"sheet":  {"pdf", "docx"},
}

// RunReport is `tenderprobe report tender --id N -o FILE`, `tenderprobe
// report annual --year YYYY -o FILE` and `tenderprobe report sheet --id N
// -o FILE`. All take --db like serve (and
// TENDERPROBE_DB), write to standard output without -o, and take
// --generated RFC3339 to fix the generation time for reproducible files.
// The command line reads the database directly, so it sees every tender.
func RunReport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, "tenderprobe report: name a subcommand: tender, annual or sheet\n\n", reportUsage)
		return 2
	}
	sub, args := args[0], args[1:]
	if sub == "-h" || sub == "--help" || sub == "help" {
		fmt.Fprint(stdout, reportUsage)
		return 0
	}
	if sub != "tender" && sub != "annual" && sub != "sheet" {
		fmt.Fprintf(stderr, "tenderprobe report: unknown subcommand %q\n\n%s", sub, reportUsage)
		return 2
	}
	fs := flag.NewFlagSet("report "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := dbFlag(fs)
	outFile := fs.String("o", "", "write to FILE instead of standard output")
	format := fs.String("format", "pdf", "pdf, csv, xlsx, (tender only) ocds, (annual only) explanations: every explained answer as CSV; report sheet: pdf or docx")
	generated := fs.String("generated", "", "generation time as RFC 3339 (default: now)")
	id := fs.Uint("id", 0, "tender id (report tender, report sheet)")
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
	case (sub == "tender" || sub == "sheet") && *id == 0:
		return usage("--id N is required")
	case sub == "annual" && (*year < 1900 || *year > 9999):
		return usage("--year must be a four-digit year such as 2026")
	case !slices.Contains(i18n.Available(), *lang):
		return usage("unknown --lang " + *lang + ": use one of " + strings.Join(i18n.Available(), ", "))
	case !slices.Contains(reportFormats[sub], *format):
		return usage("unknown --format " + *format + ": use one of " + strings.Join(reportFormats[sub], ", "))
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
	switch sub {
	case "tender":
		err = writeTenderReport(ctx, db, uint(*id), *format, opt, &buf)
	case "sheet":
		err = writeSheet(ctx, db, uint(*id), *format, opt, &buf)
	default:
		err = writeAnnualReport(ctx, db, *year, *format, opt, &buf)
	}
	if errors.Is(err, models.ErrNotFound) {
		fmt.Fprintf(stderr, "tenderprobe report %s: there is no tender %d\n", sub, *id)
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
	case "xlsx":
		return report.WriteTenderXLSX(w, r)
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
	switch format {
	case "csv":
		return report.WriteAnnualCSV(w, r, opt.Lang)
	case "xlsx":
		return report.WriteAnnualXLSX(ctx, db, w, r, nil, opt)
	}
	return report.WriteAnnualReport(w, r, opt)
}

// writeSheet writes tender id's requirement sheet as PDF or DOCX, in the
// tender's language and zone, as the web sends it.
func writeSheet(ctx context.Context, db *gorm.DB, id uint, format string, opt report.Options, w io.Writer) error {
	t, err := models.FindTender(ctx, db, id)
	if err != nil {
		return err
	}
	s := report.SheetOf(t, t.Language)
	opt.Lang, opt.Zone = t.Language, report.ZoneOf(t)
	if format == "docx" {
		return report.WriteSheetDOCX(w, s, opt)
	}
	return report.WriteSheet(w, s, opt)
}
