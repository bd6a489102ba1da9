// Package sshkex reads what an SSH server offers before anyone logs in: its
// identification string (banner) and its key-exchange offer, the
// SSH_MSG_KEXINIT message of RFC 4253 §7.1. It never completes a key
// exchange and never authenticates.
//
// The protocol steps, on a connection the caller opened (through the SSRF
// guard):
//
//  1. Send our identification string, "SSH-2.0-Tenderprobe\r\n" (RFC 4253
//     §4.2). Servers send theirs without waiting for ours.
//  2. Read the server's lines up to the one starting with "SSH-": lines
//     before it are allowed (§4.2) and skipped, at most MaxPreambleLines of
//     at most 255 bytes each. A line that is not SSH at all (an HTTP
//     server's answer) is kept for the error.
//  3. Read one binary packet (§6): uint32 packet_length, byte
//     padding_length, payload, padding; no MAC or encryption yet. Its
//     payload must be SSH_MSG_KEXINIT (20), parsed with
//     golang.org/x/crypto/ssh's wire format (ssh.Unmarshal): a 16-byte
//     cookie, ten name-lists and the first_kex_packet_follows flag.
//  4. Send SSH_MSG_DISCONNECT (reason 11, "by application") and let the
//     caller close the connection.
//
// Every read and write honours the connection's deadline, which the caller
// sets from its context.
package sshkex

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"golang.org/x/crypto/ssh"
)

// Identification is what we tell the server we are.
const Identification = "SSH-2.0-Tenderprobe"

// Limits of what is read from a server.
const (
	// MaxLineLength is the longest identification line RFC 4253 §4.2
	// allows, CR LF included.
	MaxLineLength = 255
	// MaxPreambleLines is how many lines before the identification are
	// skipped before the server is taken for something else.
	MaxPreambleLines = 20
	// MaxPacketLength is the largest packet RFC 4253 §6.1 obliges an
	// implementation to accept; a KEXINIT is a few hundred bytes.
	MaxPacketLength = 35000
)

// msgKexInit and msgDisconnect are the message numbers of RFC 4253 §12.
const (
	msgKexInit    = 20
	msgDisconnect = 1
)

// Offer is a server's banner and key-exchange offer. The name-lists are in
// the server's order of preference.
type Offer struct {
	// Banner is the server's identification line without CR LF, such as
	// "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3".
	Banner string `json:"banner"`
	// Preamble holds the lines the server sent before its banner.
	Preamble                []string `json:"preamble,omitempty"`
	KexAlgorithms           []string `json:"kex_algorithms"`
	HostKeyAlgorithms       []string `json:"host_key_algorithms"`
	CiphersClientServer     []string `json:"ciphers_client_to_server"`
	CiphersServerClient     []string `json:"ciphers_server_to_client"`
	MACsClientServer        []string `json:"macs_client_to_server"`
	MACsServerClient        []string `json:"macs_server_to_client"`
	CompressionClientServer []string `json:"compression_client_to_server"`
	CompressionServerClient []string `json:"compression_server_to_client"`
	LanguagesClientServer   []string `json:"languages_client_to_server,omitempty"`
	LanguagesServerClient   []string `json:"languages_server_to_client,omitempty"`
	FirstKexFollows         bool     `json:"first_kex_packet_follows"`
}

// PQHybrids are the post-quantum hybrid key exchanges, in order of
// preference: ML-KEM-768 with X25519 (OpenSSH 9.9 and later, the IETF
// draft's name) and Streamlined NTRU Prime with X25519 under both its names
// (OpenSSH 9.0 and later).
var PQHybrids = []string{
	"mlkem768x25519-sha256",
	"sntrup761x25519-sha512",
	"sntrup761x25519-sha512@openssh.com",
}

// PQHybrids returns the post-quantum hybrid key exchanges the offer
// contains, in the server's order.
func (o Offer) PQHybrids() []string {
	var out []string
	for _, k := range o.KexAlgorithms {
		if slices.Contains(PQHybrids, k) {
			out = append(out, k)
		}
	}
	return out
}

// Error codes of a ProtocolError.
const (
	// CodeNotSSH: the server sent something other than an SSH
	// identification (Detail: its first line).
	CodeNotSSH = "not_ssh"
	// CodeVersion: an SSH server of a protocol version other than 2.0
	// (Detail: its banner).
	CodeVersion = "ssh_version"
	// CodeBadPacket: the first packet is not a well-formed KEXINIT
	// (Detail: what is wrong).
	CodeBadPacket = "bad_packet"
)

// ProtocolError is a server that does not speak SSH 2.0 as RFC 4253 says.
type ProtocolError struct {
	Code   string
	Detail string
}

func (e *ProtocolError) Error() string {
	switch e.Code {
	case CodeNotSSH:
		return fmt.Sprintf("not an SSH server: it sent %q", e.Detail)
	case CodeVersion:
		return fmt.Sprintf("not SSH protocol 2.0: banner %q", e.Detail)
	}
	return "no valid SSH key-exchange offer: " + e.Detail
}

// kexInit is SSH_MSG_KEXINIT (RFC 4253 §7.1) as ssh.Unmarshal reads it.
type kexInit struct {
	Cookie                  [16]byte `sshtype:"20"`
	KexAlgos                []string
	ServerHostKeyAlgos      []string
	CiphersClientServer     []string
	CiphersServerClient     []string
	MACsClientServer        []string
	MACsServerClient        []string
	CompressionClientServer []string
	CompressionServerClient []string
	LanguagesClientServer   []string
	LanguagesServerClient   []string
	FirstKexFollows         bool
	Reserved                uint32
}

// disconnect is SSH_MSG_DISCONNECT (RFC 4253 §11.1).
type disconnect struct {
	Reason   uint32 `sshtype:"1"`
	Message  string
	Language string
}

// Read runs the protocol steps of the package comment on conn and returns
// the server's offer. Network errors are returned as they are (a deadline
// gives os.ErrDeadlineExceeded); a server that is not SSH 2.0 gives a
// *ProtocolError.
func Read(conn io.ReadWriter) (Offer, error) {
	if _, err := io.WriteString(conn, Identification+"\r\n"); err != nil {
		return Offer{}, fmt.Errorf("send identification: %w", err)
	}
	br := bufio.NewReaderSize(conn, 4096)
	offer, err := ReadOffer(br)
	if err != nil {
		return offer, err
	}
	// A polite goodbye; the offer is ours whether or not it arrives.
	_, _ = conn.Write(packet(ssh.Marshal(disconnect{Reason: 11, Message: "probe done"})))
	return offer, nil
}

// ReadOffer reads a server's identification and its KEXINIT packet from r.
func ReadOffer(r *bufio.Reader) (Offer, error) {
	var o Offer
	for i := 0; ; i++ {
		line, err := readLine(r)
		if err != nil {
			if errors.Is(err, io.EOF) && i > 0 {
				return o, &ProtocolError{Code: CodeNotSSH, Detail: firstOf(o.Preamble)}
			}
			return o, err
		}
		if strings.HasPrefix(line, "SSH-") {
			o.Banner = line
			break
		}
		o.Preamble = append(o.Preamble, line)
		if i+1 >= MaxPreambleLines || !printable(line) {
			return o, &ProtocolError{Code: CodeNotSSH, Detail: firstOf(o.Preamble)}
		}
	}
	// "SSH-1.99-" is a server that also speaks 2.0 (RFC 4253 §5.1).
	if !strings.HasPrefix(o.Banner, "SSH-2.0-") && !strings.HasPrefix(o.Banner, "SSH-1.99-") {
		return o, &ProtocolError{Code: CodeVersion, Detail: o.Banner}
	}
	payload, err := readPacket(r)
	if err != nil {
		return o, err
	}
	if payload[0] != msgKexInit {
		return o, &ProtocolError{Code: CodeBadPacket, Detail: fmt.Sprintf("message %d where KEXINIT (20) was due", payload[0])}
	}
	var k kexInit
	if err := ssh.Unmarshal(payload, &k); err != nil {
		return o, &ProtocolError{Code: CodeBadPacket, Detail: "malformed KEXINIT: " + err.Error()}
	}
	o.KexAlgorithms, o.HostKeyAlgorithms = list(k.KexAlgos), list(k.ServerHostKeyAlgos)
	o.CiphersClientServer, o.CiphersServerClient = list(k.CiphersClientServer), list(k.CiphersServerClient)
	o.MACsClientServer, o.MACsServerClient = list(k.MACsClientServer), list(k.MACsServerClient)
	o.CompressionClientServer, o.CompressionServerClient = list(k.CompressionClientServer), list(k.CompressionServerClient)
	o.LanguagesClientServer, o.LanguagesServerClient = k.LanguagesClientServer, k.LanguagesServerClient
	o.FirstKexFollows = k.FirstKexFollows
	return o, nil
}

// list is a name-list that is never nil, so evidence shows [] for none.
func list(names []string) []string {
	if names == nil {
		return []string{}
	}
	return names
}

// readLine reads one line ending in LF (CR LF, or LF alone as some servers
// send) of at most MaxLineLength bytes and returns it without the ending.
// A longer line is cut: what came is enough to say what the server is.
func readLine(r *bufio.Reader) (string, error) {
	var line []byte
	for len(line) < MaxLineLength {
		b, err := r.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) && len(line) > 0 {
				return strings.TrimRight(string(line), "\r"), nil
			}
			return "", err
		}
		if b == '\n' {
			return strings.TrimRight(string(line), "\r"), nil
		}
		line = append(line, b)
	}
	return string(line), nil
}

// readPacket reads one unencrypted binary packet (RFC 4253 §6) and returns
// its payload, which is at least one byte long.
func readPacket(r io.Reader) ([]byte, error) {
	var head [5]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, fmt.Errorf("read packet: %w", err)
	}
	length, padding := binary.BigEndian.Uint32(head[:4]), uint32(head[4])
	switch {
	case length > MaxPacketLength:
		return nil, &ProtocolError{Code: CodeBadPacket, Detail: fmt.Sprintf("packet of %d bytes, more than %d", length, MaxPacketLength)}
	case padding < 4 || length < padding+2:
		return nil, &ProtocolError{Code: CodeBadPacket, Detail: fmt.Sprintf("packet of %d bytes with %d bytes of padding", length, padding)}
	}
	body := make([]byte, length-1)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, fmt.Errorf("read packet: %w", err)
	}
	return body[:len(body)-int(padding)], nil
}

// packet frames payload as an unencrypted binary packet, padded to a
// multiple of 8 bytes with at least 4 bytes of padding (RFC 4253 §6).
func packet(payload []byte) []byte {
	padding := 8 - (len(payload)+5)%8
	if padding < 4 {
		padding += 8
	}
	out := binary.BigEndian.AppendUint32(nil, uint32(1+len(payload)+padding))
	out = append(out, byte(padding))
	out = append(out, payload...)
	return append(out, bytes.Repeat([]byte{0}, padding)...)
}

// printable reports whether line is text, as a preamble line must be.
func printable(line string) bool {
	for _, c := range []byte(line) {
		if (c < 0x20 && c != '\t' && c != '\r') || c == 0x7f {
			return false
		}
	}
	return true
}

func firstOf(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return lines[0]
}
