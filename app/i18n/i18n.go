// Package i18n holds what a user reads, in every language Tenderprobe
// speaks: one YAML message file per language under locales/, named by its
// language tag (en.yaml, nl.yaml, es.yaml), embedded in the binary. Adding
// a language is adding a file.
//
// github.com/nicksnyder/go-i18n/v2 loads the files and picks plural forms
// by the CLDR rules of each language; golang.org/x/text/language matches
// a reader's wishes (a chosen language, Accept-Language) to the languages
// there are. Messages name their parameters as {name}; {name:ns} looks the
// value up as the message ns.<value>, so a code becomes words.
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/nicksnyder/go-i18n/v2/i18n/template"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

// Default is the language of the source messages, used for any message a
// language lacks.
const Default = "en"

//go:embed locales/*.yaml
var locales embed.FS

// Coded is a value that is a message with parameters of its own, such as
// one problem of a list (models.Problem): {name:ns} writes it as the
// message ns.<code>.
type Coded interface {
	MessageCode() string
	MessageParams() map[string]any
}

// Named is a value whose words differ by language, such as the name of a
// standard a catalogue translates: a parameter writes it as NameIn(lang).
type Named interface {
	NameIn(lang string) string
}

// Catalogue is the messages of every language.
type Catalogue struct {
	bundle     *goi18n.Bundle
	langs      []string // Default first, then by tag
	matcher    language.Matcher
	localizers map[string]*goi18n.Localizer
	keys       map[string][]string // language → message ids in its file
	texts      map[string]map[string]string
}

// Embedded returns the catalogue of the files built into the binary.
func Embedded() (*Catalogue, error) {
	sub, err := fs.Sub(locales, "locales")
	if err != nil {
		return nil, err
	}
	return Load(sub)
}

// Load reads every *.yaml file of fsys as the messages of the language its
// name says. The Default language's file must be there.
func Load(fsys fs.FS) (*Catalogue, error) {
	c := &Catalogue{bundle: goi18n.NewBundle(language.MustParse(Default)), localizers: map[string]*goi18n.Localizer{},
		keys: map[string][]string{}, texts: map[string]map[string]string{}}
	c.bundle.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	files, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	var tags []language.Tag
	for _, name := range files {
		tag, err := language.Parse(strings.TrimSuffix(path.Base(name), ".yaml"))
		if err != nil {
			return nil, fmt.Errorf("i18n: %s is not named by a language tag: %w", name, err)
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		mf, err := c.bundle.ParseMessageFileBytes(data, tag.String()+".yaml")
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		texts := map[string]string{}
		for _, m := range mf.Messages {
			c.keys[tag.String()] = append(c.keys[tag.String()], m.ID)
			texts[m.ID] = m.Other
		}
		c.texts[tag.String()] = texts
		sort.Strings(c.keys[tag.String()])
		tags = append(tags, tag)
	}
	sort.Slice(tags, func(i, j int) bool {
		if tags[i].String() == Default || tags[j].String() == Default {
			return tags[i].String() == Default
		}
		return tags[i].String() < tags[j].String()
	})
	if len(tags) == 0 || tags[0].String() != Default {
		return nil, fmt.Errorf("i18n: no %s.yaml, the messages every other language falls back to", Default)
	}
	for _, tag := range tags {
		c.langs = append(c.langs, tag.String())
		c.localizers[tag.String()] = goi18n.NewLocalizer(c.bundle, tag.String(), Default)
	}
	c.matcher = language.NewMatcher(tags)
	return c, nil
}

var embedded = sync.OnceValues(Embedded)

// Messages is the catalogue of the built-in files, read once. A broken
// file is a broken build: Messages panics, so every test finds it.
func Messages() *Catalogue {
	c, err := embedded()
	if err != nil {
		panic(err)
	}
	return c
}

// T is the message key in lang with parameters given as alternating
// names and values: T("nl", "mail.invite", "tender", title).
func (c *Catalogue) T(lang, key string, pairs ...any) string {
	params := make(map[string]any, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		if name, ok := pairs[i].(string); ok {
			params[name] = pairs[i+1]
		}
	}
	return c.Text(lang, key, params)
}

// Available are the languages of the built-in files, Default first; a
// tender or a user may choose any of them.
func Available() []string {
	c, err := embedded()
	if err != nil {
		return []string{Default}
	}
	return c.Languages()
}

// Languages are the tags of the languages there are, Default first.
func (c *Catalogue) Languages() []string { return slices.Clone(c.langs) }

// Supported reports whether lang is one of the Languages.
func (c *Catalogue) Supported(lang string) bool { return slices.Contains(c.langs, lang) }

// Negotiate picks the language to answer in: the first of choices that is
// supported (a user's setting, a tender's language), else the best match
// for the Accept-Language header, else Default.
func (c *Catalogue) Negotiate(acceptLanguage string, choices ...string) string {
	for _, ch := range choices {
		if c.Supported(ch) {
			return ch
		}
	}
	if acceptLanguage != "" {
		tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
		if err == nil && len(tags) > 0 {
			_, i, conf := c.matcher.Match(tags...)
			if conf != language.No {
				return c.langs[i]
			}
		}
	}
	return Default
}

// Keys are the message ids lang's own file has.
func (c *Catalogue) Keys(lang string) []string { return slices.Clone(c.keys[lang]) }

// Has reports whether lang's own file has key (without falling back).
func (c *Catalogue) Has(lang, key string) bool {
	_, ok := c.texts[lang][key]
	return ok
}

// Texts are lang's own messages ("other" form) by key, for code that
// fills them in itself.
func (c *Catalogue) Texts(lang string) map[string]string {
	out := make(map[string]string, len(c.texts[lang]))
	for k, v := range c.texts[lang] {
		out[k] = v
	}
	return out
}

// Source is the text of key in lang's own file ("other" form), for tests
// that compare languages.
func (c *Catalogue) Source(lang, key string) string { return c.texts[lang][key] }

var placeholder = regexp.MustCompile(`\{(\w+)(?::([\w.]+))?\}`)

// Text is the message key in lang with params filled in. A message with
// plural forms picks its form by params["count"]. A key no language has is
// returned as it is, so a missing message shows and tests can find it.
func (c *Catalogue) Text(lang, key string, params map[string]any) string {
	if _, counted := params["count"]; !counted {
		// Without a count the message is its "other" form, in lang or
		// else in English: read it straight from the texts. go-i18n's
		// lookup, which matches language tags on every call, was 2% of
		// a bulk probe's CPU and runs for every label of every page.
		texts, ok := c.texts[lang]
		if !ok {
			texts = c.texts[Default]
		}
		if t := texts[key]; t != "" {
			return c.fill(lang, t, params)
		}
		if t := c.texts[Default][key]; t != "" {
			return c.fill(lang, t, params)
		}
	}
	return c.localized(lang, key, params)
}

// localized is Text through go-i18n: plural forms, and whatever the texts
// lack.
func (c *Catalogue) localized(lang, key string, params map[string]any) string {
	loc, ok := c.localizers[lang]
	if !ok {
		loc = c.localizers[Default]
	}
	cfg := &goi18n.LocalizeConfig{MessageID: key, TemplateParser: template.IdentityParser{}}
	if n, ok := params["count"]; ok {
		cfg.PluralCount = n
	}
	// A message the language lacks comes back in English together with
	// a not-found error: the English text is what to show.
	text, err := loc.Localize(cfg)
	if err != nil && text == "" {
		return key
	}
	return c.fill(lang, text, params)
}

// fill replaces each {name} or {name:ns} in text (placeholder's syntax)
// whose name params has, by hand rather than with placeholder: every
// label and sentence of every page passes here.
func (c *Catalogue) fill(lang, text string, params map[string]any) string {
	open := strings.IndexByte(text, '{')
	if open < 0 {
		return text
	}
	var b strings.Builder
	b.Grow(len(text) + 16)
	for open >= 0 {
		b.WriteString(text[:open])
		text = text[open:]
		name, ns, n := parsePlaceholder(text)
		if n == 0 {
			b.WriteByte('{')
			text = text[1:]
		} else {
			if v, ok := params[name]; ok {
				b.WriteString(c.param(lang, v, ns))
			} else {
				b.WriteString(text[:n])
			}
			text = text[n:]
		}
		open = strings.IndexByte(text, '{')
	}
	b.WriteString(text)
	return b.String()
}

// parsePlaceholder reads a placeholder at the start of s: "{name}" or
// "{name:ns}", name of word characters, ns of word characters and dots.
// It returns its length, 0 when s does not start with one.
func parsePlaceholder(s string) (name, ns string, n int) {
	i := 1
	for i < len(s) && isWord(s[i]) {
		i++
	}
	if i == 1 || i == len(s) {
		return "", "", 0
	}
	name = s[1:i]
	if s[i] == ':' {
		j := i + 1
		for j < len(s) && (isWord(s[j]) || s[j] == '.') {
			j++
		}
		if j == i+1 || j == len(s) {
			return "", "", 0
		}
		ns, i = s[i+1:j], j
	}
	if s[i] != '}' {
		return "", "", 0
	}
	return name, ns, i + 1
}

// isWord reports whether b is a word character (regexp's \w).
func isWord(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// param writes one parameter: a Coded value or list of them as their
// messages in namespace ns, a Named value in lang, a string found as
// ns.<value> as those words, a list joined by commas, anything else as
// fmt prints it.
func (c *Catalogue) param(lang string, v any, ns string) string {
	switch v := v.(type) {
	case Coded:
		return c.Text(lang, ns+"."+v.MessageCode(), v.MessageParams())
	case Named:
		return v.NameIn(lang)
	case time.Time:
		// An instant is written as the reader reads dates, in the zone it
		// carries (a tender's deadline in the tender's zone).
		return c.DateTime(lang, v, v.Location())
	case string:
		if ns != "" {
			if w := c.Text(lang, ns+"."+v, nil); w != ns+"."+v {
				return w
			}
		}
		return v
	case nil:
		return ""
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() != reflect.Uint8 {
		sep := ", "
		parts := make([]string, rv.Len())
		for i := range parts {
			e := rv.Index(i).Interface()
			if _, ok := e.(Coded); ok {
				sep = "; "
			}
			parts[i] = c.param(lang, e, ns)
		}
		return strings.Join(parts, sep)
	}
	return fmt.Sprint(v)
}
