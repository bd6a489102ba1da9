package sso

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
)

// KeySize is the length of the secret key: AES-256.
const KeySize = 32

// Sealer encrypts the client secrets of providers with AES-256-GCM under
// the configured secret key. The zero Sealer has no key and refuses.
type Sealer struct {
	aead cipher.AEAD
}

// ParseKey reads a secret key given as base64 of KeySize bytes.
func ParseKey(s string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("secret key is not base64: %w", err)
	}
	if len(key) != KeySize {
		return nil, fmt.Errorf("secret key has %d bytes, want %d", len(key), KeySize)
	}
	return key, nil
}

// NewSealer returns a Sealer for key (KeySize bytes), or the zero Sealer
// for an empty key.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) == 0 {
		return &Sealer{}, nil
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("sso: secret key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("sso: secret key: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

// Ready reports whether a key is configured.
func (s *Sealer) Ready() bool { return s != nil && s.aead != nil }

// Seal encrypts plain with a fresh nonce; the result is base64 of nonce
// and ciphertext. label (the issuer and client id) is authenticated too,
// so a sealed secret cannot be moved to another provider's row.
func (s *Sealer) Seal(plain, label string) (string, error) {
	if !s.Ready() {
		return "", ErrNoKey
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("sso: nonce: %w", err)
	}
	return base64.StdEncoding.EncodeToString(s.aead.Seal(nonce, nonce, []byte(plain), []byte(label))), nil
}

// Open decrypts what Seal returned for label.
func (s *Sealer) Open(sealed, label string) (string, error) {
	if !s.Ready() {
		return "", ErrNoKey
	}
	b, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil || len(b) < s.aead.NonceSize() {
		return "", errors.New("sso: sealed secret is malformed")
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, b[:n], b[n:], []byte(label))
	if err != nil {
		return "", fmt.Errorf("sso: open sealed secret: %w", err)
	}
	return string(plain), nil
}
