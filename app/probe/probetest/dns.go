// Package probetest starts real protocol peers on loopback for the probe
// tests: an authoritative-and-recursive DNS server for a small test internet,
// a test certificate authority, and helpers for TLS, HTTP and SMTP servers.
// Nothing here answers for a probe: the probe talks to these servers over the
// network exactly as it would to the real internet.
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

	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("probetest: listen udp: %v", err)
	}
	port := pc.LocalAddr().(*net.UDPAddr).Port
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", itoa(port)))
	if err != nil {
		pc.Close()
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

// Add parses zone-file lines ("example.test. 300 IN A 127.0.0.2") and adds them.
func (s *DNSServer) Add(t testing.TB, records ...string) {
	t.Helper()
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

// AddRR adds parsed records.
func (s *DNSServer) AddRR(rrs ...dns.RR) {
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
	s.mu.Lock()
	defer s.mu.Unlock()
	name = strings.ToLower(dns.Fqdn(name))
	delete(s.records, rrKey{name, rtype})
	delete(s.records, rrKey{name, sigKey(rtype)})
}

// sigKey stores the RRSIGs covering t under a private key type.
func sigKey(t uint16) uint16 { return 0xF000 | t }

// ServeDNS answers from the records, following CNAMEs, with NXDOMAIN for
// names that do not exist and NODATA for names that do. RRSIGs are included
// when the query has the DO bit.
func (s *DNSServer) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	s.mu.RLock()
	delay := s.delay
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
		resp.SetEdns0(opt.UDPSize(), do)
	}

	s.mu.RLock()
	name := strings.ToLower(q.Name)
	for hops := 0; hops < 8; hops++ {
		if rrs, ok := s.records[rrKey{name, q.Qtype}]; ok {
			resp.Answer = append(resp.Answer, rrs...)
			if do {
				resp.Answer = append(resp.Answer, s.records[rrKey{name, sigKey(q.Qtype)}]...)
			}
			break
		}
		cname, ok := s.records[rrKey{name, dns.TypeCNAME}]
		if !ok || q.Qtype == dns.TypeCNAME {
			if !s.names[name] {
				resp.Rcode = dns.RcodeNameError
			}
			if do {
				resp.Ns = append(resp.Ns, s.denial(name)...)
			}
			break
		}
		resp.Answer = append(resp.Answer, cname...)
		if do {
			resp.Answer = append(resp.Answer, s.records[rrKey{name, sigKey(dns.TypeCNAME)}]...)
		}
		name = strings.ToLower(cname[0].(*dns.CNAME).Target)
	}
	s.mu.RUnlock()

	if _, isUDP := w.RemoteAddr().(*net.UDPAddr); isUDP {
		resp.Truncate(int(udpSize))
	}
	w.WriteMsg(resp)
}

// denial returns the NSEC/NSEC3 records (and their signatures) stored for the
// enclosing zone that prove name or its type does not exist. Zones signed by
// the signing helpers store these; unsigned zones return nothing.
func (s *DNSServer) denial(name string) []dns.RR {
	var out []dns.RR
	for n := name; ; {
		for _, t := range []uint16{dns.TypeSOA} {
			if soa, ok := s.records[rrKey{n, t}]; ok {
				out = append(out, soa...)
				out = append(out, s.records[rrKey{n, sigKey(t)}]...)
				for _, d := range s.records[rrKey{n, denialKey}] {
					if covers(d, name) {
						out = append(out, d)
						out = append(out, s.sigsFor(d)...)
					}
				}
				return out
			}
		}
		i, end := dns.NextLabel(n, 0)
		if end || n == "." {
			return out
		}
		n = n[i:]
	}
}

// denialKey stores a zone's NSEC/NSEC3 chain under its apex.
const denialKey = 0xEFFF

// covers reports whether an NSEC or NSEC3 record matches or covers name.
func covers(rr dns.RR, name string) bool {
	switch d := rr.(type) {
	case *dns.NSEC:
		owner := strings.ToLower(d.Hdr.Name)
		next := strings.ToLower(d.NextDomain)
		if owner == name {
			return true
		}
		return canonicalLess(owner, name) && (canonicalLess(name, next) || !canonicalLess(owner, next))
	case *dns.NSEC3:
		return d.Match(name) || d.Cover(name)
	}
	return false
}

func (s *DNSServer) sigsFor(rr dns.RR) []dns.RR {
	return s.records[rrKey{strings.ToLower(rr.Header().Name), sigKey(rr.Header().Rrtype)}]
}

// canonicalLess orders names in DNSSEC canonical order (RFC 4034 section 6.1).
func canonicalLess(a, b string) bool {
	la := dns.SplitDomainName(strings.ToLower(a))
	lb := dns.SplitDomainName(strings.ToLower(b))
	for i, j := len(la)-1, len(lb)-1; i >= 0 && j >= 0; i, j = i-1, j-1 {
		if la[i] != lb[j] {
			return la[i] < lb[j]
		}
	}
	return len(la) < len(lb)
}
