package tlsscan

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"

	"golang.org/x/crypto/chacha20poly1305"
)

// The record layer of the two small clients that measure what crypto/tls
// cannot: client-initiated renegotiation (TLS 1.2) and 0-RTT (TLS 1.3).
// Only AEAD protection is spoken (AES-GCM and ChaCha20-Poly1305); every
// length read from the server is bounded, so a hostile server can make a
// measurement fail but not crash or hang the probe (the connection's
// deadline bounds the time).

const (
	recordApplicationData = 23

	hsHelloRequest        = 0
	hsClientHello         = 1
	hsNewSessionTicket    = 4
	hsEndOfEarlyData      = 5
	hsEncryptedExtensions = 8
	hsCertificateVerify   = 15
	hsClientKeyExchange   = 16
	hsFinished            = 20
	hsKeyUpdate           = 24

	// maxRecord is the largest record body RFC 5246 allows (2^14 plus
	// 2048 of expansion).
	maxRecord = 1<<14 + 2048
	// maxConnRead bounds what one measurement reads from a server in all:
	// eleven renegotiations with large chains stay far below it.
	maxConnRead = 4 << 20
)

// errNotTLS is a server sending bytes that are not a TLS record.
var errNotTLS = errors.New("tlsscan: not a TLS record")

// recordProtection protects the records of one direction.
type recordProtection interface {
	// seal protects one record and returns it with its header.
	seal(typ uint8, version uint16, data []byte) []byte
	// open removes the protection of one record (hdr is its 5-byte
	// header) and returns the content type and the plaintext.
	open(hdr [5]byte, body []byte) (uint8, []byte, error)
	isTLS13() bool
}

// protection is one direction's AEAD record protection with its
// sequence number.
type protection struct {
	aead cipher.AEAD
	// iv is the fixed part of the nonce: 4 bytes of salt for TLS 1.2
	// AES-GCM (whose records carry 8 explicit bytes), 12 bytes XORed with
	// the sequence number for ChaCha20-Poly1305 and for TLS 1.3.
	iv    []byte
	tls13 bool
	seq   uint64
}

// newProtection makes the AEAD for key (AES-GCM, or ChaCha20-Poly1305 when
// chacha is set).
func newProtection(key, iv []byte, chacha, tls13 bool) (*protection, error) {
	var aead cipher.AEAD
	var err error
	if chacha {
		aead, err = chacha20poly1305.New(key)
	} else {
		var block cipher.Block
		if block, err = aes.NewCipher(key); err == nil {
			aead, err = cipher.NewGCM(block)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("tlsscan: record cipher: %w", err)
	}
	return &protection{aead: aead, iv: iv, tls13: tls13}, nil
}

func (p *protection) isTLS13() bool { return p.tls13 }

func (p *protection) explicitNonce() bool { return len(p.iv) == 4 }

// nonce is the per-record nonce: the salt and the explicit part, or the
// IV XORed with the sequence number.
func (p *protection) nonce(explicit []byte) []byte {
	if p.explicitNonce() {
		return append(append([]byte(nil), p.iv...), explicit...)
	}
	n := append([]byte(nil), p.iv...)
	var seq [8]byte
	binary.BigEndian.PutUint64(seq[:], p.seq)
	for i := range seq {
		n[len(n)-8+i] ^= seq[i]
	}
	return n
}

func (p *protection) seal(typ uint8, version uint16, data []byte) []byte {
	defer func() { p.seq++ }()
	if p.tls13 {
		inner := append(append([]byte(nil), data...), typ)
		n := len(inner) + p.aead.Overhead()
		hdr := []byte{recordApplicationData, 3, 3, byte(n >> 8), byte(n)}
		return p.aead.Seal(hdr, p.nonce(nil), inner, hdr)
	}
	var explicit []byte
	if p.explicitNonce() {
		explicit = binary.BigEndian.AppendUint64(nil, p.seq)
	}
	n := len(explicit) + len(data) + p.aead.Overhead()
	hdr := []byte{typ, byte(version >> 8), byte(version), byte(n >> 8), byte(n)}
	out := append(hdr, explicit...)
	return p.aead.Seal(out, p.nonce(explicit), data, p.aad12(typ, version, len(data)))
}

func (p *protection) aad12(typ uint8, version uint16, n int) []byte {
	aad := binary.BigEndian.AppendUint64(nil, p.seq)
	aad = append(aad, typ, byte(version>>8), byte(version))
	return binary.BigEndian.AppendUint16(aad, uint16(n))
}

func (p *protection) open(hdr [5]byte, body []byte) (uint8, []byte, error) {
	defer func() { p.seq++ }()
	if p.tls13 {
		if hdr[0] != recordApplicationData {
			return 0, nil, fmt.Errorf("tlsscan: unprotected record of type %d after the handshake keys", hdr[0])
		}
		inner, err := p.aead.Open(nil, p.nonce(nil), body, hdr[:])
		if err != nil {
			return 0, nil, fmt.Errorf("tlsscan: record authentication failed: %w", err)
		}
		// The content type is the last non-zero byte (RFC 8446 5.4).
		i := len(inner) - 1
		for i >= 0 && inner[i] == 0 {
			i--
		}
		if i < 0 {
			return 0, nil, errors.New("tlsscan: protected record without a content type")
		}
		return inner[i], inner[:i], nil
	}
	var explicit []byte
	if p.explicitNonce() {
		if len(body) < 8 {
			return 0, nil, errors.New("tlsscan: protected record too short")
		}
		explicit, body = body[:8], body[8:]
	}
	n := len(body) - p.aead.Overhead()
	if n < 0 {
		return 0, nil, errors.New("tlsscan: protected record too short")
	}
	version := binary.BigEndian.Uint16(hdr[1:3])
	plain, err := p.aead.Open(nil, p.nonce(explicit), body, p.aad12(hdr[0], version, n))
	if err != nil {
		return 0, nil, fmt.Errorf("tlsscan: record authentication failed: %w", err)
	}
	return hdr[0], plain, nil
}

// recordConn reads and writes TLS records and reassembles handshake
// messages.
type recordConn struct {
	rw io.ReadWriter
	// in and out protect the records; nil means plaintext.
	in, out recordProtection
	// version goes in the header of records written (TLS 1.2 protection
	// authenticates it).
	version uint16
	hsBuf   []byte
	read    int
}

// message is the next thing the server said: a handshake message (with
// its 4-byte header), a ChangeCipherSpec, or application data.
type message struct {
	record uint8
	hsType uint8
	data   []byte
}

// next returns the next message. An alert becomes an *AlertError; a
// closed connection errRejected.
func (c *recordConn) next() (message, error) {
	for {
		if len(c.hsBuf) >= 4 {
			n := int(c.hsBuf[1])<<16 | int(c.hsBuf[2])<<8 | int(c.hsBuf[3])
			if n > maxFlight {
				return message{}, fmt.Errorf("tlsscan: handshake message of %d bytes", n)
			}
			if len(c.hsBuf) >= 4+n {
				m := message{record: recordHandshake, hsType: c.hsBuf[0], data: c.hsBuf[: 4+n : 4+n]}
				c.hsBuf = c.hsBuf[4+n:]
				return m, nil
			}
		}
		typ, data, err := c.readRecord()
		if err != nil {
			return message{}, err
		}
		if len(c.hsBuf) > 0 && typ != recordHandshake {
			return message{}, fmt.Errorf("tlsscan: record of type %d inside a fragmented handshake message", typ)
		}
		switch typ {
		case recordHandshake:
			if len(data) == 0 {
				return message{}, errors.New("tlsscan: empty handshake record")
			}
			c.hsBuf = append(c.hsBuf, data...)
		case recordAlert:
			if len(data) != 2 {
				return message{}, errors.New("tlsscan: malformed alert")
			}
			return message{}, &AlertError{Level: data[0], Description: data[1]}
		case recordChangeCipherSpec:
			if len(data) != 1 || data[0] != 1 {
				return message{}, errors.New("tlsscan: malformed ChangeCipherSpec")
			}
			return message{record: typ}, nil
		case recordApplicationData:
			return message{record: typ, data: data}, nil
		default:
			return message{}, fmt.Errorf("tlsscan: unknown record type %d", typ)
		}
	}
}

// readRecord reads one record and removes its protection. In TLS 1.3 a
// ChangeCipherSpec stays unprotected (RFC 8446 5).
func (c *recordConn) readRecord() (uint8, []byte, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(c.rw, hdr[:]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return 0, nil, errRejected
		}
		return 0, nil, fmt.Errorf("tlsscan: read record: %w", err)
	}
	n := int(binary.BigEndian.Uint16(hdr[3:]))
	if hdr[1] != 3 || n > maxRecord {
		return 0, nil, fmt.Errorf("%w (% x)", errNotTLS, hdr[:])
	}
	c.read += 5 + n
	if c.read > maxConnRead {
		return 0, nil, fmt.Errorf("tlsscan: server sent more than %d bytes", maxConnRead)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(c.rw, body); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return 0, nil, errRejected
		}
		return 0, nil, fmt.Errorf("tlsscan: read record body: %w", err)
	}
	// A TLS 1.3 server that cannot read the client's protected records
	// may say so in a plaintext alert.
	if c.in == nil || c.in.isTLS13() && (hdr[0] == recordChangeCipherSpec || hdr[0] == recordAlert && n == 2) {
		return hdr[0], body, nil
	}
	return c.in.open(hdr, body)
}

// write sends data as records of type typ, protected by out.
func (c *recordConn) write(typ uint8, data []byte) error {
	var buf []byte
	for first := true; first || len(data) > 0; first = false {
		chunk := data[:min(len(data), 1<<14)]
		data = data[len(chunk):]
		if c.out == nil {
			buf = append(buf, typ, byte(c.version>>8), byte(c.version))
			buf = binary.BigEndian.AppendUint16(buf, uint16(len(chunk)))
			buf = append(buf, chunk...)
		} else {
			buf = append(buf, c.out.seal(typ, c.version, chunk)...)
		}
	}
	if _, err := c.rw.Write(buf); err != nil {
		return fmt.Errorf("tlsscan: send: %w", err)
	}
	return nil
}

// frameHandshake frames a handshake message body.
func frameHandshake(typ uint8, body []byte) []byte {
	n := len(body)
	return append([]byte{typ, byte(n >> 16), byte(n >> 8), byte(n)}, body...)
}

// pHash is P_hash of RFC 5246 5, the TLS 1.2 PRF with its hash.
func pHash(newHash func() hash.Hash, secret []byte, label string, seed []byte, n int) []byte {
	seed = append([]byte(label), seed...)
	out := make([]byte, 0, n)
	a := seed
	for len(out) < n {
		h := hmac.New(newHash, secret)
		h.Write(a)
		a = h.Sum(nil)
		h = hmac.New(newHash, secret)
		h.Write(a)
		h.Write(seed)
		out = h.Sum(out)
	}
	return out[:n]
}

// ext is one extension of a hello.
func ext(typ uint16, data []byte) []byte { return appendExt(nil, typ, data) }

// extensions walks an extension block, calling f for each; it reports a
// malformed block.
func extensions(b []byte, f func(typ uint16, data []byte)) error {
	c := &cursor{b: b}
	for len(c.b) > 0 && !c.bad {
		typ := c.u16()
		data := c.bytes(int(c.u16()))
		if !c.bad {
			f(typ, data)
		}
	}
	if c.bad {
		return errors.New("tlsscan: malformed extensions")
	}
	return nil
}
