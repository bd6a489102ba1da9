package tlsscan

import (
	"context"
	"crypto/ecdh"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"math/big"
	"slices"
	"time"
)

// RenegAttempts is how many client-initiated renegotiations are tried on
// one connection: internet.nl asks sslyze for 11 (more than 10 accepted
// is bad, 1 to 10 is a low limit).
const RenegAttempts = 11

// RenegResult is the outcome of client-initiated renegotiation.
type RenegResult struct {
	// Accepted is how many client-initiated renegotiations the server
	// completed in one connection (0..Attempts).
	Accepted int `json:"accepted"`
	// Attempts is how many were tried.
	Attempts int `json:"attempts"`
	// Error is set when it could not be measured.
	Error string `json:"error,omitempty"`
}

// clientRenegotiation measures client-initiated renegotiation, as sslyze
// does for internet.nl. Protocol steps:
//
//  1. Open a connection (through the preamble, so also after STARTTLS)
//     and complete a TLS 1.0 to 1.2 handshake with the minimal client
//     below (ECDHE, DHE or RSA key exchange; AES-GCM, ChaCha20-Poly1305
//     or AES-CBC).
//  2. Inside the encrypted channel send a new ClientHello whose
//     renegotiation_info carries the last client Finished (RFC 5746), and
//     complete that handshake; repeat up to RenegAttempts times.
//  3. An alert (no_renegotiation, handshake_failure, ...), a closed
//     connection or no answer within renegWait ends the count: the
//     server refused. Anything else before the first renegotiation is an
//     error (not measured).
//
// It returns nil when not even the first handshake succeeded; the caller
// decides from the version results whether that is "not applicable".
func (s *scanner) clientRenegotiation(ctx context.Context) (*RenegResult, error) {
	conn, err := s.dial(WithStep(ctx, RenegAttempts))
	if err != nil {
		return nil, &dialError{err}
	}
	defer conn.Close()
	start := time.Now()
	c := &tls12Client{rc: &recordConn{rw: conn, version: uint16(TLS10)}, serverName: sniName(s.cfg.ServerName)}
	if err := c.handshake(); err != nil {
		return nil, err
	}
	res := &RenegResult{Attempts: RenegAttempts}
	wait := renegWait(time.Since(start), s.cfg.Timeout)
	for range RenegAttempts {
		if dc, ok := conn.(*deadlineConn); ok {
			dc.answerWithin(wait)
		}
		err := c.handshake()
		if err == nil {
			res.Accepted++
			continue
		}
		if ctx.Err() != nil {
			res.Error = ctx.Err().Error()
		} else if !refused(err) && res.Accepted == 0 {
			res.Error = err.Error()
		}
		break
	}
	return res, nil
}

// renegWait is how long a renegotiation may take before silence counts
// as refusal (Netty ignores the ClientHello): four times the first
// handshake, at least 2 seconds, at most the connection timeout.
func renegWait(first, timeout time.Duration) time.Duration {
	return min(max(4*first, 2*time.Second), timeout)
}

// answerWithin shortens the connection's deadline to d from now; never
// beyond the deadline it was opened with.
func (c *deadlineConn) answerWithin(d time.Duration) {
	t := time.Now().Add(d)
	if !c.deadline.IsZero() && c.deadline.Before(t) {
		return
	}
	c.Conn.SetDeadline(t)
}

// suite12 is a suite the renegotiation client speaks.
type suite12 struct {
	id     uint16
	kex    string // "ECDHE", "DHE" or "RSA"
	cipher string // "GCM", "CHACHA" or "CBC" (AES)
	keyLen int
	// mac is the record MAC's SHA size of a CBC suite (1, 256, 384).
	mac int
	// sha384 is the TLS 1.2 PRF hash (SHA-256 otherwise).
	sha384 bool
}

// renegSuites are offered best first: the AEAD suites of TLS 1.2, then
// the CBC suites that TLS 1.0 to 1.2 servers of the last twenty years
// have, so that the old servers, which are the ones that may still allow
// client renegotiation, can be measured too.
var renegSuites = []suite12{
	{0xC02B, "ECDHE", "GCM", 16, 0, false}, {0xC02F, "ECDHE", "GCM", 16, 0, false},
	{0xC02C, "ECDHE", "GCM", 32, 0, true}, {0xC030, "ECDHE", "GCM", 32, 0, true},
	{0xCCA9, "ECDHE", "CHACHA", 32, 0, false}, {0xCCA8, "ECDHE", "CHACHA", 32, 0, false},
	{0x009E, "DHE", "GCM", 16, 0, false}, {0x009F, "DHE", "GCM", 32, 0, true}, {0xCCAA, "DHE", "CHACHA", 32, 0, false},
	{0x009C, "RSA", "GCM", 16, 0, false}, {0x009D, "RSA", "GCM", 32, 0, true},
	{0xC023, "ECDHE", "CBC", 16, 256, false}, {0xC027, "ECDHE", "CBC", 16, 256, false},
	{0xC024, "ECDHE", "CBC", 32, 384, true}, {0xC028, "ECDHE", "CBC", 32, 384, true},
	{0xC009, "ECDHE", "CBC", 16, 1, false}, {0xC013, "ECDHE", "CBC", 16, 1, false},
	{0xC00A, "ECDHE", "CBC", 32, 1, false}, {0xC014, "ECDHE", "CBC", 32, 1, false},
	{0x0067, "DHE", "CBC", 16, 256, false}, {0x006B, "DHE", "CBC", 32, 256, false},
	{0x0033, "DHE", "CBC", 16, 1, false}, {0x0039, "DHE", "CBC", 32, 1, false},
	{0x003C, "RSA", "CBC", 16, 256, false}, {0x003D, "RSA", "CBC", 32, 256, false},
	{0x002F, "RSA", "CBC", 16, 1, false}, {0x0035, "RSA", "CBC", 32, 1, false},
}

func (s suite12) hash() func() hash.Hash {
	if s.sha384 {
		return sha512.New384
	}
	return sha256.New
}

func (s suite12) macHash() func() hash.Hash {
	switch s.mac {
	case 256:
		return sha256.New
	case 384:
		return sha512.New384
	}
	return sha1.New
}

// tls12Only: AEAD suites and SHA-2 MACs came with TLS 1.2.
func (s suite12) tls12Only() bool { return s.mac != 1 }

func (s suite12) ivLen() int {
	switch s.cipher {
	case "GCM":
		return 4
	case "CHACHA":
		return 12
	}
	return 16
}

// handshakeHashes are the PRF and transcript hash of a version and suite:
// up to TLS 1.1 the MD5/SHA-1 PRF and both digests side by side.
func handshakeHashes(v Version, s suite12) (prf func(secret []byte, label string, seed []byte, n int) []byte, digest func([]byte) []byte) {
	if v < TLS12 {
		return prf10, func(b []byte) []byte {
			m, h := md5.Sum(b), sha1.Sum(b)
			return append(m[:], h[:]...)
		}
	}
	h := s.hash()
	return func(secret []byte, label string, seed []byte, n int) []byte {
			return pHash(h, secret, label, seed, n)
		}, func(b []byte) []byte {
			d := h()
			d.Write(b)
			return d.Sum(nil)
		}
}

// tls12Client is a minimal TLS 1.0 to 1.2 client: enough to complete
// handshakes, first in the clear and then inside the channel, without
// checking the server's certificate or signature (this is a measurement,
// not a session anyone trusts).
type tls12Client struct {
	rc         *recordConn
	serverName string
	// secure is set when the server spoke RFC 5746; the verify data of
	// the last handshake then goes in the next renegotiation_info.
	secure                     bool
	clientVerify, serverVerify []byte
	handshakes                 int
	// version is the one of the first handshake.
	version Version
}

// handshake runs one full handshake on the connection's current state.
func (c *tls12Client) handshake() error {
	var transcript []byte
	add := func(m []byte) { transcript = append(transcript, m...) }

	hello, clientRandom, err := c.clientHello()
	if err != nil {
		return err
	}
	add(hello)
	if err := c.rc.write(recordHandshake, hello); err != nil {
		return err
	}

	var (
		suite           suite12
		version         Version
		serverRandom    []byte
		ems             bool
		leaf            []byte
		skx             []byte
		certRequested   bool
		gotServerHello  bool
		serverHelloDone bool
	)
	for !serverHelloDone {
		m, err := c.rc.next()
		if err != nil {
			return err
		}
		if m.record != recordHandshake {
			if m.record == recordApplicationData && c.handshakes > 0 {
				continue // data of the old session may still arrive
			}
			return fmt.Errorf("tlsscan: unexpected record type %d in the server's flight", m.record)
		}
		if m.hsType == hsHelloRequest {
			continue
		}
		add(m.data)
		body := m.data[4:]
		if !gotServerHello && m.hsType != hsServerHello {
			return fmt.Errorf("tlsscan: handshake message %d before ServerHello", m.hsType)
		}
		switch m.hsType {
		case hsServerHello:
			if gotServerHello {
				return errors.New("tlsscan: second ServerHello")
			}
			gotServerHello = true
			cur := &cursor{b: body}
			v := cur.u16()
			serverRandom = cur.bytes(32)
			cur.bytes(int(cur.u8()))
			id := cur.u16()
			comp := cur.u8()
			if cur.bad {
				return errors.New("tlsscan: truncated ServerHello")
			}
			i := slices.IndexFunc(renegSuites, func(s suite12) bool { return s.id == id })
			if i < 0 || comp != 0 {
				return fmt.Errorf("tlsscan: server chose suite 0x%04X, compression %d, which was not offered", id, comp)
			}
			suite, version = renegSuites[i], Version(v)
			if version < TLS10 || version > TLS12 || version < TLS12 && suite.tls12Only() {
				return fmt.Errorf("tlsscan: server chose %v with suite 0x%04X", version, id)
			}
			if c.handshakes > 0 && version != c.version {
				return fmt.Errorf("tlsscan: server changed from %v to %v in a renegotiation", c.version, version)
			}
			secure := false
			if len(cur.b) > 0 {
				if err := extensions(cur.bytes(int(cur.u16())), func(typ uint16, _ []byte) {
					switch typ {
					case extRenegotiationInfo:
						secure = true
					case extExtendedMasterSec:
						ems = true
					}
				}); err != nil || cur.bad {
					return errors.New("tlsscan: malformed ServerHello extensions")
				}
			}
			if c.handshakes == 0 {
				c.secure, c.version = secure, version
			}
			c.rc.version = uint16(version)
		case hsCertificate:
			if certs := parseCertificateMsg(body); len(certs) > 0 {
				leaf = certs[0]
			}
		case hsServerKeyExchange:
			skx = body
		case hsCertificateReq:
			certRequested = true
		case hsServerHelloDone:
			serverHelloDone = true
		case 22: // CertificateStatus, sent although not asked for
		default:
			return fmt.Errorf("tlsscan: unexpected handshake message %d", m.hsType)
		}
	}

	pms, ckx, err := keyExchange(suite, skx, leaf)
	if err != nil {
		return err
	}
	if certRequested {
		// An empty Certificate: no client authentication.
		m := frameHandshake(hsCertificate, []byte{0, 0, 0})
		add(m)
		if err := c.rc.write(recordHandshake, m); err != nil {
			return err
		}
	}
	ckxMsg := frameHandshake(hsClientKeyExchange, ckx)
	add(ckxMsg)
	if err := c.rc.write(recordHandshake, ckxMsg); err != nil {
		return err
	}

	prf, hashOf := handshakeHashes(version, suite)
	digest := func() []byte { return hashOf(transcript) }
	var master []byte
	if ems {
		master = prf(pms, "extended master secret", digest(), 48)
	} else {
		master = prf(pms, "master secret", slices.Concat(clientRandom, serverRandom), 48)
	}
	macLen := 0
	if suite.mac != 0 {
		macLen = suite.macHash()().Size()
	}
	kl, il := suite.keyLen, suite.ivLen()
	kb := prf(master, "key expansion", slices.Concat(serverRandom, clientRandom), 2*macLen+2*kl+2*il)
	cMAC, sMAC, kb := kb[:macLen], kb[macLen:2*macLen], kb[2*macLen:]
	cKey, sKey, kb := kb[:kl], kb[kl:2*kl], kb[2*kl:]
	cIV, sIV := kb[:il], kb[il:]
	var in, out recordProtection
	if suite.mac != 0 {
		if out, err = newCBCProtection(suite, version, cKey, cMAC, cIV); err != nil {
			return err
		}
		if in, err = newCBCProtection(suite, version, sKey, sMAC, sIV); err != nil {
			return err
		}
	} else {
		if out, err = newProtection(cKey, cIV, suite.cipher == "CHACHA", false); err != nil {
			return err
		}
		if in, err = newProtection(sKey, sIV, suite.cipher == "CHACHA", false); err != nil {
			return err
		}
	}

	if err := c.rc.write(recordChangeCipherSpec, []byte{1}); err != nil {
		return err
	}
	c.rc.out = out
	clientVerify := prf(master, "client finished", digest(), 12)
	fin := frameHandshake(hsFinished, clientVerify)
	add(fin)
	if err := c.rc.write(recordHandshake, fin); err != nil {
		return err
	}

	for ccs := false; ; {
		m, err := c.rc.next()
		if err != nil {
			return err
		}
		switch {
		case m.record == recordApplicationData && !ccs && c.handshakes > 0:
			continue
		case m.record == recordChangeCipherSpec && !ccs:
			ccs = true
			c.rc.in = in
			continue
		case m.record == recordHandshake && m.hsType == hsNewSessionTicket && !ccs:
			add(m.data)
			continue
		case m.record == recordHandshake && m.hsType == hsFinished && ccs:
		default:
			return fmt.Errorf("tlsscan: unexpected record %d (handshake message %d) instead of the server's Finished", m.record, m.hsType)
		}
		want := prf(master, "server finished", digest(), 12)
		if !hmac.Equal(m.data[4:], want) {
			return errors.New("tlsscan: server Finished does not verify")
		}
		c.clientVerify, c.serverVerify = clientVerify, want
		c.handshakes++
		return nil
	}
}

// clientHello builds the ClientHello; in a renegotiation its
// renegotiation_info carries the last client verify data.
func (c *tls12Client) clientHello() (msg, random []byte, err error) {
	random = make([]byte, 32)
	if _, err := rand.Read(random); err != nil {
		return nil, nil, fmt.Errorf("tlsscan: random: %w", err)
	}
	body := binary.BigEndian.AppendUint16(nil, uint16(TLS12))
	body = append(body, random...)
	body = append(body, 0) // no session id: no resumption
	ids := make([]uint16, len(renegSuites))
	for i, s := range renegSuites {
		ids[i] = s.id
	}
	body = append(body, prefix16(u16s(ids))...)
	body = append(body, 1, 0)
	var exts []byte
	if c.serverName != "" {
		exts = append(exts, ext(extServerName, prefix16(append([]byte{0}, prefix16([]byte(c.serverName))...)))...)
	}
	exts = append(exts, ext(extSupportedGroups, prefix16(u16s([]uint16{groupX25519, 23, 24})))...)
	exts = append(exts, ext(extECPointFormats, []byte{1, 0})...)
	exts = append(exts, ext(extSignatureAlgorithms, prefix16(u16s(offeredSigAlgs)))...)
	exts = append(exts, ext(extExtendedMasterSec, nil)...)
	switch {
	case c.handshakes == 0:
		exts = append(exts, ext(extRenegotiationInfo, []byte{0})...)
	case c.secure:
		exts = append(exts, ext(extRenegotiationInfo, append([]byte{byte(len(c.clientVerify))}, c.clientVerify...))...)
	}
	body = append(body, prefix16(exts)...)
	return frameHandshake(hsClientHello, body), random, nil
}

// keyExchange computes the premaster secret and the ClientKeyExchange
// body from the ServerKeyExchange (ECDHE, DHE) or the leaf's RSA key.
func keyExchange(s suite12, skx, leaf []byte) (pms, ckx []byte, err error) {
	c := &cursor{b: skx}
	switch s.kex {
	case "ECDHE":
		if c.u8() != 3 {
			return nil, nil, errors.New("tlsscan: ServerKeyExchange without a named curve")
		}
		group := c.u16()
		point := c.bytes(int(c.u8()))
		if c.bad {
			return nil, nil, errors.New("tlsscan: truncated ServerKeyExchange")
		}
		var curve ecdh.Curve
		switch group {
		case groupX25519:
			curve = ecdh.X25519()
		case 23:
			curve = ecdh.P256()
		case 24:
			curve = ecdh.P384()
		default:
			return nil, nil, fmt.Errorf("tlsscan: server chose group %d, which was not offered", group)
		}
		return ecdhe(curve, point, func(pub []byte) []byte { return append([]byte{byte(len(pub))}, pub...) })
	case "DHE":
		p := new(big.Int).SetBytes(c.bytes(int(c.u16())))
		g := new(big.Int).SetBytes(c.bytes(int(c.u16())))
		ys := new(big.Int).SetBytes(c.bytes(int(c.u16())))
		one := big.NewInt(1)
		if c.bad || p.BitLen() < 512 || p.BitLen() > 8192 || g.Cmp(one) <= 0 || ys.Cmp(one) <= 0 || ys.Cmp(p) >= 0 {
			return nil, nil, errors.New("tlsscan: unusable DHE parameters")
		}
		x, err := rand.Int(rand.Reader, new(big.Int).Sub(p, big.NewInt(2)))
		if err != nil {
			return nil, nil, err
		}
		x.Add(x, one)
		yc := new(big.Int).Exp(g, x, p).FillBytes(make([]byte, (p.BitLen()+7)/8))
		return new(big.Int).Exp(ys, x, p).Bytes(), prefix16(yc), nil
	default:
		cert, err := x509.ParseCertificate(leaf)
		if err != nil {
			return nil, nil, fmt.Errorf("tlsscan: RSA key exchange: %w", err)
		}
		pub, ok := cert.PublicKey.(*rsa.PublicKey)
		if !ok {
			return nil, nil, errors.New("tlsscan: RSA key exchange with a non-RSA certificate")
		}
		pms := make([]byte, 48)
		rand.Read(pms[2:])
		binary.BigEndian.PutUint16(pms, uint16(TLS12))
		//lint:ignore SA1019 RSA key exchange is PKCS #1 v1.5 by definition (RFC 5246 7.4.7.1); only old servers get here.
		enc, err := rsa.EncryptPKCS1v15(rand.Reader, pub, pms)
		if err != nil {
			return nil, nil, fmt.Errorf("tlsscan: RSA key exchange: %w", err)
		}
		return pms, prefix16(enc), nil
	}
}

// ecdhe makes a key on curve, agrees with the server's public key and
// frames the client's public key with frame.
func ecdhe(curve ecdh.Curve, serverPub []byte, frame func([]byte) []byte) (secret, msg []byte, err error) {
	peer, err := curve.NewPublicKey(serverPub)
	if err != nil {
		return nil, nil, fmt.Errorf("tlsscan: server key share: %w", err)
	}
	key, err := curve.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	secret, err = key.ECDH(peer)
	if err != nil {
		return nil, nil, fmt.Errorf("tlsscan: key agreement: %w", err)
	}
	return secret, frame(key.PublicKey().Bytes()), nil
}
