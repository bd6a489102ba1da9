// Package catalogue reads, validates and writes catalogue files: the
// standards list as YAML or JSON, which an admin imports as a new catalogue
// version and exports again. Problems are reported with the line and the
// field they concern, so a person can fix the file.
package catalogue

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
	"gorm.io/gorm"

	"tenderprobe/app/i18n"
	"tenderprobe/app/probe/check"
	"tenderprobe/models"
)

// Formats of a catalogue file.
const (
	FormatYAML = "yaml"
	FormatJSON = "json"
)

// MaxFileSize is the largest catalogue file Import reads (the shipped
// catalogue is under 100 KB).
const MaxFileSize = 4 << 20

// File is the shape of a catalogue file.
type File struct {
	Version string `json:"version" yaml:"version"`
	Title   string `json:"title" yaml:"title"`
	// Translations hold the title in the other languages, by language tag.
	Translations map[string]TitleTranslation `json:"translations,omitempty" yaml:"translations,omitempty"`
	Standards    []Entry                     `json:"standards" yaml:"standards"`
}

// TitleTranslation is a catalogue's title in one language.
type TitleTranslation struct {
	Title string `json:"title" yaml:"title"`
}

// Entry is one standard in a catalogue file.
type Entry struct {
	Slug       string             `json:"slug" yaml:"slug"`
	Name       string             `json:"name" yaml:"name"`
	Domain     string             `json:"domain" yaml:"domain"`
	References []models.Reference `json:"references" yaml:"references"`
	Summary    string             `json:"summary" yaml:"summary"`
	WhyDemand  string             `json:"why_demand" yaml:"why_demand"`
	Clause     string             `json:"clause" yaml:"clause"`
	Checks     []check.ID         `json:"checks" yaml:"checks"`
	// Translations hold the name, summary, why_demand and clause in the
	// languages other than English, by language tag ("nl", "es"). A file
	// without them still imports: its standards read in English.
	Translations models.StandardTranslations `json:"translations,omitempty" yaml:"translations,omitempty"`
	// Aliases are other names a tender document may use for the standard,
	// in any language: abbreviations, former names, names of defining
	// documents ("NCSC TLS-richtlijnen", "BSI TR-03116"). Document analysis
	// (app/docanalysis) finds the standard by them, besides its names and
	// references. An alias in capitals only (such as "SPF") matches only in
	// capitals; others match in any case.
	Aliases []string `json:"aliases,omitempty" yaml:"aliases,omitempty"`
}

var (
	topKeys         = []string{"version", "title", "translations", "standards"}
	entryKeys       = []string{"slug", "name", "domain", "references", "summary", "why_demand", "clause", "checks", "translations", "aliases"}
	referenceKeys   = []string{"kind", "id", "title", "url"}
	translationKeys = []string{"name", "summary", "why_demand", "clause"}
)

// Problem is one thing wrong with a catalogue file. Line is 1-based, or 0
// when the problem concerns the file as a whole. Code and Params say what
// is wrong as data; the message catalogue (handlers, key
// catalogue.problem.<code>) gives the words, which handlers and the
// catalogue command put in Message.
type Problem struct {
	Line    int            `json:"line,omitempty"`
	Field   string         `json:"field,omitempty"`
	Code    string         `json:"code"`
	Params  map[string]any `json:"params,omitempty"`
	Message string         `json:"message"`
}

// String returns "line N: field: message", leaving out what is unknown;
// without a Message, the code and parameters stand in (logs only).
func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Field != "" {
		b.WriteString(p.Field + ": ")
	}
	if p.Message != "" {
		b.WriteString(p.Message)
	} else {
		b.WriteString(p.Code)
		if len(p.Params) > 0 {
			fmt.Fprintf(&b, " %v", p.Params)
		}
	}
	return b.String()
}

// Problem codes that take no field of the file.
const (
	CodeTooLarge     = "too_large"
	CodeNotUTF8      = "not_utf8"
	CodeMoreProblems = "more_problems"
	CodeNotAMapping  = "not_a_mapping"
	CodeUnknownField = "unknown_field"
	// CodeUnknownFieldOf names the fields allowed where the unknown one is.
	CodeUnknownFieldOf = "unknown_field_of"
	CodeYAMLSyntax     = "yaml_syntax"
	CodeJSONSyntax     = "json_syntax"
	CodeTrailingData   = "trailing_data"
	CodeWrongType      = "wrong_type"
	CodeEmptyFile      = "empty_file"
	CodeJSONEndsEarly  = "json_ends_early"
	// CodeUnknownLanguage is a translation in a language Tenderprobe does
	// not speak (params value, allowed).
	CodeUnknownLanguage = "unknown_language"
	// CodeUnknownLanguageOfTitle is the catalogue's title translated into
	// a language Tenderprobe does not speak (params value, allowed).
	CodeUnknownLanguageOfTitle = "unknown_language_of_title"
	// CodeSourceLanguage is a translation into English, the language of
	// the standard's own fields (params value).
	CodeSourceLanguage = "source_language"
	// CodeMissingLanguage is a standard without text in a language that
	// published tenders use (params slug, language).
	CodeMissingLanguage = "missing_language"
)

// ProblemCodes are all the codes a Problem can carry; the message
// catalogue has words for each (a handlers test checks).
var ProblemCodes = []string{
	CodeTooLarge, CodeNotUTF8, CodeMoreProblems, CodeNotAMapping, CodeUnknownField, CodeUnknownFieldOf, CodeYAMLSyntax,
	CodeJSONSyntax, CodeTrailingData, CodeWrongType, CodeEmptyFile, CodeJSONEndsEarly,
	"required", "bad_version", "no_standards", "bad_slug", "slug_used", "too_long", "not_one_of",
	"no_references", "not_an_rfc", "not_a_web_url", "unknown_check", "listed_twice",
	CodeUnknownLanguage, CodeUnknownLanguageOfTitle, CodeSourceLanguage, CodeMissingLanguage,
}

// kv makes the parameters of a problem from name, value pairs.
func kv(pairs ...any) map[string]any {
	if len(pairs) == 0 {
		return nil
	}
	m := make(map[string]any, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		m[pairs[i].(string)] = pairs[i+1]
	}
	return m
}

// InvalidFileError lists every problem found in a catalogue file. It
// unwraps to a *models.ValidationError on the field "file", so handlers
// answer it like any other invalid input (422).
type InvalidFileError struct {
	Problems []Problem
}

func (e *InvalidFileError) messages() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return strings.Join(parts, "; ")
}

// Error lists the problems, separated by semicolons.
func (e *InvalidFileError) Error() string {
	return "catalogue: invalid file: " + e.messages()
}

// Unwrap lets errors.As find a *models.ValidationError.
func (e *InvalidFileError) Unwrap() error {
	return &models.ValidationError{Field: "file", Code: "bad_catalogue", Params: map[string]any{"count": len(e.Problems)}}
}

// DetectFormat picks the format from a file name's extension, falling back
// to the content: JSON starts with "{".
func DetectFormat(name string, content []byte) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json":
		return FormatJSON
	case ".yaml", ".yml":
		return FormatYAML
	}
	if bytes.HasPrefix(bytes.TrimSpace(content), []byte("{")) {
		return FormatJSON
	}
	return FormatYAML
}

// Parse reads and validates a catalogue file in format (FormatYAML or
// FormatJSON). Every problem found is reported in an *InvalidFileError.
func Parse(r io.Reader, format string) (*File, error) {
	f, _, err := parse(r, format)
	return f, err
}

// parse is Parse, also returning where each standard is in the file.
func parse(r io.Reader, format string) (*File, *lineIndex, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("catalogue: read file: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, nil, &InvalidFileError{Problems: []Problem{{Code: CodeTooLarge, Params: kv("max", MaxFileSize)}}}
	}
	if !utf8.Valid(data) {
		return nil, nil, &InvalidFileError{Problems: []Problem{{Code: CodeNotUTF8}}}
	}
	var (
		f     *File
		lines *lineIndex
	)
	switch format {
	case FormatYAML:
		f, lines, err = decodeYAML(data)
	case FormatJSON:
		f, lines, err = decodeJSON(data)
	default:
		return nil, nil, &models.ValidationError{Field: "format", Code: "not_one_of", Params: map[string]any{"value": format, "allowed": []string{FormatYAML, FormatJSON}}}
	}
	if err != nil {
		return nil, nil, err
	}
	if problems := validate(f, lines); len(problems) > 0 {
		return nil, nil, &InvalidFileError{Problems: capProblems(problems)}
	}
	return f, lines, nil
}

// MaxProblems is how many problems an InvalidFileError lists; a badly
// broken file would otherwise produce a message of megabytes.
const MaxProblems = 50

func capProblems(ps []Problem) []Problem {
	if len(ps) <= MaxProblems {
		return ps
	}
	more := len(ps) - MaxProblems
	return append(ps[:MaxProblems:MaxProblems], Problem{Code: CodeMoreProblems, Params: kv("count", more)})
}

// lineIndex remembers where things are in the file: the line of each
// standard and, for YAML, of each of its fields.
type lineIndex struct {
	top       map[string]int
	standards []int
	fields    []map[string]int
}

// line returns the best line known for field of standard i (-1: top level).
func (l *lineIndex) line(i int, field string) int {
	if l == nil {
		return 0
	}
	if i < 0 {
		if n, ok := l.top[field]; ok {
			return n
		}
		// "translations.nl" falls back to the line of "translations".
		return l.top[strings.SplitN(field, ".", 2)[0]]
	}
	if i < len(l.fields) && l.fields[i] != nil {
		if n, ok := l.fields[i][field]; ok {
			return n
		}
		// "references[2]" falls back to the line of "references".
		if j := strings.IndexByte(field, '['); j > 0 {
			if n, ok := l.fields[i][field[:j]]; ok {
				return n
			}
		}
	}
	if i < len(l.standards) {
		return l.standards[i]
	}
	return 0
}

func decodeYAML(data []byte) (*File, *lineIndex, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, &InvalidFileError{Problems: []Problem{yamlSyntaxProblem(err)}}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		line := 1
		if len(doc.Content) > 0 {
			line = doc.Content[0].Line
		}
		return nil, nil, &InvalidFileError{Problems: []Problem{{Line: line, Code: CodeNotAMapping}}}
	}
	root := doc.Content[0]
	var problems []Problem
	problems = append(problems, unknownKeys(root, "", topKeys)...)
	idx := &lineIndex{top: map[string]int{}}
	for i := 0; i+1 < len(root.Content); i += 2 {
		idx.top[root.Content[i].Value] = root.Content[i].Line
		if root.Content[i].Value == "translations" && root.Content[i+1].Kind == yaml.MappingNode {
			trs := root.Content[i+1]
			for t := 0; t+1 < len(trs.Content); t += 2 {
				idx.top["translations."+trs.Content[t].Value] = trs.Content[t].Line
				problems = append(problems, unknownKeys(trs.Content[t+1], "translations."+trs.Content[t].Value, []string{"title"})...)
			}
		}
		if root.Content[i].Value == "standards" && root.Content[i+1].Kind == yaml.SequenceNode {
			for j, item := range root.Content[i+1].Content {
				idx.standards = append(idx.standards, item.Line)
				fields := map[string]int{}
				if item.Kind == yaml.MappingNode {
					for k := 0; k+1 < len(item.Content); k += 2 {
						fields[item.Content[k].Value] = item.Content[k].Line
					}
					prefix := fmt.Sprintf("standards[%d]", j)
					problems = append(problems, unknownKeys(item, prefix, entryKeys)...)
					if checks := mappingValue(item, "checks"); checks != nil && checks.Kind == yaml.SequenceNode {
						for c, check := range checks.Content {
							fields[fmt.Sprintf("checks[%d]", c)] = check.Line
						}
					}
					if trs := mappingValue(item, "translations"); trs != nil && trs.Kind == yaml.MappingNode {
						for t := 0; t+1 < len(trs.Content); t += 2 {
							lang, tr := trs.Content[t], trs.Content[t+1]
							fields["translations."+lang.Value] = lang.Line
							if tr.Kind == yaml.MappingNode {
								for k := 0; k+1 < len(tr.Content); k += 2 {
									fields["translations."+lang.Value+"."+tr.Content[k].Value] = tr.Content[k].Line
								}
							}
							problems = append(problems, unknownKeys(tr, prefix+".translations."+lang.Value, translationKeys)...)
						}
					}
					if refs := mappingValue(item, "references"); refs != nil && refs.Kind == yaml.SequenceNode {
						for r, ref := range refs.Content {
							fields[fmt.Sprintf("references[%d]", r)] = ref.Line
							problems = append(problems, unknownKeys(ref, fmt.Sprintf("%s.references[%d]", prefix, r), referenceKeys)...)
						}
					}
				}
				idx.fields = append(idx.fields, fields)
			}
		}
	}
	var f File
	if err := root.Decode(&f); err != nil {
		problems = append(problems, yamlTypeProblems(err)...)
	}
	if len(problems) > 0 {
		return nil, nil, &InvalidFileError{Problems: capProblems(problems)}
	}
	return &f, idx, nil
}

func mappingValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// unknownKeys reports keys of mapping m that are not in allowed, with their
// lines; a typo such as "domian" must not silently drop a field.
func unknownKeys(m *yaml.Node, prefix string, allowed []string) []Problem {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	var out []Problem
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if !contains(allowed, k.Value) {
			field := k.Value
			if prefix != "" {
				field = prefix + "." + k.Value
			}
			out = append(out, Problem{Line: k.Line, Field: field, Code: CodeUnknownFieldOf, Params: kv("allowed", allowed)})
		}
	}
	return out
}

var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

func yamlSyntaxProblem(err error) Problem {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		var line int
		fmt.Sscanf(m[1], "%d", &line)
		return Problem{Line: line, Code: CodeYAMLSyntax, Params: kv("detail", m[2])}
	}
	// The parser's own words: it has no codes to map.
	return Problem{Code: CodeYAMLSyntax, Params: kv("detail", strings.TrimPrefix(msg, "yaml: "))}
}

func yamlTypeProblems(err error) []Problem {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return []Problem{yamlSyntaxProblem(err)}
	}
	out := make([]Problem, 0, len(te.Errors))
	for _, e := range te.Errors {
		out = append(out, yamlSyntaxProblem(errors.New(e)))
	}
	return out
}

func decodeJSON(data []byte) (*File, *lineIndex, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, nil, &InvalidFileError{Problems: []Problem{jsonProblem(data, err)}}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, &InvalidFileError{Problems: []Problem{{Line: lineAt(data, int(dec.InputOffset())), Code: CodeTrailingData}}}
	}
	return &f, jsonLines(data), nil
}

// jsonProblem turns a decoding error into a problem with the line computed
// from the byte offset the decoder reports.
func jsonProblem(data []byte, err error) Problem {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return Problem{Line: lineAt(data, int(se.Offset)), Code: CodeJSONSyntax, Params: kv("detail", se.Error())}
	case errors.As(err, &te):
		return Problem{Line: lineAt(data, int(te.Offset)), Field: te.Field, Code: CodeWrongType, Params: kv("want", jsonType(te.Type.Kind().String()), "got", te.Value)}
	case errors.Is(err, io.EOF):
		return Problem{Code: CodeEmptyFile}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return Problem{Line: lineAt(data, len(data)), Code: CodeJSONEndsEarly}
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "json: unknown field ") {
		name := strings.Trim(strings.TrimPrefix(msg, "json: unknown field "), `"`)
		return Problem{Line: findKeyLine(data, name), Field: name, Code: CodeUnknownField}
	}
	return Problem{Code: CodeJSONSyntax, Params: kv("detail", msg)}
}

func jsonType(kind string) string {
	switch kind {
	case "slice":
		return "a list"
	case "struct", "map":
		return "an object"
	}
	return "a " + kind
}

// findKeyLine returns the line of the first occurrence of "name": in data.
func findKeyLine(data []byte, name string) int {
	i := bytes.Index(data, []byte(`"`+name+`"`))
	if i < 0 {
		return 0
	}
	return lineAt(data, i)
}

func lineAt(data []byte, offset int) int {
	if offset > len(data) {
		offset = len(data)
	}
	if offset < 0 {
		offset = 0
	}
	return bytes.Count(data[:offset], []byte("\n")) + 1
}

// jsonLines walks the tokens of a valid JSON catalogue to find the line of
// each top-level key, of each standard, of each of its fields and of each
// reference and check, as decodeYAML does with the YAML node tree.
func jsonLines(data []byte) *lineIndex {
	idx := &lineIndex{top: map[string]int{}}
	dec := json.NewDecoder(bytes.NewReader(data))
	// Index the line starts once: counting newlines for every key would
	// make a large file quadratic.
	var breaks []int
	for i, b := range data {
		if b == '\n' {
			breaks = append(breaks, i)
		}
	}
	lineOf := func(offset int64) int { return sort.SearchInts(breaks, nextNonSpace(data, int(offset))) + 1 }
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return idx
	}
	for dec.More() {
		key, line, t, err := jsonMember(dec, lineOf)
		if err != nil {
			return idx
		}
		idx.top[key] = line
		if key != "standards" || t != json.Delim('[') {
			if skipJSON(dec, t) != nil {
				return idx
			}
			continue
		}
		for dec.More() {
			start := dec.InputOffset()
			t, err := dec.Token()
			if err != nil {
				return idx
			}
			idx.standards = append(idx.standards, lineOf(start))
			fields := map[string]int{}
			idx.fields = append(idx.fields, fields)
			if t != json.Delim('{') {
				if skipJSON(dec, t) != nil {
					return idx
				}
				continue
			}
			if jsonEntryLines(dec, lineOf, fields) != nil {
				return idx
			}
		}
		if _, err := dec.Token(); err != nil {
			return idx
		}
	}
	return idx
}

// jsonMember reads one member of an object: its key, the line the key
// stands on, and the first token of its value.
func jsonMember(dec *json.Decoder, lineOf func(int64) int) (key string, line int, value json.Token, err error) {
	before := dec.InputOffset()
	t, err := dec.Token()
	if err != nil {
		return "", 0, nil, err
	}
	key, _ = t.(string)
	value, err = dec.Token()
	return key, lineOf(before), value, err
}

// jsonEntryLines records the lines of one standard's fields; the decoder
// has just read the object's opening brace.
func jsonEntryLines(dec *json.Decoder, lineOf func(int64) int, fields map[string]int) error {
	for dec.More() {
		key, line, t, err := jsonMember(dec, lineOf)
		if err != nil {
			return err
		}
		fields[key] = line
		if key == "translations" && t == json.Delim('{') {
			if err := jsonTranslationLines(dec, lineOf, fields); err != nil {
				return err
			}
			continue
		}
		if (key != "references" && key != "checks") || t != json.Delim('[') {
			if err := skipJSON(dec, t); err != nil {
				return err
			}
			continue
		}
		for i := 0; dec.More(); i++ {
			fields[fmt.Sprintf("%s[%d]", key, i)] = lineOf(dec.InputOffset())
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
	}
	_, err := dec.Token()
	return err
}

// jsonTranslationLines records the lines of a standard's translations:
// "translations.nl" and "translations.nl.clause"; the decoder has just read
// the opening brace of the translations object.
func jsonTranslationLines(dec *json.Decoder, lineOf func(int64) int, fields map[string]int) error {
	for dec.More() {
		lang, line, t, err := jsonMember(dec, lineOf)
		if err != nil {
			return err
		}
		fields["translations."+lang] = line
		if t != json.Delim('{') {
			if err := skipJSON(dec, t); err != nil {
				return err
			}
			continue
		}
		for dec.More() {
			key, line, t, err := jsonMember(dec, lineOf)
			if err != nil {
				return err
			}
			fields["translations."+lang+"."+key] = line
			if err := skipJSON(dec, t); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
	}
	_, err := dec.Token()
	return err
}

// skipJSON skips the rest of a value whose first token was t.
func skipJSON(dec *json.Decoder, t json.Token) error {
	if t != json.Delim('{') && t != json.Delim('[') {
		return nil
	}
	for depth := 1; depth > 0; {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

// nextNonSpace skips whitespace, commas and colons, which the decoder's
// offset still points before.
func nextNonSpace(data []byte, i int) int {
	for i < len(data) && strings.IndexByte(" \t\r\n,:", data[i]) >= 0 {
		i++
	}
	return i
}

var (
	slugRE    = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	versionRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	rfcRE     = regexp.MustCompile(`^[0-9]{1,5}$`)
)

// validate checks every field of f and returns all problems found.
func validate(f *File, lines *lineIndex) []Problem {
	var ps []Problem
	add := func(i int, field, key, code string, params ...any) {
		ps = append(ps, Problem{Line: lines.line(i, key), Field: field, Code: code, Params: kv(params...)})
	}
	f.Version = strings.TrimSpace(f.Version)
	f.Title = strings.TrimSpace(f.Title)
	switch {
	case f.Version == "":
		add(-1, "version", "version", "required")
	case len(f.Version) > 50 || !versionRE.MatchString(f.Version):
		add(-1, "version", "version", "bad_version", "value", f.Version)
	}
	if f.Title == "" {
		add(-1, "title", "title", "required")
	}
	langs := i18n.Available()
	for _, lang := range slices.Sorted(maps.Keys(f.Translations)) {
		key := "translations." + lang
		tr := f.Translations[lang]
		tr.Title = strings.TrimSpace(tr.Title)
		f.Translations[lang] = tr
		switch {
		case lang == i18n.Default:
			add(-1, key, key, CodeSourceLanguage, "value", lang)
		case !slices.Contains(langs, lang):
			add(-1, key, key, CodeUnknownLanguageOfTitle, "value", lang, "allowed", langs[1:])
		case tr.Title == "":
			add(-1, key+".title", key, "required")
		case utf8.RuneCountInString(tr.Title) > 300:
			add(-1, key+".title", key, "too_long", "max", 300)
		}
	}
	if len(f.Standards) == 0 {
		add(-1, "standards", "standards", "no_standards")
	}
	seen := map[string]int{}
	for i := range f.Standards {
		e := &f.Standards[i]
		p := fmt.Sprintf("standards[%d]", i)
		e.Slug = strings.TrimSpace(e.Slug)
		e.Name = strings.TrimSpace(e.Name)
		e.Domain = strings.TrimSpace(e.Domain)
		switch {
		case e.Slug == "":
			add(i, p+".slug", "slug", "required")
		case len(e.Slug) > 60 || !slugRE.MatchString(e.Slug):
			add(i, p+".slug", "slug", "bad_slug", "value", e.Slug)
		default:
			if first, dup := seen[e.Slug]; dup {
				add(i, p+".slug", "slug", "slug_used", "value", e.Slug, "index", first)
			} else {
				seen[e.Slug] = i
			}
		}
		if e.Name == "" {
			add(i, p+".name", "name", "required")
		} else if utf8.RuneCountInString(e.Name) > 200 {
			add(i, p+".name", "name", "too_long", "max", 200)
		}
		if !contains(models.Domains, e.Domain) {
			add(i, p+".domain", "domain", "not_one_of", "value", e.Domain, "allowed", models.Domains)
		}
		for _, fld := range []struct {
			key string
			val *string
		}{{"summary", &e.Summary}, {"why_demand", &e.WhyDemand}, {"clause", &e.Clause}} {
			*fld.val = strings.TrimSpace(*fld.val)
			if *fld.val == "" {
				add(i, p+"."+fld.key, fld.key, "required")
			} else if utf8.RuneCountInString(*fld.val) > models.MaxClauseLength {
				add(i, p+"."+fld.key, fld.key, "too_long", "max", models.MaxClauseLength)
			}
		}
		if len(e.References) == 0 {
			add(i, p+".references", "references", "no_references")
		}
		for r := range e.References {
			ref := &e.References[r]
			rk := fmt.Sprintf("references[%d]", r)
			rp := p + "." + rk
			ref.Kind, ref.ID, ref.Title, ref.URL = strings.TrimSpace(ref.Kind), strings.TrimSpace(ref.ID), strings.TrimSpace(ref.Title), strings.TrimSpace(ref.URL)
			if !contains(models.ReferenceKinds, ref.Kind) {
				add(i, rp+".kind", rk, "not_one_of", "value", ref.Kind, "allowed", models.ReferenceKinds)
			}
			if ref.ID == "" {
				add(i, rp+".id", rk, "required")
			} else if ref.Kind == models.RefRFC && !rfcRE.MatchString(ref.ID) {
				add(i, rp+".id", rk, "not_an_rfc", "value", ref.ID)
			}
			if ref.Title == "" {
				add(i, rp+".title", rk, "required")
			}
			if u, err := url.Parse(ref.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				add(i, rp+".url", rk, "not_a_web_url", "value", ref.URL)
			}
		}
		ps = append(ps, validateTranslations(e, i, p, lines)...)
		for a := range e.Aliases {
			e.Aliases[a] = strings.TrimSpace(e.Aliases[a])
			switch {
			case e.Aliases[a] == "":
				add(i, fmt.Sprintf("%s.aliases[%d]", p, a), fmt.Sprintf("aliases[%d]", a), "required")
			case utf8.RuneCountInString(e.Aliases[a]) > 100:
				add(i, fmt.Sprintf("%s.aliases[%d]", p, a), fmt.Sprintf("aliases[%d]", a), "too_long", "max", 100)
			}
		}
		dup := map[check.ID]bool{}
		for c, id := range e.Checks {
			switch {
			case !check.Known(id):
				add(i, fmt.Sprintf("%s.checks[%d]", p, c), fmt.Sprintf("checks[%d]", c), "unknown_check", "value", id, "allowed", knownChecks())
			case dup[id]:
				add(i, fmt.Sprintf("%s.checks[%d]", p, c), fmt.Sprintf("checks[%d]", c), "listed_twice", "value", id)
			}
			dup[id] = true
		}
	}
	return ps
}

// validateTranslations checks the translations of standard e (index i,
// field prefix p): each in a language Tenderprobe speaks other than
// English, each with all four texts, none longer than the English may be.
func validateTranslations(e *Entry, i int, p string, lines *lineIndex) []Problem {
	var ps []Problem
	add := func(field, key, code string, params ...any) {
		ps = append(ps, Problem{Line: lines.line(i, key), Field: field, Code: code, Params: kv(params...)})
	}
	langs := i18n.Available()
	for _, lang := range slices.Sorted(maps.Keys(e.Translations)) {
		tr := e.Translations[lang]
		key := "translations." + lang
		tp := p + "." + key
		switch {
		case lang == i18n.Default:
			add(tp, key, CodeSourceLanguage, "value", lang)
			continue
		case !slices.Contains(langs, lang):
			add(tp, key, CodeUnknownLanguage, "value", lang, "slug", e.Slug, "allowed", langs[1:])
			continue
		}
		for _, fld := range []struct {
			key string
			val *string
			max int
		}{{"name", &tr.Name, 200}, {"summary", &tr.Summary, models.MaxClauseLength}, {"why_demand", &tr.WhyDemand, models.MaxClauseLength}, {"clause", &tr.Clause, models.MaxClauseLength}} {
			*fld.val = strings.TrimSpace(*fld.val)
			if *fld.val == "" {
				add(tp+"."+fld.key, key+"."+fld.key, "required")
			} else if utf8.RuneCountInString(*fld.val) > fld.max {
				add(tp+"."+fld.key, key+"."+fld.key, "too_long", "max", fld.max)
			}
		}
		e.Translations[lang] = tr
	}
	return ps
}

// knownChecks lists the check ids in report order, for a message.
func knownChecks() []string {
	ids := check.IDs()
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = string(id)
	}
	return parts
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// ToModels converts the file's entries to standards, in file order.
func (f *File) ToModels() []models.Standard {
	out := make([]models.Standard, len(f.Standards))
	for i, e := range f.Standards {
		refs := append([]models.Reference{}, e.References...)
		checks := append([]check.ID{}, e.Checks...)
		out[i] = models.Standard{
			Slug: e.Slug, Name: e.Name, Domain: e.Domain, Summary: e.Summary,
			WhyDemand: e.WhyDemand, Clause: e.Clause, References: refs, Checks: checks,
			Translations: maps.Clone(e.Translations), Aliases: slices.Clone(e.Aliases),
		}
	}
	return out
}

// Head is the catalogue version the file describes, without its
// standards (ToModels): version, title and the title's translations.
func (f *File) Head() models.CatalogueVersion {
	head := models.CatalogueVersion{Version: f.Version, Title: f.Title}
	for lang, t := range f.Translations {
		if head.TitleTranslations == nil {
			head.TitleTranslations = map[string]string{}
		}
		head.TitleTranslations[lang] = t.Title
	}
	return head
}

// FromModels builds a catalogue file from a version and its standards.
func FromModels(cv *models.CatalogueVersion, standards []models.Standard) *File {
	f := &File{Version: cv.Version, Title: cv.Title, Standards: make([]Entry, len(standards))}
	for lang, t := range cv.TitleTranslations {
		if f.Translations == nil {
			f.Translations = map[string]TitleTranslation{}
		}
		f.Translations[lang] = TitleTranslation{Title: t}
	}
	for i, s := range standards {
		refs := append([]models.Reference{}, s.References...)
		checks := append([]check.ID{}, s.Checks...)
		f.Standards[i] = Entry{
			Slug: s.Slug, Name: s.Name, Domain: s.Domain, References: refs, Summary: s.Summary,
			WhyDemand: s.WhyDemand, Clause: s.Clause, Checks: checks, Translations: maps.Clone(s.Translations),
			Aliases: slices.Clone(s.Aliases),
		}
	}
	return f
}

// Import reads a catalogue file in format and stores it as a new catalogue
// version, which becomes the current one. Tenders built from older versions
// keep them. An invalid file gives *InvalidFileError; a version that was
// imported before gives models.ErrConflict.
func Import(ctx context.Context, db *gorm.DB, r io.Reader, format string) (*models.CatalogueVersion, error) {
	return ImportAs(ctx, db, nil, r, format, time.Now())
}

// ImportAs is Import by the admin by at now, for the audit log; a nil by
// is Tenderprobe itself (the command line).
func ImportAs(ctx context.Context, db *gorm.DB, by *models.User, r io.Reader, format string, now time.Time) (*models.CatalogueVersion, error) {
	f, lines, err := parse(r, format)
	if err != nil {
		return nil, err
	}
	cv, err := models.ImportCatalogueVersion(ctx, db, by, f.Head(), f.ToModels(), true, now)
	var missing *models.MissingLanguageError
	if errors.As(err, &missing) {
		return nil, &InvalidFileError{Problems: []Problem{f.missingLanguage(missing, lines)}}
	}
	if err != nil {
		return nil, fmt.Errorf("catalogue: import %s: %w", f.Version, err)
	}
	return cv, nil
}

// missingLanguage is the problem of a standard without a language that
// published tenders use, at the standard's line when Parse kept it.
func (f *File) missingLanguage(e *models.MissingLanguageError, lines *lineIndex) Problem {
	p := Problem{Code: CodeMissingLanguage, Params: kv("slug", e.Slug, "language", e.Lang)}
	for i := range f.Standards {
		if f.Standards[i].Slug == e.Slug {
			p.Field = fmt.Sprintf("standards[%d].translations", i)
			p.Line = lines.line(i, "translations")
		}
	}
	return p
}

// Export writes the current catalogue version to w in format.
func Export(ctx context.Context, db *gorm.DB, w io.Writer, format string) error {
	cv, err := models.CurrentCatalogue(ctx, db)
	if err != nil {
		return fmt.Errorf("catalogue: export: %w", err)
	}
	return ExportVersion(ctx, db, w, cv.Version, format)
}

// ExportVersion writes catalogue version to w in format.
func ExportVersion(ctx context.Context, db *gorm.DB, w io.Writer, version, format string) error {
	cv, err := models.FindCatalogueVersion(ctx, db, version)
	if err != nil {
		return fmt.Errorf("catalogue: export: %w", err)
	}
	standards, err := models.ListStandards(ctx, db, models.StandardFilter{Version: version})
	if err != nil {
		return fmt.Errorf("catalogue: export %s: %w", version, err)
	}
	f := FromModels(cv, standards)
	switch format {
	case FormatJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(f); err != nil {
			return fmt.Errorf("catalogue: export %s as JSON: %w", version, err)
		}
	case FormatYAML:
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		if err := enc.Encode(f); err != nil {
			return fmt.Errorf("catalogue: export %s as YAML: %w", version, err)
		}
		if err := enc.Close(); err != nil {
			return fmt.Errorf("catalogue: export %s as YAML: %w", version, err)
		}
	default:
		return &models.ValidationError{Field: "format", Code: "not_one_of", Params: map[string]any{"value": format, "allowed": []string{FormatYAML, FormatJSON}}}
	}
	return nil
}
