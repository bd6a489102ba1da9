package probetest

import (
	"net"
	"sync/atomic"
	"time"
)

// DelayListener wraps ln so that the servers behind it answer late, the way
// a server one network round trip of delay away would appear to a client.
// Each accepted connection waits the delay before its first write after a
// read (the answer to a request) and before the first write on a new
// connection (a greeting such as SMTP's 220). Further writes of the same
// answer are not delayed, so one request and its answer cost one delay
// however many write calls the server makes.
//
// What it cannot add: the TCP handshake itself still completes at loopback
// speed, because the kernel answers the SYN before Accept returns. A real
// connection costs one more round trip than this models.
func DelayListener(ln net.Listener, delay time.Duration) *DelayedListener {
	l := &DelayedListener{Listener: ln}
	l.delay.Store(int64(delay))
	return l
}

// DelayedListener is a listener whose connections answer late; see
// DelayListener. It counts the answers it delayed.
type DelayedListener struct {
	net.Listener
	delay   atomic.Int64
	answers atomic.Int64
	// Trace, when set before the first Accept, is called for every answer
	// with the moment the request was complete (the last read before the
	// answer, or the accept for a greeting) and the moment the answer was
	// written, so a benchmark can reconstruct which round trips followed
	// one another.
	Trace func(asked, answered time.Time)
}

// SetDelay changes the delay for answers from now on (0 turns it off).
func (l *DelayedListener) SetDelay(d time.Duration) { l.delay.Store(int64(d)) }

// Answers is how many answers (greetings and replies to a request) the
// connections have written, delayed or not: the round trips clients made.
func (l *DelayedListener) Answers() int64 { return l.answers.Load() }

// Accept waits for a connection and wraps it.
func (l *DelayedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	dc := &delayConn{Conn: c, l: l}
	dc.owed.Store(true)
	dc.lastRead.Store(time.Now().UnixNano())
	return dc, nil
}

// delayConn owes a delay once the peer has said something; the next write
// pays it. The flag is atomic because servers read and write from different
// goroutines (net/http reads ahead in the background while answering).
type delayConn struct {
	net.Conn
	l        *DelayedListener
	owed     atomic.Bool
	lastRead atomic.Int64 // UnixNano of the last read that returned data
}

func (c *delayConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.lastRead.Store(time.Now().UnixNano())
		c.owed.Store(true)
	}
	return n, err
}

func (c *delayConn) Write(b []byte) (int, error) {
	if !c.owed.Swap(false) {
		return c.Conn.Write(b)
	}
	c.l.answers.Add(1)
	if d := time.Duration(c.l.delay.Load()); d > 0 {
		time.Sleep(d)
	}
	// Traced before the write, so that the peer cannot have the answer
	// before the trace has it.
	if c.l.Trace != nil {
		c.l.Trace(time.Unix(0, c.lastRead.Load()), time.Now())
	}
	return c.Conn.Write(b)
}

// DelayPacketConn wraps pc so that every datagram it sends leaves delay
// late: a UDP server behind it answers every query one delay late. Writes
// from concurrent handlers wait in parallel, as they would on a real path.
func DelayPacketConn(pc net.PacketConn, delay time.Duration) net.PacketConn {
	return &delayPacketConn{PacketConn: pc, delay: delay}
}

type delayPacketConn struct {
	net.PacketConn
	delay time.Duration
}

func (c *delayPacketConn) WriteTo(b []byte, addr net.Addr) (int, error) {
	time.Sleep(c.delay)
	return c.PacketConn.WriteTo(b, addr)
}
