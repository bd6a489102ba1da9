package docanalysis_test

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"tenderprobe/app/docanalysis"
)

// label is one document of a corpus's labels.json: the standards it
// requests and mentions (every other one is absent).
type label struct {
	File      string   `json:"file"`
	Language  string   `json:"language"`
	Kinds     []string `json:"kinds"`
	Requested []string `json:"requested"`
	Mentioned []string `json:"mentioned"`
	Notes     string   `json:"notes"`
	// ExpectError is the reason the analysis must refuse the document
	// with (a scanned PDF: "scanned").
	ExpectError string `json:"expect_error"`
}

// confusion counts one standard's `requested` decisions.
type confusion struct{ tp, fp, fn int }

func (c confusion) precision() float64 {
	if c.tp+c.fp == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fp)
}

func (c confusion) recall() float64 {
	if c.tp+c.fn == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fn)
}

// minScore is the precision and recall of `requested` the corpus must
// reach, per standard and overall.
const minScore = 0.95

// TestCorpusAccuracy analyses every labelled document of the corpus and
// measures the precision and recall of `requested` per standard and
// overall. It fails below 0.95 for any standard that is labelled or
// found requested at least once, and overall.
//
//	go test -run TestCorpusAccuracy -v ./app/docanalysis
func TestCorpusAccuracy(t *testing.T) {
	t.Parallel()
	measureCorpus(t, filepath.Join("testdata", "corpus"), true)
}

// TestHoldoutAccuracy does the same on the holdout set: unseen when it
// was written (precision 0.924, recall 0.968), since then used to tune.
func TestHoldoutAccuracy(t *testing.T) {
	t.Parallel()
	measureCorpus(t, filepath.Join("testdata", "holdout"), true)
}

func measureCorpus(t *testing.T, dir string, enforce bool) confusion {
	raw, err := os.ReadFile(filepath.Join(dir, "labels.json"))
	if errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("no %s/labels.json: the corpus is part of the repository", dir)
	}
	if err != nil {
		t.Fatal(err)
	}
	var labels struct {
		Documents []label `json:"documents"`
	}
	if err := json.Unmarshal(raw, &labels); err != nil {
		t.Fatalf("labels.json: %v", err)
	}
	if len(labels.Documents) == 0 {
		t.Fatal("labels.json lists no documents")
	}
	e := shippedEngine(t)
	per := map[string]*confusion{}
	var all confusion
	var mentionedRight, mentionedAll, langRight, kindsRight, refused int
	for _, l := range labels.Documents {
		data, err := os.ReadFile(filepath.Join(dir, l.File))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := docanalysis.Extract(context.Background(), l.File, data)
		if l.ExpectError != "" {
			var de *docanalysis.Error
			if !errors.As(err, &de) || de.Reason != l.ExpectError {
				t.Errorf("%s: err %v, want the refusal %s", l.File, err, l.ExpectError)
			}
			refused++
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", l.File, err)
			continue
		}
		res := e.Analyse(doc, docanalysis.Options{})
		if res.Document.Language == l.Language {
			langRight++
		} else {
			t.Logf("%s: language %s, labelled %s", l.File, res.Document.Language, l.Language)
		}
		if slices.Equal(sorted(res.Document.Kinds), sorted(kindSlugs(l.Kinds))) {
			kindsRight++
		} else {
			t.Logf("%s: suggested kinds %v, labelled %v", l.File, res.Document.Kinds, l.Kinds)
		}
		got := map[string]docanalysis.StandardResult{}
		for _, s := range res.Standards {
			got[s.Slug] = s
		}
		for _, s := range res.Standards {
			want := slices.Contains(l.Requested, s.Slug)
			have := s.Status == docanalysis.StatusRequested
			c := per[s.Slug]
			if c == nil {
				c = &confusion{}
				per[s.Slug] = c
			}
			switch {
			case want && have:
				c.tp++
				all.tp++
			case have:
				c.fp++
				all.fp++
				t.Logf("%s: %s found requested, labelled %s: %s", l.File, s.Slug, labelOf(l, s.Slug), demandQuote(s))
			case want:
				c.fn++
				all.fn++
				t.Logf("%s: %s labelled requested, found %s: %s", l.File, s.Slug, s.Status, firstQuote(s))
			}
			if slices.Contains(l.Mentioned, s.Slug) {
				mentionedAll++
				if s.Status == docanalysis.StatusMentioned {
					mentionedRight++
				}
			}
		}
	}
	slugs := make([]string, 0, len(per))
	for s, c := range per {
		if c.tp+c.fp+c.fn > 0 {
			slugs = append(slugs, s)
		}
	}
	sort.Strings(slugs)
	t.Logf("%-40s %4s %4s %4s %9s %6s", "standard", "TP", "FP", "FN", "precision", "recall")
	for _, s := range slugs {
		c := per[s]
		t.Logf("%-40s %4d %4d %4d %9.3f %6.3f", s, c.tp, c.fp, c.fn, c.precision(), c.recall())
		if enforce && (c.precision() < minScore || c.recall() < minScore) {
			t.Errorf("%s: precision %.3f, recall %.3f, below %.2f", s, c.precision(), c.recall(), minScore)
		}
	}
	t.Logf("%-40s %4d %4d %4d %9.3f %6.3f", "overall", all.tp, all.fp, all.fn, all.precision(), all.recall())
	t.Logf("documents %d (%d refused as labelled); language right %d; kinds suggested right %d; labelled mentions found as mentioned %d of %d",
		len(labels.Documents), refused, langRight, kindsRight, mentionedRight, mentionedAll)
	if enforce && (all.precision() < minScore || all.recall() < minScore) {
		t.Errorf("overall: precision %.3f, recall %.3f, below %.2f", all.precision(), all.recall(), minScore)
	}
	return all
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	sort.Strings(out)
	return out
}

func labelOf(l label, slug string) string {
	if slices.Contains(l.Mentioned, slug) {
		return "mentioned"
	}
	return "absent"
}

func demandQuote(s docanalysis.StandardResult) string {
	for _, q := range s.Quotes {
		if q.Demand {
			return where(q) + q.Text
		}
	}
	return ""
}

func firstQuote(s docanalysis.StandardResult) string {
	var parts []string
	for _, q := range s.Quotes {
		parts = append(parts, where(q)+q.Text)
	}
	return strings.Join(parts, " // ")
}

func where(q docanalysis.Quote) string {
	if q.Page > 0 {
		return "[p" + itoa(q.Page) + "] "
	}
	return "[" + q.Section + "] "
}

func itoa(n int) string {
	b := []byte{}
	for n > 0 || len(b) == 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// kindSlugs maps the corpus's kind labels to profile slugs: the corpus
// calls the software profile "software-development".
func kindSlugs(kinds []string) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		if k == "software-development" {
			k = "software"
		}
		out[i] = k
	}
	return out
}

// TestBlindHoldoutAccuracy measures the second holdout set, written by an
// author who never read the engine. Its errors were fixed by general
// rules (TestClassificationRules) and it is enforced since; being known
// now, it is no longer blind: a later set measures those rules.
func TestBlindHoldoutAccuracy(t *testing.T) {
	t.Parallel()
	measureCorpus(t, filepath.Join("testdata", "holdout2"), true)
}

// TestBlindHoldout3Accuracy measures the third holdout set, written by an
// author who read neither the engine nor holdout2's errors. Measured blind
// at 0.855 / 0.979; its errors (Q&A rounds that withdraw a demand, "moet
// geen", a law's duty on manufacturers, a habitual relative clause) were
// then fixed by general rules (TestClassificationRules, parts 3 to 5), so
// it is enforced like the others and no longer blind.
func TestBlindHoldout3Accuracy(t *testing.T) {
	t.Parallel()
	measureCorpus(t, filepath.Join("testdata", "holdout3"), true)
}

// TestBlindHoldout4Accuracy measures the fourth holdout set, written by an
// author who never read or ran the engine, after holdout3's rules were in
// place. Measured blind at precision 0.858, recall 0.980 (97 TP, 16 FP,
// 2 FN); its errors (kind columns of letters and points, rated
// requirements, the old text a correction quotes, acronyms spelled out as
// something else, "no forma parte") were then fixed by general rules
// (TestClassificationRules, parts 6 to 8), so it is enforced like the
// others and no longer blind.
func TestBlindHoldout4Accuracy(t *testing.T) {
	t.Parallel()
	measureCorpus(t, filepath.Join("testdata", "holdout4"), true)
}

// TestBlindHoldout5Accuracy measures the fifth holdout set: a
// representative sample of ICT tenders (the kinds and styles buyers
// usually publish, not chosen to be new or hard), written by an author
// who never read or ran the engine nor saw the earlier holdout sets.
// Measured blind, after every rule for holdout4 was in place: precision
// 0.955, recall 0.955 (64 TP, 3 FP, 3 FN; below 0.95 per standard:
// cra-reporting, dane, mta-sts, en-303645-software-updates, iso-27001,
// each one or two errors). Its errors (a sentence cut by a page break, a
// law's obligations on manufacturers without a modal, a yes under a
// knock-out column, a withdrawn award sentence, "onderstaande eisen")
// were then fixed by general rules (TestClassificationRules part 9,
// TestJoinPageBreaks), so it is enforced like the others.
func TestBlindHoldout5Accuracy(t *testing.T) {
	t.Parallel()
	measureCorpus(t, filepath.Join("testdata", "holdout5"), true)
}
