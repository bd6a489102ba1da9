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
		want := `td.cell-` + v + ` > b::before { content: "` + verdictMark(v) + ` "; content: "` + verdictMark(v) + ` " / ""; }`
		if !strings.Contains(string(css), want) {
			t.Errorf("review.css does not give verdict %s the legend's mark %q; want the rule\n%s", v, verdictMark(v), want)
		}
	}
	if want := `td > b::before { content: "` + verdictMark("") + ` "`; !strings.Contains(string(css), want) {
		t.Errorf("review.css lacks the mark of a cell without verdict: %s", want)
	}
}
