package probetest

import (
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// BrokenDenial answers like inner, except that a query for qtype at name
// gets NXDOMAIN with the proof the zone gives for a child of name that
// really does not exist: the answer of a name server that denies the
// existence of a name holding other records (RFC 8020 makes resolvers
// believe such a denial for the whole subtree). A validator finds the
// proof wrong, since it shows that name exists, and calls the answer bogus.
func BrokenDenial(inner dns.Handler, name string, qtype uint16) dns.Handler {
	name = dns.Fqdn(strings.ToLower(name))
	return dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		if len(req.Question) != 1 || req.Question[0].Qtype != qtype || !strings.EqualFold(req.Question[0].Name, name) {
			inner.ServeDNS(w, req)
			return
		}
		asked := req.Copy()
		asked.Question[0].Name = "no-such-child." + name
		inner.ServeDNS(renamingWriter{ResponseWriter: w, name: req.Question[0].Name}, asked)
	})
}

// renamingWriter sends an answer under the question name the client asked.
type renamingWriter struct {
	dns.ResponseWriter
	name string
}

func (w renamingWriter) WriteMsg(m *dns.Msg) error {
	m.Question[0].Name = w.name
	return w.ResponseWriter.WriteMsg(m)
}

// ServeHandler answers DNS with h on 127.0.0.1, over UDP and TCP on one
// port, until the test ends, and returns the address.
func ServeHandler(t testing.TB, h dns.Handler) string {
	t.Helper()
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(serveDNS(t, "127.0.0.1", h)))
}

// FailFor answers like inner, except that a query for qtype at name gets
// rcode (SERVFAIL, REFUSED) and nothing else: a resolver that cannot get
// the answer, so nothing about it can be validated.
func FailFor(inner dns.Handler, name string, qtype uint16, rcode int) dns.Handler {
	name = dns.Fqdn(strings.ToLower(name))
	return dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		if len(req.Question) != 1 || req.Question[0].Qtype != qtype || !strings.EqualFold(req.Question[0].Name, name) {
			inner.ServeDNS(w, req)
			return
		}
		m := new(dns.Msg)
		m.SetRcode(req, rcode)
		w.WriteMsg(m)
	})
}
