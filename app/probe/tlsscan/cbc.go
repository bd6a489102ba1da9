package tlsscan

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
)

// CBC record protection (RFC 2246 6.2.3.2, RFC 5246 6.2.3.2): MAC, then
// pad, then encrypt. The renegotiation client speaks it for the servers
// that still only have CBC suites or TLS 1.0 and 1.1, which are the ones
// most likely to allow client renegotiation. The MAC check is not
// constant-time: this client measures, it guards no secret.
type cbcProtection struct {
	block  cipher.Block
	mac    func() hash.Hash
	macKey []byte
	// iv is the chained IV of TLS 1.0 (the last ciphertext block); from
	// TLS 1.1 on every record carries its own (explicit).
	iv       []byte
	explicit bool
	seq      uint64
}

// newCBCProtection makes the AES-CBC protection of suite s.
func newCBCProtection(s suite12, version Version, key, macKey, iv []byte) (*cbcProtection, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("tlsscan: record cipher: %w", err)
	}
	return &cbcProtection{block: block, mac: s.macHash(), macKey: macKey, iv: iv, explicit: version >= TLS11}, nil
}

func (p *cbcProtection) isTLS13() bool { return false }

func (p *cbcProtection) recordMAC(typ uint8, version uint16, data []byte) []byte {
	m := hmac.New(p.mac, p.macKey)
	var hdr [13]byte
	binary.BigEndian.PutUint64(hdr[:], p.seq)
	hdr[8] = typ
	binary.BigEndian.PutUint16(hdr[9:], version)
	binary.BigEndian.PutUint16(hdr[11:], uint16(len(data)))
	m.Write(hdr[:])
	m.Write(data)
	return m.Sum(nil)
}

func (p *cbcProtection) seal(typ uint8, version uint16, data []byte) []byte {
	defer func() { p.seq++ }()
	bs := p.block.BlockSize()
	plain := append(append([]byte(nil), data...), p.recordMAC(typ, version, data)...)
	pad := bs - len(plain)%bs
	for range pad {
		plain = append(plain, byte(pad-1))
	}
	iv := p.iv
	var out []byte
	if p.explicit {
		iv = make([]byte, bs)
		rand.Read(iv)
		out = append(out, iv...)
	}
	ct := make([]byte, len(plain))
	cipher.NewCBCEncrypter(p.block, iv).CryptBlocks(ct, plain)
	if !p.explicit {
		p.iv = append([]byte(nil), ct[len(ct)-bs:]...)
	}
	out = append(out, ct...)
	hdr := []byte{typ, byte(version >> 8), byte(version), byte(len(out) >> 8), byte(len(out))}
	return append(hdr, out...)
}

func (p *cbcProtection) open(hdr [5]byte, body []byte) (uint8, []byte, error) {
	defer func() { p.seq++ }()
	bs := p.block.BlockSize()
	iv := p.iv
	if p.explicit {
		if len(body) < bs {
			return 0, nil, errors.New("tlsscan: protected record too short")
		}
		iv, body = body[:bs], body[bs:]
	}
	macLen := p.mac().Size()
	if len(body) == 0 || len(body)%bs != 0 || len(body) < macLen+1 {
		return 0, nil, errors.New("tlsscan: protected record of a bad length")
	}
	plain := make([]byte, len(body))
	cipher.NewCBCDecrypter(p.block, iv).CryptBlocks(plain, body)
	if !p.explicit {
		p.iv = append([]byte(nil), body[len(body)-bs:]...)
	}
	pad := int(plain[len(plain)-1]) + 1
	if pad+macLen > len(plain) {
		return 0, nil, errors.New("tlsscan: record authentication failed: bad padding")
	}
	data := plain[:len(plain)-pad-macLen]
	mac := plain[len(data) : len(data)+macLen]
	if !hmac.Equal(mac, p.recordMAC(hdr[0], binary.BigEndian.Uint16(hdr[1:3]), data)) {
		return 0, nil, errors.New("tlsscan: record authentication failed")
	}
	return hdr[0], data, nil
}

// prf10 is the PRF of TLS 1.0 and 1.1 (RFC 2246 5): P_MD5 over the first
// half of the secret XORed with P_SHA1 over the second.
func prf10(secret []byte, label string, seed []byte, n int) []byte {
	half := (len(secret) + 1) / 2
	out := pHash(md5.New, secret[:half], label, seed, n)
	for i, b := range pHash(sha1.New, secret[len(secret)-half:], label, seed, n) {
		out[i] ^= b
	}
	return out
}
