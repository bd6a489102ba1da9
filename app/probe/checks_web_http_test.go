package probe

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/probetest"
)

// site is what a test web server does: plain-http behaviour, the headers
// of its https answers and its security.txt.
type site struct {
	// httpHandler answers on the http port; nil closes the port.
	httpHandler http.HandlerFunc
	headers     map[string]string
	// more are header lines added after headers, for repeated headers.
	more       http.Header
	sectxt     string
	sectxtType string
	// extra handles paths other than / and security.txt on https.
	extra http.HandlerFunc
	// adjust, when set, sees every https request first and may set headers.
	adjust func(w http.ResponseWriter, r *http.Request)
}

func redirectTo(target string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, target, http.StatusMovedPermanently) }
}

func goodHeaders() map[string]string {
	return map[string]string{
		"Strict-Transport-Security": "max-age=31536000; includeSubDomains",
		"X-Content-Type-Options":    "nosniff",
		"X-Frame-Options":           "DENY",
		"Referrer-Policy":           "no-referrer",
		"Content-Security-Policy":   "default-src 'self'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
	}
}

func goodSecTxt(host string) string {
	return fmt.Sprintf("Contact: mailto:security@%s\nExpires: %s\nCanonical: https://%s/.well-known/security.txt\n",
		host, time.Now().Add(180*24*time.Hour).UTC().Format(time.RFC3339), host)
}

func (s site) httpsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range s.headers {
			w.Header().Set(k, v)
		}
		for k, vs := range s.more {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		if s.adjust != nil {
			s.adjust(w, r)
		}
		switch {
		case r.URL.Path == "/.well-known/security.txt" && s.sectxt != "":
			ct := s.sectxtType
			if ct == "" {
				ct = "text/plain; charset=utf-8"
			}
			w.Header().Set("Content-Type", ct)
			fmt.Fprint(w, s.sectxt)
		case r.URL.Path == "/":
			fmt.Fprint(w, "<!doctype html><title>t</title>")
		case s.extra != nil:
			s.extra(w, r)
		default:
			http.NotFound(w, r)
		}
	})
}

// startSites serves apex on 127.0.0.21 and www on 127.0.0.22 with shared
// http and https ports and returns a run for example.test against them.
func startSites(t *testing.T, apex, www site) *run {
	t.Helper()
	ca := probetest.NewCA(t)
	cert := ca.Issue(t, probetest.LeafOptions{}, "example.test", "www.example.test")
	httpsPort, httpsLns := listenShared(t, "127.0.0.21", "127.0.0.22")
	httpPort, httpLns := listenShared(t, "127.0.0.21", "127.0.0.22")
	for addr, s := range map[string]site{"127.0.0.21": apex, "127.0.0.22": www} {
		serveHTTPS(t, httpsLns[addr], &tls.Config{Certificates: []tls.Certificate{cert}}, s.httpsHandler())
		if s.httpHandler == nil {
			httpLns[addr].Close()
			continue
		}
		srv := &http.Server{Handler: s.httpHandler, ReadHeaderTimeout: 5 * time.Second, ErrorLog: quietLog}
		go srv.Serve(httpLns[addr])
		t.Cleanup(func() { srv.Close() })
	}
	return testRun(t, "example.test", func(c *Config) {
		c.RootCAs, c.HTTPPort, c.HTTPSPort = ca.Pool, httpPort, httpsPort
	}, "example.test. 300 IN A 127.0.0.21", "www.example.test. 300 IN A 127.0.0.22")
}

func TestCheckWebHTTP(t *testing.T) {
	t.Parallel()
	good := func(host string) site {
		return site{httpHandler: redirectTo("https://" + host + "/"), headers: goodHeaders(), sectxt: goodSecTxt(host)}
	}
	with := func(s site, f func(*site)) site { f(&s); return s }
	tests := []struct {
		name      string
		apex, www site
		want      map[check.ID]Status
		contains  string
	}{
		{
			name: "a site doing everything right passes all four checks",
			apex: good("example.test"), www: good("www.example.test"),
			want: map[check.ID]Status{"web.https-redirect": StatusPass, "web.hsts": StatusPass, "web.security-headers": StatusPass, "web.security-txt": StatusPass},
		},
		{
			name: "a closed port 80 counts as no plain http",
			apex: with(good("example.test"), func(s *site) { s.httpHandler = nil }), www: good("www.example.test"),
			want: map[check.ID]Status{"web.https-redirect": StatusPass},
		},
		{
			name: "a plain-http site without headers or security.txt fails everything",
			apex: site{httpHandler: func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "hi") }},
			www:  good("www.example.test"),
			want: map[check.ID]Status{"web.https-redirect": StatusFail, "web.hsts": StatusFail, "web.security-headers": StatusFail, "web.security-txt": StatusFail},
		},
		{
			name: "a first redirect to another host fails",
			apex: with(good("example.test"), func(s *site) { s.httpHandler = redirectTo("https://www.example.test/") }),
			www:  good("www.example.test"),
			want: map[check.ID]Status{"web.https-redirect": StatusFail},
		},
		{
			name: "a downgrade to http later in the chain fails",
			apex: with(good("example.test"), func(s *site) {
				s.httpHandler = func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/plain" {
						fmt.Fprint(w, "plain")
						return
					}
					http.Redirect(w, r, "https://example.test/hop", http.StatusFound)
				}
				s.extra = redirectTo("http://example.test/plain")
			}),
			www:  good("www.example.test"),
			want: map[check.ID]Status{"web.https-redirect": StatusFail},
		},
		{
			name: "a redirect loop longer than eight hops fails",
			apex: with(good("example.test"), func(s *site) {
				s.httpHandler = redirectTo("https://example.test/loop")
				s.extra = redirectTo("https://example.test/loop")
			}),
			www:  good("www.example.test"),
			want: map[check.ID]Status{"web.https-redirect": StatusFail},
		},
		{
			name: "an HSTS max-age below a year fails",
			apex: with(good("example.test"), func(s *site) {
				s.headers = goodHeaders()
				s.headers["Strict-Transport-Security"] = "max-age=86400"
			}),
			www:  good("www.example.test"),
			want: map[check.ID]Status{"web.hsts": StatusFail, "web.security-headers": StatusPass},
		},
		{
			name: "strict-origin-when-cross-origin and a missing CSP are warnings",
			apex: with(good("example.test"), func(s *site) {
				s.headers = goodHeaders()
				s.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
				delete(s.headers, "Content-Security-Policy")
			}),
			www:  good("www.example.test"),
			want: map[check.ID]Status{"web.security-headers": StatusWarn},
		},
		{
			name: "framing limited only by CSP frame-ancestors passes",
			apex: with(good("example.test"), func(s *site) { s.headers = goodHeaders(); delete(s.headers, "X-Frame-Options") }),
			www:  good("www.example.test"),
			want: map[check.ID]Status{"web.security-headers": StatusPass},
		},
		{
			name: "an unsafe Referrer-Policy fails",
			apex: with(good("example.test"), func(s *site) { s.headers = goodHeaders(); s.headers["Referrer-Policy"] = "unsafe-url" }),
			www:  good("www.example.test"),
			want: map[check.ID]Status{"web.security-headers": StatusFail},
		},
		{
			name: "an expired security.txt fails",
			apex: with(good("example.test"), func(s *site) {
				s.sectxt = "Contact: mailto:a@example.test\nExpires: 2020-01-01T00:00:00Z\n"
			}),
			www:  good("www.example.test"),
			want: map[check.ID]Status{"web.security-txt": StatusFail},
		},
		{
			name: "a security.txt expiring in more than a year is a warning",
			apex: with(good("example.test"), func(s *site) {
				s.sectxt = "Contact: mailto:a@example.test\nExpires: " + time.Now().AddDate(2, 0, 0).UTC().Format(time.RFC3339) + "\n"
			}),
			www:  good("www.example.test"),
			want: map[check.ID]Status{"web.security-txt": StatusWarn},
		},
		{
			name: "a security.txt served as HTML fails",
			apex: with(good("example.test"), func(s *site) { s.sectxtType = "text/html" }),
			www:  good("www.example.test"),
			want: map[check.ID]Status{"web.security-txt": StatusFail},
		},
		{
			name: "a security.txt whose Canonical names another site fails",
			apex: with(good("example.test"), func(s *site) { s.sectxt = goodSecTxt("elsewhere.test") }),
			www:  good("www.example.test"),
			want: map[check.ID]Status{"web.security-txt": StatusFail},
		},
		{
			name: "a security.txt larger than 100 KB fails",
			apex: with(good("example.test"), func(s *site) { s.sectxt = goodSecTxt("example.test") + strings.Repeat("# padding\n", 11000) }),
			www:  good("www.example.test"),
			want: map[check.ID]Status{"web.security-txt": StatusFail},
		},
		{
			name: "a security.txt only at the legacy /security.txt fails and says so",
			apex: with(good("example.test"), func(s *site) {
				body := s.sectxt
				s.sectxt = ""
				s.extra = func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path != "/security.txt" {
						http.NotFound(w, r)
						return
					}
					w.Header().Set("Content-Type", "text/plain")
					fmt.Fprint(w, body)
				}
			}),
			www:      good("www.example.test"),
			want:     map[check.ID]Status{"web.security-txt": StatusFail},
			contains: "legacy location",
		},
		{
			name: "a security.txt redirecting to http fails",
			apex: with(good("example.test"), func(s *site) {
				s.sectxt = ""
				s.extra = redirectTo("http://example.test/security.txt")
			}),
			www:  good("www.example.test"),
			want: map[check.ID]Status{"web.security-txt": StatusFail},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := startSites(t, tc.apex, tc.www)
			checks := checkWebHTTP(context.Background(), r)
			if len(checks) != 5 {
				t.Fatalf("got %d checks, want 4 and web.https's contribution", len(checks))
			}
			all := ""
			for id, want := range tc.want {
				got := findCheck(t, checks, id)
				all += got.Summary
				if got.Status != want {
					t.Errorf("%s = %s (%s), want %s", id, got.Status, got.Summary, want)
				}
			}
			if !strings.Contains(all, tc.contains) {
				t.Errorf("summaries %q lack %q", all, tc.contains)
			}
		})
	}
}

func TestCheckWebHTTPRefusesPrivateAddressesWithoutAllowPrivate(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	ln, err := net.Listen("tcp", "127.0.0.23:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }), ReadHeaderTimeout: time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	port := ln.Addr().(*net.TCPAddr).Port
	r := testRun(t, "example.test", func(c *Config) { c.AllowPrivate = false; c.HTTPPort, c.HTTPSPort = port, port },
		"example.test. 300 IN A 127.0.0.23")
	for _, c := range checkWebHTTP(context.Background(), r) {
		if c.Status == "" {
			continue // web.https's subtests, which the TLS checks judge
		}
		if c.Status != StatusError || !strings.Contains(c.Summary, "refused") {
			t.Errorf("%s = %s (%s), want an error saying the address was refused", c.ID, c.Status, c.Summary)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the loopback server was reached %d times", n)
	}
}
