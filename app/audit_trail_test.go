package app

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/seed"
)

// auditMark is the id of the newest audit entry, so a test can read the
// entries a request wrote after it.
func auditMark(t *testing.T, db *gorm.DB) uint {
	t.Helper()
	var id *uint
	if err := db.Model(&models.AuditEntry{}).Select("MAX(id)").Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	if id == nil {
		return 0
	}
	return *id
}

// auditSince returns the audit entries written after mark, oldest first.
func auditSince(t *testing.T, db *gorm.DB, mark uint) []models.AuditEntry {
	t.Helper()
	var out []models.AuditEntry
	if err := db.Where("id > ?", mark).Order("id").Find(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

// auditWant is what one audit entry must say.
type auditWant struct {
	action string
	// actor is the e-mail address recorded; actorID says whether the
	// account's id is recorded too (not for a failed login).
	actor   string
	actorID bool
	// tender and org are the ids the entry must be filed under (0: none
	// expected, not checked).
	tender, org uint
	// field, before and after name one change the entry must show; an
	// empty before means the field is new (no before value).
	field, before, after string
}

func (w auditWant) check(t *testing.T, e models.AuditEntry) {
	t.Helper()
	if e.Action != w.action {
		t.Errorf("action %q, want %q", e.Action, w.action)
	}
	if e.ActorEmail != w.actor {
		t.Errorf("actor %q, want %q", e.ActorEmail, w.actor)
	}
	if (e.ActorID != nil) != w.actorID {
		t.Errorf("actor id %v, want one: %v", e.ActorID, w.actorID)
	}
	if w.actorID && e.ActorName == "" {
		t.Error("the actor's name at the time is not recorded")
	}
	if w.tender != 0 && (e.TenderID == nil || *e.TenderID != w.tender) {
		t.Errorf("tender %v, want %d", e.TenderID, w.tender)
	}
	if w.org != 0 && (e.OrgID == nil || *e.OrgID != w.org) {
		t.Errorf("organisation %v, want %d", e.OrgID, w.org)
	}
	if _, offset := e.At.Zone(); !e.At.Equal(testNow) || offset != 0 {
		t.Errorf("time %v, want the app's clock %v in UTC", e.At, testNow)
	}
	if w.field == "" {
		return
	}
	for _, ch := range e.Changes() {
		if ch.Field != w.field {
			continue
		}
		if ch.After != w.after || (w.before != "" && ch.Before != w.before) || (w.before == "" && ch.HasBefore && ch.Before != "") {
			t.Errorf("change of %s: %q → %q, want %q → %q", w.field, ch.Before, ch.After, w.before, w.after)
		}
		return
	}
	t.Errorf("no change of %s in before %s after %s", w.field, e.Before, e.After)
}

var createdTender = regexp.MustCompile(`^/tenders/(\d+)\?`)

// TestEveryStateChangeLeavesOneAuditEntry performs each state change of
// the audit trail through the web routes as the role that may make it,
// and checks that exactly one audit entry says who did it, on which
// tender or organisation, and what changed.
func TestEveryStateChangeLeavesOneAuditEntry(t *testing.T) {
	t.Parallel()
	demo.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newTestAppOn(t, db)
		ctx := context.Background()
		officer, admin := a.session("officer@demo.test"), a.session("admin@demo.test")
		officerUser := a.user("officer@demo.test")
		buyer := *officerUser.OrgID
		const officerEmail, adminEmail = "officer@demo.test", "admin@demo.test"
		var tender, https, dnssec, invitation, newUser, newOrg uint
		var token string

		see := func(t *testing.T, res response) {
			t.Helper()
			if res.status != 303 {
				t.Fatalf("status %d, want 303: %s", res.status, errorText(res.body))
			}
		}
		reqID := func(t *testing.T, slug string) uint {
			t.Helper()
			tn, err := models.FindTender(ctx, db, tender)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range tn.Requirements {
				if r.Standard.Slug == slug {
					return r.ID
				}
			}
			t.Fatalf("%s is not on the sheet", slug)
			return 0
		}
		tp := func(suffix string) string { return fmt.Sprintf("/tenders/%d%s", tender, suffix) }

		cases := []struct {
			name string
			// setup runs before the mark: what it records is not the step's.
			setup func(t *testing.T)
			do    func(t *testing.T) auditWant
		}{
			{"an officer logs in", nil, func(t *testing.T) auditWant {
				see(t, loginForm(t, a).post("/login", url.Values{"email": {officerEmail}, "password": {seed.DemoPassword}}))
				return auditWant{action: "login", actor: officerEmail, actorID: true, org: buyer}
			}},
			{"someone fails to log in with an address that has no account", nil, func(t *testing.T) auditWant {
				res := loginForm(t, a).post("/login", url.Values{"email": {"Nobody@Audit.Test"}, "password": {"not the password"}})
				if res.status != 401 {
					t.Fatalf("status %d, want 401", res.status)
				}
				return auditWant{action: "login.failed", actor: "nobody@audit.test"}
			}},
			{"someone fails to get an API token with a wrong password", nil, func(t *testing.T) auditWant {
				res := a.anonymous().postJSON("/api/v1/tokens", map[string]string{"email": officerEmail, "password": "not the password"})
				if res.status != 401 {
					t.Fatalf("status %d, want 401", res.status)
				}
				return auditWant{action: "login.failed", actor: officerEmail}
			}},
			{"a program gets an API token with the right password", nil, func(t *testing.T) auditWant {
				res := a.anonymous().postJSON("/api/v1/tokens", map[string]string{"email": officerEmail, "password": seed.DemoPassword})
				if res.status != 201 {
					t.Fatalf("status %d, want 201", res.status)
				}
				return auditWant{action: "login", actor: officerEmail, actorID: true, org: buyer}
			}},
			{"the officer creates a tender", nil, func(t *testing.T) auditWant {
				res := officer.post("/tenders", url.Values{"title": {"Audited hosting"}, "reference": {"AUD-1"}})
				see(t, res)
				m := createdTender.FindStringSubmatch(res.header.Get("Location"))
				if m == nil {
					t.Fatalf("redirected to %q", res.header.Get("Location"))
				}
				id, _ := strconv.ParseUint(m[1], 10, 32)
				tender = uint(id)
				return auditWant{action: "tender.create", actor: officerEmail, actorID: true, tender: tender, org: buyer, field: "title", after: "Audited hosting"}
			}},
			{"the officer edits the tender's details", nil, func(t *testing.T) auditWant {
				see(t, officer.post(tp(""), url.Values{"title": {"Audited web hosting"}, "reference": {"AUD-1"}}))
				return auditWant{action: "tender.edit", actor: officerEmail, actorID: true, tender: tender, org: buyer,
					field: "title", before: "Audited hosting", after: "Audited web hosting"}
			}},
			{"the officer adds a requirement with an internal note", nil, func(t *testing.T) auditWant {
				see(t, officer.post(tp("/requirements"), url.Values{"standard": {"https"}, "level": {"mandatory"}, "note": {"ask about the CDN"}}))
				https = reqID(t, "https")
				return auditWant{action: "requirement.add", actor: officerEmail, actorID: true, tender: tender, org: buyer, field: "note_visibility", after: "internal"}
			}},
			{"the officer adds a second requirement", nil, func(t *testing.T) auditWant {
				see(t, officer.post(tp("/requirements"), url.Values{"standard": {"dnssec"}, "level": {"recommended"}}))
				dnssec = reqID(t, "dnssec")
				return auditWant{action: "requirement.add", actor: officerEmail, actorID: true, tender: tender, org: buyer, field: "level", after: "recommended"}
			}},
			{"the officer edits a requirement's level and makes its note public", nil, func(t *testing.T) auditWant {
				see(t, officer.post(tp(fmt.Sprintf("/requirements/%d", https)), url.Values{"level": {"recommended"}, "note": {"ask about the CDN"}, "note_visibility": {"public"}}))
				return auditWant{action: "requirement.edit", actor: officerEmail, actorID: true, tender: tender, org: buyer, field: "level", before: "mandatory", after: "recommended"}
			}},
			{"the officer moves a requirement to another position", nil, func(t *testing.T) auditWant {
				see(t, officer.post(tp(fmt.Sprintf("/requirements/%d/move", https)), url.Values{"position": {"2"}}))
				return auditWant{action: "requirement.move", actor: officerEmail, actorID: true, tender: tender, org: buyer, field: "position", before: "1", after: "2"}
			}},
			{"the officer applies a profile", nil, func(t *testing.T) auditWant {
				see(t, officer.post(tp("/profile"), url.Values{"profile": {"website-hosting"}}))
				return auditWant{action: "profile.apply", actor: officerEmail, actorID: true, tender: tender, org: buyer, field: "profile", after: "Website hosting"}
			}},
			{"the officer removes a requirement", nil, func(t *testing.T) auditWant {
				see(t, officer.post(tp(fmt.Sprintf("/requirements/%d/delete", dnssec)), nil))
				return auditWant{action: "requirement.remove", actor: officerEmail, actorID: true, tender: tender, org: buyer, field: "standard", before: "dnssec"}
			}},
			{"the officer publishes the tender", nil, func(t *testing.T) auditWant {
				see(t, officer.post(tp("/publish"), nil))
				return auditWant{action: "tender.publish", actor: officerEmail, actorID: true, tender: tender, org: buyer, field: "status", before: "draft", after: "published"}
			}},
			{"the officer invites a new supplier", nil, func(t *testing.T) auditWant {
				if res := officer.post(tp("/invitations"), url.Values{"email": {"sales@audited-supplier.test"}, "supplier": {"Audited Supplier"}}); res.status != 201 {
					t.Fatalf("status %d, want 201: %s", res.status, errorText(res.body))
				}
				invs, err := models.ListInvitations(ctx, db, tender)
				if err != nil || len(invs) != 1 {
					t.Fatalf("invitations: %v %v", invs, err)
				}
				invitation = invs[0].ID
				return auditWant{action: "invitation.create", actor: officerEmail, actorID: true, tender: tender, org: buyer, field: "email", after: "sales@audited-supplier.test"}
			}},
			{"the officer revokes the invitation", nil, func(t *testing.T) auditWant {
				see(t, officer.post(tp(fmt.Sprintf("/invitations/%d/revoke", invitation)), nil))
				return auditWant{action: "invitation.revoke", actor: officerEmail, actorID: true, tender: tender, org: buyer}
			}},
			{"a new vendor accepts an invitation and sets a password", func(t *testing.T) {
				var err error
				_, token, err = models.Invite(ctx, db, officerUser, tender, models.InviteInput{Email: "owner@accepting-supplier.test", Supplier: "Accepting Supplier"}, time.Hour, testNow)
				if err != nil {
					t.Fatal(err)
				}
			}, func(t *testing.T) auditWant {
				c := a.anonymous()
				page := c.get("/invitations/" + token)
				c.csrf = csrfFrom(t, page.body)
				see(t, c.post("/invitations/"+token, url.Values{"password": {"a long vendor password"}, "password_confirm": {"a long vendor password"}}))
				return auditWant{action: "invitation.accept", actor: "owner@accepting-supplier.test", actorID: true, tender: tender, org: buyer}
			}},
			{"the officer starts an amendment", nil, func(t *testing.T) auditWant {
				see(t, officer.post(tp("/amend"), nil))
				return auditWant{action: "tender.amend", actor: officerEmail, actorID: true, tender: tender, org: buyer, field: "revision", before: "1", after: "2"}
			}},
			{"the admin creates an organisation", nil, func(t *testing.T) auditWant {
				see(t, admin.post("/admin/orgs", url.Values{"name": {"Audited Council"}, "kind": {"buyer"}}))
				o, err := models.FindOrgByName(ctx, db, "Audited Council")
				if err != nil {
					t.Fatal(err)
				}
				newOrg = o.ID
				return auditWant{action: "org.create", actor: adminEmail, actorID: true, org: newOrg, field: "name", after: "Audited Council"}
			}},
			{"the admin renames the organisation", nil, func(t *testing.T) auditWant {
				see(t, admin.post(fmt.Sprintf("/admin/orgs/%d", newOrg), url.Values{"name": {"Audited City Council"}}))
				return auditWant{action: "org.edit", actor: adminEmail, actorID: true, org: newOrg, field: "name", before: "Audited Council", after: "Audited City Council"}
			}},
			{"the admin creates a user", nil, func(t *testing.T) auditWant {
				see(t, admin.post("/admin/users", url.Values{"email": {"olaf@audited.test"}, "name": {"Olaf Officer"}, "password": {"a long officer password"},
					"role": {"officer"}, "org_id": {fmt.Sprint(newOrg)}}))
				newUser = a.user("olaf@audited.test").ID
				return auditWant{action: "user.create", actor: adminEmail, actorID: true, org: newOrg, field: "role", after: "officer"}
			}},
			{"the admin disables the user", nil, func(t *testing.T) auditWant {
				see(t, admin.post(fmt.Sprintf("/admin/users/%d/disabled", newUser), url.Values{"disabled": {"true"}}))
				return auditWant{action: "user.disable", actor: adminEmail, actorID: true, org: newOrg, field: "disabled", before: "no", after: "yes"}
			}},
			{"the admin enables the user again", nil, func(t *testing.T) auditWant {
				see(t, admin.post(fmt.Sprintf("/admin/users/%d/disabled", newUser), url.Values{"disabled": {"false"}}))
				return auditWant{action: "user.enable", actor: adminEmail, actorID: true, org: newOrg, field: "disabled", before: "yes", after: "no"}
			}},
			{"the admin resets the user's password", nil, func(t *testing.T) auditWant {
				see(t, admin.post(fmt.Sprintf("/admin/users/%d/password", newUser), url.Values{"password": {"another long password"}}))
				return auditWant{action: "user.password_reset", actor: adminEmail, actorID: true, org: newOrg, field: "password", after: "changed"}
			}},
			{"the admin imports a catalogue version", nil, func(t *testing.T) auditWant {
				see(t, admin.upload("/catalogue/import", "file", "next.yaml", nextVersion(t, "2099.7")))
				return auditWant{action: "catalogue.import", actor: adminEmail, actorID: true, field: "version", after: "2099.7"}
			}},
		}
		for _, tc := range cases {
			if !t.Run(tc.name, func(t *testing.T) {
				if tc.setup != nil {
					tc.setup(t)
				}
				mark := auditMark(t, db)
				want := tc.do(t)
				entries := auditSince(t, db, mark)
				if len(entries) != 1 {
					var actions []string
					for _, e := range entries {
						actions = append(actions, e.Action)
					}
					t.Fatalf("%d audit entries (%s), want exactly 1", len(entries), strings.Join(actions, ", "))
				}
				want.check(t, entries[0])
			}) {
				return // later steps build on this one
			}
		}
	})
}

// TestRefusedChangesLeaveNoAuditEntry checks the other half: a change
// the rules refuse writes nothing to the audit log, since the entry lives
// in the refused transaction.
func TestRefusedChangesLeaveNoAuditEntry(t *testing.T) {
	t.Parallel()
	demo.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newTestAppOn(t, db)
		published := a.newPublished("refused changes")
		officer := a.session("officer@demo.test")
		for _, tc := range []struct {
			name   string
			path   string
			form   url.Values
			status int
		}{
			{"adding to a published sheet", fmt.Sprintf("/tenders/%d/requirements", published.ID), url.Values{"standard": {"dnssec"}, "level": {"mandatory"}}, 303},
			{"editing a requirement of a published sheet", fmt.Sprintf("/tenders/%d/requirements/%d", published.ID, published.Requirements[0].ID), url.Values{"level": {"recommended"}}, 303},
			{"moving to a position that does not exist", fmt.Sprintf("/tenders/%d/requirements/%d/move", published.ID, published.Requirements[0].ID), url.Values{"position": {"9"}}, 303},
		} {
			t.Run(tc.name, func(t *testing.T) {
				mark := auditMark(t, db)
				// A web change to a published sheet goes back to the
				// tender with a note that it was not made (303).
				if res := officer.post(tc.path, tc.form); res.status != tc.status || tc.status == 303 && !strings.HasSuffix(res.header.Get("Location"), "flash=not_changed_published") {
					t.Fatalf("status %d to %q, want %d", res.status, res.header.Get("Location"), tc.status)
				}
				if n := len(auditSince(t, db, mark)); n != 0 {
					t.Fatalf("%d audit entries for a refused change", n)
				}
			})
		}
	})
}
