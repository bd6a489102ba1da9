package docanalysis

import (
	"strings"
	"unicode"
)

// Languages the analysis knows.
var Languages = []string{"en", "nl", "es"}

// stopWords are frequent words that only one of the languages has.
var stopWords = map[string][]string{
	"en": {"the", "and", "of", "to", "is", "are", "must", "shall", "be", "with", "for", "that", "this", "which", "supplier", "will", "all", "by", "or", "on", "it", "as", "from", "requirements"},
	"nl": {"het", "een", "van", "is", "dat", "op", "voor", "met", "moet", "dient", "niet", "zijn", "worden", "wordt", "leverancier", "opdrachtgever", "bij", "ook", "aan", "naar", "deze", "door", "eisen", "als", "om", "te"},
	"es": {"el", "la", "los", "las", "y", "que", "del", "por", "para", "con", "una", "un", "se", "debe", "deberá", "proveedor", "al", "su", "como", "lo", "es", "será", "requisitos", "o"},
}

var stopIndex = func() map[string]string {
	m := map[string]string{}
	for lang, words := range stopWords {
		for _, w := range words {
			m[w] = lang
		}
	}
	return m
}()

// DetectLanguage guesses en, nl or es from the document's frequent
// words; English when it cannot tell.
func DetectLanguage(doc *Document) string {
	count := map[string]int{}
	n := 0
	for _, seg := range doc.Segments {
		for _, w := range strings.FieldsFunc(strings.ToLower(seg.Text), func(r rune) bool { return !unicode.IsLetter(r) }) {
			if lang, ok := stopIndex[w]; ok {
				count[lang]++
			}
			n++
		}
		if n > 20000 {
			break
		}
	}
	best, bestN := "en", 0
	for _, lang := range Languages {
		if count[lang] > bestN {
			best, bestN = lang, count[lang]
		}
	}
	return best
}
