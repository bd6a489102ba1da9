package handlers

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/time/rate"

	"tenderprobe/app/i18n"
	"tenderprobe/app/probe/finding"
	"tenderprobe/models"
)

// Views renders the HTML templates for one reader: each (language, time
// zone) pair gets its own parsed set, whose functions (t, word, date,
// datetime, money, …) write in that language and zone, so a template
// calls {{t "key"}} anywhere, in partials too, without passing the
// reader around. Sets are parsed on first use and kept; a reader's zone
// comes from a closed list (the zone database), and the cache is bounded.
//
// It implements fiber.Views. A page is rendered into a buffer first and
// handed to its layout as .Content, so nothing is written when a template
// fails and renders never wait on a lock.
type Views struct {
	fsys    fs.FS
	version string

	mu   sync.RWMutex
	sets map[string]*template.Template
	// parses bounds how often a new (language, zone) set is parsed: the
	// zone comes from a cookie, and a client cycling through zone names
	// must not make every request parse the templates (~8 ms each).
	// Beyond the limit a page is rendered in UTC, which it names.
	parses *rate.Limiter
	// Rendered records "<lang> <template>" of every template rendered so
	// far, when not nil: the every-template test reads it.
	Rendered *sync.Map
}

// maxTemplateSets bounds the parsed sets kept: languages × the zones
// readers use at once.
const maxTemplateSets = 64

// parsesPerSecond is how many new template sets may be parsed a second.
const parsesPerSecond = 5

// NewViews parses every template of fsys in every language now, so a
// broken template stops the start with its name.
func NewViews(fsys fs.FS, version string) (*Views, error) {
	v := &Views{fsys: fsys, version: version, sets: map[string]*template.Template{}, parses: rate.NewLimiter(rate.Limit(parsesPerSecond), parsesPerSecond)}
	for _, lang := range messages.Languages() {
		if _, err := v.set(Locale{Lang: lang, Zone: time.UTC}); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// Load is part of fiber.Views; the templates were parsed by NewViews.
func (v *Views) Load() error { return nil }

// Render writes template name for the reader named by binding's "Locale"
// (English and UTC when there is none), inside layout when one is given.
func (v *Views) Render(w io.Writer, name string, binding any, layout ...string) error {
	loc := Locale{Lang: i18n.Default, Zone: time.UTC}
	data, _ := binding.(fiber.Map)
	if l, ok := data["Locale"].(Locale); ok {
		loc = l
	}
	set, err := v.set(loc)
	if err != nil {
		return err
	}
	if v.Rendered != nil {
		v.Rendered.Store(loc.Lang+" "+name, true)
	}
	page := buffers.Get().(*bytes.Buffer)
	defer putBuffer(page)
	if err := execute(set, page, name, binding); err != nil {
		return err
	}
	if len(layout) == 0 || layout[0] == "" {
		_, err := page.WriteTo(w)
		return err
	}
	data["Content"] = template.HTML(page.String()) //nolint:gosec // our own template's output
	return v.layout(w, set, layout[0], data)
}

// layout renders layout around data["Content"] into w.
func (v *Views) layout(w io.Writer, set *template.Template, layout string, data fiber.Map) error {
	out := buffers.Get().(*bytes.Buffer)
	defer putBuffer(out)
	if err := execute(set, out, layout, data); err != nil {
		return err
	}
	_, err := out.WriteTo(w)
	return err
}

// buffers keeps rendering buffers with their grown capacity: a large
// page (the review matrix is megabytes) otherwise spends much of its time
// growing and clearing fresh buffers.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// putBuffer returns b to buffers, unless it grew beyond what is worth
// keeping between requests.
func putBuffer(b *bytes.Buffer) {
	if b.Cap() > 8<<20 {
		return
	}
	b.Reset()
	buffers.Put(b)
}

func execute(set *template.Template, w io.Writer, name string, data any) error {
	t := set.Lookup(name)
	if t == nil {
		return fmt.Errorf("views: no template %q", name)
	}
	return t.Execute(w, data)
}

// set is the parsed templates of loc, parsing them on first use.
func (v *Views) set(loc Locale) (*template.Template, error) {
	key := loc.Lang + " " + loc.Zone.String()
	v.mu.RLock()
	t := v.sets[key]
	v.mu.RUnlock()
	if t != nil {
		return t, nil
	}
	if loc.Zone != time.UTC && !v.parses.Allow() {
		// Parsed at start for every language, so never recursing further.
		return v.set(Locale{Lang: loc.Lang, Zone: time.UTC})
	}
	t, err := v.parse(loc)
	if err != nil {
		return nil, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.sets) >= maxTemplateSets {
		for k := range v.sets { // drop any one; it is parsed again when needed
			delete(v.sets, k)
			break
		}
	}
	v.sets[key] = t
	return t, nil
}

// parsedKey names one set of templates parsed from an embedded file
// system, whose files never change, in UTC.
type parsedKey struct {
	fsys          embed.FS
	version, lang string
}

// parsed keeps, by parsedKey, the UTC sets every Views parses at start,
// shared by all Views of the process: a parsed set is safe to execute from
// many goroutines, and what a Views keeps per reader (its page bodies) it
// keeps in its own maps. A server builds one Views; the tests build one
// per test app, hundreds, each of which would parse the templates again.
// Only these sets are shared, so they are bounded by the languages.
var parsed sync.Map // parsedKey → *template.Template

// parse returns the templates of fsys for loc, shared through parsed when
// fsys is embedded and loc is in UTC.
func (v *Views) parse(loc Locale) (*template.Template, error) {
	e, ok := v.fsys.(embed.FS)
	if !ok || loc.Zone != time.UTC {
		return v.parseFiles(loc)
	}
	key := parsedKey{e, v.version, loc.Lang}
	if t, ok := parsed.Load(key); ok {
		return t.(*template.Template), nil
	}
	t, err := v.parseFiles(loc)
	if err != nil {
		return nil, err
	}
	kept, _ := parsed.LoadOrStore(key, t)
	return kept.(*template.Template), nil
}

// parseFiles reads every .html file of fsys as the template named by its
// path without the extension ("tenders/show").
func (v *Views) parseFiles(loc Locale) (*template.Template, error) {
	root := template.New("").Funcs(TemplateFuncs(v.version, loc))
	err := fs.WalkDir(v.fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".html") {
			return err
		}
		src, err := fs.ReadFile(v.fsys, path)
		if err != nil {
			return err
		}
		if _, err := root.New(strings.TrimSuffix(path, ".html")).Parse(string(src)); err != nil {
			return fmt.Errorf("views: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return root, nil
}

// TemplateFuncs returns the functions the templates may call, writing in
// loc's language and zone.
func TemplateFuncs(version string, loc Locale) template.FuncMap {
	lang := loc.Lang
	return template.FuncMap{
		"version": func() string { return version },
		// t is the message key with parameters given as name, value pairs.
		"t": func(key string, params ...any) string { return messages.T(lang, key, params...) },
		// word is the words of a code in namespace ns (a status, a role).
		"word":     func(ns string, code any) string { return messages.Text(lang, ns+"."+fmt.Sprint(code), nil) },
		"date":     func(t time.Time) string { return messages.Date(lang, t.In(loc.Zone)) },
		"datetime": func(t time.Time) string { return messages.DateTime(lang, t, loc.Zone) },
		"number":   func(cents int64) string { return i18n.FormatNumber(lang, cents) },
		"money":    func(cents int64, code string) string { return i18n.FormatMoney(lang, cents, code) },
		"lang":     func() string { return lang },
		"langs":    languageChoices,
		"zone":     func() string { return loc.ZoneName() },
		"inc":      func(i int) int { return i + 1 },
		"dec":      func(i int) int { return i - 1 },
		// same compares a record's value with a form value that may be
		// missing (nil) without the template failing.
		"same":       func(a, b any) bool { return a != nil && b != nil && fmt.Sprint(a) == fmt.Sprint(b) },
		"domainName": func(domain string) string { return messages.Text(lang, "domain."+domain, nil) },
		"domains":    func() []string { return models.Domains },
		"roles":      func() []string { return models.Roles },
		"label":      func(field string) string { return fieldLabelIn(lang, field) },
		// datetimeIn is a time as a clock in zone (an IANA name) shows it,
		// zone named: a tender's deadline in the tender's own zone.
		"datetimeIn": func(t time.Time, zone string) string { return messages.DateTime(lang, t, models.ZoneOrUTC(zone)) },
		// finding is a probe check's finding, its code with the values it
		// names (Check.Finding, FindingParams), in the reader's language.
		"finding": func(code string, params map[string]any) template.HTML {
			return findingHTML(lang, code, params)
		},
	}
}

// findingHTML is a probe check's finding in lang, escaped, with the
// errors the probes report in English (the "error" values, also inside
// sub-findings) marked lang="en", so a screen reader reading a Dutch or
// Spanish page says them as English.
func findingHTML(lang, code string, params map[string]any) template.HTML {
	var errs []string
	// mark stands a placeholder for each English error, at any depth of
	// sub-findings (maps with a "finding") and lists of them.
	var mark func(key string, v any) any
	mark = func(key string, v any) any {
		switch v := v.(type) {
		case string:
			if key == "error" && v != "" && lang != i18n.Default {
				errs = append(errs, v)
				return "\ue000" + strconv.Itoa(len(errs)-1) + "\ue001"
			}
		case map[string]any:
			out := make(map[string]any, len(v))
			for k, e := range v {
				out[k] = mark(k, e)
			}
			return out
		case []any:
			out := make([]any, len(v))
			for i, e := range v {
				out[i] = mark("", e)
			}
			return out
		}
		return v
	}
	marked, _ := mark("", params).(map[string]any)
	text := template.HTMLEscapeString(finding.Text(messages, lang, code, marked))
	for i, e := range errs {
		text = strings.Replace(text, "\ue000"+strconv.Itoa(i)+"\ue001", `<span lang="en">`+template.HTMLEscapeString(e)+`</span>`, 1)
	}
	return template.HTML(text)
}
