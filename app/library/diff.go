// Package library holds the answer library's rules that need no
// database: the word-level comparison of a requirement's clause with the
// clause an earlier answer was given to.
package library

import (
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Op says what happened to a run of words between two clauses.
type Op int

// The kinds of run in a clause comparison.
const (
	Same Op = iota
	Added
	Removed
)

// Segment is one run of words of a comparison, with the spaces between
// them; Op says whether it is in both clauses, only the new or only the
// earlier one.
type Segment struct {
	Op   Op
	Text string
}

// IsAdded and IsRemoved let templates mark a run.
func (s Segment) IsAdded() bool { return s.Op == Added }

// IsRemoved reports whether the run is only in the earlier clause.
func (s Segment) IsRemoved() bool { return s.Op == Removed }

// normalize collapses every run of white space to one space: line breaks
// and indentation are not changes a reader of the clause cares about.
func normalize(s string) string { return strings.Join(strings.Fields(s), " ") }

// Changed reports whether two clauses say something different, ignoring
// white space.
func Changed(before, after string) bool { return normalize(before) != normalize(after) }

// ClauseDiff compares the clause an earlier answer was given to (before)
// with the new requirement's clause (after) word by word: go-diff's
// Myers diff runs over words (each distinct word and space becomes one
// rune, the way its line mode works) and its semantic clean-up merges
// small scattered runs, so a reader sees "… at least TLS 1.2 1.3 …"
// rather than single letters.
func ClauseDiff(before, after string) []Segment {
	before, after = normalize(before), normalize(after)
	if before == after {
		if after == "" {
			return nil
		}
		return []Segment{{Op: Same, Text: after}}
	}
	index := map[string]rune{}
	var words []string
	encode := func(s string) []rune {
		var out []rune
		for _, tok := range tokens(s) {
			r, ok := index[tok]
			if !ok {
				// Runes from U+10000 on: none is a surrogate, so every
				// word survives the diff's strings.
				r = rune(0x10000 + len(words))
				index[tok] = r
				words = append(words, tok)
			}
			out = append(out, r)
		}
		return out
	}
	a, b := encode(before), encode(after)
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0
	diffs := dmp.DiffCleanupSemantic(dmp.DiffMainRunes(a, b, false))
	var out []Segment
	for _, d := range diffs {
		var text strings.Builder
		for _, r := range d.Text {
			text.WriteString(words[r-0x10000])
		}
		op := Same
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			op = Added
		case diffmatchpatch.DiffDelete:
			op = Removed
		}
		if n := len(out); n > 0 && out[n-1].Op == op {
			out[n-1].Text += text.String()
			continue
		}
		out = append(out, Segment{Op: op, Text: text.String()})
	}
	return out
}

// tokens splits normalised text into words and the single spaces between
// them.
func tokens(s string) []string {
	var out []string
	for i, w := range strings.Split(s, " ") {
		if i > 0 {
			out = append(out, " ")
		}
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}
