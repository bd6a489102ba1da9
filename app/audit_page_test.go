package app

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"gorm.io/gorm"

	"tenderprobe/models"
)

// auditRowCount counts the entries an audit page shows.
func auditRowCount(body string) int { return strings.Count(body, "<tr data-action=") }

// TestAuditPage fills one tender's trail with 57 entries through the web
// routes and reads it back as the auditor: paging, every filter, their
// errors, and the CSV of the filtered set.
func TestAuditPage(t *testing.T) {
	t.Parallel()
	demo.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		a := newTestAppOn(t, db)
		officer, auditor := a.session("officer@demo.test"), a.session("auditor@demo.test")
		tn := draftWith(t, a, "A long audit trail") // tender.create: 1 entry
		cv, err := models.CurrentCatalogue(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		stds, err := models.ListStandards(ctx, db, models.StandardFilter{Version: cv.Version})
		if err != nil {
			t.Fatal(err)
		}
		if len(stds) < 30 {
			t.Fatalf("the catalogue has %d standards; the test needs 30", len(stds))
		}
		form := url.Values{"level": {"mandatory"}}
		for _, s := range stds[:30] {
			form.Add("standards", s.Slug)
		}
		if res := officer.post(fmt.Sprintf("/tenders/%d/requirements/batch", tn.ID), form); res.status != 303 { // 30 entries
			t.Fatalf("batch: %d %s", res.status, errorText(res.body))
		}
		tn, err = models.FindTender(ctx, db, tn.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 26; i++ { // 26 entries
			r := tn.Requirements[i]
			if res := officer.post(fmt.Sprintf("/tenders/%d/requirements/%d/move", tn.ID, r.ID), url.Values{"position": {"30"}}); res.status != 303 {
				t.Fatalf("move: %d", res.status)
			}
		}
		const total = 1 + 30 + 26
		buyer := *a.user("officer@demo.test").OrgID
		supplier := *a.user("vendor@demo.test").OrgID
		q := func(extra string) string { return fmt.Sprintf("/audit?tender=%d%s", tn.ID, extra) }

		t.Run("a tender's trail comes in pages of 50 with links to each page", func(t *testing.T) {
			first := auditor.get(q(""))
			if first.status != 200 || auditRowCount(first.body) != 50 {
				t.Fatalf("page 1: status %d with %d rows, want 50", first.status, auditRowCount(first.body))
			}
			if !strings.Contains(first.body, fmt.Sprintf("Entries 1–50 of %d", total)) {
				t.Error("page 1 does not say which entries of how many it shows")
			}
			link := fmt.Sprintf(`href="/audit?page=2&amp;tender=%d"`, tn.ID)
			if !strings.Contains(first.body, link) {
				t.Fatalf("page 1 has no link %s", link)
			}
			second := auditor.get(q("&page=2"))
			if n := auditRowCount(second.body); n != total-50 {
				t.Fatalf("page 2 has %d rows, want %d", n, total-50)
			}
			if !strings.Contains(second.body, `aria-current="page">2<`) {
				t.Error("page 2 is not marked as the current page")
			}
		})

		t.Run("oldest first starts with the tender's creation and keeps the order in its page links", func(t *testing.T) {
			res := auditor.get(q("&sort=oldest"))
			creation := strings.Index(res.body, `<td data-label="Action">Created a tender</td>`)
			move := strings.Index(res.body, `<td data-label="Action">Moved a requirement</td>`)
			if res.status != 200 || creation < 0 || (move >= 0 && move < creation) {
				t.Fatalf("status %d; creation at %d, first move at %d", res.status, creation, move)
			}
			if !strings.Contains(res.body, "sort=oldest") || !strings.Contains(res.body, "Newer →") {
				t.Error("the page links lose the order or name the direction wrongly")
			}
			newest := auditor.get(q(""))
			if strings.Contains(newest.body, `<td data-label="Action">Created a tender</td>`) {
				t.Error("newest first, the creation should be on the last page")
			}
			if bad := auditor.get(q("&sort=sideways")); bad.status != 400 || !strings.Contains(bad.body, `href="#filter-sort"`) {
				t.Errorf("an unknown order: status %d", bad.status)
			}
		})

		t.Run("actions read as words, not codes", func(t *testing.T) {
			body := auditor.get(q("&action=requirement.move")).body
			if !strings.Contains(body, `<td data-label="Action">Moved a requirement</td>`) {
				t.Error("the move is not shown in words")
			}
			if strings.Contains(body, `<td data-label="Action">requirement.move</td>`) {
				t.Error("the move is shown as its code")
			}
			if !strings.Contains(body, "position: 1 → 30") {
				t.Error("the move's before and after are not readable")
			}
		})

		for _, tc := range []struct {
			name  string
			query string
			rows  int
		}{
			{"the action filter keeps only that action", "&action=requirement.move", 26},
			{"the actor filter matches part of a name, ignoring case", "&actor=OLIVIA", 50},
			{"the actor filter matches part of an e-mail address", "&actor=officer@demo", 50},
			{"an actor who did nothing here finds nothing", "&actor=auditor@demo.test", 0},
			{"the buyer organisation finds the tender's trail", fmt.Sprintf("&org=%d", buyer), 50},
			{"another organisation finds none of it", fmt.Sprintf("&org=%d", supplier), 0},
			{"a date range around the changes finds them", "&from=2026-03-01&to=2026-03-01", 50},
			{"a range that starts the day after finds none", "&from=2026-03-02", 0},
			{"a range that ends the day before finds none", "&to=2026-02-28", 0},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := auditor.get(q(tc.query))
				if res.status != 200 || auditRowCount(res.body) != tc.rows {
					t.Fatalf("status %d with %d rows, want 200 with %d", res.status, auditRowCount(res.body), tc.rows)
				}
				if tc.rows == 0 && !strings.Contains(res.body, "No entries match this filter.") {
					t.Error("an empty result does not say so")
				}
			})
		}

		for _, tc := range []struct {
			name, query, field, words string
		}{
			{"a date that does not exist", "/audit?from=2026-13-01", "from", "is not a date"},
			{"a tender that is not a number", "/audit?tender=abc", "tender", "is not a number"},
			{"an action that is not listed", "/audit?action=tender.explode", "action", "is not one of the listed actions"},
			{"an end before the start", "/audit?from=2026-03-02&to=2026-03-01", "to", "is before the start date"},
			{"a page that is not a page", "/audit?page=0", "page", "is not a page number"},
			{"an export format that does not exist", "/audit?format=xls", "format", "use csv or xlsx"},
		} {
			t.Run("a bad filter is refused with a clear error: "+tc.name, func(t *testing.T) {
				res := auditor.get(tc.query)
				if res.status != 400 || !strings.Contains(res.body, tc.words) || !strings.Contains(res.body, `href="#filter-`+tc.field+`"`) {
					t.Fatalf("status %d, want 400 saying %q linked to the %s field", res.status, tc.words, tc.field)
				}
				if auditRowCount(res.body) != 0 {
					t.Error("a refused filter still lists entries")
				}
			})
		}

		t.Run("the CSV holds every entry of the filter with codes and words", func(t *testing.T) {
			res := auditor.get(q("&format=csv"))
			if res.status != 200 || !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") {
				t.Fatalf("status %d, type %q", res.status, res.header.Get("Content-Type"))
			}
			rows, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 1+total {
				t.Fatalf("%d data rows, want all %d entries of the filter, not one page", len(rows)-1, total)
			}
			// Programs read the columns by position; the header is in the
			// reader's language (English here).
			col := map[string]int{}
			for i, name := range []string{"id", "at", "actor_id", "actor_email", "actor_name", "actor_role", "action", "object_type", "object_id",
				"tender_id", "org_id", "attestation_id", "before", "after", "action_text", "tender_title", "org_name", "changes", "at_local", "actor_role_words"} {
				col[name] = i
			}
			for name, words := range map[string]string{"at": "Time (UTC, ISO 8601)", "action": "Action (code)", "tender_id": "Tender number",
				"action_text": "Action", "changes": "What changed", "actor_role_words": "Role"} {
				if len(rows[0]) != len(col) || rows[0][col[name]] != words {
					t.Fatalf("column %s is not headed %q in %v", name, words, rows[0])
				}
			}
			moves := 0
			for _, r := range rows[1:] {
				if r[col["tender_id"]] != fmt.Sprint(tn.ID) || r[col["org_id"]] != fmt.Sprint(buyer) {
					t.Fatalf("row of tender %s org %s", r[col["tender_id"]], r[col["org_id"]])
				}
				if r[col["action"]] == "requirement.move" {
					moves++
					if r[col["action_text"]] != "Moved a requirement" || !strings.Contains(r[col["changes"]], "→ 30") {
						t.Errorf("move row in words: %q, %q", r[col["action_text"]], r[col["changes"]])
					}
				}
			}
			if moves != 26 {
				t.Errorf("%d moves in the CSV, want 26", moves)
			}
		})

		t.Run("officers and vendors may not read the log", func(t *testing.T) {
			for _, who := range []string{"officer@demo.test", "vendor@demo.test"} {
				if res := a.session(who).get(q("&format=csv")); res.status != 403 {
					t.Errorf("%s: status %d, want 403", who, res.status)
				}
			}
		})
	})
}
