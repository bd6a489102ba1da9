package tlsscan

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// EarlyDataResult is the outcome of the TLS 1.3 0-RTT test.
type EarlyDataResult struct {
	// Offered: the server's session ticket allows early data
	// (max_early_data_size > 0).
	Offered bool `json:"offered"`
	// Accepted: the server accepted early data on resumption.
	Accepted bool `json:"accepted"`
	// HTTPStatus is the status of the HTTP response to the request sent
	// as early data (0 if none); 425 Too Early means the server refuses
	// to act on it (RFC 8470).
	HTTPStatus int `json:"http_status,omitempty"`
	// Error is set when it could not be measured.
	Error string `json:"error,omitempty"`
}

const (
	extALPN          = 16
	extSessionTicket = 35
	extPreSharedKey  = 41
	extEarlyData     = 42
)

// earlyData tests 0-RTT as sslyze does for internet.nl. Protocol steps:
//
//  1. Complete a TLS 1.3 handshake with the minimal client below, send
//     `GET /` for ServerName and wait for the server's first
//     NewSessionTicket. No ticket allowing early data (the early_data
//     extension with max_early_data_size > 0): not offered, done.
//  2. On a second connection resume with that ticket (pre_shared_key
//     with its binder, psk_dhe_ke, early_data) and send the GET again, as
//     early data right behind the ClientHello.
//  3. early_data in the server's EncryptedExtensions means accepted;
//     then finish the handshake (EndOfEarlyData, Finished) and read the
//     status of the HTTP response to the early request (425 Too Early
//     is a server that will not act on it, RFC 8470).
//
// The ClientHello offers ALPN http/1.1, so that a server that also speaks
// HTTP/2 answers the HTTP/1.1 request.
func (s *scanner) earlyData(ctx context.Context) (*EarlyDataResult, error) {
	name := sniName(s.cfg.ServerName)
	get := "GET / HTTP/1.1\r\nHost: " + hostHeader(s.cfg) + "\r\nUser-Agent: tenderprobe\r\n"
	request := []byte(get + "Connection: close\r\n\r\n")
	// The early request keeps the connection open, so that the server
	// does not close it before the client's Finished.
	early := []byte(get + "\r\n")

	conn, err := s.dial(ctx)
	if err != nil {
		return nil, &dialError{err}
	}
	first := &tls13Client{rc: &recordConn{rw: conn, version: uint16(TLS10)}, serverName: name}
	start := time.Now()
	if err := first.handshake(nil, nil); err != nil {
		conn.Close()
		return nil, err
	}
	wait := renegWait(time.Since(start), s.cfg.Timeout)
	tk, err := first.ticketAfter(request)
	if err != nil {
		conn.Close()
		return &EarlyDataResult{Error: err.Error()}, nil
	}
	res := &EarlyDataResult{}
	if tk == nil || tk.maxEarlyData == 0 {
		conn.Close()
		return res, nil
	}
	res.Offered = true

	// The resumption follows the ticket's connection, in its place.
	conn, err = s.dialAfter(ctx, conn)
	if err != nil {
		res.Error = (&dialError{err}).Error()
		return res, nil
	}
	defer conn.Close()
	second := &tls13Client{rc: &recordConn{rw: conn, version: uint16(TLS10)}, serverName: name}
	err = second.handshake(tk, early[:min(len(early), int(tk.maxEarlyData))])
	res.Accepted = second.earlyAccepted
	if err != nil {
		res.Error = "resumption with early data: " + err.Error()
		return res, nil
	}
	if res.Accepted {
		if dc, ok := conn.(*deadlineConn); ok {
			dc.answerWithin(wait)
		}
		res.HTTPStatus = second.httpStatus()
	}
	return res, nil
}

// hostHeader is the Host of the HTTP request: ServerName, or the address
// when there is none.
func hostHeader(cfg Config) string {
	if cfg.ServerName != "" {
		return strings.TrimSuffix(cfg.ServerName, ".")
	}
	return cfg.Addr
}

// suite13 is a TLS 1.3 suite.
type suite13 struct {
	id     uint16
	keyLen int
	chacha bool
	sha384 bool
}

var suites13 = []suite13{{0x1301, 16, false, false}, {0x1302, 32, false, true}, {0x1303, 32, true, false}}

func (s suite13) hash() func() hash.Hash {
	if s.sha384 {
		return sha512.New384
	}
	return sha256.New
}

// shareGroup is a group the TLS 1.3 client sends a key share for: one
// for each group it offers, so that no server needs a HelloRetryRequest
// (which early data cannot survive).
type shareGroup struct {
	id    uint16
	curve ecdh.Curve
}

var shareGroups = []shareGroup{{groupX25519, ecdh.X25519()}, {23, ecdh.P256()}, {24, ecdh.P384()}}

// ticket13 is what resumption needs of a NewSessionTicket.
type ticket13 struct {
	suite        suite13
	psk          []byte
	ticket       []byte
	ageAdd       uint32
	received     time.Time
	maxEarlyData uint32
}

// tls13Client is a minimal TLS 1.3 client (RFC 8446): X25519 or P-256,
// the three TLS 1.3 suites, resumption with a ticket and early data. The
// server's certificate and signature are not checked: this is a
// measurement.
type tls13Client struct {
	rc         *recordConn
	serverName string

	suite         suite13
	resMaster     []byte
	earlyAccepted bool
}

// handshake runs a full handshake, or with tk a resumption that sends
// early as 0-RTT data.
func (c *tls13Client) handshake(tk *ticket13, early []byte) error {
	if early != nil && tk == nil {
		return errors.New("tlsscan: early data needs a ticket")
	}
	keys := make([]*ecdh.PrivateKey, len(shareGroups))
	for i, g := range shareGroups {
		k, err := g.curve.GenerateKey(rand.Reader)
		if err != nil {
			return err
		}
		keys[i] = k
	}
	hello, err := c.clientHello(tk, early != nil, keys)
	if err != nil {
		return err
	}
	if err := c.rc.write(recordHandshake, hello); err != nil {
		return err
	}
	c.rc.version = uint16(TLS12)
	// Middlebox compatibility (RFC 8446 D.4): one ChangeCipherSpec right
	// after the first ClientHello.
	if err := c.rc.write(recordChangeCipherSpec, []byte{1}); err != nil {
		return err
	}
	var earlySecret []byte
	if tk != nil {
		if earlySecret, err = extract(tk.suite.hash(), tk.psk, nil); err != nil {
			return err
		}
	}
	var earlyOut *protection
	if early != nil {
		h := tk.suite.hash()
		d := h()
		d.Write(hello)
		secret, err := deriveSecret(h, earlySecret, "c e traffic", d.Sum(nil))
		if err != nil {
			return err
		}
		if earlyOut, err = trafficProtection(tk.suite, secret); err != nil {
			return err
		}
		c.rc.out = earlyOut
		if err := c.rc.write(recordApplicationData, early); err != nil {
			return err
		}
		c.rc.out = nil
	}

	// ServerHello.
	var m message
	for {
		if m, err = c.rc.next(); err != nil {
			return err
		}
		if m.record != recordChangeCipherSpec {
			break
		}
	}
	if m.record != recordHandshake || m.hsType != hsServerHello {
		return fmt.Errorf("tlsscan: record %d (handshake message %d) instead of a ServerHello", m.record, m.hsType)
	}
	sh, err := parseServerHello13(m.data[4:])
	if err != nil {
		return err
	}
	i := slices.IndexFunc(suites13, func(s suite13) bool { return s.id == sh.suite })
	if i < 0 {
		return fmt.Errorf("tlsscan: server chose suite 0x%04X, which was not offered", sh.suite)
	}
	c.suite = suites13[i]
	h := c.suite.hash()
	pskUsed := tk != nil && sh.pskSelected && sh.pskIdentity == 0 && tk.suite.sha384 == c.suite.sha384
	if !pskUsed {
		if earlySecret, err = extract(h, make([]byte, h().Size()), nil); err != nil {
			return err
		}
	}
	g := slices.IndexFunc(shareGroups, func(g shareGroup) bool { return g.id == sh.group })
	if g < 0 {
		return fmt.Errorf("tlsscan: server key share for group %d, which was not offered", sh.group)
	}
	shared, err := agree(keys[g], shareGroups[g].curve, sh.share)
	if err != nil {
		return err
	}

	transcript := slices.Concat(hello, m.data)
	digest := func() []byte { d := h(); d.Write(transcript); return d.Sum(nil) }
	derived, err := deriveSecret(h, earlySecret, "derived", nil)
	if err != nil {
		return err
	}
	hsSecret, err := extract(h, shared, derived)
	if err != nil {
		return err
	}
	cHS, err := deriveSecret(h, hsSecret, "c hs traffic", digest())
	if err != nil {
		return err
	}
	sHS, err := deriveSecret(h, hsSecret, "s hs traffic", digest())
	if err != nil {
		return err
	}
	if c.rc.in, err = trafficProtection(c.suite, sHS); err != nil {
		return err
	}

	// EncryptedExtensions, [CertificateRequest], [Certificate,
	// CertificateVerify], Finished.
	certRequested := false
	gotEE := false
	for {
		m, err := c.rc.next()
		if err != nil {
			return err
		}
		if m.record == recordChangeCipherSpec {
			continue
		}
		if m.record != recordHandshake {
			return fmt.Errorf("tlsscan: record %d during the handshake", m.record)
		}
		if !gotEE && m.hsType != hsEncryptedExtensions {
			return fmt.Errorf("tlsscan: handshake message %d instead of EncryptedExtensions", m.hsType)
		}
		switch m.hsType {
		case hsEncryptedExtensions:
			if gotEE {
				return errors.New("tlsscan: second EncryptedExtensions")
			}
			gotEE = true
			cur := &cursor{b: m.data[4:]}
			if err := extensions(cur.bytes(int(cur.u16())), func(typ uint16, _ []byte) {
				if typ == extEarlyData {
					c.earlyAccepted = true
				}
			}); err != nil || cur.bad {
				return errors.New("tlsscan: malformed EncryptedExtensions")
			}
			if c.earlyAccepted && (early == nil || !pskUsed) {
				return errors.New("tlsscan: server accepted early data that was not sent")
			}
		case hsCertificateReq:
			certRequested = true
		case hsCertificate, hsCertificateVerify:
		case hsFinished:
			fk, err := expandLabel(h, sHS, "finished", nil, h().Size())
			if err != nil {
				return err
			}
			mac := hmac.New(h, fk)
			mac.Write(digest())
			if !hmac.Equal(mac.Sum(nil), m.data[4:]) {
				return errors.New("tlsscan: server Finished does not verify")
			}
			transcript = append(transcript, m.data...)
			return c.finish(h, hsSecret, cHS, transcript, certRequested, earlyOut)
		default:
			return fmt.Errorf("tlsscan: unexpected handshake message %d", m.hsType)
		}
		transcript = append(transcript, m.data...)
	}
}

// finish sends EndOfEarlyData (when early data was accepted), an empty
// Certificate (when one was asked for) and Finished, and switches to the
// application keys.
func (c *tls13Client) finish(h func() hash.Hash, hsSecret, cHS, transcript []byte, certRequested bool, earlyOut *protection) error {
	digest := func() []byte { d := h(); d.Write(transcript); return d.Sum(nil) }
	derived, err := deriveSecret(h, hsSecret, "derived", nil)
	if err != nil {
		return err
	}
	master, err := extract(h, make([]byte, h().Size()), derived)
	if err != nil {
		return err
	}
	cAP, err := deriveSecret(h, master, "c ap traffic", digest())
	if err != nil {
		return err
	}
	sAP, err := deriveSecret(h, master, "s ap traffic", digest())
	if err != nil {
		return err
	}
	// The server may answer early data at once and close (0.5-RTT data,
	// RFC 8446 2.3) while the client is still writing: read with its
	// application keys from here on.
	if c.rc.in, err = trafficProtection(c.suite, sAP); err != nil {
		return err
	}
	// A server that has already answered the early request may close
	// before the client's last flight is written; that does not undo the
	// acceptance, and the answer is still to be read.
	send := func(m []byte) error {
		err := c.rc.write(recordHandshake, m)
		if err != nil && c.earlyAccepted && isClosed(err) {
			return nil
		}
		return err
	}
	if c.earlyAccepted {
		eoed := frameHandshake(hsEndOfEarlyData, nil)
		c.rc.out = earlyOut
		if err := send(eoed); err != nil {
			return err
		}
		transcript = append(transcript, eoed...)
	}
	if c.rc.out, err = trafficProtection(c.suite, cHS); err != nil {
		return err
	}
	if certRequested {
		cert := frameHandshake(hsCertificate, []byte{0, 0, 0, 0})
		if err := send(cert); err != nil {
			return err
		}
		transcript = append(transcript, cert...)
	}
	fk, err := expandLabel(h, cHS, "finished", nil, h().Size())
	if err != nil {
		return err
	}
	mac := hmac.New(h, fk)
	mac.Write(digest())
	fin := frameHandshake(hsFinished, mac.Sum(nil))
	if err := send(fin); err != nil {
		return err
	}
	transcript = append(transcript, fin...)
	if c.resMaster, err = deriveSecret(h, master, "res master", digest()); err != nil {
		return err
	}
	c.rc.out, err = trafficProtection(c.suite, cAP)
	return err
}

// clientHello builds the TLS 1.3 ClientHello; with tk it resumes, its
// pre_shared_key last with the binder over the rest (RFC 8446 4.2.11).
func (c *tls13Client) clientHello(tk *ticket13, early bool, keys []*ecdh.PrivateKey) ([]byte, error) {
	random := make([]byte, 64)
	if _, err := rand.Read(random); err != nil {
		return nil, fmt.Errorf("tlsscan: random: %w", err)
	}
	body := binary.BigEndian.AppendUint16(nil, uint16(TLS12))
	body = append(body, random[:32]...)
	body = append(body, 32)
	body = append(body, random[32:]...)
	suites := []uint16{0x1301, 0x1302, 0x1303}
	if tk != nil {
		// The early data is protected with the ticket's suite.
		suites = []uint16{tk.suite.id}
	}
	body = append(body, prefix16(u16s(suites))...)
	body = append(body, 1, 0)
	var exts []byte
	if c.serverName != "" {
		exts = append(exts, ext(extServerName, prefix16(append([]byte{0}, prefix16([]byte(c.serverName))...)))...)
	}
	exts = append(exts, ext(extSupportedVersions, []byte{2, 3, 4})...)
	var groups, shares []byte
	for i, g := range shareGroups {
		groups = binary.BigEndian.AppendUint16(groups, g.id)
		shares = binary.BigEndian.AppendUint16(shares, g.id)
		shares = append(shares, prefix16(keys[i].PublicKey().Bytes())...)
	}
	exts = append(exts, ext(extSupportedGroups, prefix16(groups))...)
	exts = append(exts, ext(extSignatureAlgorithms, prefix16(u16s(offeredSigAlgs)))...)
	exts = append(exts, ext(extALPN, prefix16(append([]byte{8}, "http/1.1"...)))...)
	exts = append(exts, ext(extPSKModes, []byte{1, 1})...)
	// OpenSSL servers resume a TLS 1.3 ticket only from clients that
	// also send session_ticket, as OpenSSL and browsers do (nginx 1.22
	// fails the handshake otherwise).
	exts = append(exts, ext(extSessionTicket, nil)...)
	exts = append(exts, ext(extKeyShare, prefix16(shares))...)
	if early {
		exts = append(exts, ext(extEarlyData, nil)...)
	}
	if tk == nil {
		return frameHandshake(hsClientHello, append(body, prefix16(exts)...)), nil
	}

	h := tk.suite.hash()
	hashLen := h().Size()
	age := uint32(time.Since(tk.received).Milliseconds()) + tk.ageAdd
	ids := append(prefix16(tk.ticket), binary.BigEndian.AppendUint32(nil, age)...)
	binders := prefix16(append([]byte{byte(hashLen)}, make([]byte, hashLen)...))
	exts = append(exts, ext(extPreSharedKey, append(prefix16(ids), binders...))...)
	msg := frameHandshake(hsClientHello, append(body, prefix16(exts)...))

	earlySecret, err := extract(h, tk.psk, nil)
	if err != nil {
		return nil, err
	}
	binderKey, err := deriveSecret(h, earlySecret, "res binder", nil)
	if err != nil {
		return nil, err
	}
	fk, err := expandLabel(h, binderKey, "finished", nil, hashLen)
	if err != nil {
		return nil, err
	}
	d := h()
	d.Write(msg[:len(msg)-len(binders)])
	mac := hmac.New(h, fk)
	mac.Write(d.Sum(nil))
	copy(msg[len(msg)-hashLen:], mac.Sum(nil))
	return msg, nil
}

// serverHello13 is what the TLS 1.3 client needs of a ServerHello.
type serverHello13 struct {
	suite       uint16
	group       uint16
	share       []byte
	pskSelected bool
	pskIdentity uint16
}

func parseServerHello13(msg []byte) (*serverHello13, error) {
	c := &cursor{b: msg}
	c.u16()
	random := c.bytes(32)
	c.bytes(int(c.u8()))
	sh := &serverHello13{suite: c.u16()}
	c.u8()
	var extBlock []byte
	if len(c.b) > 0 {
		extBlock = c.bytes(int(c.u16()))
	}
	if c.bad {
		return nil, errors.New("tlsscan: truncated ServerHello")
	}
	if [32]byte(random) == helloRetryRandom {
		return nil, errors.New("tlsscan: server asked for a HelloRetryRequest (it takes none of X25519, P-256, P-384)")
	}
	var version uint16
	var bad bool
	if err := extensions(extBlock, func(typ uint16, data []byte) {
		d := &cursor{b: data}
		switch typ {
		case extSupportedVersions:
			version = d.u16()
		case extKeyShare:
			sh.group = d.u16()
			sh.share = d.bytes(int(d.u16()))
		case extPreSharedKey:
			sh.pskSelected, sh.pskIdentity = true, d.u16()
		}
		bad = bad || d.bad
	}); err != nil || bad {
		return nil, errors.New("tlsscan: malformed ServerHello extensions")
	}
	if version != uint16(TLS13) {
		return nil, fmt.Errorf("tlsscan: server chose %v, not TLS 1.3", Version(version))
	}
	return sh, nil
}

// ticketAfter sends request on the established connection, as sslyze
// does, and reads until the server's first NewSessionTicket (servers send
// them right after the handshake; all of one connection carry the same
// early data limit), or until the server closes.
func (c *tls13Client) ticketAfter(request []byte) (*ticket13, error) {
	if err := c.rc.write(recordApplicationData, request); err != nil {
		return nil, err
	}
	for {
		m, err := c.rc.next()
		if err != nil {
			if refused(err) {
				// A server that closes without a ticket offers no resumption.
				return nil, nil
			}
			return nil, err
		}
		switch {
		case m.record == recordApplicationData:
		case m.record == recordHandshake && m.hsType == hsNewSessionTicket:
			return c.parseTicket(m.data[4:])
		case m.record == recordHandshake && m.hsType == hsKeyUpdate:
			// The server's next records use keys this client does not follow.
			return nil, nil
		default:
			return nil, fmt.Errorf("tlsscan: record %d (handshake message %d) after the handshake", m.record, m.hsType)
		}
	}
}

// parseTicket reads a NewSessionTicket (RFC 8446 4.6.1).
func (c *tls13Client) parseTicket(msg []byte) (*ticket13, error) {
	cur := &cursor{b: msg}
	cur.bytes(4) // lifetime
	tk := &ticket13{suite: c.suite, ageAdd: uint32(cur.u16())<<16 | uint32(cur.u16()), received: time.Now()}
	nonce := cur.bytes(int(cur.u8()))
	tk.ticket = bytes.Clone(cur.bytes(int(cur.u16())))
	extBlock := cur.bytes(int(cur.u16()))
	if cur.bad || len(tk.ticket) == 0 {
		return nil, errors.New("tlsscan: malformed NewSessionTicket")
	}
	if err := extensions(extBlock, func(typ uint16, data []byte) {
		if typ == extEarlyData && len(data) == 4 {
			tk.maxEarlyData = binary.BigEndian.Uint32(data)
		}
	}); err != nil {
		return nil, errors.New("tlsscan: malformed NewSessionTicket extensions")
	}
	h := c.suite.hash()
	psk, err := expandLabel(h, c.resMaster, "resumption", nonce, h().Size())
	if err != nil {
		return nil, err
	}
	tk.psk = psk
	return tk, nil
}

// httpStatus reads the status line of the HTTP answer; 0 when none came.
func (c *tls13Client) httpStatus() int {
	var data []byte
	for len(data) < 12 || !bytes.Contains(data, []byte("\r\n")) && len(data) < 4096 {
		m, err := c.rc.next()
		if err != nil {
			break
		}
		if m.record == recordApplicationData {
			data = append(data, m.data...)
		}
	}
	line, _, _ := bytes.Cut(data, []byte("\r\n"))
	f := bytes.Fields(line)
	if len(f) < 2 || !bytes.HasPrefix(f[0], []byte("HTTP/")) {
		return 0
	}
	code, err := strconv.Atoi(string(f[1]))
	if err != nil || code < 100 || code > 999 {
		return 0
	}
	return code
}

// isClosed reports a write to a connection the peer has closed.
func isClosed(err error) bool {
	return errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET)
}

// The TLS 1.3 key schedule (RFC 8446 7.1).

func extract(h func() hash.Hash, secret, salt []byte) ([]byte, error) {
	return hkdf.Extract(h, secret, salt)
}

func expandLabel(h func() hash.Hash, secret []byte, label string, context []byte, n int) ([]byte, error) {
	label = "tls13 " + label
	info := binary.BigEndian.AppendUint16(nil, uint16(n))
	info = append(info, byte(len(label)))
	info = append(info, label...)
	info = append(info, byte(len(context)))
	info = append(info, context...)
	return hkdf.Expand(h, secret, string(info), n)
}

// deriveSecret is Derive-Secret with the transcript hash already taken;
// nil means the hash of no messages.
func deriveSecret(h func() hash.Hash, secret []byte, label string, transcriptHash []byte) ([]byte, error) {
	if transcriptHash == nil {
		transcriptHash = h().Sum(nil)
	}
	return expandLabel(h, secret, label, transcriptHash, h().Size())
}

func trafficProtection(s suite13, secret []byte) (*protection, error) {
	key, err := expandLabel(s.hash(), secret, "key", nil, s.keyLen)
	if err != nil {
		return nil, err
	}
	iv, err := expandLabel(s.hash(), secret, "iv", nil, 12)
	if err != nil {
		return nil, err
	}
	return newProtection(key, iv, s.chacha, true)
}

func agree(key *ecdh.PrivateKey, curve ecdh.Curve, peer []byte) ([]byte, error) {
	pub, err := curve.NewPublicKey(peer)
	if err != nil {
		return nil, fmt.Errorf("tlsscan: server key share: %w", err)
	}
	return key.ECDH(pub)
}
