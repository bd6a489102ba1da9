package probe

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"tenderprobe/app/probe/probetest"
)

// startPolicyServer serves h over HTTPS on 127.0.0.1 with a certificate for
// names from ca, and returns the port.
func startPolicyServer(t testing.TB, ca *probetest.CA, h http.Handler, names ...string) int {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.Issue(t, probetest.LeafOptions{}, names...)}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().(*net.TCPAddr).Port
}

// servePolicy answers the well-known MTA-STS path with body as text/plain.
func servePolicy(body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/mta-sts.txt" || r.Host != "mta-sts.example.test" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, body)
	})
}

func TestCheckMTASTS(t *testing.T) {
	t.Parallel()
	ca := probetest.NewCA(t)
	mxRecords := []string{
		"example.test. 60 IN MX 10 mx1.example.test.",
		"example.test. 60 IN MX 20 backup.mail.example.net.",
		"mta-sts.example.test. 60 IN A 127.0.0.1",
		`_mta-sts.example.test. 60 IN TXT "v=STSv1; id=20261122T000000;"`,
	}
	enforce := "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\nmx: *.mail.example.net\r\nmax_age: 604800\r\n"
	redirect := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://elsewhere.example.test/policy.txt", http.StatusFound)
	})
	html := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, enforce)
	})
	cases := []struct {
		name    string
		handler http.Handler
		records []string
		want    Status
		inSum   string
	}{
		{"an enforced policy covering every MX passes", servePolicy(enforce), mxRecords, StatusPass, "enforced for all 2"},
		{"a testing policy warns", servePolicy(strings.Replace(enforce, "enforce", "testing", 1)), mxRecords, StatusWarn, "testing mode"},
		{"an enforced policy missing an MX fails", servePolicy("version: STSv1\nmode: enforce\nmx: mx1.example.test\nmax_age: 86400\n"), mxRecords, StatusFail, "backup.mail.example.net"},
		{"mode none fails", servePolicy("version: STSv1\nmode: none\nmax_age: 86400\n"), mxRecords, StatusFail, "mode none"},
		{"a policy file that is not found fails", http.NotFoundHandler(), mxRecords, StatusFail, "HTTP status 404"},
		{"a redirect is not followed and fails", redirect, mxRecords, StatusFail, "senders do not follow redirects"},
		{"a policy served as text/html fails", html, mxRecords, StatusFail, "not text/plain"},
		{"an invalid policy fails", servePolicy("version: STSv1\nmode: enforce\nmax_age: 86400\n"), mxRecords, StatusFail, "policy is invalid"},
		{"no _mta-sts record fails", servePolicy(enforce), mxRecords[:3], StatusFail, "No MTA-STS record"},
		{"an invalid _mta-sts record fails", servePolicy(enforce), append(mxRecords[:3:3], `_mta-sts.example.test. 60 IN TXT "v=STSv1; id=not-valid!"`), StatusFail, "record is invalid"},
		{"a null MX makes it not applicable", servePolicy(enforce), []string{"example.test. 60 IN MX 0 ."}, StatusNotApplicable, "null MX"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			port := startPolicyServer(t, ca, c.handler, "mta-sts.example.test")
			r, _ := dnsCheckRun(t, "example.test", func(cfg *Config) { cfg.HTTPSPort, cfg.RootCAs = port, ca.Pool }, c.records...)
			got := checkNamed(t, checkMailPolicies(context.Background(), r), "mail.mta-sts")
			if got.Status != c.want || !strings.Contains(got.Summary, c.inSum) {
				t.Fatalf("got %s %q, want %s containing %q; details %+v", got.Status, got.Summary, c.want, c.inSum, got.Details)
			}
		})
	}
	t.Run("a certificate from an untrusted CA fails", func(t *testing.T) {
		other := probetest.NewCA(t)
		port := startPolicyServer(t, other, servePolicy(enforce), "mta-sts.example.test")
		r, _ := dnsCheckRun(t, "example.test", func(cfg *Config) { cfg.HTTPSPort, cfg.RootCAs = port, ca.Pool }, mxRecords...)
		got := checkNamed(t, checkMailPolicies(context.Background(), r), "mail.mta-sts")
		if got.Status != StatusFail || !strings.Contains(got.Summary, "certificate") {
			t.Fatalf("got %s %q", got.Status, got.Summary)
		}
	})
	t.Run("a certificate for another name fails", func(t *testing.T) {
		port := startPolicyServer(t, ca, servePolicy(enforce), "www.example.test")
		r, _ := dnsCheckRun(t, "example.test", func(cfg *Config) { cfg.HTTPSPort, cfg.RootCAs = port, ca.Pool }, mxRecords...)
		got := checkNamed(t, checkMailPolicies(context.Background(), r), "mail.mta-sts")
		if got.Status != StatusFail || !strings.Contains(got.Summary, "certificate") {
			t.Fatalf("got %s %q", got.Status, got.Summary)
		}
	})
	t.Run("an expired certificate fails", func(t *testing.T) {
		srv := httptest.NewUnstartedServer(servePolicy(enforce))
		expired := ca.Issue(t, probetest.LeafOptions{NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-time.Hour)}, "mta-sts.example.test")
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{expired}}
		srv.Config.ErrorLog = log.New(io.Discard, "", 0)
		srv.StartTLS()
		defer srv.Close()
		port := srv.Listener.Addr().(*net.TCPAddr).Port
		r, _ := dnsCheckRun(t, "example.test", func(cfg *Config) { cfg.HTTPSPort, cfg.RootCAs = port, ca.Pool }, mxRecords...)
		got := checkNamed(t, checkMailPolicies(context.Background(), r), "mail.mta-sts")
		if got.Status != StatusFail || !strings.Contains(got.Summary, "expired") {
			t.Fatalf("got %s %q", got.Status, got.Summary)
		}
	})
	t.Run("a policy host without an address fails", func(t *testing.T) {
		r, _ := dnsCheckRun(t, "example.test", func(cfg *Config) { cfg.RootCAs = ca.Pool },
			mxRecords[0], mxRecords[1], mxRecords[3])
		got := checkNamed(t, checkMailPolicies(context.Background(), r), "mail.mta-sts")
		if got.Status != StatusFail || !strings.Contains(got.Summary, "no A or AAAA record") {
			t.Fatalf("got %s %q", got.Status, got.Summary)
		}
	})
	t.Run("the policy text is kept as evidence", func(t *testing.T) {
		port := startPolicyServer(t, ca, servePolicy(enforce), "mta-sts.example.test")
		r, _ := dnsCheckRun(t, "example.test", func(cfg *Config) { cfg.HTTPSPort, cfg.RootCAs = port, ca.Pool }, mxRecords...)
		got := checkNamed(t, checkMailPolicies(context.Background(), r), "mail.mta-sts")
		if got.Details["policy_text"] != enforce || got.Details["id"] != "20261122T000000" {
			t.Fatalf("details %+v", got.Details)
		}
	})
}

func TestCheckTLSRPT(t *testing.T) {
	t.Parallel()
	mx := "example.test. 60 IN MX 10 mx1.example.test."
	cases := []struct {
		name    string
		records []string
		want    Status
		inSum   string
	}{
		{"a record with mailto and https destinations passes", []string{mx,
			`_smtp._tls.example.test. 60 IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@example.test,https://reports.example.net/v1"`}, StatusPass, "mailto:tlsrpt@example.test"},
		{"no record fails", []string{mx}, StatusFail, "No TLS-RPT record"},
		{"an http destination fails", []string{mx, `_smtp._tls.example.test. 60 IN TXT "v=TLSRPTv1; rua=http://reports.example.net/"`}, StatusFail, "invalid"},
		{"a record without rua fails", []string{mx, `_smtp._tls.example.test. 60 IN TXT "v=TLSRPTv1;"`}, StatusFail, "invalid"},
		{"two records fail", []string{mx,
			`_smtp._tls.example.test. 60 IN TXT "v=TLSRPTv1; rua=mailto:a@example.test"`,
			`_smtp._tls.example.test. 60 IN TXT "v=TLSRPTv1; rua=mailto:b@example.test"`}, StatusFail, "2 TLS-RPT records"},
		{"no MX makes it not applicable", []string{"example.test. 60 IN A 127.0.0.1"}, StatusNotApplicable, "no MX"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, _ := dnsCheckRun(t, "example.test", nil, c.records...)
			got := checkNamed(t, checkMailPolicies(context.Background(), r), "mail.tls-rpt")
			if got.Status != c.want || !strings.Contains(got.Summary, c.inSum) {
				t.Fatalf("got %s %q, want %s containing %q", got.Status, got.Summary, c.want, c.inSum)
			}
		})
	}
}
