package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/probetest"
)

// quietLog keeps the handshake failures that scans cause on purpose (they
// hang up after the ServerHello) out of the test output.
var quietLog = log.New(io.Discard, "", 0)

// testRun builds a probe run for domain against a DNS server holding records,
// with private addresses allowed, as the tests' servers are on loopback.
func testRun(t testing.TB, domain string, mod func(*Config), records ...string) *run {
	t.Helper()
	r, _ := dnsCheckRun(t, domain, mod, records...)
	return r
}

// listenShared listens on one port number on every given loopback address
// (the probe has one port setting per protocol) and returns the port and
// the listeners by address.
func listenShared(t testing.TB, addrs ...string) (int, map[string]net.Listener) {
	t.Helper()
	for attempt := 0; attempt < 20; attempt++ {
		first, err := net.Listen("tcp", net.JoinHostPort(addrs[0], "0"))
		if err != nil {
			t.Fatal(err)
		}
		port := first.Addr().(*net.TCPAddr).Port
		lns := map[string]net.Listener{addrs[0]: first}
		for _, a := range addrs[1:] {
			ln, err := net.Listen("tcp", net.JoinHostPort(a, strconv.Itoa(port)))
			if err != nil {
				break
			}
			lns[a] = ln
		}
		if len(lns) == len(addrs) {
			for _, ln := range lns {
				t.Cleanup(func() { ln.Close() })
			}
			return port, lns
		}
		for _, ln := range lns {
			ln.Close()
		}
	}
	t.Fatalf("no port free on all of %v", addrs)
	return 0, nil
}

// serveHTTPS serves h over TLS with cfg on ln until the test ends.
func serveHTTPS(t testing.TB, ln net.Listener, cfg *tls.Config, h http.Handler) {
	if h == nil {
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") })
	}
	// HTTP/2 is off: it refuses suite lists without AES-128-GCM, which the
	// tests choose freely.
	srv := &http.Server{Handler: h, TLSConfig: cfg, ReadHeaderTimeout: 5 * time.Second, ErrorLog: quietLog,
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){}}
	go srv.ServeTLS(ln, "", "")
	t.Cleanup(func() { srv.Close() })
}

// findCheck returns the check with id, after making sure the whole list
// serialises to JSON as the CLI's --json output needs.
func findCheck(t testing.TB, checks []Check, id check.ID) Check {
	t.Helper()
	if _, err := json.Marshal(checks); err != nil {
		t.Fatalf("checks do not serialise to JSON: %v", err)
	}
	for _, c := range checks {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no check %s in %+v", id, checks)
	return Check{}
}

func TestCheckWebTLS(t *testing.T) {
	t.Parallel()
	ca := probetest.NewCA(t)
	names := []string{"example.test", "www.example.test"}
	goodCert := ca.Issue(t, probetest.LeafOptions{}, names...)
	modern := func() *tls.Config {
		return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{goodCert}, CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		}}
	}
	tests := []struct {
		name string
		// apex and www are the servers on 127.0.0.11 and 127.0.0.12; nil
		// means nothing listens there.
		apex, www *tls.Config
		noWWW     bool
		want      map[check.ID]Status
	}{
		{
			name: "a modern apex and www pass everything, with a PQ hybrid",
			apex: modern(), www: modern(),
			want: map[check.ID]Status{"web.https": StatusPass, "web.tls-version": StatusPass, "web.tls-ciphers": StatusPass, "web.tls-cert": StatusPass, "web.tls-pq": StatusPass},
		},
		{
			name: "www accepting TLS 1.0 with CBC-SHA1 fails versions and ciphers",
			apex: modern(),
			www: &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS12, Certificates: []tls.Certificate{goodCert}, CipherSuites: []uint16{
				tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
			}},
			want: map[check.ID]Status{"web.https": StatusPass, "web.tls-version": StatusFail, "web.tls-ciphers": StatusFail, "web.tls-cert": StatusPass, "web.tls-pq": StatusInfo},
		},
		{
			name: "a phase-out CBC-SHA256 suite is a warning",
			apex: &tls.Config{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12, Certificates: []tls.Certificate{goodCert}, CipherSuites: []uint16{
				tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
			}},
			noWWW: true,
			want:  map[check.ID]Status{"web.https": StatusPass, "web.tls-version": StatusPass, "web.tls-ciphers": StatusWarn, "web.tls-pq": StatusInfo},
		},
		{
			name:  "a certificate for another name from an unknown CA fails the certificate check",
			apex:  &tls.Config{Certificates: []tls.Certificate{probetest.NewCA(t).Issue(t, probetest.LeafOptions{}, "other.test")}},
			noWWW: true,
			want:  map[check.ID]Status{"web.https": StatusPass, "web.tls-cert": StatusFail},
		},
		{
			name: "www without an HTTPS server fails web.https",
			apex: modern(), www: nil,
			want: map[check.ID]Status{"web.https": StatusFail, "web.tls-version": StatusPass},
		},
		{
			name:  "no server at all fails web.https and leaves the rest untestable",
			noWWW: true,
			want:  map[check.ID]Status{"web.https": StatusFail, "web.tls-version": StatusError, "web.tls-cert": StatusError},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			port, lns := listenShared(t, "127.0.0.11", "127.0.0.12")
			for addr, cfg := range map[string]*tls.Config{"127.0.0.11": tc.apex, "127.0.0.12": tc.www} {
				if cfg == nil {
					lns[addr].Close()
					continue
				}
				serveHTTPS(t, lns[addr], cfg, nil)
			}
			records := []string{"example.test. 300 IN A 127.0.0.11"}
			if !tc.noWWW {
				records = append(records, "www.example.test. 300 IN A 127.0.0.12")
			}
			r := testRun(t, "example.test", func(c *Config) { c.RootCAs = ca.Pool; c.HTTPSPort = port }, records...)
			checks := checkWebTLS(context.Background(), r)
			if len(checks) != 5 {
				t.Fatalf("got %d checks, want 5", len(checks))
			}
			for id, want := range tc.want {
				if got := findCheck(t, checks, id); got.Status != want {
					t.Errorf("%s = %s (%s), want %s", id, got.Status, got.Summary, want)
				}
			}
		})
	}
}

func TestCheckWebTLSRefusesLoopbackWithoutAllowPrivate(t *testing.T) {
	t.Parallel()
	r := testRun(t, "example.test", func(c *Config) { c.AllowPrivate = false; c.HTTPSPort = 1 }, "example.test. 300 IN A 127.0.0.1")
	got := findCheck(t, checkWebTLS(context.Background(), r), "web.https")
	if got.Status != StatusError {
		t.Errorf("web.https for a loopback address = %s (%s), want error (refused)", got.Status, got.Summary)
	}
}

func TestCheckWebTLSWithoutAddressIsNotApplicable(t *testing.T) {
	t.Parallel()
	r := testRun(t, "example.test", nil, "example.test. 300 IN TXT \"no web\"")
	for _, c := range checkWebTLS(context.Background(), r) {
		if c.Status != StatusNotApplicable {
			t.Errorf("%s = %s, want not_applicable", c.ID, c.Status)
		}
	}
}

// TestWWWOnTheApexAddressSharesTheConfigurationScan covers the rule of
// scanWebTargets: a www on one of the apex's addresses is scanned for its
// certificate only and takes the apex's configuration scan of that address;
// a www on an address of its own keeps a full scan (TestCheckWebTLS, www
// accepting TLS 1.0). The server on 127.0.0.13 answers both names and
// picks its certificate, or its whole configuration, by SNI.
func TestWWWOnTheApexAddressSharesTheConfigurationScan(t *testing.T) {
	t.Parallel()
	ca := probetest.NewCA(t)
	goodCert := ca.Issue(t, probetest.LeafOptions{}, "example.test", "www.example.test")
	modern := func(cert tls.Certificate) *tls.Config {
		return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}, CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		}}
	}
	legacy := &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS12, Certificates: []tls.Certificate{goodCert}, CipherSuites: []uint16{
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
	}}
	tests := []struct {
		name string
		// www is the configuration the server uses for SNI www.example.test
		// (nil: refuse the handshake); the apex always gets modern(goodCert).
		www  *tls.Config
		want map[check.ID]Status
		// shared: www's rows say the apex's scan measured them, and www
		// took one connection.
		shared bool
	}{
		{
			name:   "a www with the apex's server passes on one handshake of its own",
			www:    modern(goodCert),
			want:   map[check.ID]Status{"web.https": StatusPass, "web.tls-version": StatusPass, "web.tls-ciphers": StatusPass, "web.tls-cert": StatusPass, "web.tls-pq": StatusPass},
			shared: true,
		},
		{
			name:   "a www serving an expired certificate on the apex's address fails the certificate check",
			www:    modern(ca.Issue(t, probetest.LeafOptions{NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)}, "www.example.test")),
			want:   map[check.ID]Status{"web.https": StatusPass, "web.tls-version": StatusPass, "web.tls-cert": StatusFail},
			shared: true,
		},
		{
			name:   "a www serving a certificate for another name on the apex's address fails the certificate check",
			www:    modern(ca.Issue(t, probetest.LeafOptions{}, "other.test")),
			want:   map[check.ID]Status{"web.https": StatusPass, "web.tls-cert": StatusFail},
			shared: true,
		},
		{
			// What the shared scan gives up (README, Probing from the
			// command line): another configuration for www on the same
			// address is judged by the apex's.
			name:   "a www with a legacy configuration on the apex's address is judged by the apex's configuration",
			www:    legacy,
			want:   map[check.ID]Status{"web.https": StatusPass, "web.tls-version": StatusPass, "web.tls-ciphers": StatusPass, "web.tls-cert": StatusPass},
			shared: true,
		},
		{
			name: "a www whose handshake fails on the apex's address gets a full scan and fails web.https",
			www:  nil,
			want: map[check.ID]Status{"web.https": StatusFail, "web.tls-version": StatusPass},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			port, lns := listenShared(t, "127.0.0.13")
			apex := modern(goodCert)
			apex.GetConfigForClient = func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
				if hello.ServerName != "www.example.test" {
					return nil, nil
				}
				if tc.www == nil {
					return nil, errors.New("no site www.example.test here")
				}
				return tc.www, nil
			}
			serveHTTPS(t, lns["127.0.0.13"], apex, nil)
			r := testRun(t, "example.test", func(c *Config) { c.RootCAs = ca.Pool; c.HTTPSPort = port },
				"example.test. 300 IN A 127.0.0.13", "www.example.test. 300 IN A 127.0.0.13")
			checks := checkWebTLS(context.Background(), r)
			for id, want := range tc.want {
				if got := findCheck(t, checks, id); got.Status != want {
					t.Errorf("%s = %s (%s), want %s", id, got.Status, got.Summary, want)
				}
			}
			var www []tlsTarget
			for _, s := range r.webScans(context.Background(), nil) {
				if s.Host == "www.example.test" {
					www = append(www, s)
				}
			}
			if len(www) != 1 {
				t.Fatalf("%d scans of www, want 1", len(www))
			}
			s := www[0]
			if got := s.configMeasuredOn(); (got != "") != tc.shared || tc.shared && got != "example.test (127.0.0.13)" {
				t.Errorf("www's configuration measured on %q, shared %v", got, tc.shared)
			}
			if tc.shared {
				if s.Report.Connections != 1 {
					t.Errorf("www took %d connections, want its one handshake", s.Report.Connections)
				}
				if c := s.Report.Certificate; c == nil || !bytes.Equal(c.Certificates[0].Raw, tc.www.Certificates[0].Certificate[0]) {
					t.Errorf("www's certificate is not the one served for www")
				}
				for _, id := range []check.ID{"web.tls-version", "web.tls-ciphers", "web.tls-pq"} {
					if rows := rowsOf(t, findCheck(t, checks, id)); rows["www.example.test"] != "example.test (127.0.0.13)" {
						t.Errorf("%s: www's row says config_measured_on %q", id, rows["www.example.test"])
					}
				}
			}
		})
	}
}

// rowsOf maps each target row of c's details to its config_measured_on.
func rowsOf(t *testing.T, c Check) map[string]string {
	t.Helper()
	b, err := json.Marshal(c.Details["targets"])
	if err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		Host             string `json:"host"`
		ConfigMeasuredOn string `json:"config_measured_on"`
	}
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows {
		out[r.Host] = r.ConfigMeasuredOn
	}
	return out
}
