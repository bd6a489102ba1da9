package docanalysis

import (
	"regexp"
	"sort"
	"strings"
)

// DefaultMinScore is how many keyword hits a profile needs before it is
// suggested, when the profile does not say.
const DefaultMinScore = 2

// SuggestProfiles suggests the kinds of ICT a document buys: each
// profile's keywords (in every language: tenders mix them) are counted
// in the text; the best profile is suggested when it reaches its minimum
// score, with every other that reaches its own and at least half the
// best's score.
func (e *Engine) SuggestProfiles(doc *Document, lang string) []string {
	return e.SuggestProfilesAtLeast(doc, 0)
}

// SuggestProfilesAtLeast is SuggestProfiles with every profile's minimum
// score lowered to minScore when minScore is positive: a tender's title
// and description are a few words, not a document. The others are
// suggested alongside the best only with at least three fifths of its
// score.
func (e *Engine) SuggestProfilesAtLeast(doc *Document, minScore int) []string {
	scores := e.ProfileScores(doc)
	type ps struct {
		slug  string
		score int
		min   int
	}
	var list []ps
	for _, p := range e.profiles {
		m := p.MinScore
		if m <= 0 {
			m = DefaultMinScore
		}
		if minScore > 0 {
			m = minScore
		}
		list = append(list, ps{p.Slug, scores[p.Slug], m})
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].score > list[j].score })
	var out []string
	for _, p := range list {
		if p.score >= p.min && 5*p.score >= 3*list[0].score {
			out = append(out, p.slug)
		}
	}
	if out == nil {
		out = []string{}
	}
	return out
}

// ProfileScores counts each profile's keywords in the document.
func (e *Engine) ProfileScores(doc *Document) map[string]int {
	out := map[string]int{}
	for _, p := range e.profiles {
		re := e.keywordRE(p)
		if re == nil {
			continue
		}
		n := 0
		for _, seg := range doc.Segments {
			n += len(findAllOverlapping(re, seg.Text))
		}
		out[p.Slug] = n
	}
	return out
}

func (e *Engine) keywordRE(p Profile) *regexp.Regexp {
	e.mu.Lock()
	defer e.mu.Unlock()
	if re, ok := e.keywords[p.Slug]; ok {
		return re
	}
	var words []string
	for _, ws := range p.Keywords {
		for _, w := range ws {
			w = strings.TrimSpace(w)
			if w != "" {
				words = append(words, namePattern(w))
			}
		}
	}
	var re *regexp.Regexp
	if len(words) > 0 {
		re = wordsRE(words)
	}
	if e.keywords == nil {
		e.keywords = map[string]*regexp.Regexp{}
	}
	e.keywords[p.Slug] = re
	return re
}
