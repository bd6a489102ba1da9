package docanalysis

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// abbreviations do not end a sentence ("e.g.", "bijv.", "art.").
var abbreviations = map[string]bool{
	"e.g": true, "i.e": true, "eg": true, "ie": true, "etc": true, "vs": true, "cf": true, "incl": true,
	"excl": true, "approx": true, "no": true, "nr": true, "art": true, "par": true, "p": true, "pp": true,
	"fig": true, "min": true, "max": true, "ca": true, "bijv": true, "bv": true, "o.a": true, "oa": true,
	"d.w.z": true, "dwz": true, "m.b.t": true, "mbt": true, "t.a.v": true, "tav": true, "i.v.m": true,
	"ivm": true, "z.s.m": true, "resp": true, "jo": true, "dhr": true, "mevr": true, "mr": true, "mrs": true,
	"dr": true, "sr": true, "sra": true, "núm": true, "pág": true, "p.ej": true, "ej": true, "art.º": true,
	"apdo": true, "aprox": true, "etc.": true, "vol": true, "ed": true, "st": true, "ltd": true, "inc": true,
	"b.v": true, "n.v": true, "s.a": true, "s.l": true,
}

// sentences splits a segment's text into sentences at ".", "!" or "?"
// followed by white space and a capital, digit, bracket or quote, except
// after abbreviations and single letters. A table row is one sentence.
func sentences(text string) []string {
	var out []string
	start := 0
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		if r != '.' && r != '!' && r != '?' {
			continue
		}
		j := i
		for j < len(text) && (text[j] == '.' || text[j] == ')' || text[j] == '"' || text[j] == '\'') {
			j++
		}
		if j >= len(text) || text[j] != ' ' {
			continue
		}
		next, _ := utf8.DecodeRuneInString(text[j+1:])
		if !(unicode.IsUpper(next) || unicode.IsDigit(next) || strings.ContainsRune("\"'(«¿¡“‘•-–", next)) {
			continue
		}
		if r == '.' {
			word := lastWord(text[start : i-1])
			if abbreviations[strings.ToLower(word)] || utf8.RuneCountInString(word) == 1 {
				continue
			}
		}
		if s := strings.TrimSpace(text[start:j]); s != "" {
			out = append(out, s)
		}
		start = j + 1
	}
	if s := strings.TrimSpace(text[start:]); s != "" {
		out = append(out, s)
	}
	return out
}

func lastWord(s string) string {
	i := strings.LastIndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '(' })
	return s[i+1:]
}

// quote trims a sentence to at most maxQuote runes, keeping the part
// around byte offset at.
func quote(s string, at int) string {
	const maxQuote = 320
	r := []rune(s)
	if len(r) <= maxQuote {
		return s
	}
	pos := utf8.RuneCountInString(s[:min(at, len(s))])
	from := max(0, pos-maxQuote/2)
	to := min(len(r), from+maxQuote)
	from = max(0, to-maxQuote)
	out := strings.TrimSpace(string(r[from:to]))
	if from > 0 {
		out = "…" + out
	}
	if to < len(r) {
		out += "…"
	}
	return out
}
