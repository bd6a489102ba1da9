package probetest

import (
	"net"
	"sync"
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
	path    atomic.Int64
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

// SetPathDelay puts the connections accepted from now on behind a path
// that delays every packet d in each direction, TCP set-up included (see
// pathConn); 0 turns it off. It replaces SetDelay's answer delay for those
// connections.
func (l *DelayedListener) SetPathDelay(d time.Duration) { l.path.Store(int64(d)) }

// Accept waits for a connection and wraps it.
func (l *DelayedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if d := time.Duration(l.path.Load()); d > 0 {
		return newPathConn(c, l, d), nil
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

// pathConn is the server's end of a connection that crosses a path with a
// one-way delay d, the way `tc qdisc add ... netem delay d` on both hosts
// would make it, modelled on loopback without root:
//
//   - TCP set-up: the kernel has completed the handshake at loopback speed
//     by the time Accept returns (at t0). On the modelled path the SYN
//     arrives at t0+d, the SYN-ACK at t0+2d (the client's connect returns,
//     the first round trip) and the ACK at t0+3d, when the server first
//     sees the connection. So nothing the client sends reaches the server
//     before t0+3d, and nothing the server sends reaches the client before
//     t0+4d: a greeting (SMTP's 220) costs the second round trip, and a
//     client that speaks first (TLS) gets its first answer at t0+4d too.
//     The client's connect itself returns early on loopback, which changes
//     nothing it can observe, since no byte can come back before t0+4d.
//   - Data: every chunk either side writes is delivered d after it was
//     written (or after the set-up allows, whichever is later), in order,
//     without the sender waiting: a delay line, not a per-write sleep, so
//     a flight of several records costs one delay, as on a real path.
//   - Close: a side's close reaches the other side d later, after the data
//     written before it.
//
// The server talks to one end of a net.Pipe (which honours deadlines, as
// net/http needs); two pumps carry the bytes between it and the real
// connection through the delay lines. Each round trip (a client chunk
// answered by a server chunk, a greeting, the set-up itself) is counted
// and traced with the times the client sent and received it.
type pathConn struct {
	net.Conn // the server's end of the pipe
	real     net.Conn
}

func (c *pathConn) LocalAddr() net.Addr  { return c.real.LocalAddr() }
func (c *pathConn) RemoteAddr() net.Addr { return c.real.RemoteAddr() }

func newPathConn(real net.Conn, l *DelayedListener, d time.Duration) net.Conn {
	t0 := time.Now()
	connected := t0.Add(2 * d) // the client's connect returns
	l.answers.Add(1)
	if l.Trace != nil {
		l.Trace(t0, connected)
	}
	server, inner := net.Pipe()
	p := &pathState{l: l, d: d}
	// A greeting is asked by the client's ACK, sent when its connect returned.
	p.asked, p.owed = connected, true
	go p.pump(real, inner, connected, true)
	go p.pump(inner, real, connected.Add(d), false)
	return &pathConn{Conn: server, real: real}
}

// pathState is what the two pumps of one connection share: when the client
// last sent something (the request the next answer answers), and whether
// it is still unanswered.
type pathState struct {
	l     *DelayedListener
	d     time.Duration
	mu    sync.Mutex
	asked time.Time
	owed  bool
}

type pathChunk struct {
	b   []byte
	at  time.Time // delivery time
	eof bool
}

// pump copies src to dst through a delay line. Bytes read from src at t
// (not before earliest, when the set-up lets that side send) are written to
// dst at t+d. fromClient tells the direction, for the round-trip trace.
func (p *pathState) pump(src, dst net.Conn, earliest time.Time, fromClient bool) {
	line := make(chan pathChunk, 256)
	go func() {
		defer close(line)
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			sent := time.Now()
			if sent.Before(earliest) {
				sent = earliest
			}
			if n > 0 {
				line <- pathChunk{b: append([]byte(nil), buf[:n]...), at: sent.Add(p.d)}
				p.sent(sent, sent.Add(p.d), fromClient)
			}
			if err != nil {
				line <- pathChunk{at: sent.Add(p.d), eof: true}
				return
			}
		}
	}()
	failed := false
	for ch := range line {
		if failed {
			continue // drain, so the reader is never stuck
		}
		time.Sleep(time.Until(ch.at))
		if ch.eof {
			dst.Close()
			failed = true
			continue
		}
		if _, err := dst.Write(ch.b); err != nil {
			dst.Close()
			src.Close()
			failed = true
		}
	}
}

// sent notes a chunk: from the client, it asks for an answer; from the
// server, the first chunk after a question is the answer, one round trip.
func (p *pathState) sent(at, delivered time.Time, fromClient bool) {
	p.mu.Lock()
	if fromClient {
		p.asked, p.owed = at, true
		p.mu.Unlock()
		return
	}
	owed, asked := p.owed, p.asked
	p.owed = false
	p.mu.Unlock()
	if !owed {
		return
	}
	p.l.answers.Add(1)
	if p.l.Trace != nil {
		p.l.Trace(asked, delivered)
	}
}
