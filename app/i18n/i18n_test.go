package i18n

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

type problem struct {
	code   string
	params map[string]any
}

func (p problem) MessageCode() string           { return p.code }
func (p problem) MessageParams() map[string]any { return p.params }

func testCatalogue(t *testing.T, extra fstest.MapFS) *Catalogue {
	t.Helper()
	fsys := fstest.MapFS{
		"en.yaml": {Data: []byte(`
field.required: "{field} is required"
field.bad: "{field} is wrong: {problems:problem}"
problem.too_long: "longer than {max}"
problem.empty: "empty"
status.does_not_comply: "does not comply"
answer: "The answer is {status:status}."
files:
  one: "{count} file"
  other: "{count} files"
only.english: "English only"
`)},
		"nl.yaml": {Data: []byte(`
field.required: "{field} is verplicht"
status.does_not_comply: "voldoet niet"
answer: "Het antwoord is {status:status}."
files:
  one: "{count} bestand"
  other: "{count} bestanden"
`)},
	}
	for k, v := range extra {
		fsys[k] = v
	}
	c, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestText(t *testing.T) {
	c := testCatalogue(t, nil)
	cases := []struct {
		name, lang, key string
		params          map[string]any
		want            string
	}{
		{"a parameter is filled in", "nl", "field.required", map[string]any{"field": "Titel"}, "Titel is verplicht"},
		{"a code parameter becomes the words of the reader's language", "nl", "answer", map[string]any{"status": "does_not_comply"}, "Het antwoord is voldoet niet."},
		{"Dutch plural: one", "nl", "files", map[string]any{"count": 1}, "1 bestand"},
		{"Dutch plural: other", "nl", "files", map[string]any{"count": 3}, "3 bestanden"},
		{"English plural: zero takes other", "en", "files", map[string]any{"count": 0}, "0 files"},
		{"a message a language lacks falls back to English", "nl", "only.english", nil, "English only"},
		{"an unknown language reads English", "de", "files", map[string]any{"count": 2}, "2 files"},
		{"a list of coded problems is written item by item", "en", "field.bad", map[string]any{"field": "Scope", "problems": []problem{
			{"too_long", map[string]any{"max": 3}}, {"empty", nil}}}, "Scope is wrong: longer than 3; empty"},
		{"a missing key shows as itself", "nl", "no.such.key", nil, "no.such.key"},
		{"a missing parameter stays visible", "en", "field.required", nil, "{field} is required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.Text(tc.lang, tc.key, tc.params); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestNegotiate(t *testing.T) {
	c := testCatalogue(t, nil)
	cases := []struct {
		name, accept string
		choices      []string
		want         string
	}{
		{"a user's choice wins over the browser", "en-GB,en;q=0.9", []string{"nl"}, "nl"},
		{"an unsupported choice is passed over", "nl-BE,nl;q=0.9", []string{"de"}, "nl"},
		{"a regional variant matches its language", "nl-BE", nil, "nl"},
		{"the first acceptable language in order of preference", "fr;q=0.9,nl;q=0.8,en;q=0.1", nil, "nl"},
		{"nothing acceptable gives English", "ja", nil, "en"},
		{"a broken header gives English", ";;;q=x", nil, "en"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.Negotiate(tc.accept, tc.choices...); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestAddingAFileAddsALanguage loads a test-only Frisian file next to the
// others: the language is offered, negotiated and used with its own plural
// rules, with no code change.
func TestAddingAFileAddsALanguage(t *testing.T) {
	c := testCatalogue(t, fstest.MapFS{"fy.yaml": {Data: []byte("files:\n  one: \"{count} bestân\"\n  other: \"{count} bestannen\"\n")}})
	if !slices.Equal(c.Languages(), []string{"en", "fy", "nl"}) {
		t.Errorf("languages %v", c.Languages())
	}
	if got := c.Negotiate("fy-NL"); got != "fy" {
		t.Errorf("negotiated %q", got)
	}
	if got := c.Text("fy", "files", map[string]any{"count": 2}); got != "2 bestannen" {
		t.Errorf("got %q", got)
	}
	if got := c.Text("fy", "only.english", nil); got != "English only" {
		t.Errorf("fallback %q", got)
	}
}

// TestTheEmbeddedLanguages loads the built-in files: English has every
// message, and no other language has a key English lacks (a typo there
// would never be shown). How much of English each language covers is
// logged until the translations are complete.
func TestTheEmbeddedLanguages(t *testing.T) {
	c, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Languages(), []string{"en", "es", "nl"}) {
		t.Errorf("languages %v", c.Languages())
	}
	if n := len(c.Keys("en")); n < 300 {
		t.Errorf("English has only %d messages", n)
	}
	for _, lang := range c.Languages() {
		for _, key := range c.Keys(lang) {
			if !c.Has("en", key) {
				t.Errorf("%s has %s, which English lacks", lang, key)
			}
		}
		// A language Tenderprobe ships is complete: no page falls back
		// to English words.
		for _, key := range c.Keys("en") {
			if !c.Has(lang, key) {
				t.Errorf("%s lacks %s", lang, key)
			}
		}
		t.Logf("%s: %d of %d messages", lang, len(c.Keys(lang)), len(c.Keys("en")))
	}
}

func TestLoadRefuses(t *testing.T) {
	if _, err := Load(fstest.MapFS{"nl.yaml": {Data: []byte("a: b\n")}}); err == nil {
		t.Error("a catalogue without English loaded")
	}
	if _, err := Load(fstest.MapFS{"en.yaml": {Data: []byte("a: b\n")}, "not a tag.yaml": {Data: []byte("a: b\n")}}); err == nil {
		t.Error("a file not named by a language tag loaded")
	}
}

// TestTranslationsKeepTheParameters checks every translated message of the
// built-in files against English: the same {name} and {name:ns}
// parameters, so no value is lost or shown raw in another language.
func TestTranslationsKeepTheParameters(t *testing.T) {
	c, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	params := func(s string) []string {
		out := placeholder.FindAllString(s, -1)
		slices.Sort(out)
		return slices.Compact(out)
	}
	for _, lang := range c.Languages()[1:] {
		for _, key := range c.Keys(lang) {
			if got, want := params(c.Source(lang, key)), params(c.Source("en", key)); !slices.Equal(got, want) {
				t.Errorf("%s %s has parameters %v, English %v", lang, key, got, want)
			}
		}
	}
}

// fillByExpression is what fill did with the placeholder expression: the
// reference the hand-written filler is held to.
func fillByExpression(c *Catalogue, text string, params map[string]any) string {
	return placeholder.ReplaceAllStringFunc(text, func(m string) string {
		sub := placeholder.FindStringSubmatch(m)
		v, ok := params[sub[1]]
		if !ok {
			return m
		}
		return c.param("en", v, sub[2])
	})
}

// TestFillMatchesThePlaceholderSyntax: the hand-written filler replaces
// exactly what the placeholder expression matches, and leaves the rest.
func TestFillMatchesThePlaceholderSyntax(t *testing.T) {
	c := Messages()
	params := map[string]any{"a": "A", "b": "B", "count": 2}
	for _, text := range []string{
		"", "plain", "{", "}", "{}", "{a", "{a}", "x{a}y{b}z", "{a:}", "{a:role}", "{a:b.c}", "{{a}}", "{a b}",
		"{ä}", "{missing}", "{a}{", "{a:role.x}}", "100%{count}", "{a:}b}", "{_}",
	} {
		if got, want := c.fill("en", text, params), fillByExpression(c, text, params); got != want {
			t.Errorf("fill(%q) = %q, the expression gives %q", text, got, want)
		}
	}
}

func FuzzFillMatchesThePlaceholderSyntax(f *testing.F) {
	for _, s := range []string{"{a}", "x{b:role}y", "{a:b.c}}", "{{"} {
		f.Add(s)
	}
	c := Messages()
	params := map[string]any{"a": "A", "b": "admin"}
	f.Fuzz(func(t *testing.T, text string) {
		if got, want := c.fill("en", text, params), fillByExpression(c, text, params); got != want {
			t.Fatalf("fill(%q) = %q, the expression gives %q", text, got, want)
		}
	})
}

// Text reads a message without a count straight from the texts; it must
// say what go-i18n says, for every key of every built-in language and for
// languages and keys the catalogue does not have.
func TestTextSaysWhatGoI18nSays(t *testing.T) {
	c := Messages()
	params := map[string]any{"field": "F", "max": 3, "status": "complies", "name": "N"}
	langs := append(c.Languages(), "de", "")
	for _, lang := range langs {
		keys := append(c.Keys(Default), c.Keys(lang)...)
		keys = append(keys, "no.such.key")
		for _, key := range keys {
			for _, p := range []map[string]any{nil, params} {
				if got, want := c.Text(lang, key, p), c.localized(lang, key, p); got != want {
					t.Errorf("Text(%q, %q) = %q, go-i18n says %q", lang, key, got, want)
				}
			}
		}
	}
}

// An instant as a parameter is written as the reader writes dates, in the
// zone it carries, never in Go's own layout.
func TestAnInstantParameterReadsAsADate(t *testing.T) {
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Date(2026, 12, 1, 23, 59, 0, 0, ams)
	for _, lang := range Messages().Languages() {
		got := Messages().Text(lang, "field.passed_before_publish", map[string]any{"deadline": deadline})
		want := Messages().DateTime(lang, deadline, ams)
		if !strings.Contains(got, want) || strings.Contains(got, "2026-12-01") || !strings.Contains(want, "23:59 CET") {
			t.Errorf("%s: %q, want it to contain %q", lang, got, want)
		}
	}
}

// TestAZoneWithoutAnAbbreviationIsNamedByItsOffset: most of Latin America
// and Asia have no letters in the zone database, only "-03"; a reader
// sees UTC-3, which names a time zone.
func TestAZoneWithoutAnAbbreviationIsNamedByItsOffset(t *testing.T) {
	t.Parallel()
	at := time.Date(2027, 1, 4, 17, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ zone, want string }{
		{"America/Argentina/Buenos_Aires", "4 Jan 2027, 14:00 UTC-3"},
		{"Asia/Kathmandu", "4 Jan 2027, 22:45 UTC+5:45"},
		{"Asia/Dubai", "4 Jan 2027, 21:00 UTC+4"},
		{"Europe/Amsterdam", "4 Jan 2027, 18:00 CET"},
		{"Asia/Tokyo", "5 Jan 2027, 02:00 JST"},
		{"UTC", "4 Jan 2027, 17:00 UTC"},
	} {
		loc, err := time.LoadLocation(tc.zone)
		if err != nil {
			t.Fatal(err)
		}
		if got := Messages().DateTime("en", at, loc); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.zone, got, tc.want)
		}
	}
}
