// Package tlsscan finds out which TLS protocol versions, cipher suites and
// key-exchange groups a server accepts, and which certificate it serves, and
// rates them by the NCSC-NL TLS guidelines (2025-05) as internet.nl does.
//
// Go's crypto/tls cannot offer SSLv3, DHE, CCM, ARIA, CAMELLIA, NULL, EXPORT
// and other legacy suites, so most probing uses a hand-built ClientHello and
// reads only the server's first flight; no handshake is completed. The steps
// of a scan are:
//
//  1. For each version (SSLv3, TLS 1.0, 1.1, 1.2, 1.3), open a connection
//     (through Config.Dial, then Config.Preamble, e.g. SMTP STARTTLS), send a
//     raw ClientHello offering that version and a chunk of at most ChunkSize
//     suites, and read the ServerHello (and, up to TLS 1.2, the Certificate
//     and ServerKeyExchange) or the alert.
//  2. In full mode, remove the suite the server chose and ask again until the
//     server refuses the chunk, as sslyze and internet.nl do; that enumerates
//     the accepted suites. The suites are dealt into chunks round-robin,
//     the commonly accepted ones first (deal), so that a server's few
//     suites are found by chunks side by side rather than one after another
//     in one chunk; TLS 1.3's five suites are each offered alone. In quick mode (for mail servers, which rate-limit),
//     offer the suites class by class, worst first, and stop each class at the
//     first accepted suite: enough for a verdict with a handful of connections.
//  3. Offer the accepted suites best-first and worst-first: the same choice
//     twice means the server enforces its own order; a worst-first offer that
//     still yields a good or sufficient suite means that order prefers them
//     over phase-out suites.
//  4. Complete one handshake with crypto/tls (TLS 1.0 to 1.3, every suite Go
//     knows, the post-quantum hybrids first) for the certificate chain, which
//     is verified against Config.RootCAs, and the negotiated group. When that
//     handshake did not negotiate a hybrid, one more offers only the hybrids,
//     to tell "not supported" from "not preferred".
//  5. What crypto/tls cannot do as a client, minimal clients of this
//     package do (reneg.go, earlydata.go), each once a version probe has
//     heard the server speak the versions it needs (extras.go): one
//     connection tries eleven client-initiated renegotiations (TLS 1.0 to
//     1.2), and with Config.EarlyData one or two connections test TLS 1.3
//     0-RTT with an HTTP request.
//
// Every connection has its own deadline (Config.Timeout) from the moment it
// is open, inside the caller's context. Whatever does not wait for another
// answer runs at once: the versions; in full mode a version's chunks, once
// its first answer shows it is spoken (TLS 1.2's straight away); in quick mode the classes (for TLS
// 1.2 straight away, for the others after the first class's answer); the
// two offers of the order test; the crypto/tls handshake; the
// renegotiation and 0-RTT tests. Only the
// "remove the chosen suite and ask again" walk through one chunk is a chain.
// The results are the same as one connection at a time would find. How
// many connections are open at once is the caller's Dial's business (a
// probe caps them per server); Step tells it how deep in a chain a
// connection is.
package tlsscan

import (
	"bufio"
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Mode chooses between a full enumeration and a quick verdict.
type Mode int

// The scan modes.
const (
	// Full enumerates every accepted suite per version.
	Full Mode = iota
	// Quick finds at most one accepted suite per class and version.
	Quick
)

// Config says where and how to scan.
type Config struct {
	// Dial opens a TCP connection and bounds the connect's own time;
	// probes pass their SSRF-guarded, per-host capped dialer. The default
	// is a net.Dialer with Timeout.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// DialAfter, when set, opens the next connection of a chain (the next
	// hello of a suite enumeration, the 0-RTT resumption) in the place of
	// prev, a connection Dial or DialAfter returned that the scan is done
	// with: it closes prev and may give its place (a per-host connection
	// slot) to the new connection, so that a chain does not queue behind
	// connections asked for after it. Without it the scan closes prev and
	// calls Dial.
	DialAfter func(ctx context.Context, prev net.Conn, network, addr string) (net.Conn, error)
	// Addr is the ip:port to connect to.
	Addr string
	// ServerName is sent as SNI and checked against the certificate.
	ServerName string
	// Preamble, when set, runs on every new connection before the
	// ClientHello (SMTP banner, EHLO, STARTTLS).
	Preamble func(ctx context.Context, conn net.Conn) error
	// RootCAs verifies the chain; nil means the system pool.
	RootCAs *x509.CertPool
	// Timeout bounds each connection; zero means 10 seconds.
	Timeout time.Duration
	// Now is the clock for certificate validity; nil means time.Now.
	Now func() time.Time
	// ChunkSize is how many suites one ClientHello offers; zero means 64,
	// the size internet.nl settled on for intolerant servers.
	ChunkSize int
	// Mode is Full or Quick.
	Mode Mode
	// Versions restricts the versions probed; nil means AllVersions.
	Versions []Version
	// SkipPQ leaves out the post-quantum handshake (mail has no PQ check).
	SkipPQ bool
	// EarlyData runs the TLS 1.3 0-RTT test, which sends `GET /` with
	// Host ServerName: for HTTPS only (internet.nl #2055).
	EarlyData bool
}

// VersionResult is what was learnt about one protocol version.
type VersionResult struct {
	Version  Version `json:"version"`
	Accepted bool    `json:"accepted"`
	Class    Class   `json:"class"`
	// Suites are the accepted suites, in the order they were found.
	Suites []Suite `json:"suites,omitempty"`
	// Complete is false when only a sample was taken (quick mode).
	Complete bool `json:"complete"`
	// ServerPreference is set when two or more suites were compared.
	ServerPreference *bool `json:"server_preference,omitempty"`
	// OrderOK is false when a phase-out or insufficient suite is chosen
	// although a good or sufficient one was offered.
	OrderOK *bool  `json:"order_ok,omitempty"`
	Error   string `json:"error,omitempty"`
}

// DHGroup describes the finite-field group of a DHE key exchange.
type DHGroup struct {
	Bits int `json:"bits"`
	// Name is the RFC 7919 group name, or "custom".
	Name  string `json:"name"`
	Class Class  `json:"class"`
}

// Handshake is the outcome of a complete crypto/tls handshake.
type Handshake struct {
	Version Version `json:"version"`
	Suite   Suite   `json:"suite"`
	// Group is the key-exchange group (zero for RSA key exchange).
	Group Group `json:"group"`
	// OCSPStapled is true when the server stapled an OCSP response
	// (recommended, not required, by NCSC-NL).
	OCSPStapled bool `json:"ocsp_stapled"`
	// OCSPResponse is the stapled response, DER, for checking it.
	OCSPResponse []byte `json:"-"`
}

// PQResult tells whether the server negotiates a post-quantum hybrid.
type PQResult struct {
	// Negotiated is the hybrid group the server agreed to, if any.
	Negotiated *Group `json:"negotiated,omitempty"`
	// Preferred is true when the server chose the hybrid although classical
	// groups were offered too.
	Preferred bool   `json:"preferred"`
	Error     string `json:"error,omitempty"`
}

// CertSummary describes one certificate of the chain.
type CertSummary struct {
	Subject    string    `json:"subject"`
	Issuer     string    `json:"issuer"`
	DNSNames   []string  `json:"dns_names,omitempty"`
	NotBefore  time.Time `json:"not_before"`
	NotAfter   time.Time `json:"not_after"`
	KeyType    string    `json:"key_type"`
	KeyBits    int       `json:"key_bits"`
	KeyClass   Class     `json:"key_class"`
	SigAlg     string    `json:"signature_algorithm"`
	SigClass   Class     `json:"signature_class"`
	SelfSigned bool      `json:"self_signed,omitempty"`
	SHA256     string    `json:"sha256"`
}

// CertReport is the served chain and its evaluation.
type CertReport struct {
	Chain      []CertSummary `json:"chain"`
	Trusted    bool          `json:"trusted"`
	TrustError string        `json:"trust_error,omitempty"`
	NameMatch  bool          `json:"name_match"`
	NameError  string        `json:"name_error,omitempty"`
	// Valid is false when the leaf is expired or not yet valid at scan time.
	Valid bool `json:"valid"`
	// KeyClass and SigClass are the worst over the certificates that are
	// not self-signed roots (a root's own signature is never checked).
	KeyClass Class `json:"key_class"`
	SigClass Class `json:"signature_class"`
	// Source says where the chain came from.
	Source string `json:"source"`
	// Certificates is the parsed chain, leaf first, for DANE matching.
	Certificates []*x509.Certificate `json:"-"`
}

// Report is the result of one scan.
type Report struct {
	Addr       string          `json:"addr"`
	ServerName string          `json:"server_name"`
	Reachable  bool            `json:"reachable"`
	Versions   []VersionResult `json:"versions"`
	// Compression is true when the server chose DEFLATE (CRIME).
	Compression bool `json:"compression"`
	// SecureRenegotiation and ExtendedMasterSecret are nil when no TLS
	// 1.0-1.2 handshake was seen (they do not apply to TLS 1.3).
	SecureRenegotiation  *bool       `json:"secure_renegotiation,omitempty"`
	ExtendedMasterSecret *bool       `json:"extended_master_secret,omitempty"`
	KexGroups            []Group     `json:"kex_groups,omitempty"`
	DHGroups             []DHGroup   `json:"dh_groups,omitempty"`
	KexSigAlgs           []SigAlg    `json:"kex_signature_algorithms,omitempty"`
	Handshake            *Handshake  `json:"handshake,omitempty"`
	HandshakeError       string      `json:"handshake_error,omitempty"`
	PQ                   *PQResult   `json:"pq,omitempty"`
	Certificate          *CertReport `json:"certificate,omitempty"`
	Connections          int         `json:"connections"`
	DurationMS           int64       `json:"duration_ms"`
	Errors               []string    `json:"errors,omitempty"`

	// KexHash is the key-exchange hash test (kexhash.go).
	KexHash *KexHashResult `json:"kex_hash,omitempty"`
	// ClientRenegotiation is the outcome of client-initiated
	// renegotiation; nil when no TLS 1.0-1.2 handshake was possible.
	ClientRenegotiation *RenegResult `json:"client_renegotiation,omitempty"`
	// EarlyData is the outcome of the TLS 1.3 0-RTT test; nil when not
	// tested (no TLS 1.3, or Config.EarlyData false).
	EarlyData *EarlyDataResult `json:"early_data,omitempty"`

	// ConfigServerName, when set, is the server name the configuration
	// (everything but Handshake and Certificate) was measured with, by a
	// scan of another name on the same address and port (WithName).
	ConfigServerName string `json:"config_server_name,omitempty"`
}

// AcceptedVersions lists the versions the server accepted.
func (r *Report) AcceptedVersions() []Version {
	var out []Version
	for _, v := range r.Versions {
		if v.Accepted {
			out = append(out, v.Version)
		}
	}
	return out
}

// Suites returns every accepted suite over all versions, without duplicates.
func (r *Report) Suites() []Suite {
	seen := map[uint16]bool{}
	var out []Suite
	for _, v := range r.Versions {
		for _, s := range v.Suites {
			if !seen[s.ID] {
				seen[s.ID] = true
				out = append(out, s)
			}
		}
	}
	return out
}

// withDefaults fills in the zero fields of cfg.
func (cfg Config) withDefaults() Config {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.Dial == nil {
		cfg.Dial = (&net.Dialer{Timeout: cfg.Timeout}).DialContext
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ChunkSize <= 0 {
		cfg.ChunkSize = 64
	}
	return cfg
}

// Scan probes one server. The error is only for a server that could not be
// reached at all; partial failures are listed in Report.Errors.
func Scan(ctx context.Context, cfg Config) (*Report, error) {
	cfg = cfg.withDefaults()
	versions := cfg.Versions
	if versions == nil {
		versions = AllVersions
	}
	start := time.Now()
	s := &scanner{cfg: cfg, rep: &Report{Addr: cfg.Addr, ServerName: cfg.ServerName}, heard: newHeard(len(versions))}

	results := make([]VersionResult, len(versions))
	var wg sync.WaitGroup
	for i, v := range versions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer s.heard.versionDone()
			results[i] = s.probeVersion(ctx, v)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.fullHandshake(ctx)
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.rep.KexHash = s.probeKexHash(ctx)
	}()
	extra := s.startExtras(ctx, &wg, versions)
	wg.Wait()
	s.rep.Connections = int(s.conns.Load())
	s.rep.DurationMS = time.Since(start).Milliseconds()
	if !s.dialOK.Load() {
		return nil, fmt.Errorf("tlsscan: connect to %s: %w", cfg.Addr, s.firstDialErr())
	}
	s.rep.Reachable = true
	s.rep.Versions = results
	for _, vr := range results {
		if vr.Error != "" {
			s.rep.Errors = append(s.rep.Errors, vr.Version.String()+": "+vr.Error)
		}
	}
	if s.rep.HandshakeError != "" {
		s.rep.Errors = append(s.rep.Errors, "handshake: "+s.rep.HandshakeError)
	}
	extra.report(s.rep, results)
	if s.rep.Certificate == nil && s.rawCerts != nil {
		s.rep.Certificate = evaluateChain(s.rawCerts, "raw TLS 1.2 Certificate message", cfg)
	}
	return s.rep, nil
}

// ScanName makes only what can differ by server name on a server whose
// configuration a Scan with another name has measured: the crypto/tls
// handshake of step 4 (the certificate chain, verified against RootCAs and
// checked against ServerName, its validity, key and signature, the OCSP
// staple, and the version, suite and group negotiated), one connection.
// The versions, suites, order, key exchange, compression, renegotiation,
// extended master secret, key-exchange hash, 0-RTT and post-quantum
// results are the endpoint's: Report.WithName puts the two together. A
// report whose Handshake is nil says the handshake did not complete, and
// then only a full Scan with this name can say what the server does.
func ScanName(ctx context.Context, cfg Config) (*Report, error) {
	cfg = cfg.withDefaults()
	cfg.SkipPQ = true
	start := time.Now()
	s := &scanner{cfg: cfg, rep: &Report{Addr: cfg.Addr, ServerName: cfg.ServerName}}
	s.fullHandshake(ctx)
	s.rep.Connections = int(s.conns.Load())
	s.rep.DurationMS = time.Since(start).Milliseconds()
	if !s.dialOK.Load() {
		return nil, fmt.Errorf("tlsscan: connect to %s: %w", cfg.Addr, s.firstDialErr())
	}
	s.rep.Reachable = true
	if s.rep.HandshakeError != "" {
		s.rep.Errors = append(s.rep.Errors, "handshake: "+s.rep.HandshakeError)
	}
	return s.rep, nil
}

// WithName is r, the full scan of a server made with one server name, as
// seen by another name on the same address and port: the configuration
// r measured, with own's handshake and certificate (ScanName).
// ConfigServerName says which name the configuration was measured with.
func (r *Report) WithName(own *Report) *Report {
	out := *r
	out.ServerName = own.ServerName
	out.ConfigServerName = r.ServerName
	out.Handshake, out.HandshakeError, out.Certificate = own.Handshake, own.HandshakeError, own.Certificate
	out.Connections, out.DurationMS = own.Connections, own.DurationMS
	out.Errors = slices.Concat(slices.DeleteFunc(slices.Clone(r.Errors), func(e string) bool { return strings.HasPrefix(e, "handshake: ") }), own.Errors)
	return &out
}

type scanner struct {
	cfg    Config
	conns  atomic.Int64
	dialOK atomic.Bool
	// dialErr is the first failure to connect, reported when none succeeded.
	dialErr atomic.Pointer[error]

	mu       sync.Mutex
	rep      *Report
	rawCerts [][]byte
	// heard tells the extras which versions the server speaks.
	heard *heard
}

// dial opens one connection with its own deadline and runs the preamble.
// The deadline also follows ctx cancellation, so a hung peer never hangs
// the scan.
func (s *scanner) dial(ctx context.Context) (net.Conn, error) { return s.dialAfter(ctx, nil) }

// dialAfter is dial for the next connection of a chain whose previous
// connection, prev, the scan is done with (nil: none). prev is closed
// either way, by Config.DialAfter when set.
func (s *scanner) dialAfter(ctx context.Context, prev net.Conn) (net.Conn, error) {
	s.conns.Add(1)
	// Dial bounds the connect itself; the connection's deadline starts
	// once it is open, so that time spent waiting in Dial for the
	// caller's per-host connection cap is not charged to the server.
	var conn net.Conn
	var err error
	switch {
	case prev == nil:
		conn, err = s.cfg.Dial(ctx, "tcp", s.cfg.Addr)
	case s.cfg.DialAfter != nil:
		inner := prev
		if dc, ok := prev.(*deadlineConn); ok {
			inner = dc.Conn
		}
		conn, err = s.cfg.DialAfter(ctx, inner, "tcp", s.cfg.Addr)
		// The wrapper's own deadline watch ends too.
		prev.Close()
	default:
		prev.Close()
		conn, err = s.cfg.Dial(ctx, "tcp", s.cfg.Addr)
	}
	if err != nil {
		s.dialErr.CompareAndSwap(nil, &err)
		return nil, err
	}
	s.dialOK.Store(true)
	cctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	deadline, _ := cctx.Deadline()
	conn.SetDeadline(deadline)
	stop := context.AfterFunc(cctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	wrapped := &deadlineConn{Conn: conn, deadline: deadline, release: func() { stop(); cancel() }}
	if s.cfg.Preamble != nil {
		if err := s.cfg.Preamble(cctx, wrapped); err != nil {
			wrapped.Close()
			return nil, fmt.Errorf("preamble: %w", err)
		}
	}
	return wrapped, nil
}

func (s *scanner) firstDialErr() error {
	if p := s.dialErr.Load(); p != nil {
		return *p
	}
	return errors.New("no connection attempted")
}

type deadlineConn struct {
	net.Conn
	// deadline is the one the connection was opened with.
	deadline time.Time
	release  func()
	once     sync.Once
}

func (c *deadlineConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}

// hello sends one raw ClientHello and reads the answer.
func (s *scanner) hello(ctx context.Context, v Version, suites []uint16) (*serverHello, error) {
	return s.send(ctx, clientHello{version: v, serverName: sniName(s.cfg.ServerName), suites: suites})
}

// send sends the ClientHello ch on a new connection and reads the answer.
func (s *scanner) send(ctx context.Context, ch clientHello) (*serverHello, error) {
	sh, conn, err := s.sendAfter(ctx, nil, ch)
	if conn != nil {
		conn.Close()
	}
	return sh, err
}

// flightReaders buffer the reads of a server's first flight: a record
// header and its body are two reads, and a server sends its flight of
// several records at once. Nothing more is read from the connection
// afterwards, so what the buffer holds beyond the flight is never missed.
var flightReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 4096) }}

// sendAfter is send on a connection that follows prev in a chain
// (dialAfter). On success the connection stays open for the caller to
// close or to pass on as the next one's predecessor.
func (s *scanner) sendAfter(ctx context.Context, prev net.Conn, ch clientHello) (*serverHello, net.Conn, error) {
	conn, err := s.dialAfter(ctx, prev)
	if err != nil {
		return nil, nil, &dialError{err}
	}
	// Built once connected: hellos queueing for a connection slot hold
	// no record.
	rec, err := ch.marshal()
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	if _, err := conn.Write(rec); err != nil {
		conn.Close()
		return nil, nil, fmt.Errorf("tlsscan: send ClientHello: %w", err)
	}
	br := flightReaders.Get().(*bufio.Reader)
	br.Reset(conn)
	sh, err := readServerFlight(br)
	br.Reset(nil)
	flightReaders.Put(br)
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	return sh, conn, nil
}

type stepKey struct{}

// WithStep marks ctx, which a scan passes to Config.Dial, with how many
// handshakes came before this one in its chain: the n-th suite of an
// enumeration waited for n answers before it. A dialer that makes
// connections queue (a per-host cap) can let deeper steps go first, so
// that the long chains, not the one-off hellos, set the pace.
func WithStep(ctx context.Context, n int) context.Context {
	return context.WithValue(ctx, stepKey{}, n)
}

// Step is the step WithStep put in ctx, 0 if none.
func Step(ctx context.Context) int {
	n, _ := ctx.Value(stepKey{}).(int)
	return n
}

// sniName returns name unless it is an IP literal, which SNI may not carry.
func sniName(name string) string {
	if net.ParseIP(name) != nil {
		return ""
	}
	return strings.TrimSuffix(name, ".")
}

type dialError struct{ err error }

func (e *dialError) Error() string { return "tlsscan: connect: " + e.err.Error() }
func (e *dialError) Unwrap() error { return e.err }

// refused reports whether err is the server saying no (an alert, a closed
// or reset connection) rather than a failure to talk to it.
func refused(err error) bool {
	var alert *AlertError
	var de *dialError
	var ne net.Error
	switch {
	case errors.As(err, &de):
		return false
	case errors.As(err, &alert), errors.Is(err, errRejected),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return true
	case errors.As(err, &ne) && ne.Timeout():
		// Some servers and middleboxes drop a ClientHello they dislike
		// without a word; the caller has already ruled out that the
		// scan's own context ran out.
		return true
	}
	return false
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isProtocolVersionAlert(err error) bool {
	var alert *AlertError
	return errors.As(err, &alert) && alert.Description == 70
}

// probeVersion finds the suites accepted for v.
func (s *scanner) probeVersion(ctx context.Context, v Version) VersionResult {
	vr := VersionResult{Version: v, Class: v.Class(), Complete: s.cfg.Mode == Full}
	// classes holds the suites to try, as chunks; in quick mode one entry
	// per class, worst first, so that a verdict needs few connections.
	var classes [][][]uint16
	switch {
	case s.cfg.Mode == Full && v == TLS13:
		// Five suites: each on its own, so that the server's three or so
		// are found at once rather than one after another.
		classes = [][][]uint16{deal(suitesFor(v), 1)}
	case s.cfg.Mode == Full:
		classes = [][][]uint16{deal(suitesFor(v), s.cfg.ChunkSize)}
	default:
		for _, class := range []Class{Insufficient, PhaseOut, Sufficient} {
			var ids []uint16
			for _, id := range suitesFor(v) {
				c := LookupSuite(id).Class
				if c == class || class == Sufficient && c == Good {
					ids = append(ids, id)
				}
			}
			classes = append(classes, chunk(ids, s.cfg.ChunkSize))
		}
	}
	// The enumerations of TLS 1.2 and 1.3, which nearly every server
	// speaks, make a full scan's longest chains: their hellos (every
	// chunk's, as the order test waits for them all) count one step in
	// (WithStep), so that a dialer that queues connections does not put
	// them behind one-off hellos.
	lead := ctx
	if s.cfg.Mode == Full && v >= TLS12 {
		lead = WithStep(ctx, 1)
	}
	var found []uint16
	switch {
	case s.cfg.Mode == Full && len(classes[0]) > 1:
		found = s.tryChunksEach(lead, v, classes[0], &vr)
	case s.cfg.Mode == Quick && oneChunkEach(classes):
		found = s.tryClassesAtOnce(ctx, v, classes, &vr)
	default:
		for _, chunks := range classes {
			if !s.tryChunks(lead, v, chunks, &vr, &found, nil) {
				break
			}
		}
	}
	for _, id := range found {
		vr.Suites = append(vr.Suites, LookupSuite(id))
	}
	if v < TLS13 && len(found) >= 2 {
		s.testOrder(ctx, v, &vr)
	}
	return vr
}

// tryChunks offers each chunk in turn, removing chosen suites (in quick
// mode it stops at the first accepted suite). It returns false when probing
// this version should stop: not supported, or an error.
//
// first, when not nil, is called once, with the first answer: stop is true
// when that answer (or its absence) ends the version, false when other
// chunks are worth asking.
func (s *scanner) tryChunks(ctx context.Context, v Version, chunks [][]uint16, vr *VersionResult, found *[]uint16, first func(stop bool)) bool {
	signal := func(stop bool) {
		if first != nil {
			first(stop)
			first = nil
		}
	}
	defer signal(true)
	// The caller's step, if any, is where the chain starts.
	base := Step(ctx)
	// prev is the chain's last open connection: the next hello takes its
	// place (dialAfter).
	var prev net.Conn
	defer func() {
		if prev != nil {
			prev.Close()
		}
	}()
	for _, g := range chunks {
		offer := slices.Clone(g)
		for len(offer) > 0 {
			if ctx.Err() != nil {
				vr.Error = ctx.Err().Error()
				return false
			}
			sh, conn, err := s.sendAfter(WithStep(ctx, base+len(*found)), prev, clientHello{version: v, serverName: sniName(s.cfg.ServerName), suites: offer})
			prev = conn
			if err != nil {
				if ctx.Err() != nil {
					vr.Error = ctx.Err().Error()
					return false
				}
				if (isProtocolVersionAlert(err) || isTimeout(err)) && !vr.Accepted {
					// A silent server will not answer the next chunk
					// either; waiting for each would multiply the timeout.
					return false
				}
				if refused(err) {
					signal(false)
					break
				}
				vr.Error = err.Error()
				return false
			}
			if sh.Version != v {
				// A server answering with another version does not accept v.
				if !vr.Accepted {
					return false
				}
				break
			}
			signal(false)
			vr.Accepted = true
			s.record(sh)
			if !slices.Contains(offer, sh.Suite) {
				vr.Error = fmt.Sprintf("server chose suite 0x%04X which was not offered", sh.Suite)
				return false
			}
			*found = append(*found, sh.Suite)
			offer = slices.DeleteFunc(offer, func(id uint16) bool { return id == sh.Suite })
			if s.cfg.Mode == Quick {
				return true
			}
		}
	}
	return true
}

// tryChunksEach enumerates every chunk on its own connections and merges
// what they found into vr in chunk order (the order a chunk-by-chunk
// enumeration finds them in). The first chunk goes first: its first answer
// usually shows that the version is not supported at all, and then nothing
// else is asked; otherwise the other chunks go at once, beside the first
// chunk's enumeration. TLS 1.2, which nearly every server speaks, sends
// every chunk at once: waiting would put a round trip or two on the scan's
// longest chain to save a few refusals from the rare server without it. Within a chunk the suites still come one handshake
// after another: the server picks one suite per hello. The caller's dialer
// caps how many connections are open at once.
func (s *scanner) tryChunksEach(ctx context.Context, v Version, chunks [][]uint16, vr *VersionResult) []uint16 {
	res := make([]struct {
		vr    VersionResult
		found []uint16
	}, len(chunks))
	for i := range res {
		res[i].vr = *vr
	}
	proceed := make(chan bool, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.tryChunks(ctx, v, chunks[:1], &res[0].vr, &res[0].found, func(stop bool) { proceed <- !stop })
	}()
	if v == TLS12 || <-proceed {
		for i := 1; i < len(chunks); i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.tryChunks(ctx, v, chunks[i:i+1], &res[i].vr, &res[i].found, nil)
			}()
		}
	}
	wg.Wait()
	var found []uint16
	for _, r := range res {
		vr.Accepted = vr.Accepted || r.vr.Accepted
		if vr.Error == "" {
			vr.Error = r.vr.Error
		}
		for _, id := range r.found {
			if !slices.Contains(found, id) {
				found = append(found, id)
			}
		}
	}
	return found
}

// oneChunkEach reports whether every class fits in one ClientHello.
func oneChunkEach(classes [][][]uint16) bool {
	for _, c := range classes {
		if len(c) > 1 {
			return false
		}
	}
	return true
}

// tryClassesAtOnce is the quick mode's class-by-class walk (worst class
// first, one sample each) with the same outcome in fewer round trips. For
// TLS 1.2, which nearly every server that offers TLS at all speaks, every
// class goes at once. For the other versions the first class goes alone,
// because its answer usually shows that the version is not supported and
// nothing else need be asked; the other classes then go at once. Their
// outcomes are taken in class order as the walk would have taken them,
// stopping where it would have stopped. Each class is one chunk
// (oneChunkEach), so a refusal ends the class either way; only "stop the
// version" needs the walk's state.
func (s *scanner) tryClassesAtOnce(ctx context.Context, v Version, classes [][][]uint16, vr *VersionResult) []uint16 {
	var found []uint16
	rest := classes
	if v != TLS12 {
		if !s.tryChunks(ctx, v, classes[0], vr, &found, nil) {
			return found
		}
		rest = classes[1:]
	}
	res := make([]struct {
		vr    VersionResult
		found []uint16
		more  bool
	}, len(rest))
	var wg sync.WaitGroup
	for i := range rest {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i].vr = *vr
			res[i].more = s.tryChunks(ctx, v, rest[i], &res[i].vr, &res[i].found, nil)
		}()
	}
	wg.Wait()
	for _, r := range res {
		if !r.more && r.vr.Error == "" && vr.Accepted {
			// Walking in order, this class would have seen the version
			// accepted already, and a refusal would only end the class.
			r.more = true
		}
		vr.Accepted = vr.Accepted || r.vr.Accepted
		vr.Error = r.vr.Error
		found = append(found, r.found...)
		if !r.more {
			break
		}
	}
	return found
}

// testOrder offers the accepted suites best-first and then worst-first.
func (s *scanner) testOrder(ctx context.Context, v Version, vr *VersionResult) {
	best := slices.Clone(vr.Suites)
	slices.SortStableFunc(best, func(a, b Suite) int { return a.Class.rank() - b.Class.rank() })
	worst := slices.Clone(best)
	slices.Reverse(worst)
	ids := func(ss []Suite) []uint16 {
		out := make([]uint16, len(ss))
		for i, x := range ss {
			out[i] = x.ID
		}
		return out
	}
	// Both offers at once: neither depends on the other's answer.
	var (
		a, b       *serverHello
		errA, errB error
		wg         sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		a, errA = s.hello(WithStep(ctx, len(best)+1), v, ids(best))
	}()
	b, errB = s.hello(WithStep(ctx, len(best)+1), v, ids(worst))
	wg.Wait()
	if err := cmp.Or(errA, errB); err != nil {
		vr.Error = "order test: " + err.Error()
		return
	}
	pref := a.Suite == b.Suite
	vr.ServerPreference = &pref
	// Between good and sufficient any order will do (internet.nl); a
	// worse class chosen over a better one offered is a failure.
	orderRank := func(c Class) int { return max(c.rank(), 1) }
	ok := orderRank(LookupSuite(b.Suite).Class) <= orderRank(best[0].Class)
	vr.OrderOK = &ok
}

// record keeps the protocol features and key exchange seen in a ServerHello.
func (s *scanner) record(sh *serverHello) {
	s.heard.saw(sh.Version)
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.rep
	if sh.Compression != 0 {
		r.Compression = true
	}
	if sh.Version <= TLS12 && sh.Version > SSL30 {
		// SSLv3 hellos carry no extensions, so nothing could be echoed.
		reneg, ems := sh.SecureRenegotiation, sh.ExtendedMasterSecret
		// One handshake without the extension is enough to fail.
		if r.SecureRenegotiation == nil || !reneg {
			r.SecureRenegotiation = &reneg
		}
		if r.ExtendedMasterSecret == nil || !ems {
			r.ExtendedMasterSecret = &ems
		}
	}
	if len(sh.Certificates) > 0 && (s.rawCerts == nil || sh.Version == TLS12) {
		s.rawCerts = sh.Certificates
	}
	addGroup := func(id uint16) {
		if id == 0 {
			return
		}
		for _, g := range r.KexGroups {
			if g.ID == id {
				return
			}
		}
		r.KexGroups = append(r.KexGroups, LookupGroup(id))
	}
	addGroup(sh.KexGroup)
	addGroup(sh.KeyShareGroup)
	if sh.DHPrime != nil {
		g := classifyDH(sh.DHPrime)
		if !slices.Contains(r.DHGroups, g) {
			r.DHGroups = append(r.DHGroups, g)
		}
	}
	if sh.KexSigAlg != 0 && !slices.ContainsFunc(r.KexSigAlgs, func(a SigAlg) bool { return a.ID == sh.KexSigAlg }) {
		r.KexSigAlgs = append(r.KexSigAlgs, LookupSigAlg(sh.KexSigAlg))
	}
}

// classifyDH names a DHE prime: RFC 7919 groups of 3072 bits and more are
// phase-out, ffdhe2048 and every custom group insufficient (NCSC-NL 2025-05).
func classifyDH(p []byte) DHGroup {
	for len(p) > 0 && p[0] == 0 {
		p = p[1:]
	}
	g := DHGroup{Bits: len(p) * 8, Name: "custom", Class: Insufficient}
	h := strings.ToUpper(hex.EncodeToString(p))
	for name, prime := range ffdhePrimes {
		if h == prime {
			g.Name = name
			if name != "ffdhe2048" {
				g.Class = PhaseOut
			}
		}
	}
	return g
}

// deal splits ids into as few hellos of at most n suites as chunk does,
// dealt round-robin: hello i gets ids i, i+k, i+2k... of k hellos. The
// common suites lead ids (suitesFor), so each hello gets its share of
// them, and a server's accepted suites are found by hellos side by side
// rather than by one hello's chain of "remove the chosen suite and ask
// again".
func deal(ids []uint16, n int) [][]uint16 {
	k := (len(ids) + n - 1) / n
	out := make([][]uint16, k)
	for i, id := range ids {
		out[i%k] = append(out[i%k], id)
	}
	return out
}

func chunk(ids []uint16, n int) [][]uint16 {
	var out [][]uint16
	for len(ids) > 0 {
		k := min(n, len(ids))
		out = append(out, ids[:k])
		ids = ids[k:]
	}
	return out
}

// GoSuites is every suite crypto/tls can negotiate, secure and insecure, so
// that a certificate can be fetched even from a legacy-only server.
func GoSuites() []uint16 {
	var ids []uint16
	for _, cs := range tls.CipherSuites() {
		ids = append(ids, cs.ID)
	}
	for _, cs := range tls.InsecureCipherSuites() {
		ids = append(ids, cs.ID)
	}
	return ids
}

// ReadingGroups are the key exchange groups to offer in a handshake made
// to read what follows it (a page, a certificate chain, a mail server's
// answer to EHLO) rather than to measure the key exchange: an ML-KEM key
// share, crypto/tls's first choice, costs both ends several times the CPU
// of X25519 (a tenth of a bulk scan's CPU went to them), and the full
// handshake measures post-quantum support on its own.
func ReadingGroups() []tls.CurveID {
	return []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384, tls.CurveP521}
}

var pqGroups = []tls.CurveID{tls.X25519MLKEM768, tls.SecP256r1MLKEM768, tls.SecP384r1MLKEM1024}

// fullHandshake completes a crypto/tls handshake for the chain, the
// negotiated group and the post-quantum test.
func (s *scanner) fullHandshake(ctx context.Context) {
	curves := append(slices.Clone(pqGroups), tls.X25519, tls.CurveP256, tls.CurveP384, tls.CurveP521)
	state, err := s.goHandshake(ctx, curves)
	if err != nil {
		s.mu.Lock()
		s.rep.HandshakeError = err.Error()
		s.mu.Unlock()
		return
	}
	hs := &Handshake{Version: Version(state.Version), Suite: LookupSuite(state.CipherSuite),
		OCSPStapled: len(state.OCSPResponse) > 0, OCSPResponse: state.OCSPResponse}
	if state.CurveID != 0 {
		hs.Group = LookupGroup(uint16(state.CurveID))
	}
	cert := evaluateChain(rawChain(state.PeerCertificates), "crypto/tls handshake", s.cfg)

	var pq *PQResult
	if !s.cfg.SkipPQ {
		pq = &PQResult{}
		if hs.Group.PostQuantum {
			g := hs.Group
			pq.Negotiated, pq.Preferred = &g, true
		} else if state.Version == tls.VersionTLS13 {
			st2, err := s.goHandshake(ctx, pqGroups)
			if err == nil && st2.CurveID != 0 {
				g := LookupGroup(uint16(st2.CurveID))
				pq.Negotiated = &g
			} else if err != nil && !refused(err) && !strings.Contains(err.Error(), "handshake failure") {
				pq.Error = err.Error()
			}
		}
	}
	s.mu.Lock()
	s.rep.Handshake, s.rep.Certificate, s.rep.PQ = hs, cert, pq
	s.mu.Unlock()
}

func (s *scanner) goHandshake(ctx context.Context, curves []tls.CurveID) (tls.ConnectionState, error) {
	conn, err := s.dial(ctx)
	if err != nil {
		return tls.ConnectionState{}, &dialError{err}
	}
	defer conn.Close()
	tc := tls.Client(conn, &tls.Config{
		ServerName: sniName(s.cfg.ServerName),
		// The chain is verified afterwards against RootCAs, so that an
		// untrusted certificate is reported rather than hiding everything else.
		InsecureSkipVerify: true,
		MinVersion:         tls.VersionTLS10,
		MaxVersion:         tls.VersionTLS13,
		CipherSuites:       GoSuites(),
		CurvePreferences:   curves,
	})
	if err := tc.HandshakeContext(ctx); err != nil {
		return tls.ConnectionState{}, fmt.Errorf("tlsscan: handshake: %w", err)
	}
	return tc.ConnectionState(), nil
}

func rawChain(certs []*x509.Certificate) [][]byte {
	out := make([][]byte, len(certs))
	for i, c := range certs {
		out[i] = c.Raw
	}
	return out
}
