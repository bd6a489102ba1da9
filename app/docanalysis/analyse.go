package docanalysis

import (
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Statuses of a standard in a document.
const (
	StatusRequested = "requested"
	StatusMentioned = "mentioned"
	StatusAbsent    = "absent"
)

// MaxQuotes caps the quotes kept per standard (requests first).
const MaxQuotes = 6

// Profile is a kind of ICT purchase as the relevance table sees it: the
// standards relevant to it and the words that suggest it, by language.
type Profile struct {
	Slug     string
	Relevant []string
	Keywords map[string][]string
	MinScore int
}

// Engine analyses documents against one catalogue and profile table.
type Engine struct {
	specs    []Spec
	index    *Index
	profiles []Profile

	mu       sync.Mutex
	keywords map[string]*regexp.Regexp
}

// New builds an engine for the standards (in catalogue order) and the
// profiles.
func New(specs []Spec, profiles []Profile) *Engine {
	return &Engine{specs: specs, index: NewIndex(specs), profiles: profiles}
}

// Options are the officer's choices; empty fields are decided from the
// document.
type Options struct {
	Language string
	Profiles []string
}

// Result is the answer of an analysis, as the API gives it.
type Result struct {
	Document  DocumentInfo     `json:"document"`
	Standards []StandardResult `json:"standards"`
	Relevant  []string         `json:"relevant"`
	Missing   []string         `json:"missing"`
}

// DocumentInfo describes the analysed document. Pages is the number of
// PDF pages, or of pages the word processor counted (0 if unknown).
// Kinds are the profile slugs used for relevance; KindsSuggested says
// they were suggested from the text rather than chosen.
type DocumentInfo struct {
	Name           string   `json:"name"`
	Pages          int      `json:"pages"`
	Language       string   `json:"language"`
	Format         string   `json:"format,omitempty"`
	Kinds          []string `json:"kinds"`
	KindsSuggested bool     `json:"kinds_suggested"`
}

// StandardResult is one catalogue standard's status with the quotes that
// decided it. Every catalogue standard is listed, absent ones too.
type StandardResult struct {
	Slug   string  `json:"slug"`
	Status string  `json:"status"`
	Quotes []Quote `json:"quotes"`
}

// Quote is a sentence that names a standard, with its PDF page or its
// section (heading, or "header", "footer", "footnote", or "¶ 3" for the
// third block of a document without pages before its first heading), and
// whether that sentence demands it. Page is 0 in a document without pages;
// the JSON always has it, as issue 15 promised its shape.
type Quote struct {
	Text    string `json:"text"`
	Page    int    `json:"page"`
	Section string `json:"section,omitempty"`
	Demand  bool   `json:"demand"`
	// Superseded marks a demand that a later answer of a Q&A document
	// withdrew ("Is DNSSEC verplicht? — Nee.").
	Superseded bool `json:"superseded,omitempty"`
}

// surround is what surrounds a segment: the demand or wish of the heading
// it falls under and of the lead-in sentence (ending in ":") of the list
// it belongs to.
type surround struct {
	heading, leadIn int
}

// heading is one level of the headings above a segment, with its
// polarity.
type heading struct {
	level, polarity int
}

// forwardRef points at what follows: "the requirements below",
// "onderstaande eisen", "los siguientes requisitos".
var forwardRef = regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:below|hereunder|the following|onderstaande|hieronder|hierna volgende|volgende|siguientes|a continuación|como sigue)(?:$|[^\p{L}])`)

// glossary is the polarity of a glossary: nothing in it is a demand.
const glossary = -2

// inherited is the polarity of the nearest heading that has one.
func inherited(hs []heading) int {
	for i := len(hs) - 1; i >= 0; i-- {
		if hs[i].polarity != 0 {
			return hs[i].polarity
		}
	}
	return 0
}

var (
	// glossaryHeading and glossaryHeader mark a list of terms and their
	// meanings, where "must" describes a standard rather than demands it.
	glossaryHeading = regexp.MustCompile(`(?i)(?:glossary|definitions|abbreviations|terms and definitions|begrippen(?:lijst)?|definities|afkortingen|woordenlijst|glosario|definiciones|abreviaturas|acrónimos|siglas)`)
	// backgroundHeading marks context (the current situation, the law):
	// what it says about standards is no demand of this tender.
	backgroundHeading = regexp.MustCompile(`(?i)(?:background|current situation|regulatory (?:context|framework)|legal (?:context|framework)|achtergrond|huidige situatie|wettelijk kader|antecedentes|situación actual|contexto normativo|marco (?:normativo|legal))`)
	glossaryHeader    = regexp.MustCompile(`(?i)^(?:term|begrip|afkorting|abbreviation|acronym|término|sigla|acrónimo|abreviatura)\b`)
	// anaphora is a sentence that makes the one before it a demand:
	// "This requirement is a knock-out criterion", "Deze eis ...".
	anaphora = regexp.MustCompile(`(?i)^(?:(?:this|these|that|deze|dit|die|este|esta|estos|estas)\s+(?:\S+\s+)?(?:requirements?|eis|eisen|requisitos?|exigencias?|obligations?|verplichting(?:en)?|obligaci(?:ón|ones))|(?:this|it|that|dit|het|esto|este|esta|ello|ésta|éste)\s+(?:is|es|betreft|constituye|forms|vormt)\s+(?:a|an|een|un|una)\s+(?:\S+\s+)?[\p{L}\-]*(?:requirement|eis|requisito|criterion|criterium|criterio|condition|voorwaarde|condición))(?:$|[^\p{L}])`)
)

// polarity of a piece of text: +1 demand, -1 not a demand, 0 neither.
func polarity(cs []cue) int {
	d, n := false, false
	for _, c := range cs {
		if c.demand {
			d = true
		} else {
			n = true
		}
	}
	switch {
	case n:
		return -1
	case d:
		return 1
	}
	return 0
}

// Analyse decides each standard's status in doc.
func (e *Engine) Analyse(doc *Document, opt Options) *Result {
	lang := opt.Language
	if lang == "" {
		lang = DetectLanguage(doc)
	}
	redefined := redefinedAcronyms(doc, e.index)
	status := make([]string, len(e.specs))
	quotes := make([][]Quote, len(e.specs))
	var ctx surround
	var headings []heading
	// decided are the hits of the previous sentence, which a sentence
	// such as "This requirement is a knock-out criterion" makes demands.
	type decision struct {
		std, quote int
		negated    bool
	}
	var decided []decision
	// In a Q&A document (see qa.go) each unit's position on a standard is
	// kept: +1 demanded, -1 explicitly not demanded, 0 only named.
	qa := qaPieces(doc)
	var units []map[int]int
	unitQuotes := map[[2]int][]int{} // {unit, std} -> indexes of its quotes
	type qaItem struct {
		unit             int
		question, answer string
		named            map[int]bool
		// where is the answer's place, for its quote.
		page    int
		section string
	}
	items := map[int]*qaItem{}
	lastItem := -1
	verdict := func(unit, std, v int) {
		if unit < 0 {
			return
		}
		old, seen := units[unit][std]
		switch {
		case !seen, v > 0, v < 0 && old == 0:
			units[unit][std] = v
		}
	}
	where := locations(doc.Segments)
	for si, seg := range doc.Segments {
		segCues := cues(seg.Text)
		switch {
		case seg.Heading:
			level := max(seg.Level, 1)
			for len(headings) > 0 && headings[len(headings)-1].level >= level {
				headings = headings[:len(headings)-1]
			}
			p := polarity(segCues)
			if glossaryHeading.MatchString(seg.Text) || backgroundHeading.MatchString(seg.Text) {
				p = glossary
			}
			headings = append(headings, heading{level: level, polarity: p})
			ctx.heading = inherited(headings)
			ctx.leadIn = 0
		case seg.ListItem || seg.Row:
		default:
			ctx.leadIn = 0
		}
		pieces := []piece{{text: seg.Text}}
		if qa != nil && qa[si] != nil {
			pieces = qa[si]
		}
		for _, pc := range pieces {
			unit := -1
			if qa != nil {
				// A new unit starts with each item, and with the run of
				// other text after one.
				if pc.item != lastItem || len(units) == 0 {
					units = append(units, map[int]int{})
					lastItem = pc.item
				}
				unit = len(units) - 1
				if pc.item > 0 {
					it := items[pc.item]
					if it == nil {
						it = &qaItem{unit: unit, named: map[int]bool{}}
						items[pc.item] = it
					}
					if pc.part == partQuestion {
						it.question += " " + pc.text
					} else {
						if it.answer == "" {
							it.page, it.section = seg.Page, where[si]
						}
						it.answer += " " + pc.text
					}
				}
			}
			pseg := seg
			if pc.item > 0 {
				pseg.Text, pseg.Row, pseg.Header = pc.text, false, ""
			}
			var sents []string
			if pseg.Row || pseg.Heading {
				sents = []string{pseg.Text}
			} else {
				sents = sentences(pseg.Text)
			}
			decided = nil
			old := oldTextSpans(pseg.Text)
			pos := 0
			for _, s := range sents {
				off := -1
				if len(old) > 0 {
					if i := strings.Index(pseg.Text[pos:], s); i >= 0 {
						off = pos + i
						pos = off + len(s)
					}
				}
				if anaphora.MatchString(s) && polarity(cues(s)) > 0 {
					for _, d := range decided {
						if !d.negated {
							status[d.std] = StatusRequested
							quotes[d.std][d.quote].Demand = true
							verdict(unit, d.std, 1)
						}
					}
				}
				decided = nil
				hits := e.index.find(s)
				if len(hits) == 0 {
					continue
				}
				cs := cues(s)
				done := map[int]bool{}
				for _, h := range hits {
					if redefined[h.name] || lookalike(e.specs[h.std].Slug, h.name, s) {
						continue
					}
					if pc.part == partQuestion || off >= 0 && within(old, off+h.start) {
						// A question quotes or asks, and so does the old
						// text a correction replaces: they name, the
						// answer or the new text decides.
						if pc.part == partQuestion {
							items[pc.item].named[h.std] = true
						}
						if status[h.std] == "" {
							status[h.std] = StatusMentioned
						}
						quotes[h.std] = addQuote(quotes[h.std], Quote{Text: quote(s, h.start), Page: seg.Page, Section: where[si]})
						continue
					}
					demand, negated := decide(s, h, cs, pseg, ctx)
					if ctx.heading == glossary || pseg.Row && glossaryHeader.MatchString(pseg.Header) {
						demand = false
					}
					if done[h.std] && !demand {
						continue
					}
					done[h.std] = true
					if demand {
						status[h.std] = StatusRequested
						verdict(unit, h.std, 1)
					} else {
						if status[h.std] == "" {
							status[h.std] = StatusMentioned
						}
						if negated && !wishWithdrawn(s, cs) {
							verdict(unit, h.std, -1)
						} else {
							verdict(unit, h.std, 0)
						}
					}
					quotes[h.std] = addQuote(quotes[h.std], Quote{Text: quote(s, h.start), Page: seg.Page, Section: where[si], Demand: demand})
					for qi, q := range quotes[h.std] {
						if q.Text == quote(s, h.start) && q.Page == seg.Page {
							if unit >= 0 {
								k := [2]int{unit, h.std}
								unitQuotes[k] = append(unitQuotes[k], qi)
							}
							if !demand && ctx.heading != glossary {
								decided = append(decided, decision{std: h.std, quote: qi, negated: negated})
							}
						}
					}
				}
			}
		}
		if !seg.Heading && !seg.ListItem && !seg.Row {
			if strings.HasSuffix(strings.TrimSpace(seg.Text), ":") {
				sents := sentences(seg.Text)
				ctx.leadIn = polarity(cues(sents[len(sents)-1]))
			} else {
				// "De Inschrijver moet aan alle onderstaande eisen
				// voldoen." announces the list that follows as demands.
				for _, sent := range sentences(seg.Text) {
					if forwardRef.MatchString(sent) {
						ctx.leadIn = polarity(cues(sent))
						break
					}
				}
			}
		}
	}
	if qa != nil {
		// A standard the question names and the answer does not is
		// decided by what the answer says ("Ja.", "No, this is not
		// required").
		for _, n := range slices.Sorted(maps.Keys(items)) {
			it := items[n]
			for std := range it.named {
				if v, seen := units[it.unit][std]; seen && v != 0 {
					continue
				}
				v := answerVerdict(it.question, it.answer)
				units[it.unit][std] = v
				if v != 0 {
					// Quote the answer that decided, so the reader sees
					// why ("Nee. … voor de opdrachtnemer is dit geen eis.").
					q := Quote{Text: quote(strings.TrimSpace(it.answer), 0), Page: it.page, Section: it.section, Demand: v > 0}
					quotes[std] = addQuote(quotes[std], q)
					for qi, old := range quotes[std] {
						if old.Text == q.Text && old.Page == q.Page {
							k := [2]int{it.unit, std}
							unitQuotes[k] = append(unitQuotes[k], qi)
						}
					}
				}
			}
		}
		// The last unit that takes a position decides.
		for std := range e.specs {
			last := -1
			for u := range units {
				if units[u][std] != 0 {
					last = u
				}
			}
			if last < 0 {
				continue
			}
			if units[last][std] > 0 {
				status[std] = StatusRequested
				continue
			}
			status[std] = StatusMentioned
			for u := range last {
				for _, qi := range unitQuotes[[2]int{u, std}] {
					if qi < len(quotes[std]) && quotes[std][qi].Demand {
						quotes[std][qi].Superseded = true
					}
				}
			}
		}
	}
	res := &Result{
		Document:  DocumentInfo{Name: doc.Name, Pages: doc.Pages, Language: lang, Format: doc.Format},
		Standards: make([]StandardResult, len(e.specs)),
		Relevant:  []string{},
		Missing:   []string{},
	}
	for i, sp := range e.specs {
		st := status[i]
		if st == "" {
			st = StatusAbsent
		}
		q := quotes[i]
		if q == nil {
			q = []Quote{}
		}
		res.Standards[i] = StandardResult{Slug: sp.Slug, Status: st, Quotes: q}
	}
	kinds := opt.Profiles
	if len(kinds) == 0 {
		kinds = e.SuggestProfiles(doc, lang)
		res.Document.KindsSuggested = true
	}
	res.Document.Kinds = append([]string{}, kinds...)
	e.relevance(res)
	return res
}

// Relevance fills Relevant and Missing from the document's kinds: the
// standards relevant to any of its profiles, in catalogue order, and
// those of them the document does not request.
func (e *Engine) relevance(res *Result) {
	rel := map[string]bool{}
	for _, k := range res.Document.Kinds {
		for _, p := range e.profiles {
			if p.Slug == k {
				for _, s := range p.Relevant {
					rel[s] = true
				}
			}
		}
	}
	res.Relevant, res.Missing = []string{}, []string{}
	for _, s := range res.Standards {
		if !rel[s.Slug] {
			continue
		}
		res.Relevant = append(res.Relevant, s.Slug)
		if s.Status != StatusRequested {
			res.Missing = append(res.Missing, s.Slug)
		}
	}
}

// WithRequested is the answer for standards named without reading (a
// tender built in Tenderprobe, whose requirements are its demands): a
// standard with a quote that is a demand is requested, one whose quotes
// are all wishes is mentioned, the rest are absent.
func (e *Engine) WithRequested(info DocumentInfo, requested map[string][]Quote) *Result {
	res := &Result{Document: info, Standards: make([]StandardResult, len(e.specs))}
	if res.Document.Kinds == nil {
		res.Document.Kinds = []string{}
	}
	for i, sp := range e.specs {
		q, ok := requested[sp.Slug]
		st := StatusAbsent
		if ok {
			st = StatusMentioned
			if slices.ContainsFunc(q, func(x Quote) bool { return x.Demand }) {
				st = StatusRequested
			}
		}
		if q == nil {
			q = []Quote{}
		}
		res.Standards[i] = StandardResult{Slug: sp.Slug, Status: st, Quotes: q}
	}
	e.relevance(res)
	return res
}

func addQuote(qs []Quote, q Quote) []Quote {
	for _, old := range qs {
		if old.Text == q.Text && old.Page == q.Page {
			return qs
		}
	}
	if len(qs) < MaxQuotes {
		return append(qs, q)
	}
	if q.Demand {
		for i := len(qs) - 1; i >= 0; i-- {
			if !qs[i].Demand {
				qs[i] = q
				break
			}
		}
	}
	return qs
}

// decide says whether the sentence s demands the standard named at h:
// the demand or non-demand word nearest to the name within its clause
// decides (a non-demand word wins a tie); without one, a demand before a
// colon earlier in the sentence, the table's column headings (for a row),
// the lead-in of the list (for a list item) or the heading (for a list
// item or row) decide.
func decide(s string, h hit, cs []cue, seg Segment, ctx surround) (demand, negated bool) {
	from, to := clauseOf(s, h.start, h.end)
	// A standard named only in a clause about another party or the
	// buyer's own situation is mentioned, whatever the main verb says.
	background, purpose := backgroundClauses(s)
	if within(background, h.start) {
		return false, false
	}
	// A question asks for a description unless it calls it mandatory.
	// (A demand quoted after a colon, "Describe how you meet R4: the
	// solution must …", is still decided by its own words.)
	colon := strings.LastIndex(s[:h.start], ":")
	if isQuestion(s) && (colon < 0 || !modalWord.MatchString(s[colon:])) {
		if seg.Row && rowMarker(s, seg.Header) > 0 || strongDemand.MatchString(s) {
			return true, false
		}
		return false, false
	}
	// Words in those clauses, or in a clause of purpose, speak of
	// something else than the standard.
	inMain := func(c cue) bool {
		return !within(background, c.start) && (within(purpose, h.start) || !within(purpose, c.start))
	}
	withdrawn := withdrawal.MatchString(s[from:to])
	var mainCues []cue
	for _, c := range cs {
		if inMain(c) {
			if thirdPartyDemand(s, c, from, to) || legalDuty(s, c, from, to) {
				c.demand = false
			}
			if c.demand && c.start >= from && c.end <= to && withdrawn && requirementNoun.MatchString(s[c.start:c.end]) {
				continue
			}
			mainCues = append(mainCues, c)
		}
	}
	cs = mainCues
	best, bestDist := -1, 1<<30
	for i, c := range cs {
		if c.start < from || c.end > to {
			continue
		}
		d := 0
		switch {
		case c.end <= h.start:
			d = h.start - c.end
		case c.start >= h.end:
			d = c.start - h.end
		}
		if d < bestDist || d == bestDist && !c.demand {
			best, bestDist = i, d
		}
	}
	if seg.Row {
		// A row's marker cells and column headings speak for all its
		// clauses; otherwise the words of the row decide.
		if p := rowMarker(s, seg.Header); p != 0 {
			return p > 0, p < 0
		}
	}
	if best >= 0 {
		return cs[best].demand, !cs[best].demand
	}
	// What the buyer or another party does itself or already has is no
	// demand, whatever the heading or column says; nor is what a law
	// lays on a class of others ("The obligations of Article 14 apply to
	// manufacturers …").
	if ownSituation(s[from:to]) || legalRef.MatchString(s) && dutyHolder.MatchString(s) && !supplierWord.MatchString(s) {
		return false, false
	}
	// "DNSSEC is validated on every answer; this is a knock-out
	// requirement": the marker after ";" speaks for the clause before it.
	if to < len(s) && s[to] == ';' {
		next := strings.TrimSpace(s[to+1:])
		if anaphora.MatchString(next) && polarity(cues(next)) > 0 {
			return true, false
		}
	}
	if seg.Row {
		if p := rowPolarity(s, seg.Header); p != 0 {
			return p > 0, p < 0
		}
	}
	// "The supplier must support the following: DNSSEC; DANE."
	if colon := strings.LastIndex(s[:h.start], ":"); colon >= 0 {
		if p := polarity(cuesBefore(cs, colon)); p != 0 {
			return p > 0, p < 0
		}
	}
	if seg.ListItem && ctx.leadIn != 0 {
		return ctx.leadIn > 0, ctx.leadIn < 0
	}
	// A statement under a heading that demands ("3 Eisen", "Technical
	// requirements"), without a word of its own either way, is one of
	// the demands.
	if ctx.heading > 0 && polarity(cs) >= 0 {
		return true, false
	}
	return false, ctx.heading < 0
}

func cuesBefore(cs []cue, at int) []cue {
	var out []cue
	for _, c := range cs {
		if c.end <= at {
			out = append(out, c)
		}
	}
	return out
}

// rowPolarity decides a table row without demand words by its column
// headings: under a heading that demands ("Mandatory", "Eis"), a row is
// a demand unless a cell says no; under one that wishes, it is not.
func rowPolarity(row, header string) int {
	if p := rowMarker(row, header); p != 0 {
		return p
	}
	if header == "" {
		return 0
	}
	p := polarity(cues(header))
	if p == 0 {
		return 0
	}
	yes, no := false, false
	for _, cell := range strings.Split(row, " | ") {
		cell = strings.TrimSpace(cell)
		yes = yes || yesCell.MatchString(cell)
		no = no || noCell.MatchString(cell)
	}
	switch {
	case no && !yes:
		return -1
	case p > 0:
		return 1
	}
	return -1
}

var (
	demandCell = regexp.MustCompile(`(?i)^(?:eis|harde eis|minimumeis|knock-out-?eis|ko-eis|vereist|verplicht|knock-out|ko|mandatory|required|requirement|must|must have|minimum requirement|mandatory requirement|obligatorio|obligatoria|requisito|requisito m[ií]nimo|requisito obligatorio|requisito excluyente|excluyente|eliminatorio|exigido|exigible)$`)
	// wishCell is a marker that the row is something less than a
	// demand: a wish, an option, an award criterion, or MoSCoW's
	// should, could and won't.
	wishCell = regexp.MustCompile(`(?i)^(?:wens|gewenst|optioneel|optional|desirable|desired|should|should have|could|could have|won[’']?t|won[’']?t have|will not have|wont|nice to have|nice-to-have|award criterion|award criteria|gunningscriterium|gunningscriteria|deseable|opcional|optativo|valorable|puntuable|mejora|criterio de adjudicaci[oó]n|puntos|points|punten|scored|rated|informative|information|for information|informatie|informatief|informativo|informaci[oó]n)$`)
	// moscowHeader is a column of one-letter priority markers: MoSCoW
	// (M/S/C/W), must/optional (M/O), eis/wens (E/W), mandatory/desirable
	// (M/D), obligatorio/opcional (O is then ambiguous: see rowMarker).
	// A column headed by the kind of row ("Type", "Soort", "Tipo",
	// "Carácter") holds such letters too: M/D/I is mandatory, desirable,
	// information.
	moscowHeader = regexp.MustCompile(`(?i)moscow|priorit|prioridad|\bM\s*/\s*[SDCWO]\b|\bE\s*/\s*W\b|\bK\s*/\s*W\b|\bO\s*/\s*[DV]\b|(?:^|\|\s*)(?:type|class|category|kind|soort|categorie|tipo|clase|categor[ií]a|car[aá]cter)\s*(?:\||$)`)
	// esObligatory is the Spanish scheme where "O" means obligatorio.
	esObligatory = regexp.MustCompile(`(?i)\bO\s*/\s*[DV]\b`)
)

// rowMarker is the polarity of a row's marker cells alone: a cell that is
// a marker on its own ("Eis", "Wens", "Mandatory", MoSCoW's "M" and "S"
// under a priority column) says it for the whole row.
func rowMarker(row, header string) int {
	moscow := moscowHeader.MatchString(header)
	oIsDemand := esObligatory.MatchString(header)
	cells := strings.Split(row, " | ")
	for _, cell := range cells {
		if p := markerCell(cell, moscow, oIsDemand); p != 0 {
			return p
		}
	}
	// A yes or no under a column that names the demand ("Knock-out",
	// "Excluyente", "Verplicht") says it for the row.
	heads := strings.Split(header, " | ")
	if len(heads) == len(cells) {
		for i, cell := range cells {
			cell = strings.TrimSpace(cell)
			if !strongDemand.MatchString(heads[i]) || utf8.RuneCountInString(heads[i]) > 40 {
				continue
			}
			switch {
			case yesCell.MatchString(cell):
				return 1
			case noCell.MatchString(cell):
				return -1
			}
		}
	}
	return 0
}

// markerSplit separates the parts of a marker cell such as "M (Must)",
// "W – Won't have" or "Eis / knock-out".
var markerSplit = regexp.MustCompile(`\s*(?:[()\[\]/:]|\s[-–—]\s)\s*`)

// markerCell is the polarity of one cell that is a marker on its own,
// or whose parts all are: "M", "Must", "M (Must)", "Optional".
func markerCell(cell string, moscow, oIsDemand bool) int {
	one := func(c string) int {
		c = strings.Trim(strings.TrimSpace(c), ".*:")
		letter := ""
		if moscow && len(c) == 1 {
			letter = strings.ToUpper(c)
		}
		switch {
		case c == "":
			return 0
		case demandCell.MatchString(c), letter == "M", letter == "E", letter == "K", letter == "O" && oIsDemand:
			return 1
		case wishCell.MatchString(c), letter != "" && strings.Contains("SCWDOVI", letter):
			return -1
		}
		return 2
	}
	p := one(cell)
	if p == 2 {
		p = 0
		for _, part := range markerSplit.Split(cell, -1) {
			switch q := one(part); {
			case q == 2 || p != 0 && q != 0 && q != p:
				return 0
			case q != 0:
				p = q
			}
		}
	}
	if p == 2 {
		return 0
	}
	return p
}

// clauseOf returns the bounds of the clause of s around [start, end).
func clauseOf(s string, start, end int) (int, int) {
	from, to := 0, len(s)
	for _, m := range clauseBreaks(s) {
		if m[1] <= start && m[1] > from {
			from = m[1]
		}
		if m[0] >= end && m[0] < to {
			to = m[0]
		}
	}
	return from, to
}

// acronymDef finds "Words (ABC)" and "ABC (Words)"; defMeans finds
// '"ABC" means words' and defHence 'words (hereinafter "ABC")'; defOrg a
// company name such as "TLS Mobility Group".
var (
	defAfter  = regexp.MustCompile(`((?:[\p{L}\-]+\s+){1,6}[\p{L}\-]+)\s*\(\s*([A-Z]{2,6}|[A-Z][a-z]?[A-Z][a-z]?)\s*\)`)
	defBefore = regexp.MustCompile(`\b([A-Z]{2,6})\s*\(\s*((?:[\p{L}\-]+\s+){1,6}[\p{L}\-]+)\s*\)`)
	defMeans  = regexp.MustCompile(`["“'‘]([A-Z]{2,6})["”'’]\s*(?:means|refers to|stands for|is short for|betekent|staat voor|verwijst naar|significa|se refiere a|designa|:)\s+((?:[\p{L}\-]+\s+){0,6}[\p{L}\-]+)`)
	defHence  = regexp.MustCompile(`((?:[\p{L}\-]+\s+){1,6})\(?\s*(?:hereinafter|hierna|en adelante|en lo sucesivo)[:,]?\s*(?:referred to as|called|te noemen|genoemd|denominad[oa])?\s*:?\s*["“'‘]([A-Z]{2,6})["”'’]`)
	defOrg    = regexp.MustCompile(`\b([A-Z]{2,6})((?:\s+[A-Z][\p{L}&]+){0,3})\s+(?:Group|Groep|Grupo|B\.V\.|BV|N\.V\.|Ltd\.?|Limited|Inc\.?|GmbH|S\.L\.|S\.A\.|Holding|Company|Corporation|AG|plc)(?:$|[^\p{L}])`)
)

// redefinedAcronyms lists the acronyms among the standards' names that
// the document defines as something else: "Sun Protection Factor (SPF)"
// makes every "SPF" in that document not the e-mail standard.
func redefinedAcronyms(doc *Document, ix *Index) map[string]bool {
	out := map[string]bool{}
	check := func(acr, words string) {
		if !ix.acronyms[acr] {
			return
		}
		if !initialsSpell(words, acr) {
			return
		}
		fields := strings.Fields(words)
		w := strings.ToLower(strings.Join(fields[max(0, len(fields)-len(acr)):], " "))
		for _, sp := range ix.specs {
			for _, n := range sp.Names {
				if strings.Contains(strings.ToLower(n), w) || strings.Contains(w, strings.ToLower(n)) && len(n) > len(acr) {
					return
				}
			}
		}
		out[acr] = true
	}
	// meant: the document says outright what the acronym means; it is
	// another thing unless the words name one of the standards.
	meant := func(acr, words string) {
		if !ix.acronyms[acr] {
			return
		}
		w := strings.ToLower(words)
		for _, sp := range ix.specs {
			for _, n := range sp.Names {
				if len(n) > len(acr) && strings.Contains(w, strings.ToLower(n)) {
					return
				}
			}
		}
		out[acr] = true
	}
	// properName: "SPF (Stichting Personeelsfonds)", an acronym followed
	// by the capitalised name of something else that starts with its
	// first letter.
	properName := func(acr, words string) {
		fields := strings.Fields(words)
		if len(fields) < 2 || !strings.HasPrefix(fields[0], acr[:1]) {
			return
		}
		for _, f := range fields {
			if r := []rune(f)[0]; !unicode.IsUpper(r) && len(f) > 3 {
				return
			}
		}
		meant(acr, words)
	}
	for _, seg := range doc.Segments {
		for _, m := range defAfter.FindAllStringSubmatch(seg.Text, -1) {
			check(m[2], m[1])
		}
		for _, m := range defBefore.FindAllStringSubmatch(seg.Text, -1) {
			check(m[1], m[2])
			properName(m[1], m[2])
		}
		for _, m := range defMeans.FindAllStringSubmatch(seg.Text, -1) {
			meant(m[1], m[2])
		}
		for _, m := range defHence.FindAllStringSubmatch(seg.Text, -1) {
			meant(m[2], m[1])
		}
		for _, m := range defOrg.FindAllStringSubmatch(seg.Text, -1) {
			if ix.acronyms[m[1]] {
				out[m[1]] = true
			}
		}
	}
	return out
}

// initialsSpell reports whether the last words' initials spell acr.
func initialsSpell(words, acr string) bool {
	fields := strings.FieldsFunc(words, func(r rune) bool { return unicode.IsSpace(r) || r == '-' })
	// The capitals of the acronym: "DoT" is spelled by D and T.
	var a []rune
	for _, r := range acr {
		if unicode.IsUpper(r) {
			a = append(a, r)
		}
	}
	spell := func(skipSmall bool) bool {
		var initials []rune
		for _, f := range fields {
			if skipSmall && smallWords[strings.ToLower(f)] {
				continue
			}
			initials = append(initials, unicode.ToUpper([]rune(f)[0]))
		}
		return len(initials) >= len(a) && slices.Equal(initials[len(initials)-len(a):], a)
	}
	// "single point of failure (SPF)", "Department of Transport (DoT)".
	return spell(false) || spell(true)
}

// smallWords are left out of an acronym's initials.
var smallWords = map[string]bool{"of": true, "the": true, "and": true, "for": true, "in": true, "on": true, "to": true,
	"van": true, "de": true, "het": true, "en": true, "voor": true, "der": true, "del": true, "la": true, "el": true,
	"los": true, "las": true, "y": true, "para": true, "en-": true}

// SetKinds makes kinds the document's kinds of ICT, chosen rather than
// suggested, and works out Relevant and Missing again.
func (e *Engine) SetKinds(res *Result, kinds []string) {
	res.Document.Kinds = append([]string{}, kinds...)
	res.Document.KindsSuggested = false
	e.relevance(res)
}

// locations is where each segment is, for its quotes: its section, or,
// in a document without pages where no heading precedes it, "¶ N" for the
// N-th block of the document, so every quote can be found.
func locations(segs []Segment) []string {
	out := make([]string, len(segs))
	for i, seg := range segs {
		out[i] = seg.Section
		if seg.Page == 0 && seg.Section == "" {
			out[i] = "¶ " + strconv.Itoa(i+1)
		}
	}
	return out
}
