package app

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"tenderprobe/app/report"
)

func TestMonitorWorkbook(t *testing.T) {
	t.Parallel()
	w := newMonitorWorld(t)
	a := w.a
	y := "?year=" + w.year
	sheets := map[string]string{"tenders": "Aanbestedingen " + w.year, "standards": "Standaarden " + w.year, "explanations": "Toelichtingen " + w.year}
	auditor := a.session("auditor@demo.test")
	for _, c := range []struct {
		name string
		cl   *client
		path string
	}{
		{"the auditor's workbook on the web", auditor, "/monitor.xlsx" + y},
		{"the auditor's workbook of one buyer", auditor, fmt.Sprintf("/monitor.xlsx%s&org=%d", y, w.otherOrg.ID)},
		{"the officer's workbook through the API", a.apiClient("officer@demo.test"), "/api/v1/monitor.xlsx" + y},
	} {
		t.Run(c.name+" holds the CSVs' cells, a sheet per table, in Dutch", func(t *testing.T) {
			res := getIn(c.cl, "nl", c.path)
			checkDownload(t, res, report.XLSXContentType, ".xlsx")
			f := openWorkbook(t, []byte(res.body))
			if got := f.GetSheetList(); len(got) != 3 || got[0] != sheets["tenders"] {
				t.Errorf("sheets %q", got)
			}
			for _, table := range report.MonitorTables {
				csvPath := strings.Replace(strings.Replace(c.path, "/monitor.xlsx", "/monitor/"+table+".csv", 1), "/api/v1", "", 1)
				cl := c.cl
				if cl.bearer != "" {
					cl = a.session("officer@demo.test")
				}
				recs := csvOf(t, getIn(cl, "nl", csvPath).body)
				rows := sameAsCSV(t, f, sheets[table], recs)
				for i := range recs {
					row := append(rows[i], make([]string, len(recs[i]))...)[:len(recs[i])]
					for j, want := range recs[i] {
						want = strings.TrimPrefix(want, "'")
						got := row[j]
						if table == "standards" && i > 0 && (j == 5 || j == 8) && want != "" {
							var g, wnt float64
							fmt.Sscan(got, &g)
							fmt.Sscan(want, &wnt)
							if g != wnt {
								t.Errorf("%s row %d column %d: %q, the CSV %q", table, i+1, j+1, got, want)
							}
							continue
						}
						if table == "explanations" && j == 8 && i > 0 {
							want = strings.Replace(strings.TrimSuffix(want, "Z"), "T", " ", 1)
						}
						if got != want {
							t.Errorf("%s row %d column %d: %q, the CSV %q", table, i+1, j+1, got, want)
						}
					}
				}
			}
		})
	}
	t.Run("the officer's workbook holds only their organisation", func(t *testing.T) {
		res := a.session("officer@demo.test").get("/monitor.xlsx" + y)
		checkDownload(t, res, report.XLSXContentType, ".xlsx")
		f := openWorkbook(t, []byte(res.body))
		rows, err := f.GetRows("Tenders " + w.year)
		if err != nil {
			t.Fatal(err)
		}
		all := fmt.Sprint(rows)
		if !strings.Contains(all, w.markA) || strings.Contains(all, w.markB) {
			t.Errorf("own tender %v, the other buyer's %v", strings.Contains(all, w.markA), strings.Contains(all, w.markB))
		}
		if res := a.session("officer@demo.test").get(fmt.Sprintf("/monitor.xlsx%s&org=%d", y, w.otherOrg.ID)); res.status != http.StatusNotFound {
			t.Errorf("another buyer's workbook: status %d, want 404", res.status)
		}
	})
	t.Run("the monitor page offers the workbook next to the CSVs", func(t *testing.T) {
		if body := auditor.get("/monitor" + y).body; !strings.Contains(body, `href="/monitor.xlsx?year=`+w.year+`"`) {
			t.Error("no XLSX link on /monitor")
		}
	})
	t.Run("the tender page links to the tender's monitor for staff, not for vendors", func(t *testing.T) {
		path := fmt.Sprintf("/tenders/%d", w.mine.ID)
		if body := a.session("officer@demo.test").get(path).body; !strings.Contains(body, fmt.Sprintf(`href="/tenders/%d/monitor"`, w.mine.ID)) {
			t.Error("the officer's tender page has no monitor link")
		}
	})
}
