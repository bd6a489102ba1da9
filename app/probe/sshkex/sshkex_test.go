package sshkex

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// serverKexInit is a KEXINIT as an OpenSSH server sends it.
func serverKexInit(kex ...string) kexInit {
	return kexInit{
		KexAlgos:                kex,
		ServerHostKeyAlgos:      []string{"ssh-ed25519"},
		CiphersClientServer:     []string{"chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com"},
		CiphersServerClient:     []string{"chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com"},
		MACsClientServer:        []string{"hmac-sha2-256-etm@openssh.com"},
		MACsServerClient:        []string{"hmac-sha2-256-etm@openssh.com"},
		CompressionClientServer: []string{"none", "zlib@openssh.com"},
		CompressionServerClient: []string{"none", "zlib@openssh.com"},
	}
}

func TestReadOffer(t *testing.T) {
	good := packet(ssh.Marshal(serverKexInit("sntrup761x25519-sha512@openssh.com", "curve25519-sha256")))
	tests := []struct {
		name       string
		in         []byte
		wantBanner string
		wantKex    []string
		wantCode   string
		wantErr    string
	}{
		{"a server's banner and KEXINIT give its algorithm lists",
			append([]byte("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"), good...), "SSH-2.0-OpenSSH_9.2p1 Debian-2",
			[]string{"sntrup761x25519-sha512@openssh.com", "curve25519-sha256"}, "", ""},
		{"lines before the banner are skipped, as RFC 4253 allows",
			append([]byte("Welcome\r\nauthorised use only\nSSH-1.99-Old\r\n"), good...), "SSH-1.99-Old",
			[]string{"sntrup761x25519-sha512@openssh.com", "curve25519-sha256"}, "", ""},
		{"an HTTP server is not an SSH server and says what it sent",
			[]byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"), "", nil, CodeNotSSH, "HTTP/1.1 400 Bad Request"},
		{"binary noise is not an SSH server", []byte("\x16\x03\x01\x00\x05hello\n"), "", nil, CodeNotSSH, ""},
		{"an SSH 1 server is refused by its version", []byte("SSH-1.5-Ancient\r\n"), "SSH-1.5-Ancient", nil, CodeVersion, "SSH-1.5-Ancient"},
		{"a first packet that is not KEXINIT is a bad packet",
			append([]byte("SSH-2.0-x\r\n"), packet(ssh.Marshal(disconnect{Reason: 2}))...), "SSH-2.0-x", nil, CodeBadPacket, "message 1"},
		{"a packet longer than RFC 4253 allows is refused before it is read",
			append([]byte("SSH-2.0-x\r\n"), 0x7f, 0xff, 0xff, 0xff, 4), "SSH-2.0-x", nil, CodeBadPacket, "more than 35000"},
		{"padding longer than the packet is refused",
			append([]byte("SSH-2.0-x\r\n"), 0, 0, 0, 5, 200, 1, 2, 3, 4), "SSH-2.0-x", nil, CodeBadPacket, "padding"},
		{"a KEXINIT cut short is malformed",
			append([]byte("SSH-2.0-x\r\n"), packet(ssh.Marshal(serverKexInit("curve25519-sha256"))[:30])...), "SSH-2.0-x", nil, CodeBadPacket, "malformed"},
		{"a server that hangs up after its banner gives the read error",
			[]byte("SSH-2.0-x\r\n\x00\x00"), "SSH-2.0-x", nil, "", "unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := ReadOffer(bufio.NewReader(bytes.NewReader(tt.in)))
			if o.Banner != tt.wantBanner {
				t.Errorf("banner %q, want %q", o.Banner, tt.wantBanner)
			}
			var pe *ProtocolError
			switch {
			case tt.wantCode == "" && tt.wantErr == "":
				if err != nil {
					t.Fatalf("error %v", err)
				}
				if !slices.Equal(o.KexAlgorithms, tt.wantKex) || !slices.Equal(o.HostKeyAlgorithms, []string{"ssh-ed25519"}) ||
					!slices.Equal(o.CompressionServerClient, []string{"none", "zlib@openssh.com"}) || len(o.MACsClientServer) != 1 {
					t.Errorf("offer %+v", o)
				}
			case tt.wantCode != "":
				if !errors.As(err, &pe) || pe.Code != tt.wantCode || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %v, want code %s mentioning %q", err, tt.wantCode, tt.wantErr)
				}
			default:
				if err == nil || errors.As(err, &pe) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %v, want a read error mentioning %q", err, tt.wantErr)
				}
			}
		})
	}
}

func TestPQHybrids(t *testing.T) {
	tests := []struct {
		name string
		kex  []string
		want []string
	}{
		{"ML-KEM with X25519 is a hybrid", []string{"curve25519-sha256", "mlkem768x25519-sha256"}, []string{"mlkem768x25519-sha256"}},
		{"NTRU Prime counts under both names, in the server's order",
			[]string{"sntrup761x25519-sha512@openssh.com", "sntrup761x25519-sha512"}, []string{"sntrup761x25519-sha512@openssh.com", "sntrup761x25519-sha512"}},
		{"classical key exchanges are none", []string{"curve25519-sha256", "ecdh-sha2-nistp256", "kex-strict-s-v00@openssh.com"}, nil},
		{"a name is matched exactly", []string{"MLKEM768X25519-SHA256", "mlkem768x25519-sha256@example"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (Offer{KexAlgorithms: tt.kex}).PQHybrids(); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// Read sends our identification first and a DISCONNECT after the offer,
// both as RFC 4253 frames them.
func TestReadSaysHelloAndGoodbye(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	got := make(chan []byte, 1)
	go func() {
		defer server.Close()
		server.SetDeadline(time.Now().Add(5 * time.Second))
		br := bufio.NewReader(server)
		line, _ := br.ReadString('\n')
		server.Write(append([]byte("SSH-2.0-test\r\n"), packet(ssh.Marshal(serverKexInit("curve25519-sha256")))...))
		var head [5]byte
		io.ReadFull(br, head[:])
		body := make([]byte, binary.BigEndian.Uint32(head[:4])-1)
		io.ReadFull(br, body)
		got <- append([]byte(line), body[:len(body)-int(head[4])]...)
	}()
	client.SetDeadline(time.Now().Add(5 * time.Second))
	o, err := Read(client)
	if err != nil || o.Banner != "SSH-2.0-test" {
		t.Fatalf("Read = %+v, %v", o, err)
	}
	sent := <-got
	hello, bye, _ := bytes.Cut(sent, []byte("\n"))
	if string(hello) != Identification+"\r" {
		t.Errorf("identification %q", hello)
	}
	var d disconnect
	if err := ssh.Unmarshal(bye, &d); err != nil || d.Reason != 11 {
		t.Errorf("goodbye %x: %+v, %v", bye, d, err)
	}
}

// The reader takes whatever a server sends without panicking, and what it
// accepts has a banner and key exchanges of a well-formed KEXINIT.
func FuzzReadOffer(f *testing.F) {
	f.Add(append([]byte("SSH-2.0-OpenSSH_9.2\r\n"), packet(ssh.Marshal(serverKexInit("curve25519-sha256")))...))
	f.Add([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
	f.Add([]byte("SSH-2.0-x\r\n\x00\x00\x00\x0c\x04\x14abcdefg"))
	f.Add(append([]byte("SSH-2.0-x\n"), packet([]byte{20})...))
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := ReadOffer(bufio.NewReader(bytes.NewReader(data)))
		if err != nil {
			return
		}
		if !strings.HasPrefix(o.Banner, "SSH-") || o.KexAlgorithms == nil || o.HostKeyAlgorithms == nil {
			t.Errorf("accepted %q as %+v", data, o)
		}
	})
}
