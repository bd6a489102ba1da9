package app

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"gorm.io/gorm"

	"tenderprobe/app/catalogue"
	"tenderprobe/app/i18n"
	"tenderprobe/handlers"
	"tenderprobe/models"
	"tenderprobe/seed"
)

// RunCatalogue is `tenderprobe catalogue import FILE` and `tenderprobe
// catalogue export [-o FILE] [--format yaml|json]`. Both take --db like
// serve and honour TENDERPROBE_DB.
func RunCatalogue(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, "tenderprobe catalogue: name a subcommand: import FILE or export\n\n", Usage())
		return 2
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("catalogue "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := dbFlag(fs)
	var outFile, format string
	switch sub {
	case "import":
		fs.StringVar(&format, "format", "", "yaml or json (default: from the file name)")
	case "export":
		fs.StringVar(&outFile, "o", "", "write to FILE instead of standard output")
		fs.StringVar(&format, "format", catalogue.FormatYAML, "yaml or json")
	default:
		fmt.Fprintf(stderr, "tenderprobe catalogue: unknown subcommand %q\n\n%s", sub, Usage())
		return 2
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if format != "" && format != catalogue.FormatYAML && format != catalogue.FormatJSON {
		fmt.Fprintf(stderr, "tenderprobe catalogue %s: --format must be yaml or json\n", sub)
		return 2
	}
	if sub == "import" && fs.NArg() != 1 {
		fmt.Fprintln(stderr, "tenderprobe catalogue import: name exactly one FILE")
		return 2
	}
	if sub == "export" && fs.NArg() != 0 {
		fmt.Fprintln(stderr, "tenderprobe catalogue export: unexpected argument", fs.Arg(0))
		return 2
	}

	db, err := openDatabase(ctx, *dsn)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer models.Close(db)
	if _, err := seed.LoadCatalogue(ctx, db); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if sub == "import" {
		return catalogueImport(ctx, db, fs.Arg(0), format, stdout, stderr, log)
	}
	return catalogueExport(ctx, db, outFile, format, stdout, stderr)
}

func catalogueImport(ctx context.Context, db *gorm.DB, path, format string, stdout, stderr io.Writer, log *slog.Logger) int {
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(stderr, "tenderprobe catalogue import:", err)
		return 1
	}
	if format == "" {
		format = catalogue.DetectFormat(path, data)
	}
	cv, err := catalogue.Import(ctx, db, bytes.NewReader(data), format)
	var invalid *catalogue.InvalidFileError
	switch {
	case errors.As(err, &invalid):
		fmt.Fprintf(stderr, "%s is not a valid catalogue:\n", path)
		for _, p := range handlers.CatalogueProblems(i18n.Default, invalid.Problems) {
			fmt.Fprintf(stderr, "  %s: %s\n", path, p)
		}
		return 1
	case errors.Is(err, models.ErrConflict):
		fmt.Fprintf(stderr, "%s: this catalogue version was imported before; versions never change, so give the file a new version\n", path)
		return 1
	case err != nil:
		fmt.Fprintln(stderr, "tenderprobe catalogue import:", err)
		return 1
	}
	log.Info("catalogue imported", "version", cv.Version, "standards", len(cv.Standards))
	fmt.Fprintf(stdout, "Imported catalogue version %s with %d standards; it is now the current version.\n", cv.Version, len(cv.Standards))
	return 0
}

func catalogueExport(ctx context.Context, db *gorm.DB, outFile, format string, stdout, stderr io.Writer) int {
	var buf bytes.Buffer
	if err := catalogue.Export(ctx, db, &buf, format); err != nil {
		fmt.Fprintln(stderr, "tenderprobe catalogue export:", err)
		return 1
	}
	if outFile == "" {
		if _, err := stdout.Write(buf.Bytes()); err != nil {
			fmt.Fprintln(stderr, "tenderprobe catalogue export:", err)
			return 1
		}
		return 0
	}
	if err := os.WriteFile(outFile, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintln(stderr, "tenderprobe catalogue export:", err)
		return 1
	}
	return 0
}
