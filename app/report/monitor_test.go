package report

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"tenderprobe/app/monitor"
)

func monitorFixture() MonitorReport {
	down := -12.5
	m := &monitor.Monitor{Year: 2026,
		Headline: monitor.Headline{Assessed: 1, Platform: 1, Relevant: 2, Requested: 1, Classes: map[string]int{monitor.ClassSome: 1}},
		Tenders: []monitor.Tender{{Source: monitor.SourcePlatform, ID: 7, Title: "=HYPERLINK(\"x\")", Buyer: "Gemeente", Date: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
			Kinds: []string{"email-service"}, Relevant: []string{"spf", "dkim"}, Requested: []string{"spf"}, Missing: []string{"dkim"}, Explained: []string{"dkim"}, Class: monitor.ClassSome}},
		Standards:    []monitor.Standard{{Slug: "spf", Relevant: 1, Requested: 1, PreviousRelevant: 2, PreviousRequested: 2, Change: &down}},
		Explanations: []monitor.Explanation{{TenderID: 7, Title: "t", Slug: "dkim", Explanation: "-no mail of our own"}},
	}
	return MonitorReport{Monitor: m, Names: map[string]string{"spf": "SPF", "dkim": "DKIM"}}
}

func TestMonitorCSV(t *testing.T) {
	r := monitorFixture()
	cases := []struct {
		name, table, lang string
		check             func(t *testing.T, rows [][]string)
	}{
		{"the tender table guards a title that looks like a formula", "tenders", "en", func(t *testing.T, rows [][]string) {
			if rows[1][4] != "'=HYPERLINK(\"x\")" || rows[1][15] != "some" || rows[1][19] != "Some requested" {
				t.Errorf("row %q", rows[1])
			}
		}},
		{"the standard table keeps a negative change a number", "standards", "en", func(t *testing.T, rows [][]string) {
			if rows[1][8] != "-12.5" || rows[1][5] != "100.00" {
				t.Errorf("row %q", rows[1])
			}
		}},
		{"the explanations table guards an explanation starting with a minus", "explanations", "nl", func(t *testing.T, rows [][]string) {
			if rows[0][7] != "Toelichting" || rows[1][7] != "'-no mail of our own" {
				t.Errorf("rows %q", rows)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteMonitorCSV(&buf, r, c.table, c.lang); err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(&buf).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 2 {
				t.Fatalf("%d rows", len(rows))
			}
			c.check(t, rows)
		})
	}
	if err := WriteMonitorCSV(&bytes.Buffer{}, r, "answers", "en"); err == nil {
		t.Errorf("an unknown table gave no error")
	}
}

func TestMonitorPDF(t *testing.T) {
	for _, lang := range []string{"en", "nl", "es"} {
		t.Run("the monitor renders in "+lang, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteMonitorReport(&buf, monitorFixture(), Options{Created: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Lang: lang}); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(buf.String(), "%PDF-") || buf.Len() < 5000 {
				t.Errorf("%d bytes", buf.Len())
			}
		})
	}
}
