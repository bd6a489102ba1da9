// Package sbom reads software bills of materials (CycloneDX JSON or XML,
// SPDX 2.x JSON or tag-value) into a plain list of components, and matches
// those components against an OSV vulnerability export. It recognises an
// SBOM by its content, never by a file name.
package sbom

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx"
	spdxtv "github.com/spdx/tools-golang/tagvalue"
)

// Formats an SBOM can have; they are stored and shown through the
// catalogue's sbom.format.* words.
const (
	CycloneDXJSON = "cyclonedx_json"
	CycloneDXXML  = "cyclonedx_xml"
	SPDXJSON      = "spdx_json"
	SPDXTagValue  = "spdx_tag_value"
)

// MaxComponents bounds how many components one SBOM may list; larger
// files are refused rather than stored in part.
const MaxComponents = 50000

// Reasons a file that looks like an SBOM is refused (ParseError.Reason).
const (
	ReasonSyntax        = "syntax"         // not well-formed JSON, XML or tag-value
	ReasonStructure     = "structure"      // well-formed, but a field has the wrong shape or the version is unknown
	ReasonNoName        = "no_name"        // a component without a name
	ReasonTooMany       = "too_many"       // more than MaxComponents components
	ReasonNoComponents  = "no_components"  // the document lists no component at all
	ReasonNotRecognised = "not_recognised" // Parse was called on a file Detect does not recognise
)

// Component is one entry of an SBOM as Tenderprobe shows it.
type Component struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	PURL    string `json:"purl,omitempty"`
	Licence string `json:"licence,omitempty"`
}

// Doc is a parsed SBOM.
type Doc struct {
	Format     string
	Components []Component
}

// ParseError says why a file that looks like an SBOM was refused. Line is
// the line of the fault when the reader tells it, else 0; Detail is the
// library's own message, for logs only.
type ParseError struct {
	Format string
	Reason string
	Line   int
	Detail string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("sbom: %s: %s (line %d): %s", e.Format, e.Reason, e.Line, e.Detail)
}

// DetectHead is how many first bytes of a file Detect needs to recognise
// an SBOM; a caller may pass just these and parse the whole file only when
// Detect names a format.
const DetectHead = 64 << 10

// Detect tells from content whether it claims to be an SBOM and in which
// format: a JSON object with "bomFormat": "CycloneDX" or an "spdxVersion"
// member, an XML document whose root is in a CycloneDX namespace, or a
// tag-value text whose first tag is SPDXVersion. Anything else is "".
func Detect(content []byte) string {
	body := bytes.TrimSpace(bytes.TrimPrefix(content, []byte("\xef\xbb\xbf")))
	switch {
	case len(body) == 0:
		return ""
	case body[0] == '{':
		return detectJSON(body)
	case body[0] == '<':
		if bytes.Contains(firstN(body, DetectHead), []byte("http://cyclonedx.org/schema/bom/")) {
			return CycloneDXXML
		}
		return ""
	}
	for _, line := range strings.SplitN(string(firstN(body, 4096)), "\n", 40) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "SPDXVersion:") {
			return SPDXTagValue
		}
		return ""
	}
	return ""
}

func firstN(b []byte, n int) []byte { return b[:min(n, len(b))] }

// detectJSON looks at the top-level members when content is a whole JSON
// object; when it is not (broken, or only the first DetectHead bytes), it
// looks for the members' names in those bytes, so a broken document that
// still names its format is recognised (and then refused with the reason)
// rather than taken as plain text.
func detectJSON(body []byte) string {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err == nil {
		if _, ok := top["spdxVersion"]; ok {
			return SPDXJSON
		}
		var f string
		if json.Unmarshal(top["bomFormat"], &f) == nil && f == "CycloneDX" {
			return CycloneDXJSON
		}
		return ""
	}
	head := firstN(body, DetectHead)
	switch {
	case bytes.Contains(head, []byte(`"bomFormat"`)) && bytes.Contains(head, []byte(`"CycloneDX"`)):
		return CycloneDXJSON
	case bytes.Contains(head, []byte(`"spdxVersion"`)):
		return SPDXJSON
	}
	return ""
}

// Parse reads content in the format Detect finds and returns its
// components in document order (nested CycloneDX components after their
// parent). A file Detect does not recognise, or one that does not parse,
// gives a *ParseError.
func Parse(content []byte) (*Doc, error) {
	format := Detect(content)
	if format != "" && countComponents(content, format) > MaxComponents {
		return nil, &ParseError{Format: format, Reason: ReasonTooMany}
	}
	var (
		comps []Component
		err   error
	)
	switch format {
	case CycloneDXJSON:
		comps, err = parseCycloneDX(content, cdx.BOMFileFormatJSON)
	case CycloneDXXML:
		comps, err = parseCycloneDX(content, cdx.BOMFileFormatXML)
	case SPDXJSON:
		comps, err = parseSPDX(spdxjson.Read(bytes.NewReader(content)))
	case SPDXTagValue:
		comps, err = parseSPDX(spdxtv.Read(bytes.NewReader(content)))
	default:
		return nil, &ParseError{Reason: ReasonNotRecognised}
	}
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) {
			pe = classify(content, err)
		}
		pe.Format = format
		return nil, pe
	}
	if len(comps) == 0 {
		return nil, &ParseError{Format: format, Reason: ReasonNoComponents}
	}
	return &Doc{Format: format, Components: comps}, nil
}

// classify turns a reader's error into a reason, with the line of the
// fault where the error tells it.
func classify(content []byte, err error) *ParseError {
	pe := &ParseError{Reason: ReasonStructure, Detail: err.Error()}
	var (
		syn *json.SyntaxError
		xs  *xml.SyntaxError
		ty  *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syn):
		pe.Reason, pe.Line = ReasonSyntax, lineAt(content, syn.Offset)
	case errors.As(err, &xs):
		pe.Reason, pe.Line = ReasonSyntax, xs.Line
	case errors.As(err, &ty):
		pe.Line = lineAt(content, ty.Offset)
	case strings.Contains(err.Error(), "unexpected end of JSON input"), strings.Contains(err.Error(), "EOF"):
		pe.Reason = ReasonSyntax
	default:
		// tools-golang's tag-value reader names the line in its message.
		var n int
		if i := strings.Index(err.Error(), "line "); i >= 0 {
			if _, serr := fmt.Sscanf(err.Error()[i:], "line %d", &n); serr == nil {
				pe.Line = n
			}
		}
	}
	return pe
}

func lineAt(content []byte, offset int64) int {
	if offset <= 0 || offset > int64(len(content)) {
		return 0
	}
	return bytes.Count(content[:offset], []byte("\n")) + 1
}

func parseCycloneDX(content []byte, f cdx.BOMFileFormat) ([]Component, error) {
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(content), f).Decode(&bom); err != nil {
		return nil, err
	}
	var out []Component
	var walk func(cs *[]cdx.Component) error
	walk = func(cs *[]cdx.Component) error {
		if cs == nil {
			return nil
		}
		for _, c := range *cs {
			if strings.TrimSpace(c.Name) == "" {
				return &ParseError{Reason: ReasonNoName}
			}
			if len(out) >= MaxComponents {
				return &ParseError{Reason: ReasonTooMany}
			}
			out = append(out, Component{Name: c.Name, Version: c.Version, PURL: c.PackageURL, Licence: cdxLicence(c.Licenses)})
			if err := walk(c.Components); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(bom.Components); err != nil {
		return nil, err
	}
	return out, nil
}

// cdxLicence joins a component's licences: SPDX ids, names or expressions.
func cdxLicence(ls *cdx.Licenses) string {
	if ls == nil {
		return ""
	}
	var parts []string
	for _, l := range *ls {
		switch {
		case l.Expression != "":
			parts = append(parts, l.Expression)
		case l.License != nil && l.License.ID != "":
			parts = append(parts, l.License.ID)
		case l.License != nil && l.License.Name != "":
			parts = append(parts, l.License.Name)
		}
	}
	return strings.Join(parts, " AND ")
}

func parseSPDX(doc *spdx.Document, err error) ([]Component, error) {
	if err != nil {
		return nil, err
	}
	out := make([]Component, 0, len(doc.Packages))
	for _, p := range doc.Packages {
		if p == nil {
			continue
		}
		if strings.TrimSpace(p.PackageName) == "" {
			return nil, &ParseError{Reason: ReasonNoName}
		}
		if len(out) >= MaxComponents {
			return nil, &ParseError{Reason: ReasonTooMany}
		}
		c := Component{Name: p.PackageName, Version: p.PackageVersion, Licence: spdxLicence(p.PackageLicenseConcluded, p.PackageLicenseDeclared)}
		for _, r := range p.PackageExternalReferences {
			if r != nil && r.RefType == "purl" {
				c.PURL = r.Locator
				break
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// spdxLicence prefers the concluded licence and skips NOASSERTION/NONE.
func spdxLicence(concluded, declared string) string {
	for _, l := range []string{concluded, declared} {
		if l != "" && l != "NOASSERTION" && l != "NONE" {
			return l
		}
	}
	return ""
}

// ContentType is the media type an SBOM of format is stored and served
// with (the types the CycloneDX and SPDX projects registered).
func ContentType(format string) string {
	switch format {
	case CycloneDXJSON:
		return "application/vnd.cyclonedx+json"
	case CycloneDXXML:
		return "application/vnd.cyclonedx+xml"
	case SPDXJSON:
		return "application/spdx+json"
	case SPDXTagValue:
		return "text/spdx; charset=utf-8"
	}
	return ""
}

// ReadUpload reads an uploaded file that may be an SBOM. It looks at the
// first bytes (Detect) and only then reads the whole file, at most limit
// bytes, and parses it, so other files are streamed to disk and never held
// in memory. A file that is no SBOM gives nil and no error; one whose
// first bytes name a format the whole document does not declare after all
// is plain evidence too. An SBOM that does not parse gives a *ParseError,
// which refuses the upload with the reason.
func ReadUpload(f io.ReadSeeker, limit int64) (*Doc, error) {
	head := make([]byte, DetectHead)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("sbom: read upload: %w", err)
	}
	if Detect(head[:n]) == "" {
		return nil, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("sbom: rewind upload: %w", err)
	}
	content, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("sbom: read upload: %w", err)
	}
	doc, err := Parse(content)
	var pe *ParseError
	if errors.As(err, &pe) && pe.Reason == ReasonNotRecognised {
		return nil, nil
	}
	return doc, err
}

// Audit is what an OSV export says of an SBOM's components: each one's
// known vulnerabilities, the vulnerable ones first (at most keep of them),
// and the counts.
type Audit struct {
	// Vulns are each component's known vulnerabilities, by position.
	Vulns [][]Vuln
	// Vulnerable are the positions of the first keep vulnerable components.
	Vulnerable []int
	// Components and Advisories count the vulnerable components and their
	// advisories in all.
	Components, Advisories int
}

// Audit matches comps against the export (a nil export finds nothing).
func (db *DB) Audit(comps []Component, keep int) Audit {
	a := Audit{Vulns: make([][]Vuln, len(comps))}
	if db == nil {
		return a
	}
	for i, c := range comps {
		v := db.For(c)
		a.Vulns[i] = v
		if len(v) == 0 {
			continue
		}
		a.Components++
		a.Advisories += len(v)
		if len(a.Vulnerable) < keep {
			a.Vulnerable = append(a.Vulnerable, i)
		}
	}
	return a
}
