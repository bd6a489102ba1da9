package models_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

var attNow = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// invited publishes a tender with a mandatory https and a recommended dnssec
// requirement, due in ten days, and invites vendor@example.test's supplier.
func (w *world) invited(t *testing.T, title string) (*models.Tender, *models.Attestation) {
	t.Helper()
	ctx := context.Background()
	tn := w.tender(t, title, "https")
	if _, err := models.AddRequirement(ctx, w.db, dbtest.ManagerOf(w.db, tn.ID), tn.ID, models.RequirementInput{Standard: "dnssec", Level: models.LevelRecommended}, time.Now()); err != nil {
		t.Fatal(err)
	}
	deadline := attNow.Add(10 * 24 * time.Hour)
	if _, err := models.UpdateTender(ctx, w.db, dbtest.ManagerOf(w.db, tn.ID), tn.ID, models.TenderInput{Title: title, Reference: "REF-" + title, Deadline: &deadline}, time.Now()); err != nil {
		t.Fatal(err)
	}
	tn, err := models.PublishTender(ctx, w.db, dbtest.ManagerOf(w.db, tn.ID), tn.ID, attNow)
	if err != nil {
		t.Fatal(err)
	}
	inv, _, err := models.Invite(ctx, w.db, w.officer, tn.ID, models.InviteInput{Email: w.vendor.Email}, time.Hour, attNow)
	if err != nil {
		t.Fatal(err)
	}
	a, err := models.FindAttestation(ctx, w.db, inv.AttestationID)
	if err != nil {
		t.Fatal(err)
	}
	return tn, a
}

func intp(i int) *int { return &i }

func TestInvitations(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		tn, _ := w.invited(t, "Invitations")

		t.Run("inviting a new address creates the supplier, a vendor and the attestation", func(t *testing.T) {
			inv, token, err := models.Invite(ctx, db, w.officer, tn.ID, models.InviteInput{Email: "Sales@New-Supplier.test", Supplier: "New Supplier Ltd"}, time.Hour, attNow)
			if err != nil {
				t.Fatal(err)
			}
			if len(token) < 43 || inv.TokenHash != models.HashToken(token) || strings.Contains(inv.TokenHash, token) {
				t.Errorf("token %q / hash %q: want a 256-bit token stored only as its hash", token, inv.TokenHash)
			}
			u, err := models.FindUserByEmail(ctx, db, "sales@new-supplier.test")
			if err != nil || u.Role != models.RoleVendor || u.Org.Name != "New Supplier Ltd" || u.Org.Kind != models.OrgSupplier {
				t.Fatalf("vendor %+v, %v", u, err)
			}
			a, err := models.FindAttestationFor(ctx, db, u, inv.AttestationID)
			if err != nil || len(a.Answers) != 2 || a.Status != models.AttestationDraft || !inv.SetsPassword {
				t.Fatalf("attestation %+v, %v", a, err)
			}
			list, err := models.ListTenders(ctx, db, u)
			if err != nil || len(list) != 1 || list[0].ID != tn.ID {
				t.Errorf("the invited vendor sees tenders %v, %v", list, err)
			}
			if _, _, err := models.AcceptInvitation(ctx, db, token, "short", attNow); fieldOf(err) != "password" {
				t.Errorf("a short password gave %v", err)
			}
			if _, _, err := models.AcceptInvitation(ctx, db, token, "a good long password", attNow); err != nil {
				t.Fatal(err)
			}
			if _, err := models.Authenticate(ctx, db, u.Email, "a good long password"); err != nil {
				t.Errorf("the new password does not log in: %v", err)
			}
			if _, _, err := models.AcceptInvitation(ctx, db, token, "another long password", attNow); !errors.Is(err, models.ErrInvitationClosed) {
				t.Errorf("a second use gave %v, want ErrInvitationClosed", err)
			}
		})
		t.Run("an expired or revoked link is refused and an unknown one is not found", func(t *testing.T) {
			_, token, err := models.Invite(ctx, db, w.officer, tn.ID, models.InviteInput{Email: "late@other.test"}, time.Hour, attNow)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := models.AcceptInvitation(ctx, db, token, "a good long password", attNow.Add(2*time.Hour)); !errors.Is(err, models.ErrInvitationClosed) {
				t.Errorf("expired link gave %v", err)
			}
			// A pending account's link that expired is not replaced on the
			// same tender: its supplier is invited already.
			if _, _, err := models.Invite(ctx, db, w.officer, tn.ID, models.InviteInput{Email: "late@other.test"}, time.Hour, attNow.Add(2*time.Hour)); fieldOf(err) != "email" {
				t.Errorf("re-inviting after the link expired gave %v, want a refusal on email", err)
			}
			inv, token2, err := models.Invite(ctx, db, w.officer, tn.ID, models.InviteInput{Email: "revoked@third.test"}, time.Hour, attNow)
			if err != nil {
				t.Fatal(err)
			}
			if err := models.RevokeInvitation(ctx, db, w.officer, tn.ID, inv.ID, attNow); err != nil {
				t.Fatal(err)
			}
			if _, _, err := models.AcceptInvitation(ctx, db, token2, "a good long password", attNow); !errors.Is(err, models.ErrInvitationClosed) {
				t.Errorf("revoked link gave %v", err)
			}
			if _, err := models.FindInvitation(ctx, db, "no-such-token", attNow); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("unknown token gave %v", err)
			}
		})
		t.Run("only the buyer's officer may invite, and only to a published tender", func(t *testing.T) {
			draft := w.tender(t, "Still a draft", "https")
			cases := []struct {
				name   string
				by     *models.User
				tender uint
				email  string
				want   error
				field  string
			}{
				{"an officer of another buyer is forbidden", w.officer2, tn.ID, "x@y.test", models.ErrForbidden, ""},
				{"a vendor is forbidden", w.vendor, tn.ID, "x@y.test", models.ErrForbidden, ""},
				{"an auditor is forbidden", w.auditor, tn.ID, "x@y.test", models.ErrForbidden, ""},
				{"a draft tender takes no invitations", w.officer, draft.ID, "x@y.test", models.ErrTenderNotOpen, ""},
				{"an officer's address cannot be invited as a vendor", w.officer, tn.ID, w.officer2.Email, nil, "email"},
				{"a malformed address is refused", w.officer, tn.ID, "not an address", nil, "email"},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					_, _, err := models.Invite(ctx, db, c.by, c.tender, models.InviteInput{Email: c.email}, time.Hour, attNow)
					if c.want != nil && !errors.Is(err, c.want) || c.field != "" && fieldOf(err) != c.field || err == nil {
						t.Errorf("got %v, want %v %s", err, c.want, c.field)
					}
				})
			}
		})
	})
}

func TestSaveAnswerRules(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		tn, a := w.invited(t, "Answers")
		https := tn.Requirements[0].ID
		cases := []struct {
			name  string
			in    models.AnswerInput
			field string
		}{
			{"complies needs no explanation", models.AnswerInput{Status: "complies"}, ""},
			{"partial without an explanation is refused", models.AnswerInput{Status: "partial"}, "explanation"},
			{"does not comply without an explanation is refused", models.AnswerInput{Status: "does_not_comply", Explanation: "  "}, "explanation"},
			{"not applicable without an explanation is refused", models.AnswerInput{Status: "not_applicable"}, "explanation"},
			{"an unknown status is refused", models.AnswerInput{Status: "maybe", Explanation: "x"}, "status"},
			{"partial with a future planned date is kept", models.AnswerInput{Status: "partial", Explanation: "HSTS next quarter", PlannedDate: "2026-06-30"}, ""},
			{"a planned date in the past is refused", models.AnswerInput{Status: "partial", Explanation: "x", PlannedDate: "2026-02-28"}, "planned_date"},
			{"an impossible date is refused", models.AnswerInput{Status: "partial", Explanation: "x", PlannedDate: "2026-02-30"}, "planned_date"},
			{"a planned date on complies is refused", models.AnswerInput{Status: "complies", PlannedDate: "2026-06-30"}, "planned_date"},
			{"today is not in the past", models.AnswerInput{Status: "does_not_comply", Explanation: "x", PlannedDate: "2026-03-01"}, ""},
			{"a javascript: evidence URL is refused", models.AnswerInput{Status: "complies", EvidenceURL: "javascript:alert(1)"}, "evidence_url"},
			{"an https evidence URL is kept", models.AnswerInput{Status: "complies", EvidenceURL: "https://supplier.test/report.pdf"}, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				an, err := models.SaveAnswer(ctx, db, w.vendor, a.ID, https, c.in, attNow)
				if c.field != "" {
					if fieldOf(err) != c.field {
						t.Errorf("got %v, want a validation error on %s", err, c.field)
					}
					return
				}
				if err != nil || an.Status != c.in.Status {
					t.Errorf("got %+v, %v", an, err)
				}
			})
		}
		t.Run("a stale lock version is refused and the newer answer kept", func(t *testing.T) {
			an, err := models.SaveAnswer(ctx, db, w.vendor, a.ID, https, models.AnswerInput{Status: "complies"}, attNow)
			if err != nil {
				t.Fatal(err)
			}
			stale := an.LockVersion
			if _, err := models.SaveAnswer(ctx, db, w.vendor, a.ID, https, models.AnswerInput{Status: "partial", Explanation: "tab one", LockVersion: intp(stale)}, attNow); err != nil {
				t.Fatal(err)
			}
			_, err = models.SaveAnswer(ctx, db, w.vendor, a.ID, https, models.AnswerInput{Status: "complies", LockVersion: intp(stale)}, attNow)
			if !errors.Is(err, models.ErrStale) || !errors.Is(err, models.ErrConflict) {
				t.Fatalf("got %v, want ErrStale", err)
			}
			got, _ := models.FindAttestation(ctx, db, a.ID)
			if got.Answers[0].Explanation != "tab one" {
				t.Errorf("stored answer %+v, want the first tab's", got.Answers[0])
			}
		})
		t.Run("the evidence URL is stored once", func(t *testing.T) {
			got, _ := models.FindAttestation(ctx, db, a.ID)
			if n := len(got.Answers[0].Evidence); n != 1 {
				t.Errorf("%d pieces of evidence, want 1", n)
			}
		})
		t.Run("another supplier's vendor can neither see nor change it", func(t *testing.T) {
			other, err := models.CreateOrg(ctx, db, nil, "Other Supplier", models.OrgSupplier, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			v2, err := models.CreateUser(ctx, db, nil, "v2@example.test", "V2", "correct horse battery 1", models.RoleVendor, &other.ID, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := models.FindAttestationFor(ctx, db, v2, a.ID); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("find gave %v", err)
			}
			if _, err := models.SaveAnswer(ctx, db, v2, a.ID, https, models.AnswerInput{Status: "complies"}, attNow); !errors.Is(err, models.ErrForbidden) {
				t.Errorf("save gave %v", err)
			}
			if _, err := models.Submit(ctx, db, v2, a.ID, models.SubmitInput{Declaration: true, Declarer: "x"}, attNow); !errors.Is(err, models.ErrForbidden) {
				t.Errorf("submit gave %v", err)
			}
			if list, _ := models.ListTenders(ctx, db, v2); len(list) != 0 {
				t.Errorf("the other vendor sees %d tenders", len(list))
			}
		})
		t.Run("scope names are validated and stored as A-labels", func(t *testing.T) {
			_, err := models.SetScope(ctx, db, w.vendor, a.ID, []string{"bad_name.test", "localhost"}, nil, nil, attNow)
			if fieldOf(err) != "scope" || !strings.Contains(err.Error(), "bad_name.test") || !strings.Contains(err.Error(), "localhost") {
				t.Errorf("got %v, want both bad names listed", err)
			}
			got, err := models.SetScope(ctx, db, w.vendor, a.ID, []string{"Bücher.example", "www.example.nl"}, []string{"example.nl."}, intp(1), attNow)
			if err != nil {
				t.Fatal(err)
			}
			if web := got.ScopeNames(models.ScopeWeb); len(web) != 2 || web[0] != "xn--bcher-kva.example" {
				t.Errorf("web scope %v", web)
			}
			if _, err := models.SetScope(ctx, db, w.vendor, a.ID, []string{"a.example"}, nil, intp(1), attNow); !errors.Is(err, models.ErrStale) {
				t.Errorf("a stale scope write gave %v", err)
			}
		})
	})
}

func TestSubmitReceiptAndReopen(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		tn, a := w.invited(t, "Submit")
		https, dnssec := tn.Requirements[0].ID, tn.Requirements[1].ID
		decl := models.SubmitInput{Declaration: true, Declarer: "Vera Vendor"}

		var me *models.MissingError
		_, err := models.Submit(ctx, db, w.vendor, a.ID, models.SubmitInput{}, attNow)
		if !errors.As(err, &me) || len(me.Missing) != 4 {
			t.Fatalf("got %v, want two unanswered, the declaration and the name missing", err)
		}
		if _, err := models.SaveAnswer(ctx, db, w.vendor, a.ID, https, models.AnswerInput{Status: "complies", EvidenceURL: "https://s.test/tls"}, attNow); err != nil {
			t.Fatal(err)
		}
		if _, err := models.SaveAnswer(ctx, db, w.vendor, a.ID, dnssec, models.AnswerInput{Status: "partial", Explanation: "Signing in Q2", PlannedDate: "2026-06-30"}, attNow); err != nil {
			t.Fatal(err)
		}
		if _, err := models.SetScope(ctx, db, w.vendor, a.ID, []string{"example.nl"}, []string{"example.nl"}, nil, attNow); err != nil {
			t.Fatal(err)
		}
		cur, _ := models.FindAttestation(ctx, db, a.ID)
		if _, err := models.Submit(ctx, db, w.vendor, a.ID, models.SubmitInput{Declaration: true, Declarer: "x", LockVersion: intp(cur.LockVersion - 1)}, attNow); !errors.Is(err, models.ErrStale) {
			t.Errorf("a submit from a stale page gave %v", err)
		}
		sub, err := models.Submit(ctx, db, w.vendor, a.ID, decl, attNow)
		if err != nil {
			t.Fatal(err)
		}
		if len(sub.Receipt) != 64 || !strings.Contains(sub.Canonical, `"declarer":"Vera Vendor"`) {
			t.Errorf("receipt %q canonical %s", sub.Receipt, sub.Canonical)
		}
		t.Run("after submission answers are locked", func(t *testing.T) {
			_, err := models.SaveAnswer(ctx, db, w.vendor, a.ID, https, models.AnswerInput{Status: "partial", Explanation: "x"}, attNow)
			if !errors.Is(err, models.ErrAttestationLocked) {
				t.Errorf("got %v", err)
			}
			if _, err := models.SetScope(ctx, db, w.vendor, a.ID, []string{"x.example"}, nil, nil, attNow); !errors.Is(err, models.ErrAttestationLocked) {
				t.Errorf("scope gave %v", err)
			}
		})
		t.Run("the stored receipt verifies", func(t *testing.T) {
			v, _, err := models.VerifyReceipt(ctx, db, a.ID, 0)
			if err != nil || !v.Match || v.Recomputed != sub.Receipt {
				t.Errorf("got %+v, %v", v, err)
			}
		})
		t.Run("reopening makes version 2 and keeps version 1 verifiable", func(t *testing.T) {
			r, err := models.Reopen(ctx, db, w.vendor, a.ID, nil, attNow)
			if err != nil {
				t.Fatal(err)
			}
			if r.Version != 2 || r.Status != models.AttestationDraft || len(r.Answers) != 2 || len(r.Answers[0].Evidence) != 1 {
				t.Fatalf("reopened %+v", r)
			}
			if _, err := models.SaveAnswer(ctx, db, w.vendor, a.ID, dnssec, models.AnswerInput{Status: "complies"}, attNow); err != nil {
				t.Fatal(err)
			}
			changes, err := models.VersionChanges(ctx, db, a.ID, 2)
			if err != nil || len(changes) != 3 {
				t.Errorf("changes %v, %v; want status, explanation and planned date of dnssec", changes, err)
			}
			sub2, err := models.Submit(ctx, db, w.vendor, a.ID, decl, attNow.Add(time.Hour))
			if err != nil || sub2.Version != 2 || sub2.Receipt == sub.Receipt {
				t.Fatalf("second submission %+v, %v", sub2, err)
			}
			v1, _, err := models.VerifyReceipt(ctx, db, a.ID, 1)
			if err != nil || !v1.Match {
				t.Errorf("version 1 after resubmission: %+v, %v", v1, err)
			}
		})
		t.Run("tampering with a stored answer is reported by the receipt check", func(t *testing.T) {
			err := db.Exec("UPDATE answers SET explanation = 'edited behind the app' WHERE attestation_id = ? AND version = 1 AND requirement_id = ?", a.ID, dnssec).Error
			if err != nil {
				t.Fatal(err)
			}
			v, _, err := models.VerifyReceipt(ctx, db, a.ID, 1)
			if err != nil {
				t.Fatal(err)
			}
			if v.Match || !strings.Contains(strings.Join(v.Differences, "\n"), "edited behind the app") {
				t.Errorf("got %+v, want a mismatch naming the changed explanation", v)
			}
			if v2, _, _ := models.VerifyReceipt(ctx, db, a.ID, 2); !v2.Match {
				t.Errorf("version 2 was not touched but does not verify: %+v", v2)
			}
		})
		t.Run("after the deadline nothing can be reopened or submitted", func(t *testing.T) {
			late := attNow.Add(11 * 24 * time.Hour)
			if _, err := models.Reopen(ctx, db, w.vendor, a.ID, nil, late); !errors.Is(err, models.ErrDeadlinePassed) {
				t.Errorf("reopen gave %v", err)
			}
		})
		t.Run("every state change is in the audit log", func(t *testing.T) {
			entries, err := models.ListAudit(ctx, db, w.auditor, models.AuditFilter{AttestationID: a.ID})
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]int{}
			for _, e := range entries {
				seen[e.Action]++
			}
			for _, act := range []string{"invitation.create", "answer.save", "scope.save", "attestation.submit", "attestation.reopen"} {
				if seen[act] == 0 {
					t.Errorf("no %s entry in %v", act, seen)
				}
			}
			if _, err := models.ListAudit(ctx, db, w.officer, models.AuditFilter{}); !errors.Is(err, models.ErrForbidden) {
				t.Errorf("an officer reading the log gave %v", err)
			}
		})
	})
}

func TestReview(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		tn, a := w.invited(t, "Review")
		https, dnssec := tn.Requirements[0].ID, tn.Requirements[1].ID
		if _, err := models.ReviewAnswer(ctx, db, w.officer, a.ID, https, models.ReviewDecision{Decision: "accept"}, attNow); !errors.Is(err, models.ErrNotSubmitted) {
			t.Errorf("reviewing a draft gave %v", err)
		}
		for _, r := range []uint{https, dnssec} {
			in := models.AnswerInput{Status: "not_applicable", Explanation: "We host no web site"}
			if _, err := models.SaveAnswer(ctx, db, w.vendor, a.ID, r, in, attNow); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := models.Submit(ctx, db, w.vendor, a.ID, models.SubmitInput{Declaration: true, Declarer: "V"}, attNow); err != nil {
			t.Fatal(err)
		}
		m, err := models.BuildReviewMatrix(ctx, db, w.officer, tn.ID)
		if err != nil || len(m.Rows) != 2 || len(m.Rows[0].Cells) != 1 || !m.Rows[0].Cells[0].NeedsAccept || m.Rows[1].Cells[0].NeedsAccept {
			t.Fatalf("matrix %+v, %v; want the mandatory not-applicable answer flagged", m, err)
		}
		if _, err := models.BuildReviewMatrix(ctx, db, w.vendor, tn.ID); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("a vendor's matrix gave %v", err)
		}
		if _, err := models.ReviewAnswer(ctx, db, w.officer2, a.ID, https, models.ReviewDecision{Decision: "accept"}, attNow); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("another buyer's officer gave %v", err)
		}
		if _, err := models.ReviewAnswer(ctx, db, w.officer, a.ID, https, models.ReviewDecision{Decision: "clarify"}, attNow); fieldOf(err) != "comment" {
			t.Errorf("clarification without a comment gave %v", err)
		}
		if _, err := models.ReviewAnswer(ctx, db, w.officer, a.ID, dnssec, models.ReviewDecision{Decision: "accept"}, attNow); err != nil {
			t.Fatal(err)
		}
		amend := models.AnswerInput{Status: "complies"}
		decl := models.SubmitInput{Declaration: true, Declarer: "V"}
		if _, err := models.AmendAnswer(ctx, db, w.vendor, a.ID, https, amend, "we do", decl, attNow); !errors.Is(err, models.ErrConflict) {
			t.Errorf("amending without a clarification request gave %v", err)
		}
		if _, err := models.ReviewAnswer(ctx, db, w.officer, a.ID, https, models.ReviewDecision{Decision: "clarify", Comment: "Your offer includes a portal."}, attNow); err != nil {
			t.Fatal(err)
		}
		if _, err := models.ReplyToReview(ctx, db, w.vendor, a.ID, https, "Right, it does.", attNow); err != nil {
			t.Fatal(err)
		}
		if _, err := models.AmendAnswer(ctx, db, w.vendor, a.ID, dnssec, amend, "x", decl, attNow); !errors.Is(err, models.ErrConflict) {
			t.Errorf("amending an answer not under clarification gave %v", err)
		}
		sub, err := models.AmendAnswer(ctx, db, w.vendor, a.ID, https, amend, "The portal complies.", decl, attNow.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := models.FindAttestation(ctx, db, a.ID)
		if sub.Version != 2 || got.Version != 2 || !got.Submitted() || got.Answers[0].Status != "complies" ||
			got.Answers[0].ReviewStatus != models.ReviewPending || got.Answers[1].ReviewStatus != models.ReviewAccepted {
			t.Errorf("after the amendment: %+v", got)
		}
		threads, err := models.ListReviewComments(ctx, db, a.ID)
		if err != nil || len(threads[https]) != 3 {
			t.Errorf("thread %+v, %v; want request, reply and amendment", threads[https], err)
		}
		for _, v := range []int{1, 2} {
			if res, _, err := models.VerifyReceipt(ctx, db, a.ID, v); err != nil || !res.Match {
				t.Errorf("version %d: %+v, %v", v, res, err)
			}
		}
	})
}

func TestConcurrentWritesWithTheSameVersion(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		tn, a := w.invited(t, "Race")
		https := tn.Requirements[0].ID
		const writers = 8
		errs := make(chan error, writers)
		for i := range writers {
			go func() {
				in := models.AnswerInput{Status: "partial", Explanation: fmt.Sprintf("tab %d", i), LockVersion: intp(1)}
				_, err := models.SaveAnswer(ctx, db, w.vendor, a.ID, https, in, attNow)
				errs <- err
			}()
		}
		ok, stale := 0, 0
		for range writers {
			switch err := <-errs; {
			case err == nil:
				ok++
			case errors.Is(err, models.ErrStale):
				stale++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 || stale != writers-1 {
			t.Errorf("%d writes kept and %d refused as stale, want 1 and %d", ok, stale, writers-1)
		}
		got, err := models.FindAttestation(ctx, db, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Answers[0].LockVersion != 2 || !strings.HasPrefix(got.Answers[0].Explanation, "tab ") {
			t.Errorf("stored %+v, want the one kept write", got.Answers[0])
		}
	})
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		_, a := w.invited(t, "Audit")
		if err := models.Migrate(context.Background(), db); err != nil {
			t.Fatalf("migrating again: %v", err)
		}
		var before int64
		db.Model(&models.AuditEntry{}).Where("attestation_id = ?", a.ID).Count(&before)
		if before == 0 {
			t.Fatal("no audit entry to protect")
		}
		for _, sql := range []string{
			"UPDATE audit_entries SET actor_email = 'someone-else@example.test'",
			"DELETE FROM audit_entries",
		} {
			err := db.Exec(sql).Error
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want the database to refuse", sql, err)
			}
		}
		var after int64
		db.Model(&models.AuditEntry{}).Where("attestation_id = ? AND actor_email <> 'someone-else@example.test'", a.ID).Count(&after)
		if after != before {
			t.Errorf("%d entries before, %d untouched after", before, after)
		}
	})
}
