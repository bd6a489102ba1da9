package probe

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os/exec"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/probetest"
	"tenderprobe/app/probe/sshkex"
)

// sshEngine is an engine whose resolver answers mgmt.test with 127.0.0.1
// and that asks SSH servers on port.
func sshEngine(t *testing.T, port int, allowPrivate bool, connTimeout time.Duration) *Engine {
	t.Helper()
	srv := probetest.StartDNS(t, "mgmt.test. 300 IN A 127.0.0.1", "noaddr.test. 300 IN TXT \"no address\"")
	e, err := New(Config{Resolver: srv.Addr, AllowPrivate: allowPrivate, SSHPort: port, Timeout: 10 * time.Second, ConnTimeout: connTimeout})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// onlySSH returns the one check of a management endpoint's result.
func onlySSH(t *testing.T, res Result) Check {
	t.Helper()
	if len(res.Checks) != 1 || res.Checks[0].ID != check.SSHPQKex || res.Checks[0].Standard != "pq-ssh-key-exchange" {
		t.Fatalf("checks %+v, want ssh.pq-kex alone", res.Checks)
	}
	return res.Checks[0]
}

// supportsKex reports whether the local OpenSSH knows the key exchange;
// without the ssh client to ask, StartSSHD finds out.
func supportsKex(name string) bool {
	out, err := exec.Command("ssh", "-Q", "kex").Output()
	return err != nil || slices.Contains(strings.Fields(string(out)), name)
}

func TestSSHPQKexAgainstOpenSSH(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		kex         []string
		wantStatus  Status
		wantFinding string
		wantKex     string
	}{
		{"a server offering ML-KEM-768 with X25519 passes", []string{"mlkem768x25519-sha256", "curve25519-sha256"}, StatusPass, "ssh_pq_offered", "mlkem768x25519-sha256"},
		{"a server offering NTRU Prime under OpenSSH's name passes", []string{"sntrup761x25519-sha512@openssh.com", "curve25519-sha256"}, StatusPass, "ssh_pq_offered", "sntrup761x25519-sha512@openssh.com"},
		{"a server offering NTRU Prime under its RFC name passes", []string{"sntrup761x25519-sha512", "curve25519-sha256"}, StatusPass, "ssh_pq_offered", "sntrup761x25519-sha512"},
		{"a server offering only curve25519-sha256 informs", []string{"curve25519-sha256"}, StatusInfo, "ssh_no_pq", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !supportsKex(tt.kex[0]) {
				t.Skipf("this OpenSSH does not know %s (ssh -Q kex)", tt.kex[0])
			}
			port := probetest.StartSSHD(t, tt.kex...)
			res, err := sshEngine(t, port, true, 5*time.Second).ProbeManagement(context.Background(), "mgmt.test")
			if err != nil {
				t.Fatal(err)
			}
			c := onlySSH(t, res)
			if c.Status != tt.wantStatus || c.Finding != tt.wantFinding || (tt.wantKex != "" && c.FindingParams["kex"] != tt.wantKex) {
				t.Fatalf("%s %s %v: %s", c.Status, c.Finding, c.FindingParams, c.Summary)
			}
			servers, _ := c.Details["servers"].([]map[string]any)
			if len(servers) != 1 {
				t.Fatalf("details %+v, want one server", c.Details)
			}
			o, _ := servers[0]["offer"].(sshkex.Offer)
			// The evidence is the server's full offer: its banner and every
			// list, the key exchange exactly as configured (OpenSSH adds
			// its strict-kex marker).
			if !strings.HasPrefix(o.Banner, "SSH-2.0-OpenSSH_") || !slices.Equal(o.KexAlgorithms[:len(tt.kex)], tt.kex) ||
				!slices.Equal(o.HostKeyAlgorithms, []string{"ssh-ed25519"}) || len(o.CiphersClientServer) == 0 ||
				len(o.MACsServerClient) == 0 || !slices.Contains(o.CompressionServerClient, "none") {
				t.Errorf("offer %+v", o)
			}
			if servers[0]["address"] != netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port)).String() {
				t.Errorf("address %v", servers[0]["address"])
			}
		})
	}
}

func TestSSHPQKexWhenNoSSHServerAnswers(t *testing.T) {
	t.Parallel()
	t.Run("a management endpoint on a private address is refused by the SSRF guard without a connection", func(t *testing.T) {
		ln := probetest.Listen(t)
		var accepted atomic.Int64
		probetest.Serve(t, ln, func(net.Conn) { accepted.Add(1) })
		e := sshEngine(t, ln.Addr().(*net.TCPAddr).Port, false, 2*time.Second)
		res, err := e.ProbeManagement(context.Background(), "mgmt.test")
		if err != nil {
			t.Fatal(err)
		}
		c := onlySSH(t, res)
		if c.Status != StatusError || c.Finding != "ssh_unreadable" || !strings.Contains(c.Summary, "refused to connect to 127.0.0.1") {
			t.Errorf("%s %s: %s", c.Status, c.Finding, c.Summary)
		}
		time.Sleep(50 * time.Millisecond)
		if n := accepted.Load(); n != 0 {
			t.Errorf("the listener accepted %d connections, want none", n)
		}
	})
	t.Run("an HTTP server is an error that says what it answered", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		defer srv.Close()
		port := srv.Listener.Addr().(*net.TCPAddr).Port
		res, err := sshEngine(t, port, true, 5*time.Second).ProbeManagement(context.Background(), "mgmt.test")
		if err != nil {
			t.Fatal(err)
		}
		c := onlySSH(t, res)
		if c.Status != StatusError || c.Finding != "ssh_not_ssh" || !strings.Contains(c.Summary, "HTTP/1.1 400 Bad Request") {
			t.Errorf("%s %s: %s", c.Status, c.Finding, c.Summary)
		}
	})
	t.Run("a silent server is given up on after the connection timeout", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
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
		}()
		start := time.Now()
		res, err := sshEngine(t, ln.Addr().(*net.TCPAddr).Port, true, 300*time.Millisecond).ProbeManagement(context.Background(), "mgmt.test")
		if err != nil {
			t.Fatal(err)
		}
		c := onlySSH(t, res)
		if c.Status != StatusError || c.Finding != "ssh_unreadable" || !strings.Contains(c.Summary, "no SSH key-exchange offer within 300ms") {
			t.Errorf("%s %s: %s", c.Status, c.Finding, c.Summary)
		}
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("took %s, want about the connection timeout", took)
		}
	})
	t.Run("a host without an address is an error naming it", func(t *testing.T) {
		res, err := sshEngine(t, 22, true, time.Second).ProbeManagement(context.Background(), "noaddr.test")
		if err != nil {
			t.Fatal(err)
		}
		if c := onlySSH(t, res); c.Status != StatusError || c.Finding != "ssh_no_address" || !strings.Contains(c.Summary, "noaddr.test") {
			t.Errorf("%s %s: %s", c.Status, c.Finding, c.Summary)
		}
	})
	t.Run("a name that is no host name is not probed at all", func(t *testing.T) {
		if _, err := sshEngine(t, 22, true, time.Second).ProbeManagement(context.Background(), "10.0.0.1"); err == nil {
			t.Error("an IP literal was accepted as a management endpoint")
		}
	})
}

// A domain's probe never carries the management checks, so domain results
// keep their shape.
func TestADomainProbeHasNoManagementChecks(t *testing.T) {
	t.Parallel()
	e := batchEngine(t, 2*time.Second, "d.test. 300 IN MX 0 .")
	res := e.ProbeAll(context.Background(), []string{"d.test"}, 1, nil)
	if len(res[0].Checks) != len(check.DomainIDs()) {
		t.Fatalf("%d checks, want %d", len(res[0].Checks), len(check.DomainIDs()))
	}
	for _, c := range res[0].Checks {
		if c.ID == check.SSHPQKex {
			t.Error("a domain's result has ssh.pq-kex")
		}
	}
}
