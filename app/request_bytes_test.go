package app

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoPageShowsAnotherRequestsBytes: what a request sent (a zone name
// from a form) and what a page keeps beyond it (the zone cache) must not
// share memory with the request buffers the server reuses. A zone chosen
// on the account form once read "Times in SECRET-PWao_Paulo" after
// anonymous login attempts with that password; every value a handler
// reads is now a copy (fiber.Config.Immutable).
func TestNoPageShowsAnotherRequestsBytes(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	// A real listener: its connections reuse request buffers as in
	// production.
	a.base = a.listen(t)
	auditor := a.session("auditor@demo.test")
	// A zone no one has used in this process, so that this request loads
	// and keeps it.
	const zone = "America/Argentina/Rio_Gallegos"
	if res := auditor.post("/account/preferences", url.Values{"language": {"en"}, "time_zone": {zone}}); res.status >= 400 {
		t.Fatalf("save the zone: %d", res.status)
	}
	anon := a.anonymous()
	for range 60 {
		anon.post("/login", url.Values{"_csrf": {"abc"}, "email": {"nobody@demo.test"}, "password": {"SECRET-PW-SECRET-PW-SECRET-PW"}})
	}
	page := auditor.get("/account")
	if !strings.Contains(page.body, "Times in "+zone) || strings.Contains(page.body, "SECRET") {
		i := strings.Index(page.body, "Times in")
		t.Fatalf("the footer reads %q, want the zone %s", page.body[i:min(len(page.body), i+60)], zone)
	}
}

// TestAHostileDocumentIsRefusedAndTheServerGoesOn uploads a PDF of 147
// bytes whose object lives in itself: read in the server's process, the
// PDF library recursed until a fatal stack overflow ended the server.
// Read in a child process, it is refused in the uploader's language and
// the server answers the next request.
func TestAHostileDocumentIsRefusedAndTheServerGoesOn(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	data, err := os.ReadFile(filepath.Join("docanalysis", "testdata", "hostile", "objstm_selfref.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	officer := a.apiClient("officer@demo.test")
	officer.cookies["tp_lang"] = "nl"
	res := officer.upload("/api/v1/tender-documents", "file", "bestek.pdf", data)
	if msg, _ := res.json(t)["error"].(string); res.status != 422 || !strings.Contains(msg, "te ingewikkeld om te lezen") {
		t.Fatalf("%d %s, want 422 with the reason in Dutch", res.status, res.body)
	}
	if next := officer.get("/api/v1/standards"); next.status != 200 {
		t.Fatalf("the next request: %d", next.status)
	}
}
