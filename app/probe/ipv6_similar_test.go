package probe

import (
	"context"
	"crypto/tls"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/probetest"
)

func TestQuickRatioIsDifflibs(t *testing.T) {
	t.Parallel()
	// Expected values from Python 3: difflib.SequenceMatcher(None, a, b).quick_ratio().
	tests := []struct {
		a, b string
		want float64
	}{
		{"abc", "abc", 1},
		{"abcd", "bcde", 0.75},
		{"", "", 1},
		{"aaaa", "a", 0.4},
		{"hello world", "world hello!", 0.9565217391304348},
		{"", "x", 0},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%q and %q", tc.a, tc.b), func(t *testing.T) {
			if got := quickRatio([]byte(tc.a), []byte(tc.b)); math.Abs(got-tc.want) > 1e-12 {
				t.Fatalf("quickRatio = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPageDistanceIgnoresNoncesAndViewState(t *testing.T) {
	t.Parallel()
	page := func(nonce, state string) []byte {
		return []byte(`<!doctype html><html><head><script nonce="` + nonce + `">x()</script><style nonce="` + nonce + `">p{}</style></head>` +
			`<body><form><input type="hidden" name="__VIEWSTATE" value="` + state + `"><p>Tender</p></form></body></html>`)
	}
	if d := pageDistance(page("r4nd0m", "AAAA"), page("0th3rn0nc3xyz", "QkJCQkJCQkJCQkJC")); d != 0 {
		t.Fatalf("pages differing only in nonce and view state are %v%% apart, want 0", d)
	}
	if d := pageDistance(page("a", "b"), []byte("<p>completely other text here, and longer, much longer than before</p>")); d <= similarMaxDistance {
		t.Fatalf("different pages are only %v%% apart", d)
	}
}

// dualStackSite serves a web site on 127.0.0.1 and ::1 with the same http
// and https ports, each family with its own handler; nil closes that
// family's port.
type dualStackSite struct {
	http4, https4, http6, https6 http.Handler
}

func (d dualStackSite) start(t *testing.T) (httpPort, httpsPort int) {
	t.Helper()
	ca := probetest.NewCA(t)
	cert := ca.Issue(t, probetest.LeafOptions{}, "example.test")
	httpPort, httpLns := listenShared(t, "127.0.0.1", "::1")
	httpsPort, httpsLns := listenShared(t, "127.0.0.1", "::1")
	for addr, h := range map[string]http.Handler{"127.0.0.1": d.http4, "::1": d.http6} {
		if h == nil {
			httpLns[addr].Close()
			continue
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ErrorLog: quietLog}
		go srv.Serve(httpLns[addr])
		t.Cleanup(func() { srv.Close() })
	}
	for addr, h := range map[string]http.Handler{"127.0.0.1": d.https4, "::1": d.https6} {
		if h == nil {
			httpsLns[addr].Close()
			continue
		}
		serveHTTPS(t, httpsLns[addr], &tls.Config{Certificates: []tls.Certificate{cert}}, h)
	}
	return httpPort, httpsPort
}

func serves(status int, body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	})
}

// toHTTPS redirects plain http to https on the same host and port the
// test's https server listens on.
func toHTTPS(port *int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := strings.Cut(r.Host, ":")
		http.Redirect(w, r, fmt.Sprintf("https://%s:%d/", host, *port), http.StatusMovedPermanently)
	})
}

func TestWebContentOverIPv4AndIPv6IsCompared(t *testing.T) {
	t.Parallel()
	const page = `<!doctype html><html><head><title>Tenders</title><script nonce="%s">start()</script></head>` +
		`<body><h1>Public tenders</h1><p>Every tender of the municipality, with its requirements and the answers given.</p></body></html>`
	other := strings.Repeat("<p>Maintenance</p>", 3)
	var httpsPort int
	tests := []struct {
		name string
		site dualStackSite
		want Status
		says string
	}{
		{"the same page over both families passes",
			dualStackSite{toHTTPS(&httpsPort), serves(200, fmt.Sprintf(page, "n1")), toHTTPS(&httpsPort), serves(200, fmt.Sprintf(page, "n1"))},
			StatusPass, "same page"},
		{"pages differing only in their nonce pass",
			dualStackSite{toHTTPS(&httpsPort), serves(200, fmt.Sprintf(page, "Zm9vYmFy")), toHTTPS(&httpsPort), serves(200, fmt.Sprintf(page, "cXV1eHF1dXhxdXV4"))},
			StatusPass, "0.0% different"},
		{"a very different page over IPv6 warns",
			dualStackSite{toHTTPS(&httpsPort), serves(200, fmt.Sprintf(page, "n")), toHTTPS(&httpsPort), serves(200, other)},
			StatusWarn, "differs"},
		{"another HTTP status over IPv6 warns",
			dualStackSite{toHTTPS(&httpsPort), serves(200, fmt.Sprintf(page, "n")), toHTTPS(&httpsPort), serves(503, fmt.Sprintf(page, "n"))},
			StatusWarn, "status 200 over IPv4 but 503"},
		{"https answering only over IPv4 warns",
			dualStackSite{toHTTPS(&httpsPort), serves(200, fmt.Sprintf(page, "n")), serves(200, fmt.Sprintf(page, "n")), nil},
			StatusWarn, "different web ports"},
		{"http redirecting to an https that fails over IPv6 counts as no answer over IPv6 and warns",
			dualStackSite{toHTTPS(&httpsPort), serves(200, fmt.Sprintf(page, "n")), toHTTPS(&httpsPort), nil},
			StatusWarn, "no HTTP answer over IPv6"},
		{"the same error page over both families warns",
			dualStackSite{nil, serves(404, fmt.Sprintf(page, "n")), nil, serves(404, fmt.Sprintf(page, "n"))},
			StatusWarn, "error status 404"},
		{"a site that answers plain http only, the same over both families, passes",
			dualStackSite{serves(200, fmt.Sprintf(page, "n")), nil, serves(200, fmt.Sprintf(page, "n")), nil},
			StatusPass, "same page"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var httpPort int
			httpPort, httpsPort = tc.site.start(t)
			r, _ := dnsCheckRun(t, "example.test", func(c *Config) { c.HTTPPort, c.HTTPSPort = httpPort, httpsPort },
				"example.test. 60 IN A 127.0.0.1", "example.test. 60 IN AAAA ::1")
			c := r.checkWebIPv6(context.Background())
			got := subtestOf(t, c, "web_ipv6_ws_similar")
			if got.Status != tc.want || !strings.Contains(got.Reason, tc.says) {
				t.Fatalf("web_ipv6_ws_similar = %s %q, want %s saying %q", got.Status, got.Reason, tc.want, tc.says)
			}
			if tc.want == StatusWarn && c.Status != StatusWarn {
				t.Errorf("web.ipv6 = %s (%s), want a warning", c.Status, c.Summary)
			}
			for _, key := range []check.Subtest{"web_ipv6_ws_address", "web_ipv6_ws_reach"} {
				if s := subtestOf(t, c, key); s.Status != StatusPass {
					t.Errorf("%s = %s %q, want pass", key, s.Status, s.Reason)
				}
			}
		})
	}
}

func TestARedirectToAnotherHostIsFollowedInTheSameFamily(t *testing.T) {
	t.Parallel()
	// The apex sends visitors to www, whose IPv6 server serves another page:
	// the apex's content over IPv6 is that page, not the IPv4 one.
	var httpsPort int
	family := func(page string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			host, _, _ := strings.Cut(r.Host, ":")
			if host != "www.example.test" {
				http.Redirect(w, r, fmt.Sprintf("https://www.example.test:%d/", httpsPort), http.StatusFound)
				return
			}
			fmt.Fprint(w, page)
		})
	}
	site := dualStackSite{https4: family(strings.Repeat("<p>The municipality's tenders, all of them.</p>", 20)), https6: family("<p>Down for maintenance</p>")}
	httpPort, port := site.start(t)
	httpsPort = port
	r, _ := dnsCheckRun(t, "example.test", func(c *Config) { c.HTTPPort, c.HTTPSPort = httpPort, httpsPort },
		"example.test. 60 IN A 127.0.0.1", "example.test. 60 IN AAAA ::1",
		"www.example.test. 60 IN A 127.0.0.1", "www.example.test. 60 IN AAAA ::1")
	got := subtestOf(t, r.checkWebIPv6(context.Background()), "web_ipv6_ws_similar")
	if got.Status != StatusWarn || !strings.HasPrefix(got.Reason, "example.test: the page differs") {
		t.Fatalf("web_ipv6_ws_similar = %s %q, want the apex's pages to differ", got.Status, got.Reason)
	}
}
