// Package vendorbed is a loopback internet with two vendor domains, one
// that does everything right and one with a broken HSTS and DMARC, for
// tests that verify vendor claims end to end (the verification queue,
// `serve`). It builds on probetest's signed zones, CA and SMTP server.
package vendorbed

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
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"tenderprobe/app/probe/probetest"
)

// Testbed is a small internet on loopback for tests of code that probes
// vendor domains (the verification queue, `serve` end to end): a signed
// root, "test." and domain zones behind one DNS server, and HTTPS, HTTP and
// SMTP servers sharing one port number each on 127.0.0.1 and ::1.
//
// Two vendor domains are published. GoodDomain does everything right (the
// probe passes every check). BrokenDomain is served by the same servers
// and zone data except that its web site sends no HSTS header and it
// publishes no DMARC record, so exactly web.hsts and mail.dmarc fail.
//
// The probe reaches it only through the settings a user has: Resolver,
// AnchorFile (--trust-anchor), CA.File (--ca-file), VRPFile (--rpki-vrps)
// and the ports; it must be allowed to reach private addresses.
type Testbed struct {
	Internet *probetest.SignedInternet
	DNS      *probetest.DNSServer
	CA       *probetest.CA

	// Resolver is host:port of the DNS server on 127.0.0.1.
	Resolver string
	// HTTPSPort, HTTPPort and SMTPPort are the servers' ports; NSPort is
	// where the name servers' IPv6 address answers DNS.
	HTTPSPort, HTTPPort, SMTPPort, NSPort int
	// AnchorFile and VRPFile are the trust anchor and VRP set files.
	AnchorFile, VRPFile string

	listeners []*probetest.DelayedListener
}

// The vendor domains of the testbed.
const (
	GoodDomain   = "good.test"
	BrokenDomain = "broken.test"
)

const (
	tbV4  = "127.0.0.1"
	tbV6  = "::1"
	tbASN = 64500
)

// New starts the DNS, HTTPS, HTTP and SMTP servers; they stop when
// the test ends.
func New(t testing.TB) *Testbed {
	t.Helper()
	tb := &Testbed{CA: probetest.NewCA(t)}
	tb.Internet = probetest.NewSignedInternet(t, probetest.SignedOptions{})
	tb.DNS = tb.Internet.Serve(t)
	tb.Resolver = net.JoinHostPort(tbV4, strconv.Itoa(serveDNSOn(t, tbV4, tb.DNS)))
	tb.NSPort = serveDNSOn(t, tbV6, tb.DNS)

	var names []string
	for _, d := range []string{GoodDomain, BrokenDomain} {
		names = append(names, d, "www."+d, "mail."+d, "mta-sts."+d)
	}
	suites := []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}
	cert := tb.CA.Issue(t, probetest.LeafOptions{}, names...)
	tlsConfig := func() *tls.Config {
		return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}, CipherSuites: suites}
	}
	quiet := log.New(io.Discard, "", 0)

	tb.HTTPSPort = tb.serveOnSamePort(t, func(ln net.Listener) {
		srv := &http.Server{Handler: tb.web(), TLSConfig: tlsConfig(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: quiet}
		go srv.ServeTLS(ln, "", "")
		t.Cleanup(func() { srv.Close() })
	})
	tb.HTTPPort = tb.serveOnSamePort(t, func(ln net.Listener) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			host, _, _ := strings.Cut(r.Host, ":")
			http.Redirect(w, r, "https://"+net.JoinHostPort(host, strconv.Itoa(tb.HTTPSPort))+r.URL.RequestURI(), http.StatusMovedPermanently)
		})
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: quiet}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
	})
	tb.SMTPPort = tb.serveOnSamePort(t, func(ln net.Listener) {
		probetest.ServeSMTP(t, ln, probetest.SMTPOptions{Hostname: "mail." + GoodDomain, TLS: tlsConfig()})
	})

	tlsa := spkiDigest(t, cert)
	for _, d := range []string{GoodDomain, BrokenDomain} {
		tb.Internet.AddZone(probetest.Zone{Name: d + ".", Records: tb.zone(d, tlsa, d == GoodDomain)})
	}
	// Team Cymru's origin service, as the RPKI checks query it.
	tb.Internet.AddZone(probetest.Zone{Name: "asn.cymru.com.", Unsigned: true, Records: []string{
		fmt.Sprintf(`1.0.0.127.origin 300 IN TXT "%d | 127.0.0.0/8 | ZZ | test | 2026-01-01"`, tbASN),
		fmt.Sprintf(`1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.origin6 300 IN TXT "%d | ::1/128 | ZZ | test | 2026-01-01"`, tbASN),
	}})
	dir := t.TempDir()
	tb.AnchorFile = filepath.Join(dir, "root.key")
	tb.VRPFile = filepath.Join(dir, "vrps.json")
	writeFile(t, tb.AnchorFile, tb.Internet.TrustAnchorText())
	writeFile(t, tb.VRPFile, fmt.Sprintf(`{"roas":[{"asn":"AS%d","prefix":"127.0.0.0/8","maxLength":8},{"asn":%d,"prefix":"::1/128","maxLength":128}]}`, tbASN, tbASN))
	return tb
}

// SetDelay makes every DNS, HTTPS, HTTP and SMTP answer come d late.
func (tb *Testbed) SetDelay(d time.Duration) {
	tb.DNS.SetDelay(d)
	for _, l := range tb.listeners {
		l.SetDelay(d)
	}
}

// zone is the data of a vendor domain; withDMARC false leaves DMARC out.
func (tb *Testbed) zone(d, tlsa string, withDMARC bool) []string {
	var rrs []string
	for _, h := range []string{"@", "www", "mail", "mta-sts", "ns1", "ns2"} {
		rrs = append(rrs, h+" 300 IN A "+tbV4, h+" 300 IN AAAA "+tbV6)
	}
	for _, port := range []int{443, tb.HTTPSPort} {
		rrs = append(rrs, fmt.Sprintf("_%d._tcp 300 IN TLSA 3 1 1 %s", port, tlsa), fmt.Sprintf("_%d._tcp.www 300 IN TLSA 3 1 1 %s", port, tlsa))
	}
	for _, port := range []int{25, tb.SMTPPort} {
		rrs = append(rrs, fmt.Sprintf("_%d._tcp.mail 300 IN TLSA 3 1 1 %s", port, tlsa))
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
	if withDMARC {
		rrs = append(rrs, `_dmarc 300 IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@`+d+`"`)
	}
	return rrs
}

// web serves the sites, security.txt and the MTA-STS policies. Every site
// sends the recommended headers; the broken domain's lacks HSTS.
func (tb *Testbed) web() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := strings.Cut(r.Host, ":")
		h := w.Header()
		if !strings.HasSuffix(host, BrokenDomain) {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'self'; base-uri 'self'; frame-src 'self'; frame-ancestors 'self'; form-action 'self'")
		switch {
		case r.URL.Path == "/.well-known/mta-sts.txt" && strings.HasPrefix(host, "mta-sts."):
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprintf(w, "version: STSv1\r\nmode: enforce\r\nmx: mail.%s\r\nmax_age: 604800\r\n", strings.TrimPrefix(host, "mta-sts."))
		case r.URL.Path == "/.well-known/security.txt":
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			fmt.Fprintf(w, "Contact: mailto:security@%s\nExpires: %s\nCanonical: https://%s/.well-known/security.txt\n",
				host, time.Now().Add(180*24*time.Hour).UTC().Format(time.RFC3339), r.Host)
		case r.URL.Path == "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<!doctype html><title>Vendor test site</title><p>Hello.</p>")
		default:
			http.NotFound(w, r)
		}
	})
}

// serveOnSamePort listens on one port number on 127.0.0.1 and ::1 (the
// probe has one port setting per protocol) and hands each listener to start.
func (tb *Testbed) serveOnSamePort(t testing.TB, start func(ln net.Listener)) int {
	t.Helper()
	for attempt := 0; attempt < 20; attempt++ {
		first, err := net.Listen("tcp", net.JoinHostPort(tbV4, "0"))
		if err != nil {
			t.Fatal(err)
		}
		port := first.Addr().(*net.TCPAddr).Port
		second, err := net.Listen("tcp", net.JoinHostPort(tbV6, strconv.Itoa(port)))
		if err != nil {
			first.Close()
			continue
		}
		for _, ln := range []net.Listener{first, second} {
			l := probetest.DelayListener(ln, 0)
			tb.listeners = append(tb.listeners, l)
			start(l)
		}
		return port
	}
	t.Fatal("vendorbed: no port free on 127.0.0.1 and ::1 at once")
	return 0
}

// serveDNSOn answers with h on addr over UDP and TCP on one port.
func serveDNSOn(t testing.TB, addr string, h dns.Handler) int {
	t.Helper()
	for attempt := 0; attempt < 20; attempt++ {
		pc, err := net.ListenPacket("udp", net.JoinHostPort(addr, "0"))
		if err != nil {
			t.Fatalf("vendorbed: listen on %s: %v", addr, err)
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
	t.Fatalf("vendorbed: no port free for DNS on %s", addr)
	return 0
}

func spkiDigest(t testing.TB, c tls.Certificate) string {
	t.Helper()
	leaf, err := x509.ParseCertificate(c.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(leaf.RawSubjectPublicKeyInfo)
	return hex.EncodeToString(sum[:])
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
