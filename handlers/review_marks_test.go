package handlers

import (
	"os"
	"strings"
	"testing"

	"tenderprobe/models"
)

// TestMatrixMarksMatchTheLegend keeps the marks static/review.css puts in
// the cells equal to the ones the legend explains.
func TestMatrixMarksMatchTheLegend(t *testing.T) {
	css, err := os.ReadFile("../static/review.css")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range models.Verdicts {
		if _, ok := verdictMarks[v]; !ok {
			continue // a newer verdict: the generic mark of any cell-* class, below
		}
		want := `td.cell-` + v + ` > b::before { content: "` + verdictMark(v) + ` "; content: "` + verdictMark(v) + ` " / ""; }`
		if !strings.Contains(string(css), want) {
			t.Errorf("review.css does not give verdict %s the legend's mark %q; want the rule\n%s", v, verdictMark(v), want)
		}
	}
	for _, want := range []string{`td > b::before { content: "` + verdictMark("") + ` "`, `td[class^="cell-"] > b::before { content: "` + verdictMark("any newer verdict") + ` "`} {
		if !strings.Contains(string(css), want) {
			t.Errorf("review.css lacks the generic mark: %s", want)
		}
	}
}
