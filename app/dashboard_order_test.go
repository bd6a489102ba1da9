package app

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"tenderprobe/models"
)

// The dashboard's list of published tenders starts with those still open
// for answers, nearest deadline first, then the closed ones: an auditor
// reads years of closed tenders, and newest-first alone pushed the
// running ones off the list.
func TestTheDashboardListsOpenTendersFirst(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	ctx := context.Background()
	for _, email := range []string{"auditor@demo.test", "officer@demo.test"} {
		t.Run(email, func(t *testing.T) {
			body := a.session(email).get("/").body
			_, list, ok := strings.Cut(body, `<h2>Published</h2>`)
			if !ok {
				t.Fatalf("no published list on the dashboard")
			}
			list, _, _ = strings.Cut(list, "</ul>")
			var shown []*models.Tender
			for _, m := range regexp.MustCompile(`href="/tenders/(\d+)"`).FindAllStringSubmatch(list, -1) {
				id, _ := strconv.Atoi(m[1])
				tn, err := models.FindTender(ctx, a.db, uint(id))
				if err != nil {
					t.Fatal(err)
				}
				shown = append(shown, tn)
			}
			open := func(tn *models.Tender) bool {
				return tn.Status == models.StatusPublished && !tn.DeadlinePassed(testNow)
			}
			opens := 0
			for i, tn := range shown {
				if !open(tn) {
					continue
				}
				opens++
				if i > 0 && !open(shown[i-1]) {
					t.Errorf("open tender %q comes after a closed one", tn.Title)
				}
				if i > 0 && open(shown[i-1]) && shown[i-1].Deadline.After(*tn.Deadline) {
					t.Errorf("open tender %q comes after one with a later deadline", tn.Title)
				}
			}
			if opens == 0 {
				t.Errorf("no open tender among the %d shown; the demo has open ones", len(shown))
			}
		})
	}
}
