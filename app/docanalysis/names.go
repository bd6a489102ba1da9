package docanalysis

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"tenderprobe/models"
)

// Spec is what the analysis knows of one catalogue standard: the names a
// document may use for it, and words that, in the same sentence, show a
// name means something else.
type Spec struct {
	Slug  string
	Names []string
}

// Index finds standards' names in text. Names in capitals only ("SPF",
// "DANE") match only in capitals; others in any case. Separators inside a
// name (space, hyphen, slash) may be left out or differ in the text, so
// "ISO/IEC 27001" also finds "ISO 27001" and "ISO27001".
type Index struct {
	specs []Spec
	cs    *regexp.Regexp
	ci    *regexp.Regexp
	// owners maps a name's key (nameKey) to the standards it names.
	csOwners map[string][]int
	ciOwners map[string][]int
	// acronyms are the names in capitals (for the acronym rule).
	acronyms map[string]bool
	// scoped are names of a part of a larger document ("EN 303 645
	// provision 5.1", "Annex I part I of the Cyber Resilience Act").
	scoped []scopedName
}

// scopedName names a standard by a part (sub) of a document (base): both
// must be in the sentence, in either order. A numeric part ("5.1") counts
// only after a word such as "provision", "clause" or "§".
type scopedName struct {
	std     int
	base    *regexp.Regexp
	sub     *regexp.Regexp
	numeric bool
}

// provisionWord introduces numbered parts of a document.
var provisionWord = regexp.MustCompile(`(?i)(?:provisions?|clauses?|sections?|§|bepaling(?:en)?|artikel(?:en)?|artículos?|disposici(?:ón|ones)|apartados?|secci(?:ón|ones)|requisitos?)`)

// splitScoped splits "BASE § SUB" (an alias), "BASE §SUB" or "BASE, SUB"
// (a reference id) into the base and its parts; ok is false for a plain
// name.
func splitScoped(n string, reference bool) (base string, subs []string, ok bool) {
	if i := strings.Index(n, "§"); i > 0 {
		base = strings.TrimSpace(n[:i])
		rest := strings.TrimSpace(n[i+len("§"):])
		if strings.Trim(rest, "0123456789.,–- ") != "" {
			// A named part ("bijlage I, deel I") is one part.
			return base, []string{rest}, rest != ""
		}
		for _, part := range strings.Split(rest, ",") {
			part = strings.TrimSpace(part)
			if a, b, isRange := strings.Cut(part, "–"); isRange {
				subs = append(subs, strings.TrimSpace(a), strings.TrimSpace(b))
				continue
			}
			if part != "" {
				subs = append(subs, part)
			}
		}
		return base, subs, len(subs) > 0
	}
	if reference {
		if b, sub, found := strings.Cut(n, ", "); found && strings.TrimSpace(sub) != "" {
			return strings.TrimSpace(b), []string{strings.TrimSpace(sub)}, true
		}
	}
	return "", nil, false
}

// baseVariants are the ways a document names a base document: as
// written, without a leading publisher ("ETSI EN 303 645" is also "EN
// 303 645"), or by its number alone ("Regulation (EU) 2024/2847" is also
// "2024/2847").
func baseVariants(base string) []string {
	out := []string{base}
	if f := strings.Fields(base); len(f) > 2 && isAcronym(f[0]) {
		out = append(out, strings.Join(f[1:], " "))
	}
	if i := strings.LastIndex(base, " "); i > 0 && strings.ContainsAny(base[i:], "/") {
		out = append(out, strings.TrimSpace(base[i:]))
	}
	return out
}

func (ix *Index) addScoped(std int, base string, subs []string) {
	var pats []string
	for _, v := range baseVariants(base) {
		pats = append(pats, namePattern(v))
	}
	baseRE := regexp.MustCompile(`(?:^|[^\p{L}\p{N}])(?:` + strings.Join(pats, "|") + `)(?:$|[^\p{L}\p{N}])`)
	for _, sub := range subs {
		numeric := strings.Trim(sub, "0123456789.") == ""
		subRE := regexp.MustCompile(`(?i)(?:^|[^\p{L}\p{N}.])(` + namePattern(sub) + `)(?:$|[^\p{L}\p{N}]|\.[^\p{N}])`)
		ix.scoped = append(ix.scoped, scopedName{std: std, base: baseRE, sub: subRE, numeric: numeric})
	}
}

// NewIndex builds the index of the standards' names. A name that several
// standards share counts for each of them.
func NewIndex(specs []Spec) *Index {
	ix := &Index{specs: specs, csOwners: map[string][]int{}, ciOwners: map[string][]int{}, acronyms: map[string]bool{}}
	var csPats, ciPats []string
	seen := map[string]bool{}
	for i, s := range specs {
		for _, n := range s.Names {
			n = strings.TrimSpace(n)
			if base, subs, ok := splitScoped(n, false); ok {
				ix.addScoped(i, base, subs)
				continue
			}
			if utf8.RuneCountInString(n) < 2 {
				continue
			}
			sensitive := isAcronym(n) || shortMixedCase(n)
			key := nameKey(n, sensitive)
			owners := ix.ciOwners
			if sensitive {
				owners = ix.csOwners
				ix.acronyms[n] = true
			}
			if !slices.Contains(owners[key], i) {
				owners[key] = append(owners[key], i)
			}
			if seen[key+"\x00"+boolKey(sensitive)] {
				continue
			}
			seen[key+"\x00"+boolKey(sensitive)] = true
			if sensitive {
				csPats = append(csPats, namePattern(n))
			} else {
				ciPats = append(ciPats, namePattern(n))
			}
		}
	}
	ix.cs = alternation(csPats, false)
	ix.ci = alternation(ciPats, true)
	return ix
}

func boolKey(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func alternation(pats []string, fold bool) *regexp.Regexp {
	if len(pats) == 0 {
		return nil
	}
	// Longer patterns first, and leftmost-longest matching, so "TLS-RPT"
	// wins over "TLS".
	slices.SortFunc(pats, func(a, b string) int { return len(b) - len(a) })
	p := "(?:" + strings.Join(pats, "|") + ")"
	if fold {
		p = "(?i)" + p
	}
	re := regexp.MustCompile(p)
	re.Longest()
	return re
}

// shortMixedCase is a name such as "DoT" or "DoH": written in lower case
// it is an ordinary word ("dot", "doh"), so only its spelling counts.
func shortMixedCase(n string) bool {
	upper, lower := 0, 0
	for _, r := range n {
		switch {
		case unicode.IsUpper(r):
			upper++
		case unicode.IsLower(r):
			lower++
		default:
			return false
		}
	}
	return upper >= 2 && lower >= 1 && upper+lower <= 4
}

// isAcronym reports whether a name is written in capitals only (digits
// aside), such as "SPF" or "DANE": it then matches only in capitals.
func isAcronym(n string) bool {
	letters := 0
	for _, r := range n {
		if unicode.IsLetter(r) {
			letters++
			if !unicode.IsUpper(r) {
				return false
			}
		}
	}
	return letters >= 2 && utf8.RuneCountInString(n) <= 8 && !strings.ContainsRune(n, ' ')
}

func isSep(r rune) bool {
	return unicode.IsSpace(r) || r == '-' || r == '/' || r == '‐' || r == '–' || r == '_' || r == '\u00a0' || r == ','
}

// namePattern turns a name into a regular expression where separators
// are optional and interchangeable.
func namePattern(n string) string {
	var b strings.Builder
	sep := false
	for _, r := range n {
		if isSep(r) {
			sep = true
			continue
		}
		if sep && b.Len() > 0 {
			b.WriteString(`[\s\-/‐–_,]*`)
		}
		sep = false
		b.WriteString(regexp.QuoteMeta(string(r)))
	}
	return b.String()
}

// nameKey is a name without separators, folded unless sensitive.
func nameKey(n string, sensitive bool) string {
	var b strings.Builder
	for _, r := range n {
		if isSep(r) {
			continue
		}
		b.WriteRune(r)
	}
	if sensitive {
		return b.String()
	}
	return strings.ToLower(b.String())
}

// hit is a standard's name found in a sentence.
type hit struct {
	std        int
	start, end int
	name       string
}

// find returns the names in s, longest first where they overlap, with
// word boundaries: a name inside a longer word, a URL or an e-mail
// address does not count, nor one inside a longer name ("TLS" in
// "TLS-RPT").
func (ix *Index) find(s string) []hit {
	type span struct{ start, end int }
	var spans []span
	var hits []hit
	add := func(re *regexp.Regexp, owners map[string][]int, sensitive bool) {
		if re == nil {
			return
		}
		for _, m := range re.FindAllStringIndex(s, -1) {
			if !bounded(s, m[0], m[1]) || inURL(s, m[0], m[1]) {
				continue
			}
			name := s[m[0]:m[1]]
			if sensitive && numberFollows(s, m[1]) && !strings.ContainsAny(name, "0123456789") {
				// "SPF 30", "SPF50+": a number, not a version, after
				// a bare acronym is something else.
				continue
			}
			for _, o := range owners[nameKey(name, sensitive)] {
				hits = append(hits, hit{std: o, start: m[0], end: m[1], name: name})
			}
			spans = append(spans, span{m[0], m[1]})
		}
	}
	add(ix.cs, ix.csOwners, true)
	add(ix.ci, ix.ciOwners, false)
	for _, sc := range ix.scoped {
		if !sc.base.MatchString(s) {
			continue
		}
		from := 0
		if sc.numeric {
			loc := provisionWord.FindStringIndex(s)
			if loc == nil {
				continue
			}
			from = loc[1]
		}
		if m := sc.sub.FindStringSubmatchIndex(s[from:]); m != nil {
			hits = append(hits, hit{std: sc.std, start: from + m[2], end: from + m[3], name: s[from+m[2] : from+m[3]]})
		}
	}
	// Drop hits inside a longer name found elsewhere.
	out := hits[:0]
	for _, h := range hits {
		covered := false
		for _, sp := range spans {
			if sp.start <= h.start && sp.end >= h.end && sp.end-sp.start > h.end-h.start {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, h)
		}
	}
	return out
}

func bounded(s string, start, end int) bool {
	if start > 0 {
		r, _ := utf8.DecodeLastRuneInString(s[:start])
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '@' {
			return false
		}
		if r == '.' {
			p, _ := utf8.DecodeLastRuneInString(s[:start-1])
			if unicode.IsLetter(p) || unicode.IsDigit(p) {
				return false
			}
		}
	}
	if end < len(s) {
		r, size := utf8.DecodeRuneInString(s[end:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '@' {
			return false
		}
		if r == '.' {
			n, _ := utf8.DecodeRuneInString(s[end+size:])
			if unicode.IsLetter(n) || unicode.IsDigit(n) {
				return false
			}
		}
	}
	// A hyphen joins words in compounds ("DANE-TLSA-records",
	// "SPF-record"); a compound that is a name of its own ("TLS-RPT",
	// "MTA-STS") wins as the longer match.
	return true
}

// inURL reports whether s[start:end] lies in a URL or e-mail address.
func inURL(s string, start, end int) bool {
	from := strings.LastIndexFunc(s[:start], unicode.IsSpace) + 1
	to := strings.IndexFunc(s[end:], unicode.IsSpace)
	if to < 0 {
		to = len(s)
	} else {
		to += end
	}
	tok := strings.ToLower(s[from:to])
	return strings.Contains(tok, "://") || strings.HasPrefix(tok, "www.") || (strings.Contains(tok, "@") && strings.Contains(tok, "."))
}

func numberFollows(s string, end int) bool {
	rest := strings.TrimLeft(s[end:], " ")
	digits := 0
	for _, r := range rest {
		if !unicode.IsDigit(r) {
			if r == '.' || r == ',' {
				return false
			}
			break
		}
		digits++
	}
	return digits >= 2
}

// SpecsFrom builds the specs of a catalogue's standards: each standard's
// name in every language, the name without a bracketed part and the
// bracketed part alone ("DANE (TLSA)"), its aliases, and the ids of its
// references that no other standard shares ("RFC 7208", "RIPE-772").
// fallback gives aliases by slug for standards stored without them (a
// catalogue loaded before aliases existed).
func SpecsFrom(standards []models.Standard, fallback map[string][]string) []Spec {
	refOwners := map[string]int{}
	derivedOwners := map[string]int{}
	derived := make([][]string, len(standards))
	for i, s := range standards {
		seen := map[string]bool{}
		for _, r := range s.References {
			for _, id := range referenceNames(r) {
				if !seen[id] {
					refOwners[strings.ToLower(id)]++
					seen[id] = true
				}
			}
		}
		names := []string{s.Name}
		for _, t := range s.Translations {
			if t.Name != "" {
				names = append(names, t.Name)
			}
		}
		var d []string
		for _, n := range names {
			d = append(d, n)
			if open := strings.Index(n, "("); open > 0 && strings.HasSuffix(n, ")") {
				d = append(d, strings.TrimSpace(n[:open]))
				for _, part := range strings.Split(n[open+1:len(n)-1], ",") {
					d = append(d, strings.TrimSpace(part))
				}
			}
		}
		d = uniq(d)
		for _, n := range d {
			derivedOwners[strings.ToLower(n)]++
		}
		derived[i] = d
	}
	specs := make([]Spec, len(standards))
	for i, s := range standards {
		var names []string
		for _, n := range derived[i] {
			if derivedOwners[strings.ToLower(n)] == 1 || n == s.Name {
				names = append(names, n)
			}
		}
		aliases := s.Aliases
		if len(aliases) == 0 {
			aliases = fallback[s.Slug]
		}
		names = append(names, aliases...)
		for _, r := range s.References {
			if base, subs, ok := splitScoped(r.ID, true); ok && r.Kind != models.RefRFC {
				names = append(names, base+" § "+strings.Join(subs, ", "))
				continue
			}
			for _, id := range referenceNames(r) {
				if refOwners[strings.ToLower(id)] == 1 {
					names = append(names, id)
				}
			}
		}
		specs[i] = Spec{Slug: s.Slug, Names: uniq(names)}
	}
	return specs
}

var simpleID = regexp.MustCompile(`^[\p{L}\p{N} ./:-]{2,40}$`)

// referenceNames are the ways a document cites a reference: "RFC 7208"
// and "RFC7208" for an RFC, the id as it is for others that are short
// and plain ("RIPE-772", "ISO/IEC 27001:2022").
func referenceNames(r models.Reference) []string {
	if r.Kind == models.RefRFC {
		return []string{"RFC " + r.ID}
	}
	if !simpleID.MatchString(r.ID) || strings.ContainsAny(r.ID, "§,") {
		return nil
	}
	return []string{r.ID}
}

func uniq(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		s = strings.TrimSpace(s)
		k := strings.ToLower(s)
		if s == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, s)
	}
	return out
}
