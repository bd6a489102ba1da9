package netguard_test

import (
	"context"
	"net"
	"syscall"
	"testing"

	"tenderprobe/app/probe/netguard"
)

// TestProbeConnectionsHaveNoKeepAlive: a probe's connections are short,
// and keep-alive's four setsockopt calls per connection were about 2% of
// a batch's CPU, for probes that never fire.
func TestProbeConnectionsHaveNoKeepAlive(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Close()
		}
	}()
	conn, err := (&netguard.Dialer{AllowPrivate: true}).DialContext(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	raw, err := conn.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var on int
	var serr error
	if err := raw.Control(func(fd uintptr) { on, serr = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_KEEPALIVE) }); err != nil || serr != nil {
		t.Fatal(err, serr)
	}
	if on != 0 {
		t.Errorf("SO_KEEPALIVE is %d, want 0", on)
	}
}
