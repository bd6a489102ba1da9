package tlsscan

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
)

// TLS record and handshake constants (RFC 5246, RFC 8446).
const (
	recordChangeCipherSpec = 20
	recordAlert            = 21
	recordHandshake        = 22

	hsServerHello       = 2
	hsCertificate       = 11
	hsServerKeyExchange = 12
	hsCertificateReq    = 13
	hsServerHelloDone   = 14

	extServerName          = 0
	extSupportedGroups     = 10
	extECPointFormats      = 11
	extSignatureAlgorithms = 13
	extPadding             = 21
	extExtendedMasterSec   = 23
	extSupportedVersions   = 43
	extPSKModes            = 45
	extKeyShare            = 51
	extRenegotiationInfo   = 0xff01

	groupX25519 = 29

	// maxFlight bounds what is read of a server's first flight (certificates
	// included); a real flight is a few kilobytes.
	maxFlight = 256 << 10
)

// helloRetryRandom marks a ServerHello that is a HelloRetryRequest (RFC 8446 4.1.3).
var helloRetryRandom = [32]byte{
	0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
	0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
}

// clientHello is what a raw probe offers.
type clientHello struct {
	// version is the highest version offered. For TLS 1.3 the record and
	// legacy_version say TLS 1.2 and supported_versions carries 1.3 alone.
	version    Version
	serverName string
	suites     []uint16
	// sigAlgs replaces offeredSigAlgs when set (kexhash.go).
	sigAlgs []uint16
}

// helloKeyShare is the X25519 public key the raw TLS 1.3 ClientHellos
// offer. A raw hello only reads the server's first flight and never
// computes a shared secret, so one key serves every hello of the process
// (the server's answer does not depend on it); the handshakes that do
// complete (crypto/tls, reneg.go, earlydata.go) make fresh keys.
var helloKeyShare = sync.OnceValues(func() ([]byte, error) {
	key, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	return key.PublicKey().Bytes(), nil
})

// marshal builds the ClientHello record. Extensions: server_name,
// supported_groups, ec_point_formats, signature_algorithms,
// renegotiation_info (empty, for RFC 5746 detection), extended_master_secret
// (RFC 7627), and for TLS 1.3 supported_versions, psk_key_exchange_modes and
// an X25519 key_share made with crypto/ecdh. No extension is sent for SSLv3,
// which predates them and whose servers may choke on them.
func (h clientHello) marshal() ([]byte, error) {
	var random, sessionID [32]byte
	if _, err := rand.Read(random[:]); err != nil {
		return nil, fmt.Errorf("tlsscan: random: %w", err)
	}
	if _, err := rand.Read(sessionID[:]); err != nil {
		return nil, fmt.Errorf("tlsscan: session id: %w", err)
	}
	legacy := h.version
	if legacy > TLS12 {
		legacy = TLS12
	}
	// Sized for the padded hello (512 bytes), so that building it does
	// not grow its slices step by step: a scan sends dozens.
	body := make([]byte, 0, 512)
	body = binary.BigEndian.AppendUint16(body, uint16(legacy))
	body = append(body, random[:]...)
	if h.version == TLS13 {
		// A non-empty session id asks for middlebox compatibility mode.
		body = append(body, 32)
		body = append(body, sessionID[:]...)
	} else {
		body = append(body, 0)
	}
	body = binary.BigEndian.AppendUint16(body, uint16(2*len(h.suites)))
	for _, s := range h.suites {
		body = binary.BigEndian.AppendUint16(body, s)
	}
	if h.version == TLS13 {
		// RFC 8446 4.1.2: exactly the null method, or the server must abort.
		body = append(body, 1, 0)
	} else {
		// Offering DEFLATE (1) as well as null reveals servers that still compress (CRIME).
		body = append(body, 2, 1, 0)
	}

	if h.version > SSL30 {
		exts := make([]byte, 0, 384)
		if h.serverName != "" {
			var sni []byte
			sni = append(sni, 0)
			sni = binary.BigEndian.AppendUint16(sni, uint16(len(h.serverName)))
			sni = append(sni, h.serverName...)
			exts = appendExt(exts, extServerName, prefix16(sni))
		}
		exts = appendExt(exts, extSupportedGroups, prefix16(u16s(offeredGroups)))
		exts = appendExt(exts, extECPointFormats, []byte{1, 0})
		sigAlgs := offeredSigAlgs
		if h.sigAlgs != nil {
			sigAlgs = h.sigAlgs
		}
		exts = appendExt(exts, extSignatureAlgorithms, prefix16(u16s(sigAlgs)))
		exts = appendExt(exts, extRenegotiationInfo, []byte{0})
		exts = appendExt(exts, extExtendedMasterSec, nil)
		if h.version == TLS13 {
			exts = appendExt(exts, extSupportedVersions, []byte{2, 0x03, 0x04})
			exts = appendExt(exts, extPSKModes, []byte{1, 1})
			pub, err := helloKeyShare()
			if err != nil {
				return nil, fmt.Errorf("tlsscan: x25519 key: %w", err)
			}
			var share []byte
			share = binary.BigEndian.AppendUint16(share, groupX25519)
			share = binary.BigEndian.AppendUint16(share, uint16(len(pub)))
			share = append(share, pub...)
			exts = appendExt(exts, extKeyShare, prefix16(share))
		}
		// RFC 7685: some servers (F5 among them) hang on a ClientHello
		// whose handshake message is 256 to 511 bytes long; pad it to 512,
		// as OpenSSL and browsers do. 4 bytes of handshake header, 2 of
		// extensions length and 4 of padding-extension header count too.
		if n := 4 + len(body) + 2 + len(exts); n >= 256 && n < 512 {
			pad := 512 - n - 4
			if pad < 0 {
				pad = 0
			}
			exts = appendExt(exts, extPadding, make([]byte, pad))
		}
		body = binary.BigEndian.AppendUint16(body, uint16(len(exts)))
		body = append(body, exts...)
	}

	// The record layer version stays at TLS 1.0 (or SSLv3 for SSLv3) as
	// RFC 8446 appendix D advises, for servers intolerant of newer values.
	recVersion := TLS10
	if h.version == SSL30 {
		recVersion = SSL30
	}
	rec := make([]byte, 0, 5+4+len(body))
	rec = append(rec, recordHandshake, byte(recVersion>>8), byte(recVersion))
	rec = binary.BigEndian.AppendUint16(rec, uint16(4+len(body)))
	rec = append(rec, 1, byte(len(body)>>16), byte(len(body)>>8), byte(len(body)))
	return append(rec, body...), nil
}

func appendExt(b []byte, typ uint16, data []byte) []byte {
	b = binary.BigEndian.AppendUint16(b, typ)
	b = binary.BigEndian.AppendUint16(b, uint16(len(data)))
	return append(b, data...)
}

func prefix16(b []byte) []byte {
	return append(binary.BigEndian.AppendUint16(nil, uint16(len(b))), b...)
}

func u16s(v []uint16) []byte {
	var b []byte
	for _, x := range v {
		b = binary.BigEndian.AppendUint16(b, x)
	}
	return b
}

// serverHello is what a raw probe learns from the server's first flight.
type serverHello struct {
	// Version is the negotiated version: supported_versions when present,
	// else the ServerHello's version field.
	Version     Version
	Suite       uint16
	Compression uint8
	// SecureRenegotiation: the server echoed renegotiation_info (RFC 5746).
	SecureRenegotiation bool
	// ExtendedMasterSecret: the server echoed extended_master_secret (RFC 7627).
	ExtendedMasterSecret bool
	// HelloRetry marks a TLS 1.3 HelloRetryRequest; KeyShareGroup is then
	// the group asked for, otherwise the one the server's share is for.
	HelloRetry    bool
	KeyShareGroup uint16

	// What follows is only seen up to TLS 1.2, where the rest of the
	// server's flight is in the clear.
	Certificates [][]byte
	// KexGroup is the named curve of an ECDHE ServerKeyExchange.
	KexGroup uint16
	// DHPrime is the modulus of a DHE ServerKeyExchange.
	DHPrime []byte
	// KexSigAlg is the signature scheme of the ServerKeyExchange (TLS 1.2).
	KexSigAlg uint16
}

// AlertError is a TLS alert sent by the server instead of a ServerHello.
type AlertError struct {
	Level       uint8 `json:"level"`
	Description uint8 `json:"description"`
}

func (e *AlertError) Error() string {
	return fmt.Sprintf("tlsscan: server sent alert %d (%s)", e.Description, alertName(e.Description))
}

func alertName(d uint8) string {
	switch d {
	case 0:
		return "close_notify"
	case 10:
		return "unexpected_message"
	case 40:
		return "handshake_failure"
	case 47:
		return "illegal_parameter"
	case 50:
		return "decode_error"
	case 70:
		return "protocol_version"
	case 71:
		return "insufficient_security"
	case 80:
		return "internal_error"
	case 86:
		return "inappropriate_fallback"
	case 112:
		return "unrecognized_name"
	}
	return "other"
}

// errRejected marks a server that closed the connection (or sent something
// that is not TLS) instead of answering: most servers do that for versions
// or suites they do not support.
var errRejected = errors.New("tlsscan: server closed the connection without a ServerHello")

// readServerFlight reads records from r until it has the ServerHello (for
// TLS 1.3) or the ServerHelloDone (up to TLS 1.2), parsing what it needs.
// An alert becomes an *AlertError.
func readServerFlight(r io.Reader) (*serverHello, error) {
	var (
		hsBuf []byte
		sh    *serverHello
		total int
	)
	for {
		var hdr [5]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			if sh != nil {
				// A complete ServerHello is enough; the rest is a bonus.
				return sh, nil
			}
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, errRejected
			}
			return nil, fmt.Errorf("tlsscan: read record: %w", err)
		}
		typ := hdr[0]
		n := int(binary.BigEndian.Uint16(hdr[3:]))
		if hdr[1] != 3 || n > 1<<14+2048 {
			if sh != nil {
				return sh, nil
			}
			return nil, fmt.Errorf("%w (not a TLS record: % x)", errRejected, hdr[:])
		}
		total += n
		if total > maxFlight {
			return sh, fmt.Errorf("tlsscan: server flight larger than %d bytes", maxFlight)
		}
		payload := make([]byte, n)
		if _, err := io.ReadFull(r, payload); err != nil {
			if sh != nil {
				return sh, nil
			}
			return nil, fmt.Errorf("tlsscan: read record body: %w", err)
		}
		switch typ {
		case recordAlert:
			if sh != nil {
				return sh, nil
			}
			if len(payload) < 2 {
				return nil, fmt.Errorf("tlsscan: short alert")
			}
			return nil, &AlertError{Level: payload[0], Description: payload[1]}
		case recordChangeCipherSpec:
			// TLS 1.3 middlebox compatibility: what follows is encrypted.
			if sh != nil {
				return sh, nil
			}
			continue
		case recordHandshake:
		default:
			if sh != nil {
				return sh, nil
			}
			return nil, fmt.Errorf("tlsscan: unexpected record type %d before ServerHello", typ)
		}
		hsBuf = append(hsBuf, payload...)
		for len(hsBuf) >= 4 {
			mlen := int(hsBuf[1])<<16 | int(hsBuf[2])<<8 | int(hsBuf[3])
			if len(hsBuf) < 4+mlen {
				break
			}
			mtype, msg := hsBuf[0], hsBuf[4:4+mlen]
			hsBuf = hsBuf[4+mlen:]
			switch mtype {
			case hsServerHello:
				parsed, err := parseServerHello(msg)
				if err != nil {
					return nil, err
				}
				sh = parsed
				if sh.Version >= TLS13 {
					return sh, nil
				}
			case hsCertificate:
				if sh != nil {
					sh.Certificates = parseCertificateMsg(msg)
				}
			case hsServerKeyExchange:
				if sh != nil {
					parseServerKeyExchange(sh, msg)
				}
			case hsServerHelloDone:
				if sh == nil {
					return nil, fmt.Errorf("tlsscan: ServerHelloDone before ServerHello")
				}
				return sh, nil
			case hsCertificateReq:
			default:
				if sh == nil {
					return nil, fmt.Errorf("tlsscan: unexpected handshake message %d before ServerHello", mtype)
				}
			}
		}
	}
}

// cursor reads big-endian fields from a message without panicking: a
// short message sets bad and yields zeros.
type cursor struct {
	b   []byte
	bad bool
}

func (c *cursor) bytes(n int) []byte {
	if n < 0 || len(c.b) < n {
		c.bad = true
		c.b = nil
		return nil
	}
	out := c.b[:n]
	c.b = c.b[n:]
	return out
}

func (c *cursor) u8() uint8 {
	b := c.bytes(1)
	if b == nil {
		return 0
	}
	return b[0]
}

func (c *cursor) u16() uint16 {
	b := c.bytes(2)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint16(b)
}

func (c *cursor) u24() int {
	b := c.bytes(3)
	if b == nil {
		return 0
	}
	return int(b[0])<<16 | int(b[1])<<8 | int(b[2])
}

// parseServerHello decodes a ServerHello body (RFC 5246 7.4.1.3, RFC 8446 4.1.3).
func parseServerHello(msg []byte) (*serverHello, error) {
	c := &cursor{b: msg}
	sh := &serverHello{Version: Version(c.u16())}
	random := c.bytes(32)
	c.bytes(int(c.u8())) // session id
	sh.Suite = c.u16()
	sh.Compression = c.u8()
	if c.bad {
		return nil, fmt.Errorf("tlsscan: truncated ServerHello")
	}
	if random != nil && [32]byte(random) == helloRetryRandom {
		sh.HelloRetry = true
	}
	if len(c.b) == 0 {
		return sh, nil
	}
	exts := &cursor{b: c.bytes(int(c.u16()))}
	for len(exts.b) > 0 && !exts.bad {
		typ := exts.u16()
		data := &cursor{b: exts.bytes(int(exts.u16()))}
		switch typ {
		case extSupportedVersions:
			sh.Version = Version(data.u16())
		case extKeyShare:
			// ServerHello: group + key; HelloRetryRequest: group only.
			sh.KeyShareGroup = data.u16()
		case extRenegotiationInfo:
			sh.SecureRenegotiation = true
		case extExtendedMasterSec:
			sh.ExtendedMasterSecret = true
		}
	}
	if c.bad || exts.bad {
		return nil, fmt.Errorf("tlsscan: malformed ServerHello extensions")
	}
	return sh, nil
}

// parseCertificateMsg decodes a TLS 1.2 Certificate message into DER blobs.
func parseCertificateMsg(msg []byte) [][]byte {
	c := &cursor{b: msg}
	list := &cursor{b: c.bytes(c.u24())}
	var certs [][]byte
	for len(list.b) > 0 && !list.bad {
		der := list.bytes(list.u24())
		if der != nil {
			certs = append(certs, append([]byte(nil), der...))
		}
	}
	return certs
}

// parseServerKeyExchange reads the group or DH prime and the signature
// scheme from a TLS 1.2 ServerKeyExchange (RFC 8422 5.4, RFC 5246 7.4.3). It
// tells the two apart from the negotiated suite's key exchange.
func parseServerKeyExchange(sh *serverHello, msg []byte) {
	info := LookupSuite(sh.Suite)
	c := &cursor{b: msg}
	switch {
	case info.Kex == "ECDH":
		if c.u8() != 3 { // named_curve
			return
		}
		sh.KexGroup = c.u16()
		c.bytes(int(c.u8()))
	case info.Kex == "DH":
		p := c.bytes(int(c.u16()))
		sh.DHPrime = append([]byte(nil), p...)
		c.bytes(int(c.u16())) // g
		c.bytes(int(c.u16())) // Ys
	default:
		return
	}
	if sh.Version >= TLS12 && !c.bad && len(c.b) >= 4 {
		sh.KexSigAlg = c.u16()
	}
}
