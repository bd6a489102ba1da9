package app

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// benchPage renders path for a logged-in officer through the whole stack:
// security headers, session lookup in SQLite, CSRF, role check, handler,
// template and layout, as app.Test drives the real fasthttp server code.
func benchPage(b *testing.B, path, want string) {
	a := newTestApp(b)
	officer := a.session("officer@demo.test")
	cookie := "tp_session=" + officer.cookies["tp_session"]
	check := officer.get(path)
	if check.status != 200 || !strings.Contains(check.body, want) {
		b.Fatalf("GET %s: %d", path, check.status)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Cookie", cookie)
		res, err := a.app.Test(req, -1)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

func BenchmarkCataloguePage(b *testing.B) {
	benchPage(b, "/catalogue", "Standards catalogue")
}

func BenchmarkTenderPage(b *testing.B) {
	// Tender 1 of the demo data is published with a full sheet.
	benchPage(b, "/tenders/1", "Requirement sheet")
}

func BenchmarkTenderSheetPDF(b *testing.B) {
	benchPage(b, "/tenders/1/sheet.pdf", "%PDF-")
}

func BenchmarkDashboardPage(b *testing.B) {
	benchPage(b, "/", "Dashboard")
}
