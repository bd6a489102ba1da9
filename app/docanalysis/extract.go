// Package docanalysis reads a tender document (PDF, DOCX, ODT, HTML or
// plain text) and decides for each catalogue standard whether the
// document requests it (an explicit demand), only mentions it, or leaves
// it out, with the quoted sentence and its page or section for each hit;
// and which standards are relevant to the kind of ICT bought, so that the
// relevant ones it does not request are missing.
//
// The package has no web or database code: handlers hand it the uploaded
// bytes and the catalogue, and store what it answers.
package docanalysis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Formats a document can have.
const (
	FormatPDF  = "pdf"
	FormatDOCX = "docx"
	FormatODT  = "odt"
	FormatHTML = "html"
	FormatText = "txt"
)

// Limits of one analysis.
const (
	// MaxFileSize is the largest upload read (20 MB).
	MaxFileSize = 20 << 20
	// MaxUnpacked caps the bytes read out of a DOCX or ODT archive, so a
	// zip bomb stops early.
	MaxUnpacked = 64 << 20
	// MaxPages caps the PDF pages read.
	MaxPages = 600
	// MaxTime caps the time spent extracting text.
	MaxTime = 30 * time.Second
	// MaxTextRunes caps the extracted text.
	MaxTextRunes = 4 << 20
)

// Reasons an upload is refused (Error.Reason).
const (
	ReasonTooLarge    = "too_large"
	ReasonEmpty       = "empty"
	ReasonFormat      = "unsupported_format"
	ReasonUnreadable  = "unreadable"
	ReasonNoText      = "no_text"
	ReasonScanned     = "scanned"
	ReasonUnpacked    = "unpacked_too_large"
	ReasonTooManyPage = "too_many_pages"
	ReasonTimeout     = "timeout"
	ReasonEncrypted   = "encrypted"
	ReasonTooMuchText = "too_much_text"
)

// Error is an upload the analysis refuses, with the reason as data.
type Error struct {
	Reason string
	Format string
	// Max is the limit that was passed (bytes or pages), if any.
	Max int
	Err error
}

// Error is a developer's summary.
func (e *Error) Error() string {
	s := "docanalysis: " + e.Reason
	if e.Format != "" {
		s += " (" + e.Format + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

func refused(reason, format string, err error) *Error {
	return &Error{Reason: reason, Format: format, Err: err}
}

// Segment is a run of text in the document that sentences do not cross:
// a paragraph, a list item, a table row (cells joined by " | "), a
// heading, a line of a header or footer.
type Segment struct {
	Text string
	// Page is the 1-based PDF page; 0 for other formats.
	Page int
	// Section is the heading the segment falls under (other formats), or
	// the part of the document ("header", "footer", "footnote").
	Section string
	// Heading marks a heading; Level is its depth (1 for a chapter).
	Heading bool
	Level   int
	// ListItem marks an item of a bulleted or numbered list.
	ListItem bool
	// Row marks a table row; Header is the text of the table's first row
	// (its column headings) for the rows after it.
	Row    bool
	Header string
}

// Document is the text of a document in reading order.
type Document struct {
	Name     string
	Format   string
	Pages    int
	Segments []Segment
}

// DetectFormat picks a format from the file name's extension and, failing
// that, the content. It returns "" for an unknown format.
func DetectFormat(name string, data []byte) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".pdf":
		return FormatPDF
	case ".docx", ".docm":
		return FormatDOCX
	case ".odt":
		return FormatODT
	case ".html", ".htm", ".xhtml":
		return FormatHTML
	case ".txt", ".text", ".md":
		return FormatText
	}
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return FormatPDF
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		if bytes.Contains(data[:min(len(data), 200)], []byte("application/vnd.oasis.opendocument.text")) {
			return FormatODT
		}
		return FormatDOCX
	}
	head := strings.ToLower(string(data[:min(len(data), 512)]))
	if strings.Contains(head, "<html") || strings.Contains(head, "<!doctype html") {
		return FormatHTML
	}
	if utf8.Valid(data[:min(len(data), 4096)]) || bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) {
		return FormatText
	}
	return ""
}

// Extract reads the text of the document called name. It refuses files
// over MaxFileSize, unknown formats, damaged files and documents without
// text (a scanned PDF) with an *Error.
func Extract(ctx context.Context, name string, data []byte) (*Document, error) {
	if len(data) > MaxFileSize {
		return nil, &Error{Reason: ReasonTooLarge, Max: MaxFileSize}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, refused(ReasonEmpty, "", nil)
	}
	format := DetectFormat(name, data)
	ctx, cancel := context.WithTimeout(ctx, MaxTime)
	defer cancel()
	var (
		doc *Document
		err error
	)
	switch format {
	case FormatPDF:
		doc, err = extractPDF(ctx, data)
	case FormatDOCX:
		doc, err = extractDOCX(ctx, data)
	case FormatODT:
		doc, err = extractODT(ctx, data)
	case FormatHTML:
		doc, err = extractHTML(ctx, data)
	case FormatText:
		doc, err = extractText(data)
	default:
		return nil, refused(ReasonFormat, "", nil)
	}
	if err != nil {
		var de *Error
		if errors.As(err, &de) {
			if de.Format == "" {
				de.Format = format
			}
			return nil, de
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, refused(ReasonTimeout, format, err)
		}
		return nil, refused(ReasonUnreadable, format, err)
	}
	doc.Name, doc.Format = name, format
	letters := 0
	for i := range doc.Segments {
		doc.Segments[i].Text = cleanSpace(doc.Segments[i].Text)
		for _, r := range doc.Segments[i].Text {
			if unicode.IsLetter(r) {
				letters++
			}
		}
	}
	// A scanned PDF may still carry a page number or a stamp.
	if format == FormatPDF && letters < 20*max(1, min(doc.Pages, 5)) {
		return nil, refused(ReasonScanned, format, nil)
	}
	if letters == 0 {
		return nil, refused(ReasonNoText, format, nil)
	}
	return doc, nil
}

// cleanSpace folds runs of white space (and soft hyphens, zero-width
// characters) into single spaces.
func cleanSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == '\u00ad' || r == '\u200b' || r == '\ufeff' || r == '\u200c' || r == '\u200d':
			continue
		case unicode.IsSpace(r) || r == '\u00a0':
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// budget counts the runes extracted against MaxTextRunes.
type budget struct{ runes int }

func (b *budget) take(s string) error {
	b.runes += utf8.RuneCountInString(s)
	if b.runes > MaxTextRunes {
		return &Error{Reason: ReasonTooMuchText, Max: MaxTextRunes}
	}
	return nil
}

func deadline(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("docanalysis: %w", err)
	}
	return nil
}
