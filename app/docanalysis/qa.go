package docanalysis

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// A clarification log, Nota van Inlichtingen or "respuestas a consultas"
// is a list of questions and answers whose answers prevail over the
// tender: "Is DNSSEC verplicht? — Nee." withdraws a demand that the
// question quotes, and a later answer overrides an earlier one. Such a
// document is read as a series of units in reading order (each question
// with its answer, and each run of other text between them); for every
// standard the last unit that takes a position on it decides.

// part of a Q&A item a piece of text belongs to.
const (
	partNone = iota
	partQuestion
	partAnswer
)

// piece is a part of a segment with its place in a Q&A item.
type piece struct {
	text string
	item int // 1-based item number; 0 outside any item
	part int
}

var (
	// questionMark opens a question: "Q4.", "Vraag 3:", "Pregunta 2",
	// "Consulta 5".
	questionMark = regexp.MustCompile(`(?i)^(?:q\s*\d+\s*[.:)]|q:|question\s*\d*\s*[.:)]?|vraag\s*\d*\s*[.:)]?|pregunta\s*\d*\s*[.:)]?|consulta\s*\d*\s*[.:)]?)(?:\s|$)`)
	// answerMark opens an answer: "A4.", "Answer:", "Antwoord:",
	// "Respuesta:", "R4.".
	answerMark = regexp.MustCompile(`(?i)^(?:a\s*\d+\s*[.:)]|a:|answer\s*\d*\s*[.:)]|antwoord\s*\d*\s*[.:)]|respuesta\s*\d*\s*[.:)]|contestaci[oó]n\s*\d*\s*[.:)]|reply\s*[.:]|response\s*[.:]|r\s*\d+\s*[.:)]|r:)(?:\s|$)`)
	// inlineAnswer finds an answer that follows its question in the
	// same paragraph: "... rejected? A4. No. ...".
	inlineAnswer = regexp.MustCompile(`(?i)(?:[.?!:]\s+)((?:a\s*\d+\s*[.:)]|a:|answer\s*\d*\s*[.:)]|antwoord\s*\d*\s*[.:)]|respuesta\s*\d*\s*[.:)]|contestaci[oó]n\s*\d*\s*[.:)]|r\s*\d+\s*[.:)]|r:)\s)`)
	// questionColumn and answerColumn are the headings of a Q&A table.
	questionColumn = regexp.MustCompile(`(?i)^(?:vraag|vragen|question|questions|query|queries|clarification question|pregunta|preguntas|consulta|consultas|q)$`)
	answerColumn   = regexp.MustCompile(`(?i)^(?:antwoord|antwoorden|answer|answers|response|responses|reply|respuesta|respuestas|contestaci[oó]n|a)$`)
	// yesWord and noWord are a bare yes or no opening an answer.
	yesWord = regexp.MustCompile(`(?i)^(?:yes|ja|sí|si|correct|correcto|klopt|inderdaad|efectivamente|that is correct|dat klopt|así es)(?:[.,;:!]|\s|$)`)
	noWord  = regexp.MustCompile(`(?i)^(?:no|nee|neen|incorrect|incorrecto)(?:[.,;:!]|\s|$)`)
	// widening is a question about an extension of a demand ("also for
	// the subdomains?", "ook voor", "también para"): its "no" does not
	// withdraw the demand itself.
	widening = regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:also|as well|even|in addition|additionally|ook|zelfs|daarnaast|eveneens|también|incluso|además|asimismo)(?:$|[^\p{L}])`)
	// conditional is a question that asks about a special case ("if the
	// domains stay with the registrar", "als", "si"): a bare "no"
	// answers the case, not the demand.
	conditional = regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:if|when|where|unless|as long as|als|indien|wanneer|zolang|tenzij|si|cuando|mientras|salvo que)(?:$|[^\p{L}])`)
)

func trimBullet(s string) string {
	return strings.TrimLeft(strings.TrimSpace(s), "•*-–·¿ ")
}

// qaPieces finds the questions and answers of doc. It returns nil unless
// the document holds at least two answered questions; otherwise it
// returns, per segment, its pieces (nil for a segment outside any item).
func qaPieces(doc *Document) [][]piece {
	out := make([][]piece, len(doc.Segments))
	items := 0
	open := 0 // the item whose answer may go on in the next paragraph
	for i, seg := range doc.Segments {
		text := seg.Text
		switch {
		case seg.Heading:
			open = 0
			continue
		case seg.Row:
			open = 0
			q, a := qaColumns(seg.Header)
			if q < 0 || a < 0 {
				continue
			}
			cells := strings.Split(text, " | ")
			if q >= len(cells) || a >= len(cells) || strings.TrimSpace(cells[a]) == "" {
				continue
			}
			items++
			out[i] = []piece{{text: cells[q], item: items, part: partQuestion}, {text: cells[a], item: items, part: partAnswer}}
			continue
		}
		t := trimBullet(text)
		if questionMark.MatchString(t) || strings.Contains(t, "?") {
			if m := inlineAnswer.FindStringSubmatchIndex(t); m != nil && answered(t[m[3]:]) {
				items++
				out[i] = []piece{{text: t[:m[2]], item: items, part: partQuestion}, {text: t[m[2]:], item: items, part: partAnswer}}
				open = items
				continue
			}
		}
		if answerMark.MatchString(t) && answered(answerMark.ReplaceAllString(t, "")) {
			// The question is the run of question-like paragraphs just
			// before, under the same heading.
			var qs []int
			for j := i - 1; j >= 0; j-- {
				p := doc.Segments[j]
				if p.Heading || p.Row || out[j] != nil || p.Section != seg.Section {
					break
				}
				pt := trimBullet(p.Text)
				qs = append(qs, j)
				if questionMark.MatchString(pt) || strings.HasSuffix(strings.TrimSpace(pt), "?") {
					continue
				}
				qs = qs[:len(qs)-1]
				break
			}
			items++
			for _, j := range qs {
				out[j] = []piece{{text: doc.Segments[j].Text, item: items, part: partQuestion}}
			}
			out[i] = []piece{{text: t, item: items, part: partAnswer}}
			open = items
			continue
		}
		if open > 0 && !questionMark.MatchString(t) && !strings.HasSuffix(strings.TrimSpace(t), "?") && seg.Section == doc.Segments[i-1].Section && !seg.ListItem {
			out[i] = []piece{{text: text, item: open, part: partAnswer}}
			continue
		}
		open = 0
	}
	if items < 2 {
		return nil
	}
	return out
}

// answered reports whether an answer says something: a blank form
// ("Answer: ____", "[Yes/No]") is no answer.
func answered(a string) bool {
	a = strings.TrimSpace(a)
	letters := 0
	for _, r := range a {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127 {
			letters++
		}
	}
	low := strings.ToLower(a)
	return letters >= 2 && !strings.Contains(low, "yes/no") && !strings.Contains(low, "ja/nee") && !strings.Contains(low, "sí/no")
}

// qaColumns finds the question and answer columns of a table heading.
func qaColumns(header string) (q, a int) {
	q, a = -1, -1
	for i, h := range strings.Split(header, " | ") {
		h = strings.Trim(strings.TrimSpace(h), ".:")
		switch {
		case questionColumn.MatchString(h):
			q = i
		case answerColumn.MatchString(h):
			a = i
		}
	}
	return q, a
}

// answerVerdict is what an answer says about the standards its question
// names and it does not: its own demand or non-demand words, else a bare
// yes or no read against the question ("Is TLS-RPT een eis? — Ja.").
func answerVerdict(question, answer string) int {
	a := strings.TrimSpace(answerMark.ReplaceAllString(trimBullet(answer), ""))
	if p := polarity(cues(a)); p != 0 {
		d, n := false, false
		for _, c := range cues(a) {
			d = d || c.demand
			n = n || !c.demand
		}
		if d && n {
			// Both: the first sentence that takes a side speaks.
			for _, s := range sentences(a) {
				if p := polarity(cues(s)); p != 0 {
					return p
				}
			}
		}
		return p
	}
	yes, no := yesWord.MatchString(a), noWord.MatchString(a)
	if !yes && !no {
		return 0
	}
	d, n := false, false
	for _, c := range cues(question) {
		d = d || c.demand
		n = n || !c.demand
	}
	var asks int // +1 the question asks whether it is demanded, -1 whether it is optional
	switch {
	case d && !n:
		asks = 1
	case n && !d:
		asks = -1
	default:
		return 0
	}
	if no && (widening.MatchString(question) || conditional.MatchString(question)) {
		return 0
	}
	if yes {
		return asks
	}
	return -asks
}

// An addendum or correction quotes the text it replaces ("Clause 5.4
// currently reads "…"", "Donde dice: «…»", "Waar staat: "…""): that old
// text names standards without demanding them any more.
var (
	oldTextLead = regexp.MustCompile(`(?i)(?:currently reads?|originally reads?|previously reads?|formerly reads?|(?:which|that) reads?|used to read|the (?:old|original|existing|current) text|old text|original text|instead of|in place of|donde dice|donde dec[ií]a|dec[ií]a|texto (?:original|anterior|actual|vigente)|redacci[oó]n (?:actual|anterior|original|vigente)|en lugar de|waar (?:nu )?staat|luidt thans|luidt op dit moment|luidde|oude tekst|huidige tekst|oorspronkelijke tekst|in plaats van)\s*[:,]?\s*$`)
	closeQuote  = map[rune]string{'«': "»", '“': "”\"", '"': "\"”", '„': "“”\"", '‘': "’'", '\'': "'’"}
)

// oldTextSpans finds the quoted old text in s.
func oldTextSpans(s string) []span {
	var out []span
	for i, r := range s {
		closers, ok := closeQuote[r]
		if !ok || !oldTextLead.MatchString(s[max(0, i-60):i]) {
			continue
		}
		from := i + utf8.RuneLen(r)
		to := len(s)
		if j := strings.IndexAny(s[from:], closers); j >= 0 {
			to = from + j
		}
		out = append(out, span{from, to})
	}
	return out
}
