package tlsscan

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"encoding/binary"
	"encoding/hex"
	"io"
	"net"
	"slices"
	"testing"
	"time"

	"tenderprobe/app/probe/probetest"
)

// startTLS serves cfg on a loopback port with crypto/tls, completing each
// handshake and closing, and returns the address.
func startTLS(t testing.TB, cfg *tls.Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	return serveTLSOn(t, ln, cfg)
}

// serveTLSOn is startTLS on a given listener.
func serveTLSOn(t testing.TB, ln net.Listener, cfg *tls.Config) string {
	return probetest.Serve(t, ln, func(c net.Conn) {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		tc := tls.Server(c, cfg)
		if tc.Handshake() == nil {
			tc.Write([]byte("ok"))
		}
		tc.Close()
	})
}

func scan(t *testing.T, addr, name string, ca *probetest.CA, mod func(*Config)) *Report {
	t.Helper()
	cfg := Config{Addr: addr, ServerName: name, RootCAs: ca.Pool, Timeout: 5 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep, err := Scan(ctx, cfg)
	if err != nil {
		t.Fatalf("scan %s: %v", addr, err)
	}
	return rep
}

func suiteIDs(ss []Suite) []uint16 {
	var out []uint16
	for _, s := range ss {
		out = append(out, s.ID)
	}
	slices.Sort(out)
	return out
}

func versionResult(rep *Report, v Version) VersionResult {
	for _, vr := range rep.Versions {
		if vr.Version == v {
			return vr
		}
	}
	return VersionResult{}
}

func TestScanGoServers(t *testing.T) {
	t.Parallel()
	ca := probetest.NewCA(t)
	cert := ca.Issue(t, probetest.LeafOptions{}, "www.example.test")
	tests := []struct {
		name      string
		cfg       *tls.Config
		accepted  []Version
		suites12  []uint16
		suites10  []uint16
		worst     Class
		pqPresent bool
	}{
		{
			name: "a modern server accepts only TLS 1.2 and 1.3 with AEAD suites and a PQ hybrid",
			cfg: &tls.Config{MinVersion: tls.VersionTLS12, CipherSuites: []uint16{
				tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
				tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
			}},
			accepted:  []Version{TLS12, TLS13},
			suites12:  []uint16{0xC02B, 0xC02C, 0xCCA9},
			worst:     Sufficient,
			pqPresent: true,
		},
		{
			name: "a legacy server accepting TLS 1.0 with CBC-SHA1 is detected",
			cfg: &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{
				tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
				tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
			}},
			accepted: []Version{TLS10, TLS11, TLS12},
			suites12: []uint16{0xC009, 0xC023, 0xC02B},
			suites10: []uint16{0xC009},
			worst:    Insufficient,
		},
		{
			name:     "a TLS 1.3-only server without hybrids is detected without PQ",
			cfg:      &tls.Config{MinVersion: tls.VersionTLS13, CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP256}},
			accepted: []Version{TLS13},
			worst:    Sufficient,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Certificates = []tls.Certificate{cert}
			rep := scan(t, startTLS(t, tc.cfg), "www.example.test", ca, nil)
			if got := rep.AcceptedVersions(); !slices.Equal(got, tc.accepted) {
				t.Fatalf("accepted versions = %v, want %v (errors %v)", got, tc.accepted, rep.Errors)
			}
			if tc.suites12 != nil {
				if got := suiteIDs(versionResult(rep, TLS12).Suites); !slices.Equal(got, tc.suites12) {
					t.Errorf("TLS1.2 suites = %04X, want %04X", got, tc.suites12)
				}
			}
			if tc.suites10 != nil {
				if got := suiteIDs(versionResult(rep, TLS10).Suites); !slices.Equal(got, tc.suites10) {
					t.Errorf("TLS1.0 suites = %04X, want %04X", got, tc.suites10)
				}
			}
			worst := Good
			for _, s := range rep.Suites() {
				if s.Class.Worse(worst) {
					worst = s.Class
				}
			}
			if worst != tc.worst {
				t.Errorf("worst suite class = %s, want %s (suites %+v)", worst, tc.worst, rep.Suites())
			}
			if rep.Certificate == nil || !rep.Certificate.Trusted || !rep.Certificate.NameMatch {
				t.Errorf("certificate not trusted or name mismatch: %+v", rep.Certificate)
			}
			if got := rep.PQ != nil && rep.PQ.Negotiated != nil; got != tc.pqPresent {
				t.Errorf("PQ negotiated = %v, want %v (%+v)", got, tc.pqPresent, rep.PQ)
			}
			if vr := versionResult(rep, TLS12); vr.Accepted && (rep.SecureRenegotiation == nil || !*rep.SecureRenegotiation || !*rep.ExtendedMasterSecret) {
				t.Errorf("Go servers support secure renegotiation and EMS; got reneg=%v ems=%v", rep.SecureRenegotiation, rep.ExtendedMasterSecret)
			}
		})
	}
}

func TestScanReportsUntrustedAndMismatchedCertificates(t *testing.T) {
	t.Parallel()
	ca := probetest.NewCA(t)
	other := probetest.NewCA(t)
	tests := []struct {
		name      string
		cert      tls.Certificate
		trusted   bool
		nameMatch bool
		valid     bool
	}{
		{"a certificate from the trusted CA for the name passes", ca.Issue(t, probetest.LeafOptions{}, "a.example.test"), true, true, true},
		{"a certificate from an unknown CA is untrusted", other.Issue(t, probetest.LeafOptions{}, "a.example.test"), false, true, true},
		{"a certificate for another name does not match", ca.Issue(t, probetest.LeafOptions{}, "b.example.test"), true, false, true},
		{"an expired certificate is invalid and untrusted", ca.Issue(t, probetest.LeafOptions{NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)}, "a.example.test"), false, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr := startTLS(t, &tls.Config{Certificates: []tls.Certificate{tc.cert}})
			rep := scan(t, addr, "a.example.test", ca, func(c *Config) { c.Versions = []Version{TLS13} })
			c := rep.Certificate
			if c == nil {
				t.Fatalf("no certificate report (handshake error %q)", rep.HandshakeError)
			}
			if c.Trusted != tc.trusted || c.NameMatch != tc.nameMatch || c.Valid != tc.valid {
				t.Errorf("trusted=%v name=%v valid=%v, want %v %v %v (%s)", c.Trusted, c.NameMatch, c.Valid, tc.trusted, tc.nameMatch, tc.valid, c.TrustError)
			}
		})
	}
}

func TestScanRatesRSAKeySizes(t *testing.T) {
	t.Parallel()
	ca := probetest.NewCA(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	cert := ca.Issue(t, probetest.LeafOptions{Key: key}, "rsa.example.test")
	addr := startTLS(t, &tls.Config{Certificates: []tls.Certificate{cert}})
	rep := scan(t, addr, "rsa.example.test", ca, func(c *Config) { c.Versions = []Version{TLS13} })
	if rep.Certificate.KeyClass != PhaseOut || rep.Certificate.Chain[0].KeyBits != 2048 {
		t.Errorf("RSA-2048 leaf rated %s (%d bits), want phase_out", rep.Certificate.KeyClass, rep.Certificate.Chain[0].KeyBits)
	}
}

func TestScanQuickModeUsesFewConnections(t *testing.T) {
	t.Parallel()
	ca := probetest.NewCA(t)
	cert := ca.Issue(t, probetest.LeafOptions{}, "mx.example.test")
	addr := startTLS(t, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS10, CipherSuites: []uint16{
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
	}})
	full := scan(t, addr, "mx.example.test", ca, nil)
	quick := scan(t, addr, "mx.example.test", ca, func(c *Config) { c.Mode = Quick; c.SkipPQ = true })
	if !slices.Equal(full.AcceptedVersions(), quick.AcceptedVersions()) {
		t.Errorf("quick mode found versions %v, full mode %v", quick.AcceptedVersions(), full.AcceptedVersions())
	}
	worst := func(r *Report) Class {
		w := Good
		for _, s := range r.Suites() {
			if s.Class.Worse(w) {
				w = s.Class
			}
		}
		return w
	}
	if fw, qw := worst(full), worst(quick); fw != qw {
		t.Errorf("quick mode's worst class %s, full mode's %s", qw, fw)
	}
	if quick.Connections >= full.Connections {
		t.Errorf("quick mode used %d connections, full mode %d", quick.Connections, full.Connections)
	}
	t.Logf("connections: full %d, quick %d", full.Connections, quick.Connections)
}

func TestScanUnreachableServerIsAnError(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = Scan(context.Background(), Config{Addr: addr, ServerName: "x.test", Timeout: time.Second})
	if err == nil {
		t.Fatal("scan of a closed port returned no error")
	}
}

// rawServer is a minimal TLS 1.0-1.2 (and SSLv3) server that speaks the
// first flight by hand: it reads a ClientHello, picks a version and a suite,
// and answers ServerHello, Certificate, ServerKeyExchange and
// ServerHelloDone, or an alert. It exists for what no Go server can do
// (SSLv3, DHE, compression, client-ordered suites, no RFC 5746).
type rawServer struct {
	minVersion, maxVersion Version
	suites                 []uint16 // server preference order unless preferClient
	preferClient           bool
	dhPrime                []byte
	compress               bool
	noReneg                bool
	certDER                []byte
	// silentBelow makes the server read hellos for older versions and
	// never answer, as some middleboxes do.
	silentBelow Version
}

func (s *rawServer) start(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return s.startOn(t, ln)
}

// startOn serves every connection of ln until the test ends.
func (s *rawServer) startOn(t testing.TB, ln net.Listener) string {
	return probetest.Serve(t, ln, s.serve)
}

func (s *rawServer) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	var hdr [5]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil || hdr[0] != recordHandshake {
		return
	}
	body := make([]byte, binary.BigEndian.Uint16(hdr[3:]))
	if _, err := io.ReadFull(c, body); err != nil || len(body) < 4 || body[0] != 1 {
		return
	}
	cur := &cursor{b: body[4:]}
	clientVersion := Version(cur.u16())
	cur.bytes(32)
	cur.bytes(int(cur.u8()))
	offered := &cursor{b: cur.bytes(int(cur.u16()))}
	var suites []uint16
	for len(offered.b) > 0 {
		suites = append(suites, offered.u16())
	}
	comps := cur.bytes(int(cur.u8()))
	if cur.bad {
		return
	}
	if clientVersion < s.silentBelow {
		io.Copy(io.Discard, c)
		return
	}
	alert := func(d byte) { c.Write([]byte{recordAlert, 3, 1, 0, 2, 2, d}) }
	v := min(clientVersion, s.maxVersion)
	if v < s.minVersion {
		alert(70)
		return
	}
	chosen, ok := uint16(0), false
	first, second := s.suites, suites
	if s.preferClient {
		first, second = suites, s.suites
	}
	for _, a := range first {
		if slices.Contains(second, a) {
			chosen, ok = a, true
			break
		}
	}
	if !ok {
		alert(40)
		return
	}
	comp := byte(0)
	if s.compress && slices.Contains(comps, 1) {
		comp = 1
	}
	var sh []byte
	sh = binary.BigEndian.AppendUint16(sh, uint16(v))
	sh = append(sh, make([]byte, 32)...)
	sh = append(sh, 0)
	sh = binary.BigEndian.AppendUint16(sh, chosen)
	sh = append(sh, comp)
	if !s.noReneg && v > SSL30 {
		sh = append(sh, prefix16(appendExt(nil, extRenegotiationInfo, []byte{0}))...)
	}
	flight := handshakeMsg(hsServerHello, sh)
	certList := append([]byte{byte(len(s.certDER) >> 16), byte(len(s.certDER) >> 8), byte(len(s.certDER))}, s.certDER...)
	n := len(certList)
	flight = append(flight, handshakeMsg(hsCertificate, append([]byte{byte(n >> 16), byte(n >> 8), byte(n)}, certList...))...)
	if LookupSuite(chosen).Kex == "DH" {
		var ske []byte
		ske = append(ske, prefix16(s.dhPrime)...)
		ske = append(ske, prefix16([]byte{2})...)
		ske = append(ske, prefix16(make([]byte, len(s.dhPrime)))...)
		if v >= TLS12 {
			ske = binary.BigEndian.AppendUint16(ske, 0x0201) // rsa_pkcs1_sha1
		}
		ske = append(ske, prefix16(make([]byte, 256))...)
		flight = append(flight, handshakeMsg(hsServerKeyExchange, ske)...)
	}
	flight = append(flight, handshakeMsg(hsServerHelloDone, nil)...)
	rec := []byte{recordHandshake, byte(v >> 8), byte(v)}
	rec = binary.BigEndian.AppendUint16(rec, uint16(len(flight)))
	c.Write(append(rec, flight...))
	// Wait for the client to give up, as a real server waits for its key exchange.
	io.Copy(io.Discard, c)
}

func handshakeMsg(typ byte, body []byte) []byte {
	return append([]byte{typ, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body...)
}

func TestScanRawLegacyServer(t *testing.T) {
	t.Parallel()
	ca := probetest.NewCA(t)
	cert := ca.Issue(t, probetest.LeafOptions{}, "old.example.test")
	ffdhe2048, _ := hex.DecodeString(ffdhePrimes["ffdhe2048"])
	custom := make([]byte, 128)
	custom[0], custom[127] = 0xC5, 0x1F
	tests := []struct {
		name       string
		srv        rawServer
		accepted   []Version
		dh         string
		compress   bool
		reneg      bool
		orderOK    bool
		serverPref bool
		kexSigAlg  string
	}{
		{
			name: "an SSLv3 to TLS 1.2 server with DHE on ffdhe2048 is fully seen",
			srv: rawServer{minVersion: SSL30, maxVersion: TLS12, dhPrime: ffdhe2048,
				suites: []uint16{0x009E, 0x0033, 0x000A}},
			accepted: []Version{SSL30, TLS10, TLS11, TLS12}, dh: "ffdhe2048", reneg: true, orderOK: true, serverPref: true,
			kexSigAlg: "rsa_pkcs1_sha1",
		},
		{
			name: "a server following the client's order with a custom DH group, compression and no RFC 5746",
			srv: rawServer{minVersion: TLS12, maxVersion: TLS12, dhPrime: custom, preferClient: true, compress: true, noReneg: true,
				suites: []uint16{0x009F, 0x0067, 0x009C}},
			accepted: []Version{TLS12}, dh: "custom", compress: true, reneg: false, orderOK: false, serverPref: false,
			kexSigAlg: "rsa_pkcs1_sha1",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.srv.certDER = cert.Certificate[0]
			rep := scan(t, tc.srv.start(t), "old.example.test", ca, nil)
			if got := rep.AcceptedVersions(); !slices.Equal(got, tc.accepted) {
				t.Fatalf("accepted = %v, want %v; %+v", got, tc.accepted, rep.Versions)
			}
			if got := suiteIDs(versionResult(rep, TLS12).Suites); !slices.Equal(got, suiteIDsSorted(tc.srv.suites)) {
				t.Errorf("TLS1.2 suites = %04X, want %04X", got, tc.srv.suites)
			}
			if len(rep.DHGroups) != 1 || rep.DHGroups[0].Name != tc.dh || rep.DHGroups[0].Class != Insufficient {
				t.Errorf("DH groups = %+v, want one insufficient %s", rep.DHGroups, tc.dh)
			}
			if rep.Compression != tc.compress {
				t.Errorf("compression = %v, want %v", rep.Compression, tc.compress)
			}
			if rep.SecureRenegotiation == nil || *rep.SecureRenegotiation != tc.reneg {
				t.Errorf("secure renegotiation = %v, want %v", rep.SecureRenegotiation, tc.reneg)
			}
			vr := versionResult(rep, TLS12)
			if vr.OrderOK == nil || *vr.OrderOK != tc.orderOK || *vr.ServerPreference != tc.serverPref {
				t.Errorf("order ok = %v, server preference = %v, want %v %v", vr.OrderOK, vr.ServerPreference, tc.orderOK, tc.serverPref)
			}
			if len(rep.KexSigAlgs) == 0 || rep.KexSigAlgs[0].Name != tc.kexSigAlg {
				t.Errorf("kex signature algorithms = %+v, want %s", rep.KexSigAlgs, tc.kexSigAlg)
			}
			if rep.Certificate == nil || rep.Certificate.Source != "raw TLS 1.2 Certificate message" || !rep.Certificate.Trusted {
				t.Errorf("certificate from the raw flight missing or untrusted: %+v", rep.Certificate)
			}
		})
	}
}

func suiteIDsSorted(ids []uint16) []uint16 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

func TestClassifySuiteFollowsNCSC2025(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id   uint16
		want Class
	}{
		{0x1302, Good}, {0x1303, Good}, {0x1301, Sufficient}, {0x1304, Sufficient}, {0x1305, Insufficient},
		{0xC02F, Sufficient}, {0xC030, Sufficient}, {0xCCA8, Sufficient}, {0xC0AC, Sufficient}, // ECDHE AEAD
		{0xC027, PhaseOut}, {0xC028, PhaseOut}, // ECDHE CBC-SHA256/384
		{0xC013, Insufficient}, {0xC014, Insufficient}, // ECDHE CBC-SHA1
		{0x009E, PhaseOut}, {0x009F, PhaseOut}, {0xCCAA, PhaseOut}, {0x0067, PhaseOut}, // DHE-RSA
		{0xC077, PhaseOut}, {0xC061, PhaseOut}, // ECDHE CAMELLIA, ARIA
		{0x009C, Insufficient}, {0x002F, Insufficient}, {0x000A, Insufficient}, {0x0005, Insufficient}, // RSA kex, 3DES, RC4
		{0xC012, Insufficient}, {0x0013, Insufficient}, {0x00A2, Insufficient}, // 3DES, DHE-DSS
		{0xC0AE, Insufficient}, {0x0034, Insufficient}, {0x0003, Insufficient}, // CCM_8, anon, export
		{0xFFFE, Insufficient}, // unknown
	}
	for _, tc := range tests {
		s := LookupSuite(tc.id)
		t.Run(s.Name+" is "+string(tc.want), func(t *testing.T) {
			if s.Class != tc.want {
				t.Errorf("%s (0x%04X) classified %s, want %s", s.Name, tc.id, s.Class, tc.want)
			}
		})
	}
}

func FuzzReadServerFlight(f *testing.F) {
	f.Add([]byte{22, 3, 3, 0, 4, 2, 0, 0, 0})
	f.Add([]byte{21, 3, 1, 0, 2, 2, 40})
	f.Fuzz(func(t *testing.T, b []byte) {
		sh, err := readServerFlight(&sliceReader{b: b})
		if err == nil && sh == nil {
			t.Fatal("nil ServerHello without error")
		}
	})
}

type sliceReader struct{ b []byte }

func (r *sliceReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

func TestScanTreatsSilentServersAsRefusingAndNeverHangs(t *testing.T) {
	t.Parallel()
	ca := probetest.NewCA(t)
	cert := ca.Issue(t, probetest.LeafOptions{}, "quiet.example.test")
	srv := rawServer{minVersion: TLS12, maxVersion: TLS12, suites: []uint16{0xC02B}, silentBelow: TLS12, certDER: cert.Certificate[0]}
	rep := scan(t, srv.start(t), "quiet.example.test", ca, func(c *Config) { c.Timeout = 300 * time.Millisecond })
	if got := rep.AcceptedVersions(); !slices.Equal(got, []Version{TLS12}) {
		t.Errorf("accepted = %v, want only TLS1.2", got)
	}
	for _, vr := range rep.Versions {
		if vr.Version < TLS12 && vr.Error != "" {
			t.Errorf("%s: a silent server should count as refusing, got error %q", vr.Version, vr.Error)
		}
	}

	// A peer that accepts and never speaks: the caller's deadline ends the scan.
	mute := probetest.Serve(t, probetest.Listen(t), func(c net.Conn) { io.Copy(io.Discard, c) })
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	rep, err := Scan(ctx, Config{Addr: mute, ServerName: "hang.example.test", Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.AcceptedVersions()) != 0 || rep.Handshake != nil || len(rep.Errors) == 0 {
		t.Errorf("a mute server should yield no versions, no handshake and errors; got %+v", rep)
	}
}

func TestScanSeesTheGroupAskedForInAHelloRetryRequest(t *testing.T) {
	t.Parallel()
	ca := probetest.NewCA(t)
	cert := ca.Issue(t, probetest.LeafOptions{}, "p256.example.test")
	addr := startTLS(t, &tls.Config{MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{cert}, CurvePreferences: []tls.CurveID{tls.CurveP384}})
	rep := scan(t, addr, "p256.example.test", ca, func(c *Config) { c.Versions = []Version{TLS13} })
	if !slices.Equal(rep.AcceptedVersions(), []Version{TLS13}) {
		t.Fatalf("TLS 1.3 not detected through a HelloRetryRequest: %+v", rep.Versions)
	}
	if !slices.ContainsFunc(rep.KexGroups, func(g Group) bool { return g.Name == "secp384r1" }) {
		t.Errorf("kex groups = %+v, want secp384r1 from the retry request", rep.KexGroups)
	}
}

func TestClientHelloAvoidsTheF5LengthRange(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 20, 50, 64, 100, 150, 300} {
		for _, v := range []Version{TLS10, TLS12, TLS13} {
			rec, err := clientHello{version: v, serverName: "www.example.test", suites: suitesFor(TLS12)[:min(n, len(suitesFor(TLS12)))]}.marshal()
			if err != nil {
				t.Fatal(err)
			}
			hsLen := len(rec) - 5
			if hsLen >= 256 && hsLen < 512 {
				t.Errorf("%s hello with %d suites is %d bytes, inside 256-511", v, n, hsLen)
			}
			if got := int(binary.BigEndian.Uint16(rec[3:5])); got != hsLen {
				t.Errorf("record length %d, handshake %d", got, hsLen)
			}
		}
	}
}
