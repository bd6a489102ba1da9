package sso

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func TestSealer(t *testing.T) {
	key := bytes.Repeat([]byte{1}, KeySize)
	s, err := NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s.Seal("client secret", "org 1")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a sealed secret opens under its key and label, and does not show the secret", func(t *testing.T) {
		if strings.Contains(sealed, "client secret") {
			t.Fatal("the secret shows in the sealed text")
		}
		if got, err := s.Open(sealed, "org 1"); err != nil || got != "client secret" {
			t.Fatalf("open: %q, %v", got, err)
		}
	})
	t.Run("the same secret sealed twice differs (a fresh nonce each time)", func(t *testing.T) {
		again, _ := s.Seal("client secret", "org 1")
		if again == sealed {
			t.Fatal("two seals of one secret are equal")
		}
	})
	t.Run("another label, another key or a changed byte does not open", func(t *testing.T) {
		if _, err := s.Open(sealed, "org 2"); err == nil {
			t.Error("opened under another organisation's label")
		}
		other, _ := NewSealer(bytes.Repeat([]byte{2}, KeySize))
		if _, err := other.Open(sealed, "org 1"); err == nil {
			t.Error("opened under another key")
		}
		raw, _ := base64.StdEncoding.DecodeString(sealed)
		raw[len(raw)-1] ^= 1
		if _, err := s.Open(base64.StdEncoding.EncodeToString(raw), "org 1"); err == nil {
			t.Error("opened a changed ciphertext")
		}
	})
	t.Run("without a key nothing is sealed", func(t *testing.T) {
		none, _ := NewSealer(nil)
		if _, err := none.Seal("x", "org 1"); !errors.Is(err, ErrNoKey) {
			t.Fatalf("seal without key: %v", err)
		}
	})
	t.Run("a key must be base64 of 32 bytes", func(t *testing.T) {
		for _, k := range []string{"not base64!", base64.StdEncoding.EncodeToString(make([]byte, 16))} {
			if _, err := ParseKey(k); err == nil {
				t.Errorf("key %q accepted", k)
			}
		}
		if _, err := ParseKey(base64.StdEncoding.EncodeToString(key)); err != nil {
			t.Error(err)
		}
	})
}
