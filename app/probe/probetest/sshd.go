package probetest

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// nobody is the user and group sshd runs as when the tests run as root:
// sshd as root insists on its privilege-separation directory and user,
// while as an ordinary user it runs without them.
const nobody = 65534

// StartSSHD starts OpenSSH's sshd (Debian's openssh-server) on a free
// port of 127.0.0.1, as an unprivileged daemon with its own ed25519 host
// key, offering the key exchanges kex in that order, and stops it when the
// test ends. It returns the port. No login is possible: the daemon is only
// asked for its banner and key-exchange offer.
//
// The test is skipped when sshd or ssh-keygen is missing, or when this
// OpenSSH does not know one of kex, unless CI=true (then it fails on a
// missing program: CI must have the package).
func StartSSHD(t testing.TB, kex ...string) int {
	t.Helper()
	sshd, keygen := lookProgram("sshd", "/usr/sbin/sshd"), lookProgram("ssh-keygen", "/usr/bin/ssh-keygen")
	if sshd == "" || keygen == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("sshd and ssh-keygen (Debian's openssh-server) are required with CI=true")
		}
		t.Skip("sshd or ssh-keygen not installed (Debian: apt-get install openssh-server)")
	}
	dir, err := os.MkdirTemp("", "tenderprobe-sshd-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	root := os.Geteuid() == 0
	if root {
		// The daemon runs as nobody and must read its configuration.
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	key := filepath.Join(dir, "host_ed25519")
	if out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-C", "probetest", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v: %s", err, out)
	}
	if root {
		if err := os.Chown(key, nobody, nobody); err != nil {
			t.Fatal(err)
		}
	}
	config := filepath.Join(dir, "sshd_config")
	// Readable by the daemon's user; it holds no secret.
	err = os.WriteFile(config, []byte(strings.Join([]string{
		"HostKey " + key,
		"ListenAddress 127.0.0.1",
		"PidFile none",
		"StrictModes no",
		"UsePAM no",
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
		"AuthorizedKeysFile none",
		"KexAlgorithms " + strings.Join(kex, ","),
		"",
	}, "\n")), 0o644)
	if err != nil {
		t.Fatal(err)
	}

	// A port free a moment ago may be taken by the time sshd binds it:
	// try a few.
	for attempt := 0; attempt < 5; attempt++ {
		port := freePort(t)
		cmd := exec.Command(sshd, "-D", "-e", "-f", config, "-p", strconv.Itoa(port))
		var stderr syncBuffer
		cmd.Stderr = &stderr
		if root {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
		}
		if err := cmd.Start(); err != nil {
			t.Fatalf("start sshd: %v", err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		if waitListening(port, exited) {
			t.Cleanup(func() {
				cmd.Process.Kill()
				<-exited
			})
			return port
		}
		cmd.Process.Kill()
		<-exited
		log := stderr.String()
		switch {
		case strings.Contains(log, "Bad SSH2 KexAlgorithms") || strings.Contains(log, "Unsupported KEX algorithm"):
			t.Skipf("this OpenSSH does not know one of %v: %s", kex, log)
		case strings.Contains(log, "Address already in use"):
			continue
		}
		t.Fatalf("sshd did not start: %s", log)
	}
	t.Fatal("sshd found no free port")
	return 0
}

// lookProgram finds name on PATH or at fallback (sbin is not always on a
// test's PATH).
func lookProgram(name, fallback string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if _, err := os.Stat(fallback); err == nil {
		return fallback
	}
	return ""
}

// freePort returns a TCP port of 127.0.0.1 that was free a moment ago.
func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// waitListening waits up to ten seconds for port to accept a connection,
// and gives up at once when the process exits.
func waitListening(port int, exited <-chan struct{}) bool {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		default:
		}
		if c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second); err == nil {
			c.Close()
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// syncBuffer is a bytes.Buffer a process may write to while it is read.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
