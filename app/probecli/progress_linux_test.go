//go:build linux

package probecli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"tenderprobe/app/probe/probetest"
)

// unavailable skips a test that needs a pseudo-terminal where there is
// none, except in CI, where a missing part must fail the run.
func unavailable(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// openPTY returns both ends of a new pseudo-terminal, so the test can give
// the command a real terminal as stderr and read what appeared on it.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		unavailable(t, "no pseudo-terminals here: %v", err)
	}
	var unlock int32
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); errno != 0 {
		master.Close()
		unavailable(t, "unlock pseudo-terminal: %v", errno)
	}
	var n uint32
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); errno != 0 {
		master.Close()
		unavailable(t, "pseudo-terminal number: %v", errno)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		unavailable(t, "open pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	return master, slave
}

func TestProgressLineIsShownOnATerminal(t *testing.T) {
	master, slave := openPTY(t)
	var seen bytes.Buffer
	done := make(chan struct{})
	go func() {
		io.Copy(&seen, master) // ends with EIO once the slave is closed
		close(done)
	}()

	dns := probetest.StartDNS(t, "a.example.test. 300 IN MX 0 .", "b.example.test. 300 IN MX 0 .")
	var stdout bytes.Buffer
	code := run(context.Background(), []string{"--json", "--resolver", dns.Addr, "--timeout", "20s", "a.example.test", "b.example.test"}, strings.NewReader(""), &stdout, slave)
	slave.Close()
	<-done
	if code != ExitOK {
		t.Fatalf("exit status %d: %s", code, seen.String())
	}
	for _, want := range []string{"\r probed 1/2 domains", "\r probed 2/2 domains"} {
		if !strings.Contains(seen.String(), want) {
			t.Errorf("terminal shows %q, want it to contain %q", seen.String(), want)
		}
	}
	if strings.Contains(stdout.String(), "probed") {
		t.Error("the progress line leaked into stdout, which scripts parse")
	}
}
