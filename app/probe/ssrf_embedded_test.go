package probe

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/probetest"
)

// refusedClass is one kind of address the guard must refuse, as a DNS
// answer would hand it to the probe.
type refusedClass struct {
	label string
	addr  string
}

// refusedClasses covers the refused ranges, with every IPv6 form that
// carries an IPv4 address built from a special IPv4 address, and the NAT64
// form of the one address the test allows.
var refusedClasses = []refusedClass{
	{"loopback", "127.0.0.1"},
	{"unspecified", "0.0.0.0"},
	{"private", "10.0.0.1"},
	{"private-172", "172.16.5.4"},
	{"private-192", "192.168.0.10"},
	{"cgnat", "100.100.100.200"},
	{"metadata", "169.254.169.254"},
	{"pcp-anycast", "192.0.0.9"},
	{"documentation", "192.0.2.1"},
	{"benchmarking", "198.18.0.1"},
	{"multicast", "224.0.0.251"},
	{"reserved", "240.0.0.1"},
	{"broadcast", "255.255.255.255"},
	{"loopback6", "::1"},
	{"unspecified6", "::"},
	{"mapped-loopback", "::ffff:127.0.0.1"},
	{"mapped-metadata", "::ffff:169.254.169.254"},
	{"compat-loopback", "::7f00:1"},
	{"translated-loopback", "::ffff:0:7f00:1"},
	{"nat64-loopback", "64:ff9b::7f00:1"},
	{"nat64-allowed-server", "64:ff9b::7f00:2"},
	{"nat64-private", "64:ff9b::a00:1"},
	{"nat64-metadata", "64:ff9b::a9fe:a9fe"},
	{"nat64-local", "64:ff9b:1::a00:1"},
	{"sixtofour-loopback", "2002:7f00:1::1"},
	{"sixtofour-public", "2002:808:808::1"},
	{"teredo-loopback", "2001:0:7f00:1:8000:0:f5ff:fffe"},
	{"teredo", "2001:0:4136:e378:8000:63bf:3fff:fdd2"},
	{"isatap-loopback", "2a00:1450:4001::5efe:7f00:1"},
	{"isatap-metadata", "2a00:1450:4001::200:5efe:a9fe:a9fe"},
	{"link-local6", "fe80::1"},
	{"metadata6", "fd00:ec2::254"},
	{"unique-local", "fc00::5"},
	{"multicast6", "ff02::1"},
	{"documentation6", "2001:db8::5"},
	{"documentation3fff", "3fff::1"},
	{"pcp-anycast6", "2001:1::1"},
	{"orchid2", "2001:20::1"},
	{"discard", "100::1"},
	{"srv6", "5f00::1"},
	{"reserved6", "4000::1"},
}

// allowedServer is the one address the probe may reach: it serves the
// redirects into the refused classes. The counting listeners on 127.0.0.1
// and ::1 are not allowed, and must never be reached.
const allowedServer = "127.0.0.2"

// guardLog records every decision of the probe's SSRF guard.
type guardLog struct {
	mu        sync.Mutex
	refused   map[netip.Addr]int
	permitted map[netip.Addr]int
}

// observe records a decision. A dial the guard permits to anything but the
// allowed server is a failure of the guard: it is recorded, and stopped
// unless it stays on this machine, so that the counting listeners can show
// it and no packet goes to another host.
func (g *guardLog) observe(ap netip.AddrPort, verdict error) error {
	a := ap.Addr().WithZone("")
	g.mu.Lock()
	defer g.mu.Unlock()
	if verdict != nil {
		g.refused[a]++
		return nil
	}
	g.permitted[a]++
	if a == netip.MustParseAddr(allowedServer) || a.Unmap().IsLoopback() || a.IsUnspecified() {
		return nil
	}
	return fmt.Errorf("test: the guard permitted %s", a)
}

// TestEngineRefusesEveryRefusedClassOnEveryPath probes, with the whole
// engine and AllowPrivate off, one domain per refused class whose apex, www
// (a CNAME chain across three zones), MX hosts (one a CNAME chain), name
// servers (one a CNAME chain) and MTA-STS host (a CNAME chain) all resolve to
// that class, with TLSA records so that DANE fetches a certificate too; and
// one more domain per class served by the allowed server, whose web pages
// redirect into the class by name and by address literal. Counting
// listeners wait on 127.0.0.1 and ::1 at every port the probe uses; the
// guard's decisions are observed as well, since most of these addresses
// would never reach a listener here even if dialled.
func TestEngineRefusesEveryRefusedClassOnEveryPath(t *testing.T) {
	t.Parallel()
	httpPort, httpLns := listenOnSamePort(t, "127.0.0.1", "::1", allowedServer)
	httpsPort, httpsLns := listenOnSamePort(t, "127.0.0.1", "::1", allowedServer)
	var counting []*tcpAcceptor
	for _, lns := range []map[string]net.Listener{httpLns, httpsLns} {
		for _, host := range []string{"127.0.0.1", "::1"} {
			counting = append(counting, acceptOn(t, host, lns[host]))
		}
	}
	nsPort, nsQueries := startNameServerV6(t)

	ca := probetest.NewCA(t)
	byRedirectHost := map[string]refusedClass{}
	var redirectNames []string
	for _, c := range refusedClasses {
		byRedirectHost["to-"+c.label+".test"] = c
		redirectNames = append(redirectNames, "to-"+c.label+".test")
	}
	serveRedirects(t, httpLns[allowedServer], httpsLns[allowedServer], ca.Issue(t, probetest.LeafOptions{}, redirectNames...), byRedirectHost)

	in := probetest.NewSignedInternet(t, probetest.SignedOptions{})
	var chain, far []string
	for _, c := range refusedClasses {
		rtype := "A"
		if netip.MustParseAddr(c.addr).Is6() {
			rtype = "AAAA"
		}
		for _, h := range []string{"www", "mx", "ns2", "mta-sts"} {
			chain = append(chain, fmt.Sprintf("%s.%s 300 IN CNAME %s.%s.far.test.", h, c.label, h, c.label))
			far = append(far, fmt.Sprintf("%s.%s 300 IN %s %s", h, c.label, rtype, c.addr))
		}
	}
	in.AddZone(probetest.Zone{Name: "chain.test.", Records: chain})
	in.AddZone(probetest.Zone{Name: "far.test.", Records: far, Unsigned: true})
	tlsa := "3 1 1 " + strings.Repeat("ab", 32)
	var domains []string
	for _, c := range refusedClasses {
		rtype := "A"
		if netip.MustParseAddr(c.addr).Is6() {
			rtype = "AAAA"
		}
		d := c.label + ".test."
		in.AddZone(probetest.Zone{Name: d, Records: []string{
			"@ 300 IN " + rtype + " " + c.addr,
			"www 300 IN CNAME www." + c.label + ".chain.test.",
			"@ 300 IN MX 10 mx." + d, "mx 300 IN CNAME mx." + c.label + ".chain.test.",
			"@ 300 IN MX 20 mx2." + d, "mx2 300 IN " + rtype + " " + c.addr,
			"@ 300 IN NS ns1." + d, "ns1 300 IN " + rtype + " " + c.addr,
			"@ 300 IN NS ns2." + d, "ns2 300 IN CNAME ns2." + c.label + ".chain.test.",
			`_mta-sts 300 IN TXT "v=STSv1; id=1"`,
			"mta-sts 300 IN CNAME mta-sts." + c.label + ".chain.test.",
			fmt.Sprintf("_%d._tcp 300 IN TLSA %s", httpsPort, tlsa),
			fmt.Sprintf("_%d._tcp.www 300 IN TLSA %s", httpsPort, tlsa),
			fmt.Sprintf("_%d._tcp.mx 300 IN TLSA %s", httpPort, tlsa),
			fmt.Sprintf("_%d._tcp.mx2 300 IN TLSA %s", httpPort, tlsa),
		}})
		in.AddZone(probetest.Zone{Name: "to-" + d, Records: []string{"@ 300 IN A " + allowedServer}})
		domains = append(domains, c.label+".test", "to-"+c.label+".test")
	}
	dns := in.Serve(t)

	e, err := New(Config{
		Resolver: dns.Addr, TrustAnchors: in.TrustAnchor(), RootCAs: ca.Pool,
		AllowNets: []netip.Prefix{netip.MustParsePrefix(allowedServer + "/32")},
		HTTPPort:  httpPort, HTTPSPort: httpsPort, SMTPPort: httpPort, NSPort: nsPort,
		Timeout: 60 * time.Second, ConnTimeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	guard := &guardLog{refused: map[netip.Addr]int{}, permitted: map[netip.Addr]int{}}
	e.observeDial = guard.observe
	results := e.ProbeAll(context.Background(), domains, 4, nil)

	t.Run("no connection reached the listeners on 127.0.0.1 and ::1", func(t *testing.T) {
		for _, a := range counting {
			if n := a.settled(t); n != 0 {
				t.Errorf("[%s]:%d accepted %d connections", a.host, a.port, n)
			}
		}
		if n := nsQueries.Load(); n != 0 {
			t.Errorf("the name server on ::1 answered %d queries", n)
		}
	})
	t.Run("the guard permitted no address but the allowed server", func(t *testing.T) {
		for a, n := range guard.permitted {
			if a != netip.MustParseAddr(allowedServer) {
				t.Errorf("permitted %d dials to %s", n, a)
			}
		}
		if guard.permitted[netip.MustParseAddr(allowedServer)] == 0 {
			t.Error("the allowed server was never dialled, so the redirects were not tested")
		}
	})
	for _, c := range refusedClasses {
		// The kernel dials an IPv4-mapped address as the IPv4 address, and
		// that is what the guard's Control hook sees.
		dialled := netip.MustParseAddr(c.addr).Unmap()
		t.Run("the guard judged "+c.addr+" and refused it", func(t *testing.T) {
			if guard.refused[dialled] == 0 {
				t.Errorf("no refused dial to %s observed (permitted %d)", dialled, guard.permitted[dialled])
			}
		})
	}

	for i, c := range refusedClasses {
		direct, redirected := results[2*i], results[2*i+1]
		addr := netip.MustParseAddr(c.addr)
		mustName := []check.ID{"web.https", "web.https-redirect", "web.hsts", "web.security-headers", "web.security-txt",
			"web.dane", "mail.starttls", "mail.dane", "mail.mta-sts"}
		if addr.Is6() && !addr.Is4In6() {
			// IPv4-mapped AAAA records are set aside by the IPv6 checks, never dialled.
			mustName = append(mustName, "web.ipv6", "mail.ipv6", "ns.ipv6")
		}
		for _, id := range mustName {
			t.Run(c.label+".test "+string(id)+" does not pass and names the refusal", func(t *testing.T) {
				expectRefusal(t, direct, id)
			})
		}
		for _, id := range connectingCheckIDs {
			t.Run(c.label+".test "+string(id)+" does not pass", func(t *testing.T) {
				if got := checkNamed(t, direct.Checks, id); got.Status == StatusPass {
					t.Errorf("%s passed: %q", id, got.Summary)
				}
			})
		}
		for _, id := range []check.ID{"web.https-redirect", "web.security-txt"} {
			t.Run("to-"+c.label+".test "+string(id)+" follows the redirect into the class and names the refusal", func(t *testing.T) {
				expectRefusal(t, redirected, id)
			})
		}
	}
}

// connectingCheckIDs are the checks that connect to a domain's servers.
var connectingCheckIDs = []check.ID{
	"web.ipv6", "web.https", "web.https-redirect", "web.hsts", "web.tls-version", "web.tls-ciphers",
	"web.tls-cert", "web.tls-pq", "web.security-headers", "web.security-txt", "web.dane",
	"mail.ipv6", "mail.starttls", "mail.dane", "mail.mta-sts", "ns.ipv6",
}

// expectRefusal fails unless check id of res did not pass and its evidence
// carries the guard's refusal.
func expectRefusal(t *testing.T, res Result, id check.ID) {
	t.Helper()
	c := checkNamed(t, res.Checks, id)
	evidence, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status == StatusPass {
		t.Errorf("%s %s passed: %s", res.Domain, id, evidence)
	}
	if !strings.Contains(string(evidence), "refused to connect") && !strings.Contains(string(evidence), "connections refused to special-purpose addresses") {
		t.Errorf("%s %s does not name the guard's refusal: %s", res.Domain, id, evidence)
	}
}

// serveRedirects runs the allowed server: plain HTTP sends every request to
// https on the same host, as a good site does; HTTPS sends / to the www
// name of the class (a CNAME chain) and security.txt to the class's address
// as a literal.
func serveRedirects(t *testing.T, plain, secure net.Listener, cert tls.Certificate, classes map[string]refusedClass) {
	t.Helper()
	quiet := log.New(io.Discard, "", 0)
	toHTTPS := &http.Server{ErrorLog: quiet, ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := strings.Cut(r.Host, ":")
		http.Redirect(w, r, "https://"+host+r.URL.RequestURI(), http.StatusMovedPermanently)
	})}
	intoClass := &http.Server{ErrorLog: quiet, ReadHeaderTimeout: 5 * time.Second, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := strings.Cut(r.Host, ":")
		c, ok := classes[host]
		if !ok {
			http.NotFound(w, r)
			return
		}
		target := "https://www." + c.label + ".test/"
		if r.URL.Path == "/.well-known/security.txt" {
			literal := c.addr
			if netip.MustParseAddr(c.addr).Is6() {
				literal = "[" + c.addr + "]"
			}
			target = (&url.URL{Scheme: "https", Host: literal, Path: r.URL.Path}).String()
		}
		http.Redirect(w, r, target, http.StatusFound)
	})}
	go toHTTPS.Serve(plain)
	go intoClass.ServeTLS(secure, "", "")
	t.Cleanup(func() {
		toHTTPS.Close()
		intoClass.Close()
	})
}

// listenOnSamePort listens on one TCP port number on every host, retrying
// with another port when one host has it taken.
func listenOnSamePort(t *testing.T, hosts ...string) (int, map[string]net.Listener) {
	t.Helper()
	var lastErr error
	for attempt := 0; attempt < 20; attempt++ {
		first, err := net.Listen("tcp", net.JoinHostPort(hosts[0], "0"))
		if err != nil {
			t.Fatalf("listen on %s: %v", hosts[0], err)
		}
		port := first.Addr().(*net.TCPAddr).Port
		lns := map[string]net.Listener{hosts[0]: first}
		for _, h := range hosts[1:] {
			ln, err := net.Listen("tcp", net.JoinHostPort(h, strconv.Itoa(port)))
			if err != nil {
				lastErr = err
				break
			}
			lns[h] = ln
		}
		if len(lns) == len(hosts) {
			t.Cleanup(func() {
				for _, ln := range lns {
					ln.Close()
				}
			})
			return port, lns
		}
		for _, ln := range lns {
			ln.Close()
		}
	}
	t.Fatalf("no port free on all of %v: %v", hosts, lastErr)
	return 0, nil
}
