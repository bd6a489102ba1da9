package probe

import (
	"errors"
	"net"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/probetest"
)

// dnsCheckRun builds a run for domain against a fresh test DNS server
// holding records. Private addresses are allowed unless mod says otherwise,
// since every test server lives on loopback.
func dnsCheckRun(t testing.TB, domain string, mod func(*Config), records ...string) (*run, *probetest.DNSServer) {
	t.Helper()
	d := probetest.StartDNS(t, records...)
	cfg := Config{Resolver: d.Addr, AllowPrivate: true, ConnTimeout: 5 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return newRun(e, domain), d
}

// checkNamed returns the check with id, failing the test when it is missing.
func checkNamed(t testing.TB, checks []Check, id check.ID) Check {
	t.Helper()
	for _, c := range checks {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no check %s among %v", id, checks)
	return Check{}
}

// tcpAcceptor listens on addr (host:0), accepts and closes connections and
// counts them, so tests can tell that a refused address was never reached.
type tcpAcceptor struct {
	host     string
	port     int
	accepted atomic.Int64
	// sentinels counts the test's own connections made by settled.
	sentinels int64
	// remotes receives the peer address of every accepted connection.
	remotes chan string
}

func startAcceptor(t testing.TB, host string) *tcpAcceptor {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatalf("listen on %s: %v", host, err)
	}
	return acceptOn(t, host, ln)
}

// acceptOn counts the connections ln accepts, as startAcceptor does, for a
// listener whose port the test chose. It counts in the accept loop itself,
// not per connection as probetest.Serve would: settled's sentinel must be
// counted after every connection accepted before it.
func acceptOn(t testing.TB, host string, ln net.Listener) *tcpAcceptor {
	t.Helper()
	a := &tcpAcceptor{host: host, port: ln.Addr().(*net.TCPAddr).Port, remotes: make(chan string, 1024)}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			a.accepted.Add(1)
			select {
			case a.remotes <- c.RemoteAddr().String():
			default:
			}
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return a
}

// settled returns how many connections the probe made, once they have all
// been accepted: the kernel completes a handshake before Accept returns, so
// the test connects once more itself and, connections being accepted in
// order, waits for its own to come out of the backlog.
func (a *tcpAcceptor) settled(t testing.TB) int64 {
	t.Helper()
	c, err := net.Dial("tcp", net.JoinHostPort(a.host, strconv.Itoa(a.port)))
	if err != nil {
		t.Fatalf("sentinel connection: %v", err)
	}
	mine := c.LocalAddr().String()
	defer c.Close()
	a.sentinels++
	for remote := range a.remotes {
		if remote == mine {
			break
		}
	}
	return a.accepted.Load() - a.sentinels
}

// closedPort returns a port on host that nothing listens on.
func closedPort(t testing.TB, host string) int {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatal(err)
	}
	p := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return p
}

// startNameServerV6 runs a minimal authoritative server on [::1] UDP that
// answers every query with NOERROR, standing in for a name server reached
// over IPv6. It returns the port and a counter of queries answered.
func startNameServerV6(t testing.TB) (int, *atomic.Int64) {
	t.Helper()
	pc, err := net.ListenPacket("udp", "[::1]:0")
	if err != nil {
		t.Fatalf("listen udp on ::1: %v", err)
	}
	var n atomic.Int64
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		n.Add(1)
		m := new(dns.Msg)
		m.SetReply(q)
		m.Authoritative = true
		w.WriteMsg(m)
	})}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go srv.ActivateAndServe()
	<-started
	t.Cleanup(func() { srv.Shutdown() })
	return pc.LocalAddr().(*net.UDPAddr).Port, &n
}

// closedUDPPort returns a UDP port on ::1 that nothing listens on, so a
// query there is answered with ICMP port unreachable at once.
func closedUDPPort(t testing.TB) int {
	t.Helper()
	pc, err := net.ListenPacket("udp", "[::1]:0")
	if err != nil {
		t.Fatal(err)
	}
	p := pc.LocalAddr().(*net.UDPAddr).Port
	pc.Close()
	return p
}

// errorsAs is errors.As, named for the tests that also import netguard's
// error types.
func errorsAs(err error, target any) bool { return errors.As(err, target) }
