package probetest

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// Testbed is a small internet on loopback for end-to-end tests and
// benchmarks of code that probes domains: a DNSSEC-signed root, "test."
// and domains served by one DNS server, and HTTPS, HTTP and SMTP servers
// that share one port number each across 127.0.0.1, ::1, 127.0.0.2 and
// 127.0.0.3. The "good" servers (127.0.0.1 and ::1) do everything right;
// the "bad" servers (127.0.0.2) do most things wrong; the "hung" ones
// (127.0.0.3) accept connections and never answer.
//
// The domains: GoodDomain passes every check; BadDomain fails most;
// BrokenDomain is served by the good servers but sends no HSTS header and
// publishes no DMARC record, so exactly web.hsts and mail.dmarc fail;
// NoMailDomain has a null MX; HungDomain points at the silent servers.
//
// The probe reaches it only through the settings a user has: Resolver,
// AnchorFile (--trust-anchor), CA.File (--ca-file), VRPFile (--rpki-vrps)
// and the ports; it must be allowed to reach private addresses.
type Testbed struct {
	Internet *SignedInternet
	DNS      *DNSServer
	CA       *CA

	// HTTPSPort, HTTPPort and SMTPPort are the servers' ports; NSPort is
	// where the name servers' IPv6 address (::1) answers DNS.
	HTTPSPort, HTTPPort, SMTPPort, NSPort int
	// AnchorFile and VRPFile are the trust anchor and VRP set files.
	AnchorFile, VRPFile string

	// Resolver is the address the probe is pointed at: a front for DNS
	// that counts the queries in DNSQueries.
	Resolver   string
	DNSQueries atomic.Int64
	// Accepted counts the connections any web or mail server accepted, so
	// that SSRF tests can show that nothing was reached.
	Accepted  atomic.Int64
	Listeners []*DelayedListener
	// SMTP is the mail server on each address (GoodV4, GoodV6, BadV4), for
	// counting its sessions and STARTTLS upgrades.
	SMTP map[string]*SMTPServer
	// WebRequests counts the web servers' requests by WebRequest, and
	// WebGroups the HTTPS ones by the key exchange group of their
	// connection.
	WebRequests sync.Map // WebRequest → *atomic.Int64
	WebGroups   sync.Map // tls.CurveID → *atomic.Int64

	// trace, when tracing, records every answer's request and answer time.
	traceMu sync.Mutex
	tracing bool
	trace   []RoundTrip
}

// WebRequest is a kind of request a web server answered: the scheme, the
// Host without its port, the server address it came to, the path and the
// Accept-Encoding asked for.
type WebRequest struct {
	Scheme, Host, Addr, Path, AcceptEncoding string
}

// countRequest adds r to WebRequests.
func (tb *Testbed) countRequest(scheme string, r *http.Request) {
	host, _, _ := strings.Cut(r.Host, ":")
	addr := ""
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if ap, err := netip.ParseAddrPort(a.String()); err == nil {
			addr = ap.Addr().String()
		}
	}
	n, _ := tb.WebRequests.LoadOrStore(WebRequest{scheme, host, addr, r.URL.Path, r.Header.Get("Accept-Encoding")}, new(atomic.Int64))
	n.(*atomic.Int64).Add(1)
	if r.TLS != nil {
		n, _ := tb.WebGroups.LoadOrStore(r.TLS.CurveID, new(atomic.Int64))
		n.(*atomic.Int64).Add(1)
	}
}

// RoundTrip is one answer as a server saw it; What names it ("dns MX
// good.test", "smtp 127.0.0.1").
type RoundTrip struct {
	What            string
	Asked, Answered time.Time
}

// Addresses, origin ASNs and domains of the testbed.
const (
	GoodV4 = "127.0.0.1"
	GoodV6 = "::1"
	BadV4  = "127.0.0.2"
	// HungV4 accepts connections and then says nothing, ever.
	HungV4 = "127.0.0.3"
	// GoodASN announces the loopback prefixes with a matching ROA; BadASN
	// announces 127.0.0.2 without one, which route origin validation
	// finds invalid.
	GoodASN = 64500
	BadASN  = 64666

	GoodDomain   = "good.test"
	BadDomain    = "bad.test"
	BrokenDomain = "broken.test"
	NoMailDomain = "nomail.test"
	HungDomain   = "hung.test"
)

func (tb *Testbed) record(what string, asked, answered time.Time) {
	tb.traceMu.Lock()
	if tb.tracing {
		tb.trace = append(tb.trace, RoundTrip{what, asked, answered})
	}
	tb.traceMu.Unlock()
}

// StartTrace starts recording round trips afresh; StopTrace returns them.
func (tb *Testbed) StartTrace() {
	tb.traceMu.Lock()
	tb.tracing, tb.trace = true, nil
	tb.traceMu.Unlock()
}

// StopTrace stops recording and returns the round trips since StartTrace.
func (tb *Testbed) StopTrace() []RoundTrip {
	tb.traceMu.Lock()
	defer tb.traceMu.Unlock()
	tb.tracing = false
	return tb.trace
}

// NewTestbed starts the DNS server and all web and mail servers; they stop
// when the test ends.
func NewTestbed(t testing.TB) *Testbed {
	t.Helper()
	tb := &Testbed{CA: NewCA(t)}
	tb.Internet = NewSignedInternet(t, SignedOptions{})
	tb.DNS = tb.Internet.Serve(t)
	counting := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		tb.DNSQueries.Add(1)
		asked := time.Now()
		tb.DNS.ServeDNS(w, r)
		what := "dns"
		if len(r.Question) == 1 {
			what = "dns " + dns.TypeToString[r.Question[0].Qtype] + " " + r.Question[0].Name
		}
		tb.record(what, asked, time.Now())
	})
	tb.Resolver = net.JoinHostPort(GoodV4, strconv.Itoa(serveDNS(t, GoodV4, counting)))
	tb.NSPort = serveDNS(t, GoodV6, counting)

	var goodNames []string
	for _, d := range []string{GoodDomain, BrokenDomain} {
		goodNames = append(goodNames, d, "www."+d, "mta-sts."+d, "mail."+d)
	}
	badNames := []string{BadDomain, "www." + BadDomain, "mail." + BadDomain}
	goodSuites := []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}
	goodCert := tb.CA.Issue(t, LeafOptions{}, goodNames...)
	// The bad servers' certificate expired yesterday.
	badCert := tb.CA.Issue(t, LeafOptions{NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)}, badNames...)

	tb.HTTPSPort = tb.serveOnSamePort(t, "https", func(addr string, ln net.Listener) {
		good := addr != BadV4
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
	tb.HTTPPort = tb.serveOnSamePort(t, "http", func(addr string, ln net.Listener) {
		good := addr != BadV4
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tb.countRequest("http", r)
			if !good {
				w.Write([]byte("plain text only"))
				return
			}
			host, _, _ := strings.Cut(r.Host, ":")
			http.Redirect(w, r, "https://"+net.JoinHostPort(host, strconv.Itoa(tb.HTTPSPort))+r.URL.RequestURI(), http.StatusMovedPermanently)
		})
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: discardLog}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
	})
	tb.SMTPPort = tb.serveOnSamePort(t, "smtp", func(addr string, ln net.Listener) {
		opts := SMTPOptions{Hostname: "mail." + BadDomain}
		if addr != BadV4 {
			opts = SMTPOptions{Hostname: "mail." + GoodDomain, TLS: &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{goodCert}, CipherSuites: goodSuites}}
		}
		if tb.SMTP == nil {
			tb.SMTP = map[string]*SMTPServer{}
		}
		tb.SMTP[addr] = ServeSMTP(t, ln, opts)
	})

	tb.addZones(t, goodCert)
	dir := t.TempDir()
	tb.AnchorFile = filepath.Join(dir, "root.key")
	tb.VRPFile = filepath.Join(dir, "vrps.json")
	writeTestFile(t, tb.AnchorFile, tb.Internet.TrustAnchorText())
	writeTestFile(t, tb.VRPFile, fmt.Sprintf(`{"roas":[{"asn":"AS%d","prefix":"127.0.0.0/8","maxLength":8},{"asn":%d,"prefix":"::1/128","maxLength":128}]}`, GoodASN, GoodASN))
	return tb
}

// SetDelay makes every DNS, HTTPS, HTTP and SMTP answer come d late (0: at once).
func (tb *Testbed) SetDelay(d time.Duration) {
	tb.DNS.SetDelay(d)
	for _, l := range tb.Listeners {
		l.SetDelay(d)
	}
}

// SetPathDelay puts every server behind a path that delays each packet d
// in each direction (0: off): a DNS query is answered 2d late (over UDP a
// query and its answer are one packet each way), and web and mail
// connections accepted from now on pay d per direction for every byte
// and a round trip for the TCP set-up (DelayedListener.SetPathDelay).
// It overrides SetDelay for the connections it covers.
func (tb *Testbed) SetPathDelay(d time.Duration) {
	tb.DNS.SetDelay(2 * d)
	for _, l := range tb.Listeners {
		l.SetPathDelay(d)
	}
}

// Answers is the number of round trips the servers answered: DNS queries
// plus greetings and replies on web and mail connections.
func (tb *Testbed) Answers() int64 {
	n := tb.DNSQueries.Load()
	for _, l := range tb.Listeners {
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
			t.Fatalf("probetest: listen on %s: %v", addr, err)
		}
		// A batch of 100 domains sends bursts of a thousand queries; with
		// the default 208 KB socket buffer the kernel drops many of them
		// before the server reads them (RcvbufErrors in /proc/net/snmp). A
		// real resolver has a large buffer too.
		if err := pc.(*net.UDPConn).SetReadBuffer(4 << 20); err != nil {
			t.Logf("probetest: DNS server read buffer stays at the default: %v", err)
		}
		port := pc.LocalAddr().(*net.UDPAddr).Port
		ln, err := net.Listen("tcp", net.JoinHostPort(addr, strconv.Itoa(port)))
		if err != nil {
			pc.Close()
			continue
		}
		// Over TCP, miekg/dns drops a connection whose query it has not
		// read within 2 s; a batch of 100 domains on a loaded machine can
		// take longer than that to get round to it.
		for _, s := range []*dns.Server{{PacketConn: pc, Handler: h}, {Listener: ln, Handler: h, ReadTimeout: 10 * time.Second}} {
			started := make(chan struct{})
			s.NotifyStartedFunc = func() { close(started) }
			go s.ActivateAndServe()
			<-started
			t.Cleanup(func() { s.Shutdown() })
		}
		return port
	}
	t.Fatalf("probetest: no port free for DNS on %s", addr)
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
// delay, to start. 127.0.0.3 gets the same port with a server that never
// answers.
func (tb *Testbed) serveOnSamePort(t testing.TB, protocol string, start func(addr string, ln net.Listener)) int {
	t.Helper()
	for attempt := 0; attempt < 20; attempt++ {
		first, err := net.Listen("tcp", net.JoinHostPort(GoodV4, "0"))
		if err != nil {
			t.Fatal(err)
		}
		port := first.Addr().(*net.TCPAddr).Port
		lns := map[string]net.Listener{GoodV4: first}
		ok := true
		for _, addr := range []string{GoodV6, BadV4, HungV4} {
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
			l := DelayListener(&countingListener{Listener: ln, n: &tb.Accepted}, 0)
			what := protocol + " " + addr
			l.Trace = func(asked, answered time.Time) { tb.record(what, asked, answered) }
			tb.Listeners = append(tb.Listeners, l)
			if addr == HungV4 {
				go holdSilently(l)
				t.Cleanup(func() { l.Close() })
				continue
			}
			start(addr, l)
		}
		return port
	}
	t.Fatal("probetest: no port free on 127.0.0.1, ::1, 127.0.0.2 and 127.0.0.3 at once")
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

// webHandler serves the sites, their security.txt and (on mta-sts.) the
// MTA-STS policy. The good servers send every recommended header, except
// HSTS for the broken domain.
func (tb *Testbed) webHandler(good bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tb.countRequest("https", r)
		host, _, _ := strings.Cut(r.Host, ":")
		if good {
			h := w.Header()
			if host != BrokenDomain && !strings.HasSuffix(host, "."+BrokenDomain) {
				h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
			}
			h.Set("X-Frame-Options", "DENY")
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("Content-Security-Policy", "default-src 'self'; base-uri 'self'; frame-src 'self'; frame-ancestors 'self'; form-action 'self'")
		}
		switch {
		case good && r.URL.Path == "/.well-known/mta-sts.txt" && (host == "mta-sts."+GoodDomain || host == "mta-sts."+BrokenDomain):
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprintf(w, "version: STSv1\r\nmode: enforce\r\nmx: mail.%s\r\nmax_age: 604800\r\n", strings.TrimPrefix(host, "mta-sts."))
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

// addZones publishes the good, broken, bad, null-MX and hung domains and
// the Team Cymru origin records for the loopback addresses.
func (tb *Testbed) addZones(t testing.TB, goodCert tls.Certificate) {
	t.Helper()
	goodTLSA := SPKISHA256(t, goodCert)
	for _, d := range []string{GoodDomain, BrokenDomain} {
		var rrs []string
		for _, h := range []string{"@", "www", "mail", "mta-sts", "ns1", "ns2"} {
			rrs = append(rrs, h+" 300 IN A "+GoodV4, h+" 300 IN AAAA "+GoodV6)
		}
		for _, port := range []int{443, tb.HTTPSPort} {
			for _, h := range []string{"", ".www"} {
				rrs = append(rrs, fmt.Sprintf("_%d._tcp%s 300 IN TLSA 3 1 1 %s", port, h, goodTLSA))
			}
		}
		for _, port := range []int{25, tb.SMTPPort} {
			rrs = append(rrs, fmt.Sprintf("_%d._tcp.mail 300 IN TLSA 3 1 1 %s", port, goodTLSA))
		}
		rrs = append(rrs,
			"@ 300 IN NS ns1."+d+".",
			"@ 300 IN NS ns2."+d+".",
			"@ 300 IN MX 10 mail."+d+".",
			`@ 300 IN TXT "v=spf1 mx -all"`,
			`sel1._domainkey 300 IN TXT "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="`,
			`@ 300 IN CAA 0 issue "ca.test"`,
			`@ 300 IN CAA 0 iodef "mailto:security@`+d+`"`,
			`_mta-sts 300 IN TXT "v=STSv1; id=20261122T000000"`,
			`_smtp._tls 300 IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@`+d+`"`,
		)
		if d == GoodDomain {
			rrs = append(rrs, `_dmarc 300 IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@`+d+`"`)
		}
		tb.Internet.AddZone(Zone{Name: d + ".", Records: rrs})
	}

	// bad.test is not signed, has no IPv6, a permissive SPF, no DMARC and
	// no CAA; its servers are the bad ones.
	var bad []string
	for _, h := range []string{"@", "www", "mail"} {
		bad = append(bad, h+" 300 IN A "+BadV4)
	}
	bad = append(bad,
		"@ 300 IN MX 10 mail.bad.test.",
		`@ 300 IN TXT "v=spf1 +all"`,
	)
	tb.Internet.AddZone(Zone{Name: BadDomain + ".", Records: bad, Unsigned: true})

	// nomail.test takes no mail (null MX, RFC 7505).
	tb.Internet.AddZone(Zone{Name: NoMailDomain + ".", Records: []string{
		"@ 300 IN A " + GoodV4,
		"@ 300 IN MX 0 .",
		`@ 300 IN TXT "v=spf1 -all"`,
		`_dmarc 300 IN TXT "v=DMARC1; p=reject"`,
	}})

	// hung.test points everything at the silent servers.
	tb.Internet.AddZone(Zone{Name: HungDomain + ".", Unsigned: true, Records: []string{
		"@ 300 IN A " + HungV4,
		"www 300 IN A " + HungV4,
		"mail 300 IN A " + HungV4,
		"@ 300 IN MX 10 mail.hung.test.",
	}})

	// Team Cymru's origin service, as the RPKI checks query it.
	tb.Internet.AddZone(Zone{Name: "asn.cymru.com.", Unsigned: true, Records: []string{
		fmt.Sprintf(`1.0.0.127.origin 300 IN TXT "%d | 127.0.0.0/8 | ZZ | test | 2026-01-01"`, GoodASN),
		fmt.Sprintf(`2.0.0.127.origin 300 IN TXT "%d | 127.0.0.0/24 | ZZ | test | 2026-01-01"`, BadASN),
		fmt.Sprintf(`1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.origin6 300 IN TXT "%d | ::1/128 | ZZ | test | 2026-01-01"`, GoodASN),
	}})
}

// SPKISHA256 is the association data of a TLSA record with selector 1
// and matching type 1 ("3 1 1", "2 1 1"): the SHA-256 of the
// certificate's public key.
func SPKISHA256(t testing.TB, c tls.Certificate) string {
	t.Helper()
	leaf, err := x509.ParseCertificate(c.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(leaf.RawSubjectPublicKeyInfo)
	return hex.EncodeToString(sum[:])
}
