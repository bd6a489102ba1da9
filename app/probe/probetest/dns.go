// Package probetest starts real protocol peers on loopback for the probe
// tests: an authoritative-and-recursive DNS server for a small test internet,
// a test certificate authority, and helpers for TLS, HTTP and SMTP servers.
// Nothing here answers for a probe: the probe talks to these servers over the
// network exactly as it would to the real internet.
//
// # Plain DNS
//
//	srv := probetest.StartDNS(t, "example.test. 300 IN A 127.0.0.1")
//	srv.Add(t, "www.example.test. 300 IN CNAME example.test.")
//	srv.Remove("www.example.test.", dns.TypeCNAME)
//	engine, _ := probe.New(probe.Config{Resolver: srv.Addr, AllowPrivate: true})
//
// # DNSSEC-signed DNS
//
// NewSignedInternet builds a signed root "." and TLD "test."; AddZone adds
// zones below them, each delegated from its closest enclosing zone (NS, and a
// DS when signed; add parents before children). Keys are ECDSAP256SHA256
// unless Zone.Algorithm says otherwise; denial of existence uses NSEC, or
// NSEC3 with Zone.NSEC3 (and Zone.OptOut). Every change re-signs the zones it
// touches, so tests can add TLSA, TXT or MX records at any time:
//
//	in := probetest.NewSignedInternet(t, probetest.SignedOptions{})
//	in.AddZone(probetest.Zone{Name: "example.test.", Records: []string{
//		"@ 300 IN A 127.0.0.1",
//		"www 300 IN A 127.0.0.1",
//		"@ 300 IN MX 10 mail.example.test.",
//	}})
//	in.AddZone(probetest.Zone{Name: "unsigned.test.", Unsigned: true})
//	in.AddZone(probetest.Zone{Name: "expired.test.", Break: probetest.BreakExpiredRRSIG})
//	srv := in.Serve(t) // a *DNSServer on 127.0.0.1 answering for every zone
//	srv.Add(t, "_443._tcp.example.test. 300 IN TLSA 3 1 1 ABCD...") // signed on the spot
//	engine, _ := probe.New(probe.Config{Resolver: srv.Addr, TrustAnchors: in.TrustAnchor(), AllowPrivate: true})
//
// TrustAnchor returns the root DS ([]dns.RR); TrustAnchorText the same in
// zone-file syntax for a --trust-anchor file. The server answers like a
// recursive resolver queried with DO and CD: RRSIGs with every RRset, CNAMEs
// followed across zones, and in negative answers the zone's SOA plus the
// NSEC/NSEC3 records proving the name or type absent (closest encloser
// proofs for NSEC3). Wildcard records ("*.example.test.") answer for names
// that do not exist, with the proof that the name itself is absent; DNAME
// records redirect the names below them with a synthesised CNAME.
//
// Other helpers: in.Add / in.AddRR / in.Remove (same as the server's),
// in.Keys(apex) for a zone's KSK and ZSK, in.Now() for the signing time
// (SignedOptions.Now sets it), in.SetBreak to change a zone's fault later,
// Zone.NSEC3Iterations and Zone.NSEC3Salt for NSEC3 parameters.
//
// Deliberate faults (Zone.Break, optionally narrowed by Zone.BreakType):
// BreakExpiredRRSIG, BreakFutureRRSIG, BreakBadSignature, BreakMissingRRSIG
// (signatures over the zone's data), BreakDSMismatch (the parent's DS digest
// matches no key), BreakNoDenial (no NSEC/NSEC3 proofs; on an unsigned zone:
// the parent gives no proof that the delegation has no DS), BreakBogusDenial
// (corrupt signatures over the NSEC/NSEC3 records), BreakDSForUnsigned (a
// DS for a zone served unsigned); Zone.BreakName narrows a signature fault
// to one name. Ed448 zones are signed for real (circl); an Algorithm no
// signer knows (17, 253) yields random keys and signatures, for
// "unsupported algorithm" tests. Zone.DigestTypes, ExtraDS, KSKs, ZSKs,
// SigningKSKs, SigningZSKs and DSFor shape the DS set and key rollovers.
package probetest

import (
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// DNSServer answers queries for every zone of a test internet, the way a
// recursive resolver in front of those zones would. It listens on UDP and TCP
// on the same loopback port.
type DNSServer struct {
	Addr string

	mu      sync.RWMutex
	records map[rrKey][]dns.RR
	names   map[string]bool
	delay   time.Duration
	// internet, when set, answers every query from signed zones instead of records.
	internet *SignedInternet

	udp, tcp *dns.Server
}

type rrKey struct {
	name  string
	rtype uint16
}

// StartDNS starts a server on 127.0.0.1 with the given zone-file lines and
// stops it when the test ends.
func StartDNS(t testing.TB, records ...string) *DNSServer {
	t.Helper()
	s := &DNSServer{records: make(map[rrKey][]dns.RR), names: make(map[string]bool)}
	s.Add(t, records...)

	// The UDP port the kernel picks may be busy for TCP (another test's
	// client connection uses it as its source port), so try a few.
	var (
		pc  net.PacketConn
		ln  net.Listener
		err error
	)
	for attempt := 0; attempt < 20; attempt++ {
		pc, err = net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("probetest: listen udp: %v", err)
		}
		port := pc.LocalAddr().(*net.UDPAddr).Port
		ln, err = net.Listen("tcp", net.JoinHostPort("127.0.0.1", itoa(port)))
		if err == nil {
			break
		}
		pc.Close()
	}
	if err != nil {
		t.Fatalf("probetest: listen tcp on the same port: %v", err)
	}
	s.Addr = pc.LocalAddr().String()
	s.udp = &dns.Server{PacketConn: pc, Handler: s}
	s.tcp = &dns.Server{Listener: ln, Handler: s}
	for _, srv := range []*dns.Server{s.udp, s.tcp} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go srv.ActivateAndServe()
		<-started
	}
	t.Cleanup(func() {
		s.udp.Shutdown()
		s.tcp.Shutdown()
	})
	return s
}

func itoa(n int) string {
	var b [8]byte
	i := len(b)
	for n >= 10 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	i--
	b[i] = byte('0' + n)
	return string(b[i:])
}

// SetDelay adds d before every answer, to simulate a distant server.
func (s *DNSServer) SetDelay(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

// Add parses zone-file lines ("example.test. 300 IN A 127.0.0.2") and adds
// them. On a server started by SignedInternet.Serve the records go into the
// closest enclosing signed zone, which is re-signed.
func (s *DNSServer) Add(t testing.TB, records ...string) {
	t.Helper()
	if in := s.signed(); in != nil {
		in.Add(t, records...)
		return
	}
	for _, line := range records {
		rr, err := dns.NewRR(line)
		if err != nil {
			t.Fatalf("probetest: parse record %q: %v", line, err)
		}
		if rr == nil {
			continue
		}
		s.AddRR(rr)
	}
}

// AddRR adds parsed records, into the signed zones when there are any.
func (s *DNSServer) AddRR(rrs ...dns.RR) {
	if in := s.signed(); in != nil {
		in.AddRR(rrs...)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rr := range rrs {
		h := rr.Header()
		name := strings.ToLower(h.Name)
		k := rrKey{name, h.Rrtype}
		if sig, ok := rr.(*dns.RRSIG); ok {
			k = rrKey{name, sigKey(sig.TypeCovered)}
		}
		s.records[k] = append(s.records[k], rr)
		// Every ancestor exists (empty non-terminals answer NODATA, not NXDOMAIN).
		for n := name; ; {
			s.names[n] = true
			i, end := dns.NextLabel(n, 0)
			if end || n == "." {
				break
			}
			n = n[i:]
		}
	}
}

// Remove deletes all records of rtype at name (and their signatures).
func (s *DNSServer) Remove(name string, rtype uint16) {
	if in := s.signed(); in != nil {
		in.Remove(name, rtype)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	name = strings.ToLower(dns.Fqdn(name))
	delete(s.records, rrKey{name, rtype})
	delete(s.records, rrKey{name, sigKey(rtype)})
}

// sigKey stores the RRSIGs covering t under a private key type.
func sigKey(t uint16) uint16 { return 0xF000 | t }

// signed returns the signed internet the server answers for, if any.
func (s *DNSServer) signed() *SignedInternet {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.internet
}

// ServeDNS answers from the records, following CNAMEs, with NXDOMAIN for
// names that do not exist and NODATA for names that do. RRSIGs are included
// when the query has the DO bit. A server of a SignedInternet answers from
// its zones instead, with NSEC/NSEC3 proofs in negative answers.
func (s *DNSServer) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	s.mu.RLock()
	delay, in := s.delay, s.internet
	s.mu.RUnlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	resp := new(dns.Msg)
	resp.SetReply(req)
	resp.RecursionAvailable = true
	if len(req.Question) != 1 {
		resp.Rcode = dns.RcodeFormatError
		w.WriteMsg(resp)
		return
	}
	q := req.Question[0]
	do := false
	udpSize := uint16(dns.MinMsgSize)
	if opt := req.IsEdns0(); opt != nil {
		do = opt.Do()
		udpSize = opt.UDPSize()
	}

	if in != nil {
		in.mu.RLock()
		in.resolve(resp, q, do)
		in.mu.RUnlock()
	} else {
		s.mu.RLock()
		s.answer(resp, q, do)
		s.mu.RUnlock()
	}
	if opt := req.IsEdns0(); opt != nil {
		resp.SetEdns0(opt.UDPSize(), do)
	}
	if _, isUDP := w.RemoteAddr().(*net.UDPAddr); isUDP {
		resp.Truncate(int(udpSize))
	}
	w.WriteMsg(resp)
}

// answer fills resp from the plain record store.
func (s *DNSServer) answer(resp *dns.Msg, q dns.Question, do bool) {
	name := strings.ToLower(q.Name)
	for hops := 0; hops < 8; hops++ {
		if rrs, ok := s.records[rrKey{name, q.Qtype}]; ok {
			resp.Answer = append(resp.Answer, rrs...)
			if do {
				resp.Answer = append(resp.Answer, s.records[rrKey{name, sigKey(q.Qtype)}]...)
			}
			return
		}
		cname, ok := s.records[rrKey{name, dns.TypeCNAME}]
		if !ok || q.Qtype == dns.TypeCNAME {
			if !s.names[name] {
				resp.Rcode = dns.RcodeNameError
			}
			return
		}
		resp.Answer = append(resp.Answer, cname...)
		if do {
			resp.Answer = append(resp.Answer, s.records[rrKey{name, sigKey(dns.TypeCNAME)}]...)
		}
		name = strings.ToLower(cname[0].(*dns.CNAME).Target)
	}
}
