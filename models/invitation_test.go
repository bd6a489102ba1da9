package models_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

// publishedBy publishes a tender of by's buyer with one https requirement.
func (w *world) publishedBy(t *testing.T, by *models.User, title string) *models.Tender {
	t.Helper()
	ctx := context.Background()
	tn, err := models.CreateTender(ctx, w.db, by, models.TenderInput{Title: title}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.AddRequirement(ctx, w.db, dbtest.ManagerOf(w.db, tn.ID), tn.ID, models.RequirementInput{Standard: "https", Level: models.LevelMandatory}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if tn, err = models.PublishTender(ctx, w.db, dbtest.ManagerOf(w.db, tn.ID), tn.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	return tn
}

// rows counts the records an invitation may create, to check that a
// refused one created none.
func (w *world) rows(t *testing.T) string {
	t.Helper()
	var out []string
	for _, m := range []any{&models.Org{}, &models.User{}, &models.Attestation{}, &models.Invitation{}, &models.ColleagueInvitation{}} {
		var n int64
		if err := w.db.Model(m).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%T=%d", m, n))
	}
	return strings.Join(out, " ")
}

// sees reports whether u's list of tenders holds tn.
func sees(t *testing.T, db *gorm.DB, u *models.User, tn *models.Tender) bool {
	t.Helper()
	list, err := models.ListTenders(context.Background(), db, u)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range list {
		if l.ID == tn.ID {
			return true
		}
	}
	return false
}

func TestInviteByNameNeverReachesAnExistingOrganisation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		mustOrg(t)(models.CreateOrg(ctx, db, nil, "Acme Hosting B.V.", models.OrgSupplier, time.Now()))
		mustOrg(t)(models.CreateOrg(ctx, db, nil, "known.test", models.OrgSupplier, time.Now()))
		tn := w.publishedBy(t, w.officer2, "Buyer two's tender")
		cases := []struct {
			name, email, supplier string
			// refused is whether the supplier field is refused; otherwise a
			// new org of that name is created.
			refused bool
		}{
			{"the exact name of an existing supplier is refused", "new@acme.test", "Acme Hosting B.V.", true},
			{"the name in another case with spaces around and between is refused", "new@acme.test", "  acme  HOSTING b.v. ", true},
			{"the name of a buyer is refused", "new@acme.test", "Buyer One", true},
			{"no name, when the address's domain is an existing org's name, is refused", "new@KNOWN.test", "", true},
			{"a name of its own creates a new supplier", "sales@fresh.test", "Fresh Hosting", false},
			{"no name, with an unknown domain, creates a supplier named after it", "sales@unknown.test", "", false},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := w.rows(t)
				inv, _, err := models.Invite(ctx, db, w.officer2, tn.ID, models.InviteInput{Email: c.email, Supplier: c.supplier}, time.Hour, attNow)
				if c.refused {
					if fieldOf(err) != "supplier" {
						t.Errorf("got %v, want a refusal of the supplier field", err)
					}
					if after := w.rows(t); after != before {
						t.Errorf("a refused invitation changed %s to %s", before, after)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				want := c.supplier
				if want == "" {
					want = c.email[strings.Index(c.email, "@")+1:]
				}
				if inv.User.Org.Name != want || inv.User.Org.Kind != models.OrgSupplier || !inv.SetsPassword {
					t.Errorf("invited into %+v (sets password %t), want a new supplier %q and a link that sets the password", inv.User.Org, inv.SetsPassword, want)
				}
			})
		}
	})
}

func TestInviteExistingSupplierByID(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		invited := w.publishedBy(t, w.officer2, "Invited")
		other := w.publishedBy(t, w.officer2, "Not invited")
		pending, _, err := models.Invite(ctx, db, w.officer, w.publishedBy(t, w.officer, "First buyer's").ID, models.InviteInput{Email: "pending@pending.test", Supplier: "Pending Only"}, time.Hour, attNow)
		if err != nil {
			t.Fatal(err)
		}
		disabled := mustUser(t)(models.CreateUser(ctx, db, nil, "gone@example.test", "Gone", "correct horse battery 1", models.RoleVendor, &w.supplier.ID, time.Now()))
		if _, err := models.UpdateUser(ctx, db, nil, disabled.ID, models.UserChanges{Disabled: ptr(true)}, time.Now()); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name   string
			by     *models.User
			tender uint
			in     models.InviteInput
			want   error
			field  string
		}{
			{"an officer of another buyer may not invite to this tender", w.officer, invited.ID, models.InviteInput{SupplierID: w.supplier.ID}, models.ErrForbidden, ""},
			{"a buyer org is not a supplier", w.officer2, invited.ID, models.InviteInput{SupplierID: w.buyer.ID}, nil, "supplier_id"},
			{"an unknown id is refused", w.officer2, invited.ID, models.InviteInput{SupplierID: 999999}, nil, "supplier_id"},
			{"an e-mail address with an id is refused", w.officer2, invited.ID, models.InviteInput{SupplierID: w.supplier.ID, Email: "x@example.test"}, nil, "supplier_id"},
			{"a supplier with nobody who can log in is refused", w.officer2, invited.ID, models.InviteInput{SupplierID: *pending.User.OrgID}, nil, "supplier_id"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := w.rows(t)
				_, err := models.InviteToTender(ctx, db, c.by, c.tender, c.in, time.Hour, attNow)
				if err == nil || c.want != nil && !errors.Is(err, c.want) || c.field != "" && fieldOf(err) != c.field {
					t.Errorf("got %v, want %v %s", err, c.want, c.field)
				}
				if after := w.rows(t); after != before {
					t.Errorf("a refused invitation changed %s to %s", before, after)
				}
			})
		}
		t.Run("the supplier's active vendors are invited to that tender only and no account is created", func(t *testing.T) {
			var users int64
			db.Model(&models.User{}).Count(&users)
			res, err := models.InviteToTender(ctx, db, w.officer2, invited.ID, models.InviteInput{SupplierID: w.supplier.ID}, time.Hour, attNow)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Sent) != 1 || res.Sent[0].Email != w.vendor.Email || res.Sent[0].SetsPassword || res.NewAccount || res.Sent[0].Token == "" {
				t.Errorf("sent %+v, want one link for %s that sets no password", res.Sent, w.vendor.Email)
			}
			var after int64
			db.Model(&models.User{}).Count(&after)
			if after != users {
				t.Errorf("%d accounts, want %d", after, users)
			}
			if !sees(t, db, w.vendor, invited) || sees(t, db, w.vendor, other) {
				t.Errorf("the vendor sees the invited tender: %t, the other: %t; want only the invited one", sees(t, db, w.vendor, invited), sees(t, db, w.vendor, other))
			}
			a, err := models.FindAttestationFor(ctx, db, w.vendor, res.AttestationID)
			if err != nil || a.SupplierOrgID != w.supplier.ID || a.TenderID != invited.ID {
				t.Errorf("attestation %+v, %v", a, err)
			}
		})
	})
}

func TestPendingAccountIsActivatedOnlyByItsOwnLink(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		first := w.publishedBy(t, w.officer, "First buyer's tender")
		second := w.publishedBy(t, w.officer2, "Second buyer's tender")
		const email = "pending@hole-two.test"
		invA, tokenA, err := models.Invite(ctx, db, w.officer, first.ID, models.InviteInput{Email: email, Supplier: "Hole Two"}, time.Hour, attNow)
		if err != nil {
			t.Fatal(err)
		}
		invB, tokenB, err := models.Invite(ctx, db, w.officer2, second.ID, models.InviteInput{Email: email, Supplier: "Renamed by B"}, time.Hour, attNow)
		if err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			name  string
			check func(t *testing.T)
		}{
			{"the account has no usable password, not even the word in its hash", func(t *testing.T) {
				u, err := models.FindUserByEmail(ctx, db, email)
				if err != nil || u.Activated() || strings.Contains(u.PasswordHash, "$") {
					t.Fatalf("user %+v, %v: want a pending account", u, err)
				}
				if _, err := models.Authenticate(ctx, db, email, u.PasswordHash); !errors.Is(err, models.ErrInvalidCredentials) {
					t.Errorf("logging in with the stored hash as password gave %v", err)
				}
			}},
			{"the second buyer's invitation goes to the same supplier and sets no password", func(t *testing.T) {
				if invB.SetsPassword || invB.UserID != invA.UserID || invB.AttestationID == invA.AttestationID {
					t.Errorf("second invitation %+v: want the same account, its own attestation and no password", invB)
				}
				link, err := models.FindInvitationLink(ctx, db, tokenB, attNow)
				if err != nil || link.SetsPassword || !link.AccountPending() || link.Tender.ID != second.ID {
					t.Errorf("link %+v, %v: want a pending account that this link cannot activate", link, err)
				}
			}},
			{"the second buyer's link does not set the password", func(t *testing.T) {
				if _, err := models.AcceptInvitationLink(ctx, db, tokenB, "taken over by buyer two", attNow); !errors.Is(err, models.ErrConflict) {
					t.Errorf("got %v, want ErrConflict", err)
				}
				if _, err := models.Authenticate(ctx, db, email, "taken over by buyer two"); err == nil {
					t.Error("the second buyer's link set the password")
				}
			}},
			{"a second link marked as setting the password by an older version does not either", func(t *testing.T) {
				if err := db.Model(&models.Invitation{}).Where("id = ?", invB.ID).Update("sets_password", true).Error; err != nil {
					t.Fatal(err)
				}
				if _, err := models.AcceptInvitationLink(ctx, db, tokenB, "taken over by buyer two", attNow); !errors.Is(err, models.ErrConflict) {
					t.Errorf("got %v, want ErrConflict", err)
				}
			}},
			{"the first buyer's link still works", func(t *testing.T) {
				u, err := models.AcceptInvitationLink(ctx, db, tokenA, "the owner's own password", attNow)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := models.Authenticate(ctx, db, email, "the owner's own password"); err != nil || !sees(t, db, u, first) {
					t.Errorf("after the first link: login %v, sees the first tender %t", err, sees(t, db, u, first))
				}
			}},
			{"once active, the vendor sees both tenders its supplier was invited to", func(t *testing.T) {
				u, err := models.FindUserByEmail(ctx, db, email)
				if err != nil || !sees(t, db, u, first) || !sees(t, db, u, second) || u.Org.Name != "Hole Two" {
					t.Errorf("vendor %+v, %v: want both tenders, in the supplier the first link created", u, err)
				}
			}},
			{"the first link is spent and the second leads to a login", func(t *testing.T) {
				if _, err := models.AcceptInvitationLink(ctx, db, tokenA, "another long password", attNow); !errors.Is(err, models.ErrInvitationClosed) {
					t.Errorf("second use of the first link gave %v", err)
				}
				link, err := models.FindInvitationLink(ctx, db, tokenB, attNow)
				if err != nil || link.SetsPassword || link.AccountPending() {
					t.Errorf("link %+v, %v: want a link to log in", link, err)
				}
			}},
		}
		for _, s := range steps {
			t.Run(s.name, s.check)
		}
	})
}

func TestInviteColleague(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		_, att := w.invited(t, "Colleagues")
		other := mustOrg(t)(models.CreateOrg(ctx, db, nil, "Other Supplier", models.OrgSupplier, time.Now()))
		otherVendor := mustUser(t)(models.CreateUser(ctx, db, nil, "vendor@other.test", "Other", "correct horse battery 1", models.RoleVendor, &other.ID, time.Now()))
		disabled := mustUser(t)(models.CreateUser(ctx, db, nil, "disabled@example.test", "Disabled", "correct horse battery 1", models.RoleVendor, &w.supplier.ID, time.Now()))
		if disabled, _ = models.UpdateUser(ctx, db, nil, disabled.ID, models.UserChanges{Disabled: ptr(true)}, time.Now()); disabled == nil {
			t.Fatal("disable")
		}
		pendingInv, _, err := models.InviteColleague(ctx, db, w.vendor, models.ColleagueInput{Email: "pending@example.test"}, time.Hour, attNow)
		if err != nil {
			t.Fatal(err)
		}
		pending, err := models.FindUser(ctx, db, pendingInv.UserID)
		if err != nil {
			t.Fatal(err)
		}
		// A caller's copy claiming another org: the stored account decides.
		posing := *w.vendor
		posing.OrgID = &other.ID
		cases := []struct {
			name  string
			by    *models.User
			email string
			want  error
			field string
		}{
			{"an officer may not add people to a supplier", w.officer, "a@example.test", models.ErrForbidden, ""},
			{"an admin adds people on the admin pages, not here", w.admin, "a@example.test", models.ErrForbidden, ""},
			{"an auditor may not", w.auditor, "a@example.test", models.ErrForbidden, ""},
			{"a disabled vendor may not", disabled, "a@example.test", models.ErrForbidden, ""},
			{"a vendor without a password yet may not", pending, "a@example.test", models.ErrForbidden, ""},
			{"an address with an account, even another supplier's, is refused", w.vendor, otherVendor.Email, nil, "email"},
			{"an officer's address is refused", w.vendor, w.officer.Email, nil, "email"},
			{"a malformed address is refused", w.vendor, "not an address", nil, "email"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := w.rows(t)
				_, _, err := models.InviteColleague(ctx, db, c.by, models.ColleagueInput{Email: c.email}, time.Hour, attNow)
				if err == nil || c.want != nil && !errors.Is(err, c.want) || c.field != "" && fieldOf(err) != c.field {
					t.Errorf("got %v, want %v %s", err, c.want, c.field)
				}
				if after := w.rows(t); after != before {
					t.Errorf("a refused invitation changed %s to %s", before, after)
				}
			})
		}
		t.Run("a vendor's colleague joins the vendor's own supplier, whatever org the caller claims", func(t *testing.T) {
			inv, token, err := models.InviteColleague(ctx, db, &posing, models.ColleagueInput{Email: "Cora@Example.test", Name: "Cora"}, time.Hour, attNow)
			if err != nil {
				t.Fatal(err)
			}
			if inv.OrgID != w.supplier.ID || inv.Email != "cora@example.test" || inv.TokenHash != models.HashToken(token) {
				t.Errorf("invitation %+v: want one into org %d", inv, w.supplier.ID)
			}
			link, err := models.FindInvitationLink(ctx, db, token, attNow)
			if err != nil || link.Tender != nil || !link.SetsPassword || link.InvitedBy.ID != w.vendor.ID {
				t.Fatalf("link %+v, %v: want a colleague link that sets the password", link, err)
			}
			if _, err := models.AcceptInvitationLink(ctx, db, token, "short", attNow); fieldOf(err) != "password" {
				t.Errorf("a short password gave %v", err)
			}
			u, err := models.AcceptInvitationLink(ctx, db, token, "cora's long password", attNow)
			if err != nil {
				t.Fatal(err)
			}
			if u.OrgID == nil || *u.OrgID != w.supplier.ID || u.Role != models.RoleVendor {
				t.Errorf("colleague %+v: want a vendor of org %d", u, w.supplier.ID)
			}
			if _, err := models.FindAttestationFor(ctx, db, u, att.ID); err != nil {
				t.Errorf("the colleague cannot open the supplier's attestation: %v", err)
			}
			if _, err := models.AcceptInvitationLink(ctx, db, token, "another long password", attNow); !errors.Is(err, models.ErrInvitationClosed) {
				t.Errorf("a second use gave %v, want ErrInvitationClosed", err)
			}
			org, colleagues, err := models.ListColleagues(ctx, db, u)
			if err != nil || org.ID != w.supplier.ID || len(colleagues) != 4 {
				t.Errorf("colleagues of %s: %v, %v; want the 4 vendors of the supplier", org.Name, colleagues, err)
			}
		})
		t.Run("an expired colleague link is refused", func(t *testing.T) {
			_, token, err := models.InviteColleague(ctx, db, w.vendor, models.ColleagueInput{Email: "late@example.test"}, time.Hour, attNow)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := models.AcceptInvitationLink(ctx, db, token, "a good long password", attNow.Add(2*time.Hour)); !errors.Is(err, models.ErrInvitationClosed) {
				t.Errorf("got %v, want ErrInvitationClosed", err)
			}
		})
	})
}

// refusalCode is the code of a ValidationError, or "" for any other error.
func refusalCode(err error) string {
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return ve.Field + ": " + ve.Code
	}
	return ""
}

func TestASupplierIsInvitedToATenderOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		colleague := mustUser(t)(models.CreateUser(ctx, db, nil, "colleague@example.test", "Colleague", "correct horse battery 1", models.RoleVendor, &w.supplier.ID, time.Now()))
		tn := w.publishedBy(t, w.officer, "Invited once")
		first, _, err := models.Invite(ctx, db, w.officer, tn.ID, models.InviteInput{Email: w.vendor.Email}, time.Hour, attNow)
		if err != nil {
			t.Fatal(err)
		}
		again := []struct {
			name string
			in   models.InviteInput
			want string
		}{
			{"the same address again", models.InviteInput{Email: w.vendor.Email}, "email: already_invited"},
			{"the same address in capitals", models.InviteInput{Email: strings.ToUpper(w.vendor.Email)}, "email: already_invited"},
			{"another vendor of the same supplier", models.InviteInput{Email: colleague.Email}, "email: already_invited"},
			{"the same supplier chosen from the list", models.InviteInput{SupplierID: w.supplier.ID}, "supplier_id: already_invited"},
		}
		refuseAll := func(t *testing.T, when time.Time) {
			for _, c := range again {
				t.Run(c.name, func(t *testing.T) {
					before := w.rows(t)
					_, err := models.InviteToTender(ctx, db, w.officer, tn.ID, c.in, time.Hour, when)
					if got := refusalCode(err); got != c.want {
						t.Errorf("got %v, want the refusal %q", err, c.want)
					}
					if after := w.rows(t); after != before {
						t.Errorf("a refused invitation changed %s to %s", before, after)
					}
				})
			}
		}
		t.Run("while its invitation is open", func(t *testing.T) { refuseAll(t, attNow) })
		t.Run("after its invitation expired", func(t *testing.T) { refuseAll(t, attNow.Add(2*time.Hour)) })
		if err := models.RevokeInvitation(ctx, db, w.officer, tn.ID, first.ID, attNow); err != nil {
			t.Fatal(err)
		}
		t.Run("after its invitation was revoked", func(t *testing.T) { refuseAll(t, attNow) })
		t.Run("another supplier is still invited", func(t *testing.T) {
			if _, _, err := models.Invite(ctx, db, w.officer, tn.ID, models.InviteInput{Email: "sales@another.test", Supplier: "Another Supplier"}, time.Hour, attNow); err != nil {
				t.Errorf("inviting another supplier: %v", err)
			}
		})
		t.Run("the same supplier is invited to another tender", func(t *testing.T) {
			other := w.publishedBy(t, w.officer, "Another tender")
			if _, err := models.InviteToTender(ctx, db, w.officer, other.ID, models.InviteInput{SupplierID: w.supplier.ID}, time.Hour, attNow); err != nil {
				t.Errorf("inviting the supplier to another tender: %v", err)
			}
		})
	})
}

func TestInvitationsOfOneSupplierAtOnceMakeOne(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		tn := w.publishedBy(t, w.officer, "Invited at once")
		inputs := []models.InviteInput{
			{Email: w.vendor.Email}, {SupplierID: w.supplier.ID}, {Email: "new@at-once.test", Supplier: "At Once"},
		}
		const each = 4
		var wg sync.WaitGroup
		errs := make([]error, each*len(inputs))
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = models.InviteToTender(ctx, db, w.officer, tn.ID, inputs[i%len(inputs)], time.Hour, attNow)
			}()
		}
		wg.Wait()
		invited := 0
		for _, err := range errs {
			switch code := refusalCode(err); {
			case err == nil:
				invited++
			case !strings.HasSuffix(code, ": already_invited"):
				t.Errorf("an invitation at once gave %v, want it made or refused as already invited", err)
			}
		}
		var atts, invs int64
		db.Model(&models.Attestation{}).Where("tender_id = ?", tn.ID).Count(&atts)
		db.Model(&models.Invitation{}).Where("tender_id = ?", tn.ID).Count(&invs)
		if invited != 2 || atts != 2 || invs != 2 {
			t.Errorf("%d invitations made, %d attestations and %d invitation rows; want 2 of each: one per supplier", invited, atts, invs)
		}
	})
}

// TestAColleagueClaimedAddressDoesNotTakeABuyersInvitation: a vendor may
// add any address to its own supplier as a colleague. Until that person
// sets a password, a buyer's invitation of the address is refused (it
// went to the vendor's supplier, a competitor's sales address claimed
// first); once they have, the address is that supplier's.
func TestAColleagueClaimedAddressDoesNotTakeABuyersInvitation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		_, token, err := models.InviteColleague(ctx, db, w.vendor, models.ColleagueInput{Email: "sales@competitor.test"}, time.Hour, attNow)
		if err != nil {
			t.Fatal(err)
		}
		tender := w.publishedBy(t, w.officer2, "Hosting")
		before := w.rows(t)
		_, _, err = models.Invite(ctx, db, w.officer2, tender.ID, models.InviteInput{Email: "sales@competitor.test"}, time.Hour, attNow)
		var ve *models.ValidationError
		if !errors.As(err, &ve) || fieldOf(err) != "email" || ve.Code != "pending_colleague" {
			t.Fatalf("%v, want pending_colleague on email", err)
		}
		if after := w.rows(t); after != before {
			t.Errorf("the refusal changed %s to %s", before, after)
		}
		if _, err := models.AcceptColleagueInvitation(ctx, db, token, "correct horse battery 7", attNow); err != nil {
			t.Fatal(err)
		}
		inv, _, err := models.Invite(ctx, db, w.officer2, tender.ID, models.InviteInput{Email: "sales@competitor.test"}, time.Hour, attNow)
		if err != nil || inv.User.OrgID == nil || *inv.User.OrgID != w.supplier.ID {
			t.Fatalf("%+v, %v: want the colleague's supplier invited once they have logged in", inv, err)
		}
	})
}
