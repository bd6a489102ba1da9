package app

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"tenderprobe/models"
)

// TestAChangeToATenderPublishedMeanwhileGoesBackToIt: a change sent from
// a page loaded while the tender was a draft, after it was published (in
// another tab, by a colleague), lands on the tender with a note that the
// change was not made; a second Publish lands on the published tender.
func TestAChangeToATenderPublishedMeanwhileGoesBackToIt(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	ctx := context.Background()
	officer := a.user("officer@demo.test")
	tn, err := models.CreateTender(ctx, a.db, officer, models.TenderInput{Title: "Published meanwhile", Deadline: ptrTime(testNow.Add(72 * time.Hour))}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.AddRequirement(ctx, a.db, officer, tn.ID, models.RequirementInput{Standard: "https", Level: models.LevelMandatory}, testNow); err != nil {
		t.Fatal(err)
	}
	if _, err := models.PublishTender(ctx, a.db, officer, tn.ID, testNow); err != nil {
		t.Fatal(err)
	}
	c := a.session("officer@demo.test")
	for _, tc := range []struct {
		name, path string
		form       url.Values
		flash      string
	}{
		{"adding a requirement", fmt.Sprintf("/tenders/%d/requirements", tn.ID), url.Values{"standard": {"dnssec"}, "level": {"mandatory"}}, "not_changed_published"},
		{"publishing again", fmt.Sprintf("/tenders/%d/publish", tn.ID), url.Values{}, "published"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := c.post(tc.path, tc.form)
			want := fmt.Sprintf("/tenders/%d?flash=%s", tn.ID, tc.flash)
			if res.status != 303 || res.header.Get("Location") != want {
				t.Errorf("%d to %q, want 303 to %q\n%.300s", res.status, res.header.Get("Location"), want, res.body)
			}
		})
	}
	if page := c.get(fmt.Sprintf("/tenders/%d?flash=not_changed_published", tn.ID)); page.status != 200 || !strings.Contains(page.body, "your change was not made") {
		t.Errorf("the tender page: %d", page.status)
	}
}
