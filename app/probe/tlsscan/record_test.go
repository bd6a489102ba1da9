package tlsscan

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"tenderprobe/app/probe/probetest"
)

// fakeWire is what a client reads from a server that says data, whatever
// the client writes.
type fakeWire struct{ io.Reader }

func (fakeWire) Write(b []byte) (int, error) { return len(b), nil }

func rec(typ uint8, body []byte) []byte {
	r := []byte{typ, 3, 3, 0, 0}
	binary.BigEndian.PutUint16(r[3:], uint16(len(body)))
	return append(r, body...)
}

// serverHello12 is a well-formed TLS 1.2 ServerHello choosing suite.
func serverHello12(suite uint16, exts []byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, uint16(TLS12))
	b = append(b, make([]byte, 32)...)
	b = append(b, 0)
	b = binary.BigEndian.AppendUint16(b, suite)
	b = append(b, 0)
	if exts != nil {
		b = append(b, prefix16(exts)...)
	}
	return frameHandshake(hsServerHello, b)
}

// serverHello13 is a well-formed TLS 1.3 ServerHello with an X25519 share.
func serverHello13Msg(share []byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, uint16(TLS12))
	b = append(b, make([]byte, 32)...)
	b = append(b, 0)
	b = binary.BigEndian.AppendUint16(b, 0x1301)
	b = append(b, 0)
	var exts []byte
	exts = append(exts, ext(extSupportedVersions, []byte{3, 4})...)
	exts = append(exts, ext(extKeyShare, append(binary.BigEndian.AppendUint16(nil, groupX25519), prefix16(share)...))...)
	return frameHandshake(hsServerHello, append(b, prefix16(exts)...))
}

// TestMinimalClientsRefuseMalformedServers feeds the renegotiation and
// 0-RTT clients broken server flights: each must end in an error that
// says what was wrong, never a panic or a hang.
func TestMinimalClientsRefuseMalformedServers(t *testing.T) {
	t.Parallel()
	x25519Point := bytes.Repeat([]byte{9}, 32)
	skx := append([]byte{3, 0, 29, 32}, x25519Point...)
	tests := []struct {
		name   string
		tls13  bool
		server []byte
		want   string
	}{
		{"a server that says nothing", false, nil, "closed the connection"},
		{"a server that speaks HTTP", false, []byte("HTTP/1.1 400 Bad Request\r\n\r\n"), "not a TLS record"},
		{"a record longer than TLS allows", false, []byte{22, 3, 3, 0xFF, 0xFF}, "not a TLS record"},
		{"a handshake message announcing 16 MB", false, rec(22, []byte{2, 0xFF, 0xFF, 0xFF}), "handshake message of"},
		{"an empty handshake record", false, rec(22, nil), "empty handshake record"},
		{"a truncated ServerHello", false, rec(22, frameHandshake(hsServerHello, []byte{3, 3, 1})), "truncated ServerHello"},
		{"a ServerHello for a suite not offered", false, rec(22, serverHello12(0x0005, nil)), "not offered"},
		{"a ServerHello for TLS 1.0 with a TLS 1.2 suite", false, rec(22, frameHandshake(hsServerHello, append(append([]byte{3, 1}, make([]byte, 33)...), 0xC0, 0x2F, 0))), "with suite 0xC02F"},
		{"a ServerHello for SSLv3", false, rec(22, frameHandshake(hsServerHello, append(append([]byte{3, 0}, make([]byte, 33)...), 0x00, 0x2F, 0))), "with suite 0x002F"},
		{"ServerHello extensions that overrun", false, rec(22, serverHello12(0xC02F, []byte{0xFF, 0x01, 0x00, 0x09})), "malformed ServerHello extensions"},
		{"a Finished before ServerHello", false, rec(22, frameHandshake(hsFinished, make([]byte, 12))), "before ServerHello"},
		{"a malformed alert", false, rec(21, []byte{2}), "malformed alert"},
		{"an alert", false, rec(21, []byte{2, 40}), "handshake_failure"},
		{"a ServerKeyExchange with an explicit curve", false, rec(22, joined(serverHello12(0xC02F, nil), frameHandshake(hsServerKeyExchange, []byte{1, 0, 0}), frameHandshake(hsServerHelloDone, nil))), "without a named curve"},
		{"a ServerKeyExchange with a curve not offered", false, rec(22, joined(serverHello12(0xC02F, nil), frameHandshake(hsServerKeyExchange, []byte{3, 0, 25, 1, 4}), frameHandshake(hsServerHelloDone, nil))), "not offered"},
		{"an X25519 point of the wrong size", false, rec(22, joined(serverHello12(0xC02F, nil), frameHandshake(hsServerKeyExchange, []byte{3, 0, 29, 3, 1, 2, 3}), frameHandshake(hsServerHelloDone, nil))), "server key share"},
		{"DHE parameters of 64 bits", false, rec(22, joined(serverHello12(0x009E, nil), frameHandshake(hsServerKeyExchange, joined(prefix16(bytes.Repeat([]byte{0xFF}, 8)), prefix16([]byte{2}), prefix16([]byte{5}))), frameHandshake(hsServerHelloDone, nil))), "unusable DHE parameters"},
		{"RSA key exchange without a certificate", false, rec(22, joined(serverHello12(0x009C, nil), frameHandshake(hsServerHelloDone, nil))), "RSA key exchange"},
		{"a flight that stops before the server's Finished", false, rec(22, joined(serverHello12(0xC02F, nil), frameHandshake(hsServerKeyExchange, skx), frameHandshake(hsServerHelloDone, nil))), "closed the connection"},
		{"a server Finished that does not verify", false, joined(rec(22, joined(serverHello12(0xC02F, nil), frameHandshake(hsServerKeyExchange, skx), frameHandshake(hsServerHelloDone, nil))), rec(20, []byte{1}), rec(22, make([]byte, 40))), "authentication failed"},
		{"a CBC record of a bad length", false, joined(rec(22, joined(serverHello12(0xC013, nil), frameHandshake(hsServerKeyExchange, skx), frameHandshake(hsServerHelloDone, nil))), rec(20, []byte{1}), rec(22, make([]byte, 17))), "bad length"},
		{"a CBC record that does not verify", false, joined(rec(22, joined(serverHello12(0xC013, nil), frameHandshake(hsServerKeyExchange, skx), frameHandshake(hsServerHelloDone, nil))), rec(20, []byte{1}), rec(22, make([]byte, 64))), "authentication failed"},
		{"TLS 1.3: a HelloRetryRequest", true, rec(22, frameHandshake(hsServerHello, joined([]byte{3, 3}, helloRetryRandom[:], []byte{0, 0x13, 0x01, 0}, prefix16(ext(extSupportedVersions, []byte{3, 4}))))), "HelloRetryRequest"},
		{"TLS 1.3: a ServerHello saying TLS 1.2", true, rec(22, serverHello12(0x1301, nil)), "not TLS 1.3"},
		{"TLS 1.3: a key share that is not a point", true, rec(22, serverHello13Msg([]byte{1, 2, 3})), "server key share"},
		{"TLS 1.3: unprotected handshake after the ServerHello", true, joined(rec(22, serverHello13Msg(x25519Point)), rec(22, frameHandshake(hsEncryptedExtensions, []byte{0, 0}))), "unprotected record"},
		{"TLS 1.3: garbage where protected records belong", true, joined(rec(22, serverHello13Msg(x25519Point)), rec(20, []byte{1}), rec(23, make([]byte, 40))), "authentication failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := &recordConn{rw: fakeWire{bytes.NewReader(tt.server)}, version: uint16(TLS10)}
			var err error
			if tt.tls13 {
				err = (&tls13Client{rc: rc, serverName: "x.test"}).handshake(nil, nil)
			} else {
				err = (&tls12Client{rc: rc, serverName: "x.test"}).handshake()
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func joined(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// TestHostileServersAreBounded: a server that never answers costs the
// connection timeout, and one that streams handshake bytes forever is cut
// off by the read limit, for both measurements within one scan.
func TestHostileServersAreBounded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		serve func(c net.Conn)
	}{
		{"silent", func(c net.Conn) { io.Copy(io.Discard, c) }},
		{"endless certificates", func(c net.Conn) {
			go io.Copy(io.Discard, c)
			c.Write(rec(22, serverHello12(0xC02F, nil)))
			cert := rec(22, frameHandshake(hsCertificate, make([]byte, 16000)))
			for {
				if _, err := c.Write(cert); err != nil {
					return
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := probetest.Serve(t, probetest.Listen(t), tt.serve)
			s := &scanner{cfg: Config{Addr: addr, Timeout: time.Second, EarlyData: true,
				Dial: (&net.Dialer{}).DialContext}}
			start := time.Now()
			_, renegErr := s.clientRenegotiation(context.Background())
			_, earlyErr := s.earlyData(context.Background())
			if renegErr == nil || earlyErr == nil {
				t.Fatalf("errors %v and %v, want both", renegErr, earlyErr)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Fatalf("took %v", d)
			}
			var ne net.Error
			if tt.name == "silent" && !(errors.As(renegErr, &ne) && ne.Timeout()) {
				t.Fatalf("renegotiation error %v, want a timeout", renegErr)
			}
		})
	}
}

// FuzzMinimalClients: whatever a server sends, both clients return.
func FuzzMinimalClients(f *testing.F) {
	x25519Point := bytes.Repeat([]byte{9}, 32)
	f.Add(rec(22, serverHello12(0xC02F, ext(extRenegotiationInfo, []byte{0}))))
	f.Add(rec(22, joined(serverHello12(0xC02F, nil), frameHandshake(hsServerKeyExchange, append([]byte{3, 0, 29, 32}, x25519Point...)), frameHandshake(hsServerHelloDone, nil))))
	f.Add(rec(22, joined(serverHello12(0x009E, nil), frameHandshake(hsServerKeyExchange, joined(prefix16(bytes.Repeat([]byte{0xFF}, 64)), prefix16([]byte{2}), prefix16([]byte{5}))), frameHandshake(hsServerHelloDone, nil))))
	f.Add(joined(rec(22, serverHello13Msg(x25519Point)), rec(20, []byte{1}), rec(23, make([]byte, 40))))
	f.Add(joined(rec(22, joined(serverHello12(0xC013, nil), frameHandshake(hsServerKeyExchange, append([]byte{3, 0, 29, 32}, x25519Point...)), frameHandshake(hsServerHelloDone, nil))), rec(20, []byte{1}), rec(22, make([]byte, 64))))
	f.Add(rec(21, []byte{1, 100}))
	f.Fuzz(func(t *testing.T, data []byte) {
		rc := &recordConn{rw: fakeWire{bytes.NewReader(data)}, version: uint16(TLS10)}
		(&tls12Client{rc: rc}).handshake()
		rc = &recordConn{rw: fakeWire{bytes.NewReader(data)}, version: uint16(TLS10)}
		(&tls13Client{rc: rc}).handshake(nil, nil)
		parseServerHello13(data)
		(&tls13Client{suite: suites13[0], resMaster: make([]byte, 32)}).parseTicket(data)
	})
}
