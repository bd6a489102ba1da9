package probe

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"tenderprobe/app/probe/probetest"
)

// TestRedirectToPrivateAddressIsRefused serves http://redir.test/ from an
// allowed address and redirects it to a name that resolves to another
// loopback address. The probe must follow the first hop and refuse the
// second before connecting, unless that address is allowed too.
func TestRedirectToPrivateAddressIsRefused(t *testing.T) {
	t.Parallel()
	// http://redir.test/ -> https://redir.test/ -> https://inside.test/admin,
	// where inside.test is 127.0.0.2 on the same HTTPS port.
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://redir.test/", http.StatusMovedPermanently)
	}))
	t.Cleanup(plain.Close)
	secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://inside.test/admin", http.StatusFound)
	}))
	t.Cleanup(secure.Close)
	httpPort := plain.Listener.Addr().(*net.TCPAddr).Port
	port := secure.Listener.Addr().(*net.TCPAddr).Port
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.2", strconv.Itoa(port)))
	if err != nil {
		t.Fatalf("listen on 127.0.0.2:%d: %v", port, err)
	}
	var reached atomic.Int64
	inside := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("internal"))
	}))
	inside.Listener.Close()
	inside.Listener = &countingAccepts{Listener: ln, n: &reached}
	inside.StartTLS()
	t.Cleanup(inside.Close)

	srv := probetest.StartDNS(t,
		"redir.test. 300 IN A 127.0.0.1",
		"inside.test. 300 IN A 127.0.0.2",
	)

	cases := []struct {
		name        string
		allow       []netip.Prefix
		wantRefused bool
	}{
		{"the second hop to 127.0.0.2 is refused when only the first address is allowed", []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, true},
		{"the second hop is followed when its address is allowed as well", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			reached.Store(0)
			e, err := New(Config{Resolver: srv.Addr, AllowNets: c.allow, HTTPPort: httpPort, HTTPSPort: port})
			if err != nil {
				t.Fatal(err)
			}
			r := newRun(e, "redir.test")
			res := r.checkRedirect(context.Background(), webTarget{Host: "redir.test", Addr: netip.MustParseAddr("127.0.0.1")})
			if len(res.Hops) < 3 {
				t.Fatalf("hops = %+v, want the redirect to be followed to a second hop", res.Hops)
			}
			refused := strings.Contains(res.Verdict, "refused")
			if refused != c.wantRefused {
				t.Fatalf("verdict %q (status %s): refused = %v, want %v", res.Verdict, res.Status, refused, c.wantRefused)
			}
			if got := reached.Load(); (got == 0) != c.wantRefused {
				t.Fatalf("the internal server was reached %d times, want reached = %v", got, !c.wantRefused)
			}
		})
	}
}

// countingAccepts counts the connections a listener accepts.
type countingAccepts struct {
	net.Listener
	n *atomic.Int64
}

func (l *countingAccepts) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}
