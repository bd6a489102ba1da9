package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"tenderprobe/app/report"
	"tenderprobe/models"
	"tenderprobe/seed"
)

// openWorkbook reads a downloaded workbook back with excelize.
func openWorkbook(t *testing.T, body []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("excelize cannot read the download: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// csvOf parses a CSV download.
func csvOf(t *testing.T, body string) [][]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// checkDownload checks a download's status, type and file name.
func checkDownload(t *testing.T, res response, contentType, suffix string) {
	t.Helper()
	if res.status != http.StatusOK {
		t.Fatalf("status %d: %.300s", res.status, res.body)
	}
	if got := res.header.Get("Content-Type"); got != contentType {
		t.Errorf("Content-Type %q, want %q", got, contentType)
	}
	if got := res.header.Get("Content-Disposition"); !strings.HasPrefix(got, `attachment; filename="`) || !strings.HasSuffix(got, suffix+`"`) ||
		strings.ContainsAny(strings.TrimSuffix(strings.TrimPrefix(got, `attachment; filename="`), `"`), ` "/\`) {
		t.Errorf("Content-Disposition %q, want a plain file name ending in %s", got, suffix)
	}
}

// sameAsCSV checks that the sheet's header is the CSV's and that it has as
// many rows.
func sameAsCSV(t *testing.T, f *excelize.File, sheet string, recs [][]string) [][]string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatalf("sheet %q: %v (sheets %q)", sheet, err, f.GetSheetList())
	}
	if len(rows) != len(recs) {
		t.Fatalf("%d rows, the CSV has %d", len(rows), len(recs))
	}
	if strings.Join(rows[0], "|") != strings.Join(recs[0], "|") {
		t.Errorf("header %q, the CSV's %q", rows[0], recs[0])
	}
	panes, err := f.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes %+v (%v): the header row is not frozen", panes, err)
	}
	return rows
}

func TestSpreadsheetDownloads(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	ctx := context.Background()
	buyer, err := models.FindOrgByName(ctx, a.db, seed.DemoBuyer)
	if err != nil {
		t.Fatal(err)
	}
	tn, err := models.FindTenderByReference(ctx, a.db, buyer.ID, "DSC-2026-014")
	if err != nil {
		t.Fatal(err)
	}
	officer, auditor := a.session("officer@demo.test"), a.session("auditor@demo.test")
	other, err := models.CreateOrg(ctx, a.db, nil, "Other Buyer Office", models.OrgBuyer, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.CreateUser(ctx, a.db, nil, "officer@other-office.test", "Other", "a long outsider password", models.RoleOfficer, &other.ID, testNow); err != nil {
		t.Fatal(err)
	}
	outsider := a.session("officer@other-office.test")
	review := fmt.Sprintf("/tenders/%d/review", tn.ID)

	t.Run("the review matrix as XLSX has the CSV's Dutch header and rows, for the same filter", func(t *testing.T) {
		for _, query := range []string{"", "?only=contradicted&view=vendors"} {
			res := getIn(officer, "nl", review+".xlsx"+query)
			checkDownload(t, res, report.XLSXContentType, "-review.xlsx")
			recs := csvOf(t, getIn(officer, "nl", review+".csv"+query).body)
			f := openWorkbook(t, []byte(res.body))
			rows := sameAsCSV(t, f, "Beoordelingsmatrix", recs)
			if len(rows) > 1 {
				if typ, _ := f.GetCellType("Beoordelingsmatrix", "A2"); typ != excelize.CellTypeUnset {
					t.Errorf("the attestation number is of type %v, not a number", typ)
				}
				if typ, _ := f.GetCellType("Beoordelingsmatrix", "O2"); typ != excelize.CellTypeBool {
					t.Errorf("mandatory_not_met is of type %v, not a boolean", typ)
				}
			}
		}
	})
	t.Run("the matrix XLSX of another buyer's tender is not found", func(t *testing.T) {
		if res := outsider.get(review + ".xlsx"); res.status != http.StatusNotFound {
			t.Errorf("status %d, want 404", res.status)
		}
	})

	t.Run("the audit log as XLSX has the page's filter, typed times and the reader's zone named", func(t *testing.T) {
		filter := fmt.Sprintf("tender=%d", tn.ID)
		res := getIn(auditor, "es", "/audit?format=xlsx&"+filter)
		checkDownload(t, res, report.XLSXContentType, "audit-log.xlsx")
		recs := csvOf(t, getIn(auditor, "es", "/audit?format=csv&"+filter).body)
		f := openWorkbook(t, []byte(res.body))
		rows, err := f.GetRows("Registro de auditoría")
		if err != nil {
			t.Fatalf("%v (sheets %q)", err, f.GetSheetList())
		}
		if len(rows) != len(recs) || len(rows) < 2 {
			t.Fatalf("%d rows, the CSV has %d", len(rows), len(recs))
		}
		at := columnOf(t, rows[0], "Momento (UTC, ISO 8601)")
		local := columnOf(t, rows[0], "Hora (UTC)")
		tender := columnOf(t, rows[0], "Número de licitación")
		for i, row := range rows[1:] {
			if row[tender] != fmt.Sprint(tn.ID) {
				t.Errorf("row %d is of tender %q, outside the filter", i+2, row[tender])
			}
			ref, _ := excelize.CoordinatesToCellName(at+1, i+2)
			raw, _ := f.GetCellValue("Registro de auditoría", ref, excelize.Options{RawCellValue: true})
			if _, err := strconv.ParseFloat(raw, 64); err != nil {
				t.Errorf("%s holds %q, not a date-time", ref, raw)
			}
			if csvAt := strings.Replace(strings.TrimSuffix(recs[i+1][at], "Z"), "T", " ", 1); row[at] != csvAt || row[local] != csvAt {
				t.Errorf("row %d: times %q and %q, the CSV's %q", i+2, row[at], row[local], recs[i+1][at])
			}
		}
		if page := getIn(auditor, "es", "/audit?"+filter).body; !strings.Contains(page, "format=xlsx") {
			t.Error("the audit page has no XLSX link")
		}
	})
	t.Run("the audit log refuses an unknown format in the reader's language", func(t *testing.T) {
		res := getIn(auditor, "nl", "/audit?format=ods")
		if res.status != http.StatusBadRequest || !strings.Contains(res.body, "kies csv of xlsx") {
			t.Errorf("status %d", res.status)
		}
	})

	t.Run("the API sends the review matrix and the audit log as the web pages export them", func(t *testing.T) {
		api := a.apiClient("officer@demo.test")
		apiPath := fmt.Sprintf("/api/v1/tenders/%d/review", tn.ID)
		for _, query := range []string{"", "?only=contradicted&view=vendors"} {
			csvRes := api.get(apiPath + ".csv" + query)
			checkDownload(t, csvRes, "text/csv; charset=utf-8", "-review.csv")
			if web := officer.get(review + ".csv" + query).body; csvRes.body != web {
				t.Errorf("the API's CSV%s differs from the page's", query)
			}
			res := api.get(apiPath + ".xlsx" + query)
			checkDownload(t, res, report.XLSXContentType, "-review.xlsx")
			sameAsCSV(t, openWorkbook(t, []byte(res.body)), "Review matrix", csvOf(t, csvRes.body))
		}
		if res := a.apiClient("officer@other-office.test").get(apiPath + ".xlsx"); res.status != http.StatusNotFound {
			t.Errorf("another buyer's officer through the API: status %d, want 404", res.status)
		}
		auditAPI := a.apiClient("auditor@demo.test")
		csvRes := auditAPI.get(fmt.Sprintf("/api/v1/audit?format=csv&tender_id=%d&limit=1", tn.ID))
		checkDownload(t, csvRes, "text/csv; charset=utf-8", "audit-log.csv")
		if web := auditor.get(fmt.Sprintf("/audit?format=csv&tender=%d", tn.ID)).body; csvRes.body != web || len(csvOf(t, web)) < 3 {
			t.Errorf("the API's audit CSV differs from the page's, or the filter's entries are missing (limit must not apply)")
		}
		res := auditAPI.get(fmt.Sprintf("/api/v1/audit?format=xlsx&tender_id=%d", tn.ID))
		checkDownload(t, res, report.XLSXContentType, "audit-log.xlsx")
		// The workbook names the zone of its times in a header; the rows
		// are the CSV's (checked cell by cell on the web above).
		if rows, err := openWorkbook(t, []byte(res.body)).GetRows("Audit log"); err != nil || len(rows) != len(csvOf(t, csvRes.body)) {
			t.Errorf("the API's audit workbook has %d rows (%v), its CSV %d", len(rows), err, len(csvOf(t, csvRes.body)))
		}
		bad := auditAPI.get("/api/v1/audit?format=ods")
		if bad.status != http.StatusBadRequest || bad.json(t)["code"] != "office.audit.bad_format" {
			t.Errorf("an unknown format: status %d %.200s", bad.status, bad.body)
		}
		if res := a.apiClient("vendor@demo.test").get("/api/v1/audit?format=csv"); res.status != http.StatusForbidden {
			t.Errorf("a vendor: status %d, want 403", res.status)
		}
	})

	t.Run("the annual XLSX on the web and the API has the table and every explanation", func(t *testing.T) {
		year := tn.PublishedAt.UTC().Year()
		for _, c := range []*client{auditor, a.apiClient("auditor@demo.test")} {
			path := fmt.Sprintf("/reports/annual.xlsx?year=%d", year)
			if c.bearer != "" {
				path = "/api/v1" + path
			}
			res := c.get(path)
			checkDownload(t, res, report.XLSXContentType, fmt.Sprintf("comply-or-explain-%d.xlsx", year))
			f := openWorkbook(t, []byte(res.body))
			sameAsCSV(t, f, fmt.Sprintf("Annual table %d", year), csvOf(t, c.get(strings.Replace(path, ".xlsx", ".csv", 1)).body))
			sameAsCSV(t, f, fmt.Sprintf("Explanations %d", year), csvOf(t, c.get(strings.Replace(path, "annual.xlsx", "annual-explanations.csv", 1)).body))
		}
		if res := auditor.get("/reports/annual.xlsx?year=26"); res.status != http.StatusBadRequest {
			t.Errorf("a bad year: status %d", res.status)
		}
		if body := auditor.get("/").body; !strings.Contains(body, `formaction="/reports/annual.xlsx"`) {
			t.Error("the dashboard has no XLSX button for the annual report")
		}
	})

	t.Run("the tender matrix XLSX has the tender CSV's rows in the tender's language", func(t *testing.T) {
		res := getIn(officer, "es", fmt.Sprintf("/tenders/%d/report.xlsx", tn.ID))
		checkDownload(t, res, report.XLSXContentType, "-matrix.xlsx")
		sameAsCSV(t, openWorkbook(t, []byte(res.body)), "Answers DSC-2026-014", csvOf(t, officer.get(fmt.Sprintf("/tenders/%d/report.csv", tn.ID)).body))
		if res := outsider.get(fmt.Sprintf("/tenders/%d/report.xlsx", tn.ID)); res.status != http.StatusNotFound {
			t.Errorf("another buyer's officer: status %d, want 404", res.status)
		}
	})
}

// columnOf is the position of the column headed head.
func columnOf(t *testing.T, header []string, head string) int {
	t.Helper()
	for i, h := range header {
		if h == head {
			return i
		}
	}
	t.Fatalf("no column %q in %q", head, header)
	return 0
}

func TestSheetDOCXDownload(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	ctx := context.Background()
	buyer, err := models.FindOrgByName(ctx, a.db, seed.DemoBuyer)
	if err != nil {
		t.Fatal(err)
	}
	tn, err := models.FindTenderByReference(ctx, a.db, buyer.ID, "DSC-2026-014")
	if err != nil {
		t.Fatal(err)
	}
	officer := a.session("officer@demo.test")
	path := fmt.Sprintf("/tenders/%d/sheet.docx", tn.ID)

	t.Run("a published sheet's DOCX is stored: the same bytes and ETag each time, 304 for a browser that has it", func(t *testing.T) {
		first := getIn(officer, "nl", path)
		checkDownload(t, first, report.DOCXContentType, "-requirements.docx")
		etag := first.header.Get("ETag")
		if !strings.HasPrefix(etag, `W/"`) {
			t.Fatalf("ETag %q", etag)
		}
		second := a.apiClient("officer@demo.test").get("/api/v1" + path)
		if second.status != http.StatusOK || second.body != first.body || second.header.Get("ETag") != etag {
			t.Errorf("the API's copy differs: status %d, ETag %q", second.status, second.header.Get("ETag"))
		}
		if res := officer.getWith(path, map[string]string{"If-None-Match": etag}); res.status != http.StatusNotModified {
			t.Errorf("If-None-Match: status %d, want 304", res.status)
		}
		var stored int64
		if err := a.db.Model(&models.StoredPDF{}).Where("document = ?", fmt.Sprintf("sheet-docx/%d", tn.ID)).Count(&stored).Error; err != nil || stored != 1 {
			t.Errorf("%d stored copies (%v), want 1", stored, err)
		}
		// The tender is in English: its sheet is, for a Dutch reader too.
		if !strings.Contains(first.body, "word/document.xml") {
			t.Error("not a DOCX package")
		}
	})
	t.Run("a draft's DOCX is rendered each time and not stored", func(t *testing.T) {
		draft, _ := a.newDraft("Office draft")
		res := officer.get(fmt.Sprintf("/tenders/%d/sheet.docx", draft.ID))
		checkDownload(t, res, report.DOCXContentType, "-requirements.docx")
		if res.header.Get("ETag") != "" {
			t.Errorf("a draft's DOCX has the ETag %q", res.header.Get("ETag"))
		}
	})
	t.Run("another buyer's officer and an uninvited vendor get 404", func(t *testing.T) {
		other, err := models.CreateOrg(ctx, a.db, nil, "Other Buyer Word", models.OrgBuyer, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := models.CreateUser(ctx, a.db, nil, "officer@other-word.test", "Other", "a long outsider password", models.RoleOfficer, &other.ID, testNow); err != nil {
			t.Fatal(err)
		}
		draft, _ := a.newDraft("Office draft for outsiders")
		for who, p := range map[string]string{"officer@other-word.test": path, "vendor@demo.test": fmt.Sprintf("/tenders/%d/sheet.docx", draft.ID)} {
			if res := a.session(who).get(p); res.status != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404", who, res.status)
			}
		}
	})
	t.Run("the tender page offers the Word download next to the PDF", func(t *testing.T) {
		body := getIn(officer, "nl", fmt.Sprintf("/tenders/%d", tn.ID)).body
		if !strings.Contains(body, fmt.Sprintf(`href="/tenders/%d/sheet.docx">Eisenlijst downloaden (Word)</a>`, tn.ID)) {
			t.Error("no Word link on the tender page")
		}
	})
}
