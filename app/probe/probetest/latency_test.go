package probetest

import (
	"bufio"
	"net"
	"sync"
	"testing"
	"time"
)

// serveEcho answers one connection of ln with a greeting, then an echo of
// every line, written in two pieces when split.
func serveEcho(ln net.Listener, split bool) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	defer c.Close()
	c.Write([]byte("220 hello\r\n"))
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		if split {
			c.Write([]byte("echo "))
			c.Write([]byte(line))
		} else {
			c.Write([]byte("echo " + line))
		}
	}
}

func TestDelayListenerDelaysEachAnswerButNotTheData(t *testing.T) {
	const delay = 30 * time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dl := DelayListener(ln, delay)
	defer dl.Close()
	// Each echo written in two pieces, to show that one answer pays the
	// delay once.
	go serveEcho(dl, true)

	start := time.Now()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	tests := []struct {
		name, send, want string
	}{
		{"the greeting arrives intact", "", "220 hello\r\n"},
		{"an answer written in pieces arrives intact", "ping\r\n", "echo ping\r\n"},
		{"a second answer arrives intact", "pong\r\n", "echo pong\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.send != "" {
				c.Write([]byte(tt.send))
			}
			got, err := r.ReadString('\n')
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	// A lower bound only: three answers cannot arrive before three delays
	// have passed, however slow the machine is.
	if elapsed := time.Since(start); elapsed < 3*delay {
		t.Errorf("three answers took %s, less than three delays of %s", elapsed, delay)
	}
}

func TestDelayPacketConnDelaysEveryDatagram(t *testing.T) {
	const delay = 30 * time.Millisecond
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dpc := DelayPacketConn(pc, delay)
	defer dpc.Close()
	go func() {
		buf := make([]byte, 512)
		for {
			n, addr, err := dpc.ReadFrom(buf)
			if err != nil {
				return
			}
			dpc.WriteTo(buf[:n], addr)
		}
	}()
	c, err := net.Dial("udp", pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	c.Write([]byte("query"))
	buf := make([]byte, 512)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := c.Read(buf)
	if err != nil || string(buf[:n]) != "query" {
		t.Fatalf("got %q, %v; want the datagram echoed", buf[:n], err)
	}
	if elapsed := time.Since(start); elapsed < delay {
		t.Errorf("answer took %s, less than the delay of %s", elapsed, delay)
	}
}

func TestDelayListenerCountsAnswersAndCanBeTurnedOff(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dl := DelayListener(ln, time.Hour)
	defer dl.Close()
	var mu sync.Mutex
	var traced [][2]time.Time
	dl.Trace = func(asked, answered time.Time) {
		mu.Lock()
		traced = append(traced, [2]time.Time{asked, answered})
		mu.Unlock()
	}
	// With an hour's delay still set this test could only pass by hanging,
	// so it proves SetDelay(0) takes effect.
	dl.SetDelay(0)
	go func() {
		c, err := dl.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 64)
		c.Write([]byte("hello\n"))
		for {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			c.Write(buf[:n])
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	r.ReadString('\n')
	for _, msg := range []string{"a\n", "b\n"} {
		c.Write([]byte(msg))
		if got, _ := r.ReadString('\n'); got != msg {
			t.Fatalf("echo = %q, want %q", got, msg)
		}
	}
	if got := dl.Answers(); got != 3 {
		t.Errorf("Answers() = %d, want 3 (greeting and two echoes)", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(traced) != 3 {
		t.Fatalf("traced %d answers, want 3", len(traced))
	}
	for i, tr := range traced {
		if tr[1].Before(tr[0]) {
			t.Errorf("answer %d written at %v, before its request at %v", i, tr[1], tr[0])
		}
		if i > 0 && tr[0].Before(traced[i-1][1]) {
			t.Errorf("request %d at %v came before answer %d at %v, yet the client waited for it", i, tr[0], i-1, traced[i-1][1])
		}
	}
}

func TestPathDelayChargesTheSetUpAndEachDirection(t *testing.T) {
	const d = 40 * time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dl := DelayListener(ln, 0)
	dl.SetPathDelay(d)
	defer dl.Close()
	go serveEcho(dl, false)

	start := time.Now()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	if got, err := r.ReadString('\n'); err != nil || got != "220 hello\r\n" {
		t.Fatalf("greeting %q, %v", got, err)
	}
	// SYN, SYN-ACK, ACK and the greeting: four one-way delays.
	if el := time.Since(start); el < 4*d {
		t.Errorf("the greeting came after %s, before the set-up round trip and its own (%s)", el, 4*d)
	}

	// Ten requests sent in one go come back as ten answers one round trip
	// later, not ten round trips later: the path is a delay line, not a
	// queue of sleeps.
	start = time.Now()
	const n = 10
	for i := 0; i < n; i++ {
		c.Write([]byte("ping\r\n"))
	}
	for i := 0; i < n; i++ {
		if got, err := r.ReadString('\n'); err != nil || got != "echo ping\r\n" {
			t.Fatalf("answer %d: %q, %v", i, got, err)
		}
	}
	el := time.Since(start)
	if el < 2*d {
		t.Errorf("pipelined answers came after %s, less than one round trip of %s", el, 2*d)
	}
	if el > n*2*d/2 {
		t.Errorf("pipelined answers took %s, as if each paid its own round trip (%s each)", el, 2*d)
	}
	if got := dl.Answers(); got < 3 {
		t.Errorf("counted %d round trips, want at least the set-up, the greeting and one answer", got)
	}
}
