package attest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// MaxEvidenceSize is the largest evidence file accepted: 10 MB.
const MaxEvidenceSize = 10 << 20

// Evidence upload errors, each a reason to refuse the file and change nothing.
var (
	// ErrTooLarge means the file is larger than MaxEvidenceSize (413).
	ErrTooLarge = errors.New("the file is larger than 10 MB")
	// ErrFileType means the content is not PDF, PNG, JPEG or plain text,
	// whatever the file's name says (415).
	ErrFileType = errors.New("the file is not a PDF, PNG, JPEG or plain text file")
	// ErrEmptyFile means no content was sent.
	ErrEmptyFile = errors.New("the file is empty")
)

// AllowedTypes are the evidence content types, as stored and served.
var AllowedTypes = []string{"application/pdf", "image/png", "image/jpeg", "text/plain; charset=utf-8"}

// SniffType returns the evidence content type of a file from its first
// bytes, or ErrFileType. It trusts only the content: a PDF must start with
// the PDF magic "%PDF-", images and text are recognised by
// net/http.DetectContentType (which also tells HTML apart from text).
func SniffType(head []byte) (string, error) {
	if bytes.HasPrefix(head, []byte("%PDF-")) {
		return "application/pdf", nil
	}
	switch ct := http.DetectContentType(head); ct {
	case "image/png", "image/jpeg":
		return ct, nil
	case "text/plain; charset=utf-8":
		return ct, nil
	}
	return "", ErrFileType
}

// Store keeps evidence files under Dir/evidence, each named by its SHA-256,
// so equal files are stored once and a name can never escape the directory.
type Store struct {
	Dir string
}

// Staged is an uploaded file written to a temporary file and checked, not
// yet in its final place.
type Staged struct {
	SHA256      string
	ContentType string
	Size        int64
	// RelPath is where Commit puts the file, relative to the store's Dir.
	RelPath string

	store   Store
	tmp     string
	created bool
}

func (s Store) root() string { return filepath.Join(s.Dir, "evidence") }

// Stage copies r into a temporary file under the store while hashing it
// and checking size and type. On any error nothing is left behind.
func (s Store) Stage(r io.Reader) (*Staged, error) {
	return s.StageAs(r, "")
}

// StageAs is Stage for content whose type the caller already knows from
// the content (an SBOM that parsed): a non-empty contentType is stored as
// it is instead of sniffing the first bytes.
func (s Store) StageAs(r io.Reader, contentType string) (*Staged, error) {
	if s.Dir == "" {
		return nil, errors.New("attest: evidence store has no data directory")
	}
	tmpDir := filepath.Join(s.root(), "tmp")
	if err := os.MkdirAll(tmpDir, 0o750); err != nil {
		return nil, fmt.Errorf("attest: create evidence directory: %w", err)
	}
	f, err := os.CreateTemp(tmpDir, "upload-*")
	if err != nil {
		return nil, fmt.Errorf("attest: create temporary evidence file: %w", err)
	}
	st := &Staged{store: s, tmp: f.Name()}
	fail := func(err error) (*Staged, error) {
		f.Close()
		os.Remove(st.tmp)
		return nil, err
	}
	h := sha256.New()
	var head bytes.Buffer
	n, err := io.Copy(io.MultiWriter(f, h, &prefixWriter{buf: &head, max: 512}), io.LimitReader(r, MaxEvidenceSize+1))
	if err != nil {
		return fail(fmt.Errorf("attest: write evidence file: %w", err))
	}
	if n > MaxEvidenceSize {
		return fail(ErrTooLarge)
	}
	if n == 0 {
		return fail(ErrEmptyFile)
	}
	ct := contentType
	if ct == "" {
		if ct, err = SniffType(head.Bytes()); err != nil {
			return fail(err)
		}
	}
	if err := f.Sync(); err != nil {
		return fail(fmt.Errorf("attest: write evidence file: %w", err))
	}
	if err := f.Close(); err != nil {
		os.Remove(st.tmp)
		return nil, fmt.Errorf("attest: write evidence file: %w", err)
	}
	st.SHA256, st.ContentType, st.Size = hex.EncodeToString(h.Sum(nil)), ct, n
	st.RelPath = filepath.Join("evidence", st.SHA256[:2], st.SHA256)
	return st, nil
}

// prefixWriter keeps the first max bytes written, for content sniffing.
type prefixWriter struct {
	buf *bytes.Buffer
	max int
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	if room := p.max - p.buf.Len(); room > 0 {
		p.buf.Write(b[:min(room, len(b))])
	}
	return len(b), nil
}

// Commit moves the staged file to its final place. A file with the same
// hash already there is the same content, so the staged copy is dropped.
func (st *Staged) Commit() error {
	final := filepath.Join(st.store.Dir, st.RelPath)
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return fmt.Errorf("attest: create evidence directory: %w", err)
	}
	if _, err := os.Stat(final); err == nil {
		return os.Remove(st.tmp)
	}
	if err := os.Rename(st.tmp, final); err != nil {
		return fmt.Errorf("attest: store evidence file: %w", err)
	}
	st.created = true
	return nil
}

// Cleanup undoes the upload after a failure: it removes the temporary file
// and, if Commit had created the final file, that file too.
func (st *Staged) Cleanup() {
	os.Remove(st.tmp)
	if st.created {
		os.Remove(filepath.Join(st.store.Dir, st.RelPath))
		st.created = false
	}
}

// Open opens a stored evidence file by its relative path, refusing any
// path outside the store.
func (s Store) Open(rel string) (*os.File, error) {
	clean := filepath.Clean(rel)
	if filepath.IsAbs(clean) || strings.HasPrefix(clean, "..") || !strings.HasPrefix(clean, "evidence"+string(filepath.Separator)) {
		return nil, fmt.Errorf("attest: evidence path %q is outside the store", rel)
	}
	f, err := os.Open(filepath.Join(s.Dir, clean))
	if err != nil {
		return nil, fmt.Errorf("attest: open evidence file: %w", err)
	}
	return f, nil
}

// HashFile returns the hex SHA-256 of the stored file at rel, for checking
// that files still match the hashes receipts recorded.
func (s Store) HashFile(rel string) (string, error) {
	f, err := s.Open(rel)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("attest: hash evidence file: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
