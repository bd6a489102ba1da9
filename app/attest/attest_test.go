package attest

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestEvidenceStore(t *testing.T) {
	t.Parallel()
	pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 100)...)
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	jpeg := []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00")
	cases := []struct {
		name    string
		content []byte
		ct      string
		err     error
	}{
		{"a PDF is recognised by its magic", pdf, "application/pdf", nil},
		{"a PNG is accepted", png, "image/png", nil},
		{"a JPEG is accepted", jpeg, "image/jpeg", nil},
		{"plain text is accepted", []byte("DNSSEC signed since 2019.\n"), "text/plain; charset=utf-8", nil},
		{"HTML is refused even though it is text", []byte("<html><script>alert(1)</script>"), "", ErrFileType},
		{"a ZIP is refused", []byte("PK\x03\x04rest"), "", ErrFileType},
		{"an executable is refused", []byte("\x7fELF\x02\x01\x01"), "", ErrFileType},
		{"an empty file is refused", nil, "", ErrEmptyFile},
		{"a file over 10 MB is refused", append(append([]byte{}, pdf...), make([]byte, MaxEvidenceSize)...), "", ErrTooLarge},
		{"exactly 10 MB is accepted", append(append([]byte{}, pdf...), make([]byte, MaxEvidenceSize-len(pdf))...), "application/pdf", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := Store{Dir: t.TempDir()}
			st, err := s.Stage(bytes.NewReader(c.content))
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Errorf("got %v, want %v", err, c.err)
				}
				if left := files(t, s.Dir); len(left) != 0 {
					t.Errorf("a refused upload left %v", left)
				}
				return
			}
			if err != nil || st.ContentType != c.ct || st.Size != int64(len(c.content)) {
				t.Fatalf("got %+v, %v", st, err)
			}
			if err := st.Commit(); err != nil {
				t.Fatal(err)
			}
			if h, err := s.HashFile(st.RelPath); err != nil || h != st.SHA256 {
				t.Errorf("stored file hashes to %s, %v; want %s", h, err, st.SHA256)
			}
		})
	}
	t.Run("cleanup after a failed transaction removes the file it created", func(t *testing.T) {
		s := Store{Dir: t.TempDir()}
		st, err := s.Stage(bytes.NewReader(pdf))
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Commit(); err != nil {
			t.Fatal(err)
		}
		st.Cleanup()
		if left := files(t, s.Dir); len(left) != 0 {
			t.Errorf("left %v", left)
		}
	})
	t.Run("a path outside the store cannot be opened", func(t *testing.T) {
		s := Store{Dir: t.TempDir()}
		for _, p := range []string{"../etc/passwd", "/etc/passwd", "evidence/../../x"} {
			if _, err := s.Open(p); err == nil {
				t.Errorf("%s opened", p)
			}
		}
	})
}

func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
