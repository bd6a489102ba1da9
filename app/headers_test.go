package app

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"math/big"
	"net"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"tenderprobe/app/probe/parse"
	"tenderprobe/templates"
)

// checkSecurityHeaders applies the probe's own web.security-headers rules
// (internet.nl's) to a response of the app.
func checkSecurityHeaders(t *testing.T, h http.Header) {
	t.Helper()
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options %q", got)
	}
	if got := h.Get("X-Frame-Options"); got != "DENY" && got != "SAMEORIGIN" {
		t.Errorf("X-Frame-Options %q", got)
	}
	if got := h.Get("Referrer-Policy"); got != "no-referrer" && got != "same-origin" {
		t.Errorf("Referrer-Policy %q", got)
	}
	csp := h.Get("Content-Security-Policy")
	if csp == "" {
		t.Fatal("no Content-Security-Policy")
	}
	if problems := parse.ParseCSP(csp).Audit("tenderprobe.example"); len(problems) > 0 {
		t.Errorf("CSP %q fails the probe's rules: %v", csp, problems)
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	officer := a.session("officer@demo.test")
	api := a.apiClient("officer@demo.test")
	// cache is what each answer may be kept as: private ones not at all,
	// stored documents only revalidated by their ETag, static files by
	// anyone for an hour.
	for _, tc := range []struct {
		name  string
		c     *client
		path  string
		cache string
	}{
		{"the login page", a.anonymous(), "/login", "no-store"},
		{"the dashboard", officer, "/", "no-store"},
		{"a tender page", officer, "/tenders/1", "no-store"},
		{"the sheet PDF", officer, "/tenders/1/sheet.pdf", "private, no-cache"},
		{"a report CSV", officer, "/tenders/1/report.csv", "no-store"},
		{"a stylesheet", a.anonymous(), "/static/app.css", "public, max-age=3600"},
		{"a missing page", officer, "/no-such-page", "no-store"},
		{"a refused page", a.session("vendor@demo.test"), "/admin/users", "no-store"},
		{"the health check", a.anonymous(), "/healthz", "no-store"},
		{"an API answer", api, "/api/v1/tenders", "no-store"},
		{"the API's catalogue", api, "/api/v1/standards", "no-store"},
		{"an API error", a.anonymous(), "/api/v1/tenders", "no-store"},
	} {
		t.Run(tc.name+" carries the security headers", func(t *testing.T) {
			res := tc.c.get(tc.path)
			if res.status == 0 {
				t.Fatal(res.body)
			}
			checkSecurityHeaders(t, res.header)
			if got := res.header.Get("Cache-Control"); got != tc.cache {
				t.Errorf("Cache-Control %q, want %q", got, tc.cache)
			}
			if res.header.Get("Strict-Transport-Security") != "" {
				t.Error("HSTS sent over plain HTTP")
			}
		})
	}

	t.Run("templates hold no inline script or style, which the CSP would block", func(t *testing.T) {
		for _, path := range []string{"/login", "/", "/catalogue", "/catalogue/dnssec", "/tenders", "/tenders/1", "/tenders/new"} {
			body := officer.get(path).body
			for _, bad := range []string{"<style", "style=\"", "onclick=", "onsubmit=", "<script>", "javascript:"} {
				if strings.Contains(body, bad) {
					t.Errorf("%s contains %q", path, bad)
				}
			}
		}
	})
}

func TestSecurityHeadersOverTLS(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	a.h.SecureCookies = true
	cert, pool := selfSigned(t, "tenderprobe.example")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = a.app.Listener(tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}})) }()
	t.Cleanup(func() { _ = a.app.Shutdown() })
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "tenderprobe.example"}}}

	res, err := client.Get("https://" + ln.Addr().String() + "/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	t.Run("HSTS is sent for a year", func(t *testing.T) {
		hsts, err := parse.ParseHSTS(res.Header.Get("Strict-Transport-Security"))
		if err != nil || hsts.MaxAge < 31536000 {
			t.Fatalf("HSTS %q: %+v %v", res.Header.Get("Strict-Transport-Security"), hsts, err)
		}
		checkSecurityHeaders(t, res.Header)
	})
	t.Run("cookies are Secure", func(t *testing.T) {
		cookies := res.Cookies()
		if len(cookies) == 0 {
			t.Fatal("no cookie set on the login page")
		}
		for _, c := range cookies {
			if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Errorf("cookie %s: Secure=%v HttpOnly=%v SameSite=%v", c.Name, c.Secure, c.HttpOnly, c.SameSite)
			}
		}
	})
}

// selfSigned makes a certificate for name and a pool that trusts it.
func selfSigned(t *testing.T, name string) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), DNSNames: []string{name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

func TestABrokenTemplateStopsTheStartWithItsName(t *testing.T) {
	t.Parallel()
	broken := fstest.MapFS{
		"layouts/main.html":   {Data: []byte(`{{define "layouts/main"}}{{.Content}}{{end}}`)},
		"tenders/broken.html": {Data: []byte(`<h1>{{.Title</h1>`)},
	}
	_, err := newViews(broken)
	if err == nil || !strings.Contains(err.Error(), "broken") {
		t.Fatalf("err %v, want one naming the broken template", err)
	}
	if _, err := newViews(templates.FS); err != nil {
		t.Fatalf("the shipped templates do not parse: %v", err)
	}
}
