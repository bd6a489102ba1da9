package app

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"tenderprobe/models"
	"tenderprobe/seed"
)

func TestRunReport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	dsn := demo.File(t)
	db, err := models.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	buyer, err := models.FindOrgByName(ctx, db, seed.DemoBuyer)
	if err != nil {
		t.Fatal(err)
	}
	tn, err := models.FindTenderByReference(ctx, db, buyer.ID, "DSC-2026-014")
	if err != nil {
		t.Fatal(err)
	}
	year := tn.PublishedAt.UTC().Year()
	if err := models.Close(db); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		if len(args) > 0 {
			args = append(args, "--db", dsn)
		}
		code := RunReport(ctx, args, &out, &errOut)
		return code, out.String(), errOut.String()
	}

	t.Run("report tender writes the PDF to the file, the same bytes each time", func(t *testing.T) {
		var files [2][]byte
		for i := range files {
			file := filepath.Join(dir, fmt.Sprintf("tender%d.pdf", i))
			if code, _, stderr := run("tender", "--id", fmt.Sprint(tn.ID), "-o", file, "--generated", "2026-12-31T09:00:00Z"); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if files[i], err = os.ReadFile(file); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(files[0], files[1]) {
			t.Fatal("two runs with the same --generated differ")
		}
		text := pdfTextOf(t, string(files[0]))
		for _, want := range []string{"Hosting of www.demostad.example", "Generated 31 Dec 2026, 10:00 CET"} {
			if !strings.Contains(text, want) {
				t.Errorf("PDF lacks %q", want)
			}
		}
	})

	t.Run("report tender --format ocds and csv write to standard output", func(t *testing.T) {
		code, out, stderr := run("tender", "--id", fmt.Sprint(tn.ID), "--format", "ocds")
		if code != 0 || !strings.Contains(out, `"requirementGroups"`) {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		code, out, _ = run("tender", "--id", fmt.Sprint(tn.ID), "--format", "csv")
		if code != 0 || !strings.HasPrefix(out, "Tender number,Tender reference,") {
			t.Fatalf("exit %d: %q", code, out)
		}
	})

	t.Run("report annual writes the year's PDF and CSV", func(t *testing.T) {
		file := filepath.Join(dir, "annual.pdf")
		if code, _, stderr := run("annual", "--year", fmt.Sprint(year), "-o", file); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		pdf, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if text := pdfTextOf(t, string(pdf)); !strings.Contains(text, "DSC-2026-014") {
			t.Fatal("the annual report does not list the demo tender")
		}
		code, out, _ := run("annual", "--year", fmt.Sprint(year), "--format", "csv")
		if code != 0 || !strings.Contains(out, ",total,") {
			t.Fatalf("exit %d: %q", code, out)
		}
		code, out, _ = run("annual", "--year", fmt.Sprint(year), "--format", "explanations", "--lang", "nl")
		if code != 0 || !strings.HasPrefix(out, "Jaar,Standaard (code),") || strings.Count(out, "\n") < 2 {
			t.Fatalf("exit %d: %q", code, out)
		}
	})

	t.Run("report tender and annual --format xlsx write workbooks of the CSVs' tables", func(t *testing.T) {
		code, out, stderr := run("tender", "--id", fmt.Sprint(tn.ID), "--format", "xlsx")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		f := openWorkbook(t, []byte(out))
		rows, err := f.GetRows("Answers DSC-2026-014")
		if err != nil || len(rows) < 2 || rows[0][0] != "Tender number" {
			t.Fatalf("sheets %q: %v", f.GetSheetList(), err)
		}
		_, csvOut, _ := run("tender", "--id", fmt.Sprint(tn.ID), "--format", "csv")
		if want := strings.Count(csvOut, "\n"); len(rows) != want {
			t.Errorf("%d rows, the CSV has %d lines", len(rows), want)
		}
		file := filepath.Join(dir, "annual.xlsx")
		if code, _, stderr := run("annual", "--year", fmt.Sprint(year), "--format", "xlsx", "--lang", "nl", "-o", file); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		body, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{fmt.Sprintf("Jaartabel %d", year), fmt.Sprintf("Toelichtingen %d", year)}
		if got := openWorkbook(t, body).GetSheetList(); !slices.Equal(got, want) {
			t.Errorf("sheets %q, want %q", got, want)
		}
	})

	t.Run("report sheet writes the sheet as DOCX or PDF in the tender's language", func(t *testing.T) {
		var files [2][]byte
		for i := range files {
			code, out, stderr := run("sheet", "--id", fmt.Sprint(tn.ID), "--format", "docx", "--generated", "2026-12-31T09:00:00Z")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			files[i] = []byte(out)
		}
		if !bytes.Equal(files[0], files[1]) {
			t.Error("two runs with the same --generated differ")
		}
		zr, err := zip.NewReader(bytes.NewReader(files[0]), int64(len(files[0])))
		if err != nil {
			t.Fatal(err)
		}
		rc, err := zr.Open("word/document.xml")
		if err != nil {
			t.Fatal(err)
		}
		doc, _ := io.ReadAll(rc)
		rc.Close()
		if !strings.Contains(string(doc), "Requirement sheet: Hosting of www.demostad.example") {
			t.Error("the DOCX lacks the sheet's heading")
		}
		code, out, stderr := run("sheet", "--id", fmt.Sprint(tn.ID))
		if code != 0 || !strings.HasPrefix(out, "%PDF-") {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	})

	for _, c := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no subcommand is a usage error", nil, 2, "name a subcommand"},
		{"an unknown subcommand is a usage error", []string{"weekly"}, 2, "unknown subcommand"},
		{"a tender report needs --id", []string{"tender"}, 2, "--id N is required"},
		{"an annual report needs a four-digit year", []string{"annual", "--year", "26"}, 2, "four-digit year"},
		{"the annual report has no OCDS format", []string{"annual", "--year", "2026", "--format", "ocds"}, 2, "unknown --format"},
		{"a tender report has no explanations format", []string{"tender", "--id", "1", "--format", "explanations"}, 2, "unknown --format"},
		{"a bad --generated time is a usage error", []string{"annual", "--year", "2026", "--generated", "tomorrow"}, 2, "RFC 3339"},
		{"an unknown tender fails", []string{"tender", "--id", "99999"}, 1, "there is no tender 99999"},
		{"a sheet needs --id", []string{"sheet", "--format", "docx"}, 2, "--id N is required"},
		{"a sheet is PDF or DOCX only", []string{"sheet", "--id", "1", "--format", "xlsx"}, 2, "unknown --format xlsx: use one of pdf, docx"},
		{"a tender report has no DOCX", []string{"tender", "--id", "1", "--format", "docx"}, 2, "unknown --format docx: use one of pdf, csv, xlsx, ocds"},
		{"the sheet of an unknown tender fails", []string{"sheet", "--id", "99999"}, 1, "tenderprobe report sheet: there is no tender 99999"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := run(c.args...)
			if code != c.code || !strings.Contains(stderr, c.msg) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr, c.code, c.msg)
			}
		})
	}
}
