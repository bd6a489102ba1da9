package tlsscan

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Class is a rating from the NCSC-NL TLS guidelines (version 2025-05), the
// scale internet.nl uses for protocol versions, cipher suites, key-exchange
// groups and certificate parameters.
type Class string

// The classes, best first.
const (
	Good         Class = "good"
	Sufficient   Class = "sufficient"
	PhaseOut     Class = "phase_out"
	Insufficient Class = "insufficient"
)

// rank orders classes so that a higher number is worse.
func (c Class) rank() int {
	switch c {
	case Good:
		return 0
	case Sufficient:
		return 1
	case PhaseOut:
		return 2
	default:
		return 3
	}
}

// Worse reports whether c is rated below d.
func (c Class) Worse(d Class) bool { return c.rank() > d.rank() }

// Acceptable reports whether c is good or sufficient.
func (c Class) Acceptable() bool { return c == Good || c == Sufficient }

// Version is a TLS protocol version as carried on the wire.
type Version uint16

// The protocol versions the scanner probes.
const (
	SSL30 Version = 0x0300
	TLS10 Version = 0x0301
	TLS11 Version = 0x0302
	TLS12 Version = 0x0303
	TLS13 Version = 0x0304
)

// AllVersions lists the probed versions, oldest first.
var AllVersions = []Version{SSL30, TLS10, TLS11, TLS12, TLS13}

func (v Version) String() string {
	switch v {
	case SSL30:
		return "SSLv3"
	case TLS10:
		return "TLS1.0"
	case TLS11:
		return "TLS1.1"
	case TLS12:
		return "TLS1.2"
	case TLS13:
		return "TLS1.3"
	}
	return fmt.Sprintf("0x%04x", uint16(v))
}

// MarshalText writes the version's name, so JSON shows "TLS1.2".
func (v Version) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// Class rates a protocol version per NCSC-NL 2025-05: TLS 1.3 good, TLS 1.2
// sufficient, everything older insufficient (TLS 1.0 and 1.1 moved from
// phase-out to insufficient in 2025).
func (v Version) Class() Class {
	switch v {
	case TLS13:
		return Good
	case TLS12:
		return Sufficient
	}
	return Insufficient
}

// suiteInfo is one row of the generated suiteTable: the code point, the IANA
// name (OpenSSL's where IANA has none), the OpenSSL name, and the key
// exchange, authentication, bulk cipher, MAC and lowest protocol version in
// OpenSSL's notation.
type suiteInfo struct {
	id       uint16
	name     string
	openssl  string
	kx       string
	au       string
	enc      string
	mac      string
	protocol string
}

// Suite describes a cipher suite with its NCSC-NL rating.
type Suite struct {
	ID      uint16 `json:"id"`
	Name    string `json:"name"`
	OpenSSL string `json:"openssl_name,omitempty"`
	Kex     string `json:"kex"`
	Auth    string `json:"auth"`
	Cipher  string `json:"cipher"`
	MAC     string `json:"mac"`
	Class   Class  `json:"class"`
}

var suiteByID = func() map[uint16]suiteInfo {
	m := make(map[uint16]suiteInfo, len(suiteTable))
	for _, s := range suiteTable {
		m[s.id] = s
	}
	return m
}()

// LookupSuite returns the description and rating of a suite code point.
// Unknown code points are reported as insufficient: a server choosing a
// suite nobody registered is not following any guideline.
func LookupSuite(id uint16) Suite {
	if s, ok := suiteDescs()[id]; ok {
		return s
	}
	return Suite{ID: id, Name: fmt.Sprintf("unknown 0x%04X", id), Class: Insufficient}
}

// suiteDescs is every known suite described and rated, made once: a scan
// looks suites up in its sorting and parsing, and rating one anew each
// time was 2.5% of a bulk probe's CPU.
var suiteDescs = sync.OnceValue(func() map[uint16]Suite {
	m := make(map[uint16]Suite, len(suiteByID))
	for id, info := range suiteByID {
		m[id] = Suite{
			ID: id, Name: info.name, OpenSSL: info.openssl,
			Kex: info.kx, Auth: info.au, Cipher: info.enc, MAC: info.mac,
			Class: classifySuite(info),
		}
	}
	return m
})

// classifySuite applies the NCSC-NL 2025-05 table (as internet.nl encodes it
// in tls_constants.py):
//
//	TLS 1.3: AES-256-GCM, CHACHA20 good; AES-128-GCM, AES-128-CCM sufficient; CCM_8 insufficient.
//	TLS 1.2 ECDHE with AES-GCM, CHACHA20-POLY1305 or AES-CCM: sufficient.
//	ECDHE with CBC and SHA-256/384, DHE-RSA with AEAD or CBC-SHA-256/384,
//	and the ECDHE/DHE ARIA and CAMELLIA suites: phase out.
//	Everything else (RSA key exchange, static DH/ECDH, DSS, CBC with SHA-1,
//	3DES, RC4, DES, IDEA, SEED, NULL, EXPORT, anonymous, PSK, SRP, GOST, CCM_8): insufficient.
//
// The guideline does not list the DHE-RSA-CAMELLIA-SHA suites separately; they
// are rated as CBC with SHA-1, insufficient, like their ECDHE counterparts.
func classifySuite(s suiteInfo) Class {
	if s.protocol == "TLSv1.3" {
		switch s.id {
		case 0x1302, 0x1303:
			return Good
		case 0x1301, 0x1304:
			return Sufficient
		}
		return Insufficient
	}
	enc := strings.ToUpper(s.enc)
	forwardSecret := s.kx == "ECDH" || s.kx == "DH"
	strongAuth := s.au == "RSA" || s.au == "ECDSA"
	if !forwardSecret || !strongAuth || s.au == "ECDSA" && s.kx == "DH" {
		return Insufficient
	}
	aead := s.mac == "AEAD"
	sha2MAC := s.mac == "SHA256" || s.mac == "SHA384"
	switch {
	case strings.Contains(enc, "CCM8"):
		return Insufficient
	case strings.HasPrefix(enc, "ARIA"), strings.HasPrefix(enc, "CAMELLIA"):
		if aead || sha2MAC {
			return PhaseOut
		}
		return Insufficient
	case strings.HasPrefix(enc, "AESGCM"), strings.HasPrefix(enc, "CHACHA20"), strings.HasPrefix(enc, "AESCCM"):
		if strings.HasSuffix(s.name, "_OLD") {
			// Pre-standard ChaCha20 code points from drafts.
			return Insufficient
		}
		if s.kx == "ECDH" {
			return Sufficient
		}
		return PhaseOut
	case strings.HasPrefix(enc, "AES("):
		if sha2MAC {
			return PhaseOut
		}
		return Insufficient
	}
	return Insufficient
}

// commonSuites are the suites servers accept most, most common first:
// TLS 1.3's mandatory suite and the other two every TLS 1.3 stack has,
// then TLS 1.2's ECDHE and DHE AEAD suites, their CBC fallbacks, static
// RSA and the legacy leftovers (OpenSSL's and Mozilla's server
// configurations, old and new). suitesFor puts them first, so that dealing
// a version's suites into hellos (deal) gives each hello about as many of
// them: a server's accepted suites then spread over parallel hellos
// instead of lengthening one hello's chain.
var commonSuites = []uint16{
	0x1301, 0x1302, 0x1303, // TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256
	0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, // ECDHE-{ECDSA,RSA}-{AES128-GCM,AES256-GCM,CHACHA20}
	0x009E, 0x009F, 0xCCAA, // DHE-RSA-{AES128-GCM,AES256-GCM,CHACHA20}
	0xC023, 0xC027, 0xC024, 0xC028, // ECDHE-{ECDSA,RSA}-AES{128-SHA256,256-SHA384}
	0xC009, 0xC013, 0xC00A, 0xC014, // ECDHE-{ECDSA,RSA}-AES{128,256}-SHA
	0x009C, 0x009D, 0x003C, 0x003D, 0x002F, 0x0035, // AES{128,256}-{GCM,SHA256,SHA}
	0x0067, 0x006B, 0x0033, 0x0039, // DHE-RSA-AES{128-SHA256,256-SHA256,128-SHA,256-SHA}
	0xC012, 0x0016, 0x000A, 0xC011, 0x0005, 0x0004, // 3DES and RC4
}

// suitesFor returns the code points worth offering for version v: suites
// defined for a later version cannot be negotiated and are left out. The
// common suites come first, then those with ECDH, DH or RSA key exchange,
// then the rest (PSK, SRP, KRB5 and the like). The list is shared: callers
// must not change it.
func suitesFor(v Version) []uint16 { return suiteLists()[v] }

// suiteLists is suitesFor of every version, made once: every scan asks.
var suiteLists = sync.OnceValue(func() map[Version][]uint16 {
	m := make(map[Version][]uint16, len(AllVersions))
	for _, v := range AllVersions {
		m[v] = listSuites(v)
	}
	return m
})

func listSuites(v Version) []uint16 {
	var common, first, rest []uint16
	for _, id := range commonSuites {
		if offeredIn(suiteByID[id], v) {
			common = append(common, id)
		}
	}
	for _, s := range suiteTable {
		switch {
		case !offeredIn(s, v) || slices.Contains(commonSuites, s.id):
		case s.kx == "ECDH" || s.kx == "DH" || s.kx == "RSA":
			first = append(first, s.id)
		default:
			rest = append(rest, s.id)
		}
	}
	return slices.Concat(common, first, rest)
}

// offeredIn reports whether a hello for version v may offer s: suites
// defined for a later version cannot be negotiated.
func offeredIn(s suiteInfo, v Version) bool {
	switch {
	case s.protocol == "" || s.id == 0x0000:
		return false
	case v == TLS13:
		return s.protocol == "TLSv1.3"
	case s.protocol == "TLSv1.3":
		return false
	case v < TLS12:
		return s.protocol != "TLSv1.2"
	}
	return true
}

// Group is a named group (curve or finite field) for key exchange.
type Group struct {
	ID    uint16 `json:"id"`
	Name  string `json:"name"`
	Class Class  `json:"class"`
	// PostQuantum marks hybrid groups that include ML-KEM.
	PostQuantum bool `json:"post_quantum,omitempty"`
}

var groupNames = map[uint16]struct {
	name  string
	class Class
	pq    bool
}{
	21:     {"secp224r1", PhaseOut, false},
	23:     {"secp256r1", Good, false},
	24:     {"secp384r1", Good, false},
	25:     {"secp521r1", Good, false},
	26:     {"brainpoolP256r1", Sufficient, false},
	27:     {"brainpoolP384r1", Sufficient, false},
	28:     {"brainpoolP512r1", Sufficient, false},
	29:     {"x25519", Good, false},
	30:     {"x448", Good, false},
	31:     {"brainpoolP256r1tls13", Sufficient, false},
	32:     {"brainpoolP384r1tls13", Sufficient, false},
	33:     {"brainpoolP512r1tls13", Sufficient, false},
	256:    {"ffdhe2048", Insufficient, false},
	257:    {"ffdhe3072", PhaseOut, false},
	258:    {"ffdhe4096", PhaseOut, false},
	259:    {"ffdhe6144", PhaseOut, false},
	260:    {"ffdhe8192", PhaseOut, false},
	0x11EB: {"SecP256r1MLKEM768", Good, true},
	0x11EC: {"X25519MLKEM768", Good, true},
	0x11ED: {"SecP384r1MLKEM1024", Good, true},
}

// LookupGroup describes a named group; unknown groups are insufficient.
func LookupGroup(id uint16) Group {
	if g, ok := groupNames[id]; ok {
		return Group{ID: id, Name: g.name, Class: g.class, PostQuantum: g.pq}
	}
	return Group{ID: id, Name: fmt.Sprintf("unknown 0x%04X", id), Class: Insufficient}
}

// offeredGroups is what the raw ClientHello offers in supported_groups: every
// group a server might pick, so that the one it chooses is its preference.
var offeredGroups = []uint16{29, 23, 24, 25, 30, 26, 27, 28, 21, 256, 257, 258, 259, 260}

// SigAlg is a TLS SignatureScheme with its hash rating.
type SigAlg struct {
	ID    uint16 `json:"id"`
	Name  string `json:"name"`
	Class Class  `json:"class"`
}

var sigAlgNames = map[uint16]struct {
	name  string
	class Class
}{
	0x0201: {"rsa_pkcs1_sha1", Insufficient},
	0x0203: {"ecdsa_sha1", Insufficient},
	0x0202: {"dsa_sha1", Insufficient},
	0x0301: {"rsa_sha224", PhaseOut},
	0x0302: {"dsa_sha224", PhaseOut},
	0x0303: {"ecdsa_sha224", PhaseOut},
	0x0401: {"rsa_pkcs1_sha256", Good},
	0x0403: {"ecdsa_secp256r1_sha256", Good},
	0x0501: {"rsa_pkcs1_sha384", Good},
	0x0503: {"ecdsa_secp384r1_sha384", Good},
	0x0601: {"rsa_pkcs1_sha512", Good},
	0x0603: {"ecdsa_secp521r1_sha512", Good},
	0x0804: {"rsa_pss_rsae_sha256", Good},
	0x0805: {"rsa_pss_rsae_sha384", Good},
	0x0806: {"rsa_pss_rsae_sha512", Good},
	0x0807: {"ed25519", Good},
	0x0808: {"ed448", Good},
	0x0809: {"rsa_pss_pss_sha256", Good},
	0x080a: {"rsa_pss_pss_sha384", Good},
	0x080b: {"rsa_pss_pss_sha512", Good},
}

// LookupSigAlg describes a signature scheme by code point.
func LookupSigAlg(id uint16) SigAlg {
	if s, ok := sigAlgNames[id]; ok {
		return SigAlg{ID: id, Name: s.name, Class: s.class}
	}
	return SigAlg{ID: id, Name: fmt.Sprintf("unknown 0x%04X", id), Class: Insufficient}
}

// offeredSigAlgs goes in the raw ClientHello's signature_algorithms; SHA-1
// comes last so that a server picking it reveals it has nothing better.
var offeredSigAlgs = []uint16{
	0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806,
	0x0809, 0x080a, 0x080b, 0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0203, 0x0201, 0x0202,
}
