package sbom

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// MaxOSVSize bounds an OSV export read from a file or a download (osv.dev's
// all.zip of one ecosystem is well under it; the export of every ecosystem
// is not meant to be loaded whole).
const MaxOSVSize = 2 << 30

// maxOSVEntry bounds one advisory file inside a directory or zip.
const maxOSVEntry = 16 << 20

// Vuln is one OSV advisory that affects a component.
type Vuln struct {
	ID      string   `json:"id"`
	Aliases []string `json:"aliases,omitempty"`
	Summary string   `json:"summary,omitempty"`
}

// DB is an OSV export indexed by package (ecosystem and name).
type DB struct {
	byPackage map[string][]affected
	// Advisories is how many OSV records were read.
	Advisories int
}

type affected struct {
	vuln     *Vuln
	versions map[string]bool
	ranges   []osvRange
}

type osvRecord struct {
	ID        string   `json:"id"`
	Aliases   []string `json:"aliases"`
	Summary   string   `json:"summary"`
	Withdrawn string   `json:"withdrawn"`
	Affected  []struct {
		Package struct {
			Ecosystem string `json:"ecosystem"`
			Name      string `json:"name"`
			PURL      string `json:"purl"`
		} `json:"package"`
		Ranges   []osvRange `json:"ranges"`
		Versions []string   `json:"versions"`
	} `json:"affected"`
}

type osvRange struct {
	Type   string `json:"type"`
	Events []struct {
		Introduced   string `json:"introduced"`
		Fixed        string `json:"fixed"`
		LastAffected string `json:"last_affected"`
		Limit        string `json:"limit"`
	} `json:"events"`
}

// LoadOSV reads an OSV export: a directory of OSV JSON files (searched
// recursively), a zip of them (osv.dev's <ecosystem>/all.zip), one OSV
// JSON file, or, when pathOrURL starts with http:// or https://, a
// download of a zip or JSON file with client (nil: http.DefaultClient).
// The source is an operator's setting, not a vendor's input.
func LoadOSV(ctx context.Context, pathOrURL string, client *http.Client) (*DB, error) {
	db := &DB{byPackage: map[string][]affected{}}
	if strings.HasPrefix(pathOrURL, "http://") || strings.HasPrefix(pathOrURL, "https://") {
		tmp, err := download(ctx, pathOrURL, client)
		if err != nil {
			return nil, err
		}
		defer os.Remove(tmp)
		return db, db.loadFile(tmp)
	}
	st, err := os.Stat(pathOrURL)
	if err != nil {
		return nil, fmt.Errorf("sbom: load OSV: %w", err)
	}
	if st.IsDir() {
		err = filepath.WalkDir(pathOrURL, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(strings.ToLower(p), ".json") {
				return err
			}
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			return db.add(f, p)
		})
		if err != nil {
			return nil, fmt.Errorf("sbom: load OSV from %s: %w", pathOrURL, err)
		}
		return db, nil
	}
	return db, db.loadFile(pathOrURL)
}

func download(ctx context.Context, u string, client *http.Client) (string, error) {
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", fmt.Errorf("sbom: load OSV from %s: %w", u, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("sbom: load OSV from %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("sbom: load OSV from %s: HTTP status %s", u, resp.Status)
	}
	f, err := os.CreateTemp("", "tenderprobe-osv-*")
	if err != nil {
		return "", fmt.Errorf("sbom: load OSV: %w", err)
	}
	n, err := io.Copy(f, io.LimitReader(resp.Body, MaxOSVSize+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > MaxOSVSize {
		err = fmt.Errorf("larger than %d bytes", MaxOSVSize)
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("sbom: load OSV from %s: %w", u, err)
	}
	return f.Name(), nil
}

// loadFile reads a zip (recognised by its magic) or a single JSON file.
func (db *DB) loadFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("sbom: load OSV: %w", err)
	}
	defer f.Close()
	magic := make([]byte, 4)
	if _, err := io.ReadFull(f, magic); err != nil {
		return fmt.Errorf("sbom: load OSV from %s: %w", path, err)
	}
	if !bytes.Equal(magic, []byte("PK\x03\x04")) {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("sbom: load OSV from %s: %w", path, err)
		}
		return db.add(f, path)
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		return fmt.Errorf("sbom: load OSV from %s: %w", path, err)
	}
	defer zr.Close()
	for _, zf := range zr.File {
		if zf.FileInfo().IsDir() || !strings.HasSuffix(strings.ToLower(zf.Name), ".json") {
			continue
		}
		r, err := zf.Open()
		if err != nil {
			return fmt.Errorf("sbom: load OSV from %s: %s: %w", path, zf.Name, err)
		}
		err = db.add(r, path+":"+zf.Name)
		r.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// add indexes one OSV record.
func (db *DB) add(r io.Reader, name string) error {
	lr := &io.LimitedReader{R: r, N: maxOSVEntry + 1}
	var rec osvRecord
	if err := json.NewDecoder(lr).Decode(&rec); err != nil {
		return fmt.Errorf("sbom: OSV record %s: %w", name, err)
	}
	if lr.N <= 0 {
		return fmt.Errorf("sbom: OSV record %s: larger than %d bytes", name, maxOSVEntry)
	}
	if rec.ID == "" || rec.Withdrawn != "" {
		return nil
	}
	v := &Vuln{ID: rec.ID, Aliases: rec.Aliases, Summary: rec.Summary}
	db.Advisories++
	for _, a := range rec.Affected {
		key := ""
		if p, ok := parsePURL(a.Package.PURL); ok {
			key = p.key()
		} else if a.Package.Name != "" {
			eco, _, _ := strings.Cut(a.Package.Ecosystem, ":")
			key = packageKey(eco, a.Package.Name)
		}
		if key == "" {
			continue
		}
		af := affected{vuln: v, ranges: a.Ranges, versions: make(map[string]bool, len(a.Versions))}
		for _, ver := range a.Versions {
			af.versions[ver] = true
		}
		db.byPackage[key] = append(db.byPackage[key], af)
	}
	return nil
}

// For returns the advisories that affect c, found by its purl (ecosystem,
// namespace and name) and its version: listed in the advisory's versions,
// or inside one of its SEMVER or ECOSYSTEM ranges (versions compared as
// semantic versions; a version that is not one matches by the list only).
// A component without purl or version matches nothing.
func (db *DB) For(c Component) []Vuln {
	if db == nil || c.Version == "" {
		return nil
	}
	p, ok := parsePURL(c.PURL)
	if !ok {
		return nil
	}
	var out []Vuln
	seen := map[string]bool{}
	for _, af := range db.byPackage[p.key()] {
		if seen[af.vuln.ID] || !af.affects(c.Version) {
			continue
		}
		seen[af.vuln.ID] = true
		out = append(out, *af.vuln)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (af affected) affects(version string) bool {
	if af.versions[version] {
		return true
	}
	v, err := semver.NewVersion(version)
	if err != nil {
		return false
	}
	for _, r := range af.ranges {
		if r.Type != "SEMVER" && r.Type != "ECOSYSTEM" {
			continue
		}
		if inRange(v, r) {
			return true
		}
	}
	return false
}

// inRange applies OSV's event algorithm to one range whose events are in
// order: introduced opens, fixed and last_affected close, limit caps.
func inRange(v *semver.Version, r osvRange) bool {
	in := false
	for _, e := range r.Events {
		switch {
		case e.Introduced != "":
			if e.Introduced == "0" {
				in = true
			} else if iv, err := semver.NewVersion(e.Introduced); err == nil && !v.LessThan(iv) {
				in = true
			}
		case e.Fixed != "":
			if fv, err := semver.NewVersion(e.Fixed); err == nil && !v.LessThan(fv) {
				in = false
			}
		case e.LastAffected != "":
			if lv, err := semver.NewVersion(e.LastAffected); err == nil && v.GreaterThan(lv) {
				in = false
			}
		case e.Limit != "":
			if e.Limit == "*" {
				continue
			}
			if lv, err := semver.NewVersion(e.Limit); err == nil && !v.LessThan(lv) {
				return false
			}
		}
	}
	return in
}

// purl is the part of a package URL that names a package.
type purl struct {
	typ, namespace, name string
}

// parsePURL reads pkg:type/namespace/name@version?qualifiers#subpath,
// keeping type, namespace and name.
func parsePURL(s string) (purl, bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(s), "pkg:")
	if !ok {
		return purl{}, false
	}
	rest, _, _ = strings.Cut(rest, "#")
	rest, _, _ = strings.Cut(rest, "?")
	if i := strings.LastIndex(rest, "@"); i > 0 {
		rest = rest[:i]
	}
	rest = strings.Trim(rest, "/")
	parts := strings.Split(rest, "/")
	if len(parts) < 2 {
		return purl{}, false
	}
	for i, p := range parts {
		if u, err := url.PathUnescape(p); err == nil {
			parts[i] = u
		}
	}
	return purl{typ: strings.ToLower(parts[0]), namespace: strings.Join(parts[1:len(parts)-1], "/"), name: parts[len(parts)-1]}, true
}

// purlEcosystems maps a purl type to the OSV ecosystem it names.
var purlEcosystems = map[string]string{
	"npm": "npm", "pypi": "pypi", "maven": "maven", "golang": "go", "cargo": "crates.io",
	"gem": "rubygems", "nuget": "nuget", "composer": "packagist", "hex": "hex", "pub": "pub",
	"deb": "debian", "apk": "alpine", "hackage": "hackage", "cran": "cran", "swift": "swifturl",
}

// key is the package's index key in OSV's spelling of ecosystem and name.
func (p purl) key() string {
	eco, ok := purlEcosystems[p.typ]
	if !ok {
		return ""
	}
	name := p.name
	switch {
	case p.namespace == "":
	case eco == "maven":
		name = p.namespace + ":" + p.name
	case eco == "debian" || eco == "alpine":
		// The namespace names the distribution, not part of the name.
	default:
		name = p.namespace + "/" + p.name
	}
	return packageKey(eco, name)
}

func packageKey(ecosystem, name string) string {
	eco := strings.ToLower(strings.TrimSpace(ecosystem))
	n := strings.ToLower(strings.TrimSpace(name))
	if eco == "pypi" {
		n = strings.NewReplacer("_", "-", ".", "-").Replace(n)
	}
	if eco == "" || n == "" {
		return ""
	}
	return eco + "\x00" + n
}
