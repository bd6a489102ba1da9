package probetest

import (
	"encoding/binary"
	"io"
	"net"
	"slices"
	"testing"
	"time"
)

// RawTLSOptions configure a FirstFlightServer.
type RawTLSOptions struct {
	// CertDER is sent in the Certificate message.
	CertDER []byte
	// Compress picks DEFLATE when the client offers it (CRIME).
	Compress bool
	// NoRenegotiationInfo leaves out RFC 5746's renegotiation_info.
	NoRenegotiationInfo bool
}

// ecdheECDSAAES128GCM is the one suite a FirstFlightServer accepts.
const ecdheECDSAAES128GCM = 0xC02B

// StartFirstFlightServer serves, on a fresh port of host, a TLS 1.2 server
// that writes its first flight by hand (ServerHello, Certificate,
// ServerKeyExchange, ServerHelloDone) and never completes a handshake: for
// what no library server can be made to do any more, TLS compression and
// no secure renegotiation. It accepts ECDHE-ECDSA-AES128-GCM-SHA256 only,
// answers other versions and suites with an alert, and returns the port.
func StartFirstFlightServer(t testing.TB, host string, o RawTLSOptions) int {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatalf("probetest: listen: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go o.serve(c)
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

func (o RawTLSOptions) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	var hdr [5]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil || hdr[0] != 22 {
		return
	}
	body := make([]byte, binary.BigEndian.Uint16(hdr[3:]))
	if _, err := io.ReadFull(c, body); err != nil || len(body) < 39 || body[0] != 1 {
		return
	}
	alert := func(d byte) { c.Write([]byte{21, 3, 3, 0, 2, 2, d}) }
	version := binary.BigEndian.Uint16(body[4:])
	rest := body[4+2+32:]
	rest = rest[1+int(rest[0]):] // session id
	if len(rest) < 2 {
		return
	}
	n := int(binary.BigEndian.Uint16(rest))
	if len(rest) < 2+n+1 {
		return
	}
	var suites []uint16
	for i := 0; i < n; i += 2 {
		suites = append(suites, binary.BigEndian.Uint16(rest[2+i:]))
	}
	comps := rest[2+n+1:]
	comps = comps[:min(int(rest[2+n]), len(comps))]
	switch {
	case version != 0x0303 || hasSupportedVersions(rest[2+n+1+len(comps):]):
		alert(70)
		return
	case !slices.Contains(suites, ecdheECDSAAES128GCM):
		alert(40)
		return
	}
	comp := byte(0)
	if o.Compress && slices.Contains(comps, 1) {
		comp = 1
	}
	sh := binary.BigEndian.AppendUint16(nil, 0x0303)
	sh = append(sh, make([]byte, 32)...)
	sh = append(sh, 0)
	sh = binary.BigEndian.AppendUint16(sh, ecdheECDSAAES128GCM)
	sh = append(sh, comp)
	if !o.NoRenegotiationInfo {
		sh = append(sh, 0, 5, 0xff, 0x01, 0, 1, 0)
	}
	cert := append([]byte{byte(len(o.CertDER) >> 16), byte(len(o.CertDER) >> 8), byte(len(o.CertDER))}, o.CertDER...)
	certs := append([]byte{byte(len(cert) >> 16), byte(len(cert) >> 8), byte(len(cert))}, cert...)
	// named_curve secp256r1, a point, ecdsa_secp256r1_sha256 and a
	// signature nobody checks: the client never gets that far.
	ske := []byte{3, 0, 23, 65, 4}
	ske = append(ske, make([]byte, 64)...)
	ske = append(ske, 0x04, 0x03, 0, 8)
	ske = append(ske, make([]byte, 8)...)
	flight := slices.Concat(handshake(2, sh), handshake(11, certs), handshake(12, ske), handshake(14, nil))
	rec := append([]byte{22, 3, 3}, byte(len(flight)>>8), byte(len(flight)))
	c.Write(append(rec, flight...))
	io.Copy(io.Discard, c)
}

// hasSupportedVersions reports whether a ClientHello's extensions carry
// supported_versions (43): the client asks for TLS 1.3.
func hasSupportedVersions(exts []byte) bool {
	if len(exts) < 2 {
		return false
	}
	exts = exts[2:]
	for len(exts) >= 4 {
		typ, n := binary.BigEndian.Uint16(exts), int(binary.BigEndian.Uint16(exts[2:]))
		if typ == 43 {
			return true
		}
		exts = exts[min(4+n, len(exts)):]
	}
	return false
}

func handshake(typ byte, body []byte) []byte {
	return append([]byte{typ, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body...)
}
