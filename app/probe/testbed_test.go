package probe_test

import (
	"bufio"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"

	"tenderprobe/app/probe/probetest"
)

// testbed is a small internet on loopback for the end-to-end tests and the
// benchmarks: a DNSSEC-signed root, "test." and domains served by one DNS
// server, and HTTPS, HTTP and SMTP servers that share one port number each
// across 127.0.0.1, ::1, 127.0.0.2 and 127.0.0.3. The "good" servers (127.0.0.1 and ::1)
// do everything right; the "bad" servers (127.0.0.2) do most things wrong;
// the "hung" ones (127.0.0.3) accept connections and never answer.
// The probe reaches them only through the settings a user has: --resolver,
// --trust-anchor, --ca-file, --rpki-vrps and the port flags.
type testbed struct {
	in  *probetest.SignedInternet
	dns *probetest.DNSServer
	ca  *probetest.CA

	httpsPort, httpPort, smtpPort int
	// nsPort is where the name servers' IPv6 address (::1) answers DNS.
	nsPort              int
	anchorFile, vrpFile string

	// resolver is the address the probe is pointed at: a front for dns
	// that counts the queries.
	resolver   string
	dnsQueries atomic.Int64
	// accepted counts the connections any web or mail server accepted, so
	// that the SSRF tests can show that nothing was reached.
	accepted  atomic.Int64
	listeners []*probetest.DelayedListener

	// trace, when tracing, records every answer's request and answer time.
	traceMu sync.Mutex
	tracing bool
	trace   []roundTrip
}

// roundTrip is one answer as a server saw it; what names it ("dns MX
// good.test", "smtp 127.0.0.1").
type roundTrip struct {
	what            string
	asked, answered time.Time
}

func (tb *testbed) record(what string, asked, answered time.Time) {
	tb.traceMu.Lock()
	if tb.tracing {
		tb.trace = append(tb.trace, roundTrip{what, asked, answered})
	}
	tb.traceMu.Unlock()
}

// startTrace starts recording round trips afresh; stopTrace returns them.
func (tb *testbed) startTrace() {
	tb.traceMu.Lock()
	tb.tracing, tb.trace = true, nil
	tb.traceMu.Unlock()
}

func (tb *testbed) stopTrace() []roundTrip {
	tb.traceMu.Lock()
	defer tb.traceMu.Unlock()
	tb.tracing = false
	return tb.trace
}

const (
	goodV4 = "127.0.0.1"
	goodV6 = "::1"
	badV4  = "127.0.0.2"
	// hungV4 accepts connections and then says nothing, ever.
	hungV4 = "127.0.0.3"
	// goodASN announces the loopback prefixes with a matching ROA; badASN
	// announces 127.0.0.2 without one, which route origin validation
	// finds invalid.
	goodASN = 64500
	badASN  = 64666
)

// newTestbed starts the DNS server and all web and mail servers.
func newTestbed(t testing.TB) *testbed {
	t.Helper()
	tb := &testbed{ca: probetest.NewCA(t)}
	tb.in = probetest.NewSignedInternet(t, probetest.SignedOptions{})
	tb.dns = tb.in.Serve(t)
	counting := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		tb.dnsQueries.Add(1)
		asked := time.Now()
		tb.dns.ServeDNS(w, r)
		what := "dns"
		if len(r.Question) == 1 {
			what = "dns " + dns.TypeToString[r.Question[0].Qtype] + " " + r.Question[0].Name
		}
		tb.record(what, asked, time.Now())
	})
	tb.resolver = net.JoinHostPort(goodV4, strconv.Itoa(serveDNS(t, goodV4, counting)))
	tb.nsPort = serveDNS(t, goodV6, counting)

	goodNames := []string{"good.test", "www.good.test", "mta-sts.good.test", "mail.good.test"}
	badNames := []string{"bad.test", "www.bad.test", "mail.bad.test"}
	goodSuites := []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}
	goodCert := tb.ca.Issue(t, probetest.LeafOptions{}, goodNames...)
	// The bad servers' certificate expired yesterday.
	badCert := tb.ca.Issue(t, probetest.LeafOptions{NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)}, badNames...)

	tb.httpsPort = tb.serveOnSamePort(t, "https", func(addr string, ln net.Listener) {
		good := addr != badV4
		// Only AEAD suites with forward secrecy: Go's defaults still
		// include CBC-SHA1 suites, which NCSC-NL 2025 calls insufficient.
		cfg := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{goodCert}, CipherSuites: goodSuites}
		if !good {
			cfg = &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS12, Certificates: []tls.Certificate{badCert},
				CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}}
		}
		srv := &http.Server{Handler: tb.webHandler(good), TLSConfig: cfg, ReadHeaderTimeout: 10 * time.Second, ErrorLog: discardLog}
		go srv.ServeTLS(ln, "", "")
		t.Cleanup(func() { srv.Close() })
	})
	tb.httpPort = tb.serveOnSamePort(t, "http", func(addr string, ln net.Listener) {
		good := addr != badV4
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !good {
				w.Write([]byte("plain text only"))
				return
			}
			host, _, _ := strings.Cut(r.Host, ":")
			http.Redirect(w, r, "https://"+net.JoinHostPort(host, strconv.Itoa(tb.httpsPort))+r.URL.RequestURI(), http.StatusMovedPermanently)
		})
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: discardLog}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
	})
	tb.smtpPort = tb.serveOnSamePort(t, "smtp", func(addr string, ln net.Listener) {
		good := addr != badV4
		s := &smtpServer{ln: ln, host: "mail.bad.test"}
		if good {
			s.host, s.tls = "mail.good.test", &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{goodCert}, CipherSuites: goodSuites}
		}
		go s.serve()
		t.Cleanup(func() { ln.Close() })
	})

	tb.addZones(t, goodCert, badCert)
	dir := t.TempDir()
	tb.anchorFile = filepath.Join(dir, "root.key")
	tb.vrpFile = filepath.Join(dir, "vrps.json")
	writeTestFile(t, tb.anchorFile, tb.in.TrustAnchorText())
	writeTestFile(t, tb.vrpFile, fmt.Sprintf(`{"roas":[{"asn":"AS%d","prefix":"127.0.0.0/8","maxLength":8},{"asn":%d,"prefix":"::1/128","maxLength":128}]}`, goodASN, goodASN))
	return tb
}

// setDelay makes every DNS, HTTPS, HTTP and SMTP answer come d late (0: at once).
func (tb *testbed) setDelay(d time.Duration) {
	tb.dns.SetDelay(d)
	for _, l := range tb.listeners {
		l.SetDelay(d)
	}
}

// answers is the number of round trips the servers answered: DNS queries
// plus greetings and replies on web and mail connections.
func (tb *testbed) answers() int64 {
	n := tb.dnsQueries.Load()
	for _, l := range tb.listeners {
		n += l.Answers()
	}
	return n
}

// serveDNS answers with h on addr over UDP and TCP on one port: on
// 127.0.0.1 as the probe's resolver, on ::1 as the name servers' IPv6
// address that ns.ipv6 asks directly.
func serveDNS(t testing.TB, addr string, h dns.Handler) int {
	t.Helper()
	for attempt := 0; attempt < 20; attempt++ {
		pc, err := net.ListenPacket("udp", net.JoinHostPort(addr, "0"))
		if err != nil {
			t.Fatalf("listen on %s: %v", addr, err)
		}
		// A batch of 100 domains sends bursts of a thousand queries; with
		// the default 208 KB socket buffer the kernel drops many of them
		// before the server reads them (RcvbufErrors in /proc/net/snmp). A
		// real resolver has a large buffer too.
		if err := pc.(*net.UDPConn).SetReadBuffer(4 << 20); err != nil {
			t.Logf("DNS server read buffer stays at the default: %v", err)
		}
		port := pc.LocalAddr().(*net.UDPAddr).Port
		ln, err := net.Listen("tcp", net.JoinHostPort(addr, strconv.Itoa(port)))
		if err != nil {
			pc.Close()
			continue
		}
		for _, s := range []*dns.Server{{PacketConn: pc, Handler: h}, {Listener: ln, Handler: h}} {
			started := make(chan struct{})
			s.NotifyStartedFunc = func() { close(started) }
			go s.ActivateAndServe()
			<-started
			t.Cleanup(func() { s.Shutdown() })
		}
		return port
	}
	t.Fatalf("no port free for DNS on %s", addr)
	return 0
}

// discardLog keeps the expected TLS handshake failures of probes (which hang
// up after the ServerHello on purpose) out of the test output.
var discardLog = log.New(io.Discard, "", 0)

func writeTestFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// serveOnSamePort listens on one port number on 127.0.0.1, ::1 and
// 127.0.0.2 (the probe has one port setting per protocol) and hands each
// listener, wrapped to count connections and answers and to add the
// delay, to start.
// 127.0.0.3 gets the same port with a server that never answers.
func (tb *testbed) serveOnSamePort(t testing.TB, protocol string, start func(addr string, ln net.Listener)) int {
	t.Helper()
	for attempt := 0; attempt < 20; attempt++ {
		first, err := net.Listen("tcp", net.JoinHostPort(goodV4, "0"))
		if err != nil {
			t.Fatal(err)
		}
		port := first.Addr().(*net.TCPAddr).Port
		lns := map[string]net.Listener{goodV4: first}
		ok := true
		for _, addr := range []string{goodV6, badV4, hungV4} {
			ln, err := net.Listen("tcp", net.JoinHostPort(addr, strconv.Itoa(port)))
			if err != nil {
				ok = false
				break
			}
			lns[addr] = ln
		}
		if !ok {
			for _, ln := range lns {
				ln.Close()
			}
			continue
		}
		for addr, ln := range lns {
			l := probetest.DelayListener(&countingListener{Listener: ln, n: &tb.accepted}, 0)
			what := protocol + " " + addr
			l.Trace = func(asked, answered time.Time) { tb.record(what, asked, answered) }
			tb.listeners = append(tb.listeners, l)
			if addr == hungV4 {
				go holdSilently(l)
				t.Cleanup(func() { l.Close() })
				continue
			}
			start(addr, l)
		}
		return port
	}
	t.Fatal("no port free on 127.0.0.1, ::1 and 127.0.0.2 at once")
	return 0
}

// holdSilently accepts connections and never reads or writes, like a peer
// behind a black-holing firewall or a tarpit; they close with the listener.
func holdSilently(ln net.Listener) {
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		held = append(held, c)
	}
}

type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

// webHandler serves the site, its security.txt and (on mta-sts.) the
// MTA-STS policy. The good site sends every recommended header.
func (tb *testbed) webHandler(good bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := strings.Cut(r.Host, ":")
		if good {
			h := w.Header()
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
			h.Set("X-Frame-Options", "DENY")
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("Content-Security-Policy", "default-src 'self'; base-uri 'self'; frame-src 'self'; frame-ancestors 'self'; form-action 'self'")
		}
		switch {
		case good && r.URL.Path == "/.well-known/mta-sts.txt" && host == "mta-sts.good.test":
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprint(w, "version: STSv1\r\nmode: enforce\r\nmx: mail.good.test\r\nmax_age: 604800\r\n")
		case good && r.URL.Path == "/.well-known/security.txt":
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			fmt.Fprintf(w, "Contact: mailto:security@%s\nExpires: %s\nCanonical: https://%s/.well-known/security.txt\n",
				host, time.Now().Add(180*24*time.Hour).UTC().Format(time.RFC3339), r.Host)
		case r.URL.Path == "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<!doctype html><title>Tender test site</title><p>Hello.</p>")
		default:
			http.NotFound(w, r)
		}
	})
}

// addZones publishes the good, bad and null-MX domains and the Team Cymru
// origin records for the loopback addresses.
func (tb *testbed) addZones(t testing.TB, goodCert, badCert tls.Certificate) {
	t.Helper()
	goodTLSA := tlsaSPKI(t, goodCert)
	var good []string
	for _, h := range []string{"@", "www", "mail", "mta-sts", "ns1", "ns2"} {
		good = append(good, h+" 300 IN A "+goodV4, h+" 300 IN AAAA "+goodV6)
	}
	for _, port := range []int{443, tb.httpsPort} {
		for _, h := range []string{"", ".www"} {
			good = append(good, fmt.Sprintf("_%d._tcp%s 300 IN TLSA 3 1 1 %s", port, h, goodTLSA))
		}
	}
	for _, port := range []int{25, tb.smtpPort} {
		good = append(good, fmt.Sprintf("_%d._tcp.mail 300 IN TLSA 3 1 1 %s", port, goodTLSA))
	}
	good = append(good,
		"@ 300 IN NS ns1.good.test.",
		"@ 300 IN NS ns2.good.test.",
		"@ 300 IN MX 10 mail.good.test.",
		`@ 300 IN TXT "v=spf1 mx -all"`,
		`_dmarc 300 IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@good.test"`,
		`sel1._domainkey 300 IN TXT "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="`,
		`@ 300 IN CAA 0 issue "ca.test"`,
		`@ 300 IN CAA 0 iodef "mailto:security@good.test"`,
		`_mta-sts 300 IN TXT "v=STSv1; id=20261122T000000"`,
		`_smtp._tls 300 IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@good.test"`,
	)
	tb.in.AddZone(probetest.Zone{Name: "good.test.", Records: good})

	// bad.test is not signed, has no IPv6, a permissive SPF, no DMARC and
	// no CAA; its servers are the bad ones.
	var bad []string
	for _, h := range []string{"@", "www", "mail"} {
		bad = append(bad, h+" 300 IN A "+badV4)
	}
	bad = append(bad,
		"@ 300 IN MX 10 mail.bad.test.",
		`@ 300 IN TXT "v=spf1 +all"`,
	)
	tb.in.AddZone(probetest.Zone{Name: "bad.test.", Records: bad, Unsigned: true})

	// nomail.test takes no mail (null MX, RFC 7505).
	tb.in.AddZone(probetest.Zone{Name: "nomail.test.", Records: []string{
		"@ 300 IN A " + goodV4,
		"@ 300 IN MX 0 .",
		`@ 300 IN TXT "v=spf1 -all"`,
		`_dmarc 300 IN TXT "v=DMARC1; p=reject"`,
	}})

	// hung.test points everything at the silent servers.
	tb.in.AddZone(probetest.Zone{Name: "hung.test.", Unsigned: true, Records: []string{
		"@ 300 IN A " + hungV4,
		"www 300 IN A " + hungV4,
		"mail 300 IN A " + hungV4,
		"@ 300 IN MX 10 mail.hung.test.",
	}})

	// Team Cymru's origin service, as the RPKI checks query it.
	tb.in.AddZone(probetest.Zone{Name: "asn.cymru.com.", Unsigned: true, Records: []string{
		fmt.Sprintf(`1.0.0.127.origin 300 IN TXT "%d | 127.0.0.0/8 | ZZ | test | 2026-01-01"`, goodASN),
		fmt.Sprintf(`2.0.0.127.origin 300 IN TXT "%d | 127.0.0.0/24 | ZZ | test | 2026-01-01"`, badASN),
		fmt.Sprintf(`1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.origin6 300 IN TXT "%d | ::1/128 | ZZ | test | 2026-01-01"`, goodASN),
	}})
}

// tlsaSPKI is the "3 1 1" association data of a certificate: SHA-256 of its
// public key.
func tlsaSPKI(t testing.TB, c tls.Certificate) string {
	t.Helper()
	leaf, err := x509.ParseCertificate(c.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(leaf.RawSubjectPublicKeyInfo)
	return hex.EncodeToString(sum[:])
}

// smtpServer is a small ESMTP server: it greets, answers EHLO (offering
// STARTTLS when it has a certificate), upgrades on STARTTLS, and accepts
// NOOP, RSET and QUIT. Probes never send mail, so nothing else is needed.
type smtpServer struct {
	ln   net.Listener
	host string
	tls  *tls.Config
}

func (s *smtpServer) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.session(c)
	}
}

func (s *smtpServer) session(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	secure := false
	r := bufio.NewReader(c)
	reply := func(lines ...string) bool {
		_, err := c.Write([]byte(strings.Join(lines, "\r\n") + "\r\n"))
		return err == nil
	}
	if !reply("220 " + s.host + " ESMTP test") {
		return
	}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		verb, _, _ := strings.Cut(cmd, " ")
		switch verb {
		case "EHLO", "HELO":
			lines := []string{"250-" + s.host + " hello", "250-PIPELINING", "250-8BITMIME"}
			if s.tls != nil && !secure {
				lines = append(lines, "250-STARTTLS")
			}
			lines = append(lines, "250 SMTPUTF8")
			reply(lines...)
		case "STARTTLS":
			if s.tls == nil || secure {
				reply("502 5.5.1 not offered")
				continue
			}
			reply("220 2.0.0 ready to start TLS")
			tc := tls.Server(c, s.tls)
			if err := tc.Handshake(); err != nil {
				return
			}
			c, r, secure = tc, bufio.NewReader(tc), true
		case "NOOP", "RSET":
			reply("250 2.0.0 ok")
		case "QUIT":
			reply("221 2.0.0 bye")
			return
		default:
			reply("502 5.5.2 command not implemented")
		}
	}
}
