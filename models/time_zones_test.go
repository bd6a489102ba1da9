package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

var amsterdam = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		panic(err)
	}
	return loc
}()

// summerTimeDeadlines are deadlines at 23:59 Europe/Amsterdam on the days
// the clocks change in 2027: the last Sunday of March (02:00 becomes
// 03:00, so the day has 23 hours) and of October (03:00 becomes 02:00, 25
// hours). utc is the instant each must be.
var summerTimeDeadlines = []struct {
	name string
	day  string
	utc  time.Time
}{
	{"on the day summer time starts (28 March 2027)", "2027-03-28", time.Date(2027, 3, 28, 21, 59, 0, 0, time.UTC)},
	{"on the day summer time ends (31 October 2027)", "2027-10-31", time.Date(2027, 10, 31, 22, 59, 0, 0, time.UTC)},
}

func TestOrganisationsHaveATimeZone(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		t.Run("an organisation made without a zone is in Europe/Amsterdam", func(t *testing.T) {
			if w.buyer.TimeZone != "Europe/Amsterdam" {
				t.Errorf("zone %q", w.buyer.TimeZone)
			}
			o, err := models.FindOrg(ctx, db, w.buyer.ID)
			if err != nil || o.TimeZone != "Europe/Amsterdam" {
				t.Errorf("stored zone %q, %v", o.TimeZone, err)
			}
		})
		t.Run("an organisation is made in the zone it is given", func(t *testing.T) {
			o, err := models.CreateOrgInZone(ctx, db, w.admin, "Municipio de Montevideo", models.OrgBuyer, "America/Montevideo", time.Now())
			if err != nil || o.TimeZone != "America/Montevideo" {
				t.Fatalf("%+v, %v", o, err)
			}
		})
		for _, zone := range []string{"Mars/Olympus_Mons", "Local", "../../etc/passwd"} {
			t.Run("a zone that is not an IANA zone is refused: "+zone, func(t *testing.T) {
				_, err := models.CreateOrgInZone(ctx, db, w.admin, "Zone "+zone, models.OrgBuyer, zone, time.Now())
				if fieldOf(err) != "time_zone" {
					t.Errorf("got %v, want a time_zone error", err)
				}
				if _, err := models.SetOrgTimeZone(ctx, db, w.admin, w.buyer.ID, zone, time.Now()); fieldOf(err) != "time_zone" {
					t.Errorf("setting it: %v, want a time_zone error", err)
				}
			})
		}
		t.Run("only an administrator sets an organisation's zone", func(t *testing.T) {
			if _, err := models.SetOrgTimeZone(ctx, db, w.officer, w.buyer.ID, "Europe/Madrid", time.Now()); !errors.Is(err, models.ErrForbidden) {
				t.Errorf("an officer set it: %v", err)
			}
		})
		t.Run("a new zone applies to new tenders, and a tender keeps the zone it was set in", func(t *testing.T) {
			before, err := models.CreateTender(ctx, db, w.officer, models.TenderInput{Title: "Before", DeadlineDate: "2027-01-04"}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := models.SetOrgTimeZone(ctx, db, w.admin, w.buyer.ID, "Europe/Madrid", time.Now()); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _, _ = models.SetOrgTimeZone(ctx, db, w.admin, w.buyer.ID, "", time.Now()) })
			after, err := models.CreateTender(ctx, db, w.officer, models.TenderInput{Title: "After", DeadlineDate: "2027-01-04"}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			again, err := models.FindTender(ctx, db, before.ID)
			if err != nil {
				t.Fatal(err)
			}
			if again.DeadlineZone != "Europe/Amsterdam" || after.DeadlineZone != "Europe/Madrid" {
				t.Errorf("zones %q and %q, want Europe/Amsterdam and Europe/Madrid", again.DeadlineZone, after.DeadlineZone)
			}
		})
	})
}

func TestDeadlinesHaveADayATimeAndAZone(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		for _, c := range []struct {
			name string
			in   models.TenderInput
			want time.Time
			zone string
		}{
			{"a day alone is 23:59 that day in the buyer's zone (CET in winter)",
				models.TenderInput{DeadlineDate: "2027-01-04"}, time.Date(2027, 1, 4, 22, 59, 0, 0, time.UTC), "Europe/Amsterdam"},
			{"a day alone is 23:59 that day in the buyer's zone (CEST in summer)",
				models.TenderInput{DeadlineDate: "2027-07-01"}, time.Date(2027, 7, 1, 21, 59, 0, 0, time.UTC), "Europe/Amsterdam"},
			{"a day and a time are that time in the buyer's zone",
				models.TenderInput{DeadlineDate: "2027-01-04", DeadlineTime: "12:00"}, time.Date(2027, 1, 4, 11, 0, 0, 0, time.UTC), "Europe/Amsterdam"},
			{"a time with seconds, as some browsers send it, is that minute",
				models.TenderInput{DeadlineDate: "2027-01-04", DeadlineTime: "12:00:30"}, time.Date(2027, 1, 4, 11, 0, 0, 0, time.UTC), "Europe/Amsterdam"},
			{"a day in another zone is 23:59 there",
				models.TenderInput{DeadlineDate: "2027-01-04", DeadlineZone: "America/Bogota"}, time.Date(2027, 1, 5, 4, 59, 0, 0, time.UTC), "America/Bogota"},
			{"an instant stays that instant, in the buyer's zone",
				models.TenderInput{Deadline: ptr(time.Date(2027, 1, 4, 15, 30, 0, 0, time.FixedZone("", 3600)))}, time.Date(2027, 1, 4, 14, 30, 0, 0, time.UTC), "Europe/Amsterdam"},
		} {
			t.Run(c.name, func(t *testing.T) {
				in := c.in
				in.Title = c.name
				tn, err := models.CreateTender(ctx, db, w.officer, in, time.Now())
				if err != nil {
					t.Fatal(err)
				}
				got, err := models.FindTender(ctx, db, tn.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.Deadline == nil || !got.Deadline.Equal(c.want) || got.DeadlineZone != c.zone {
					t.Errorf("deadline %v in %q, want %v in %q", got.Deadline, got.DeadlineZone, c.want, c.zone)
				}
			})
		}
		for _, c := range []struct {
			name  string
			in    models.TenderInput
			field string
		}{
			{"a day that is not a date", models.TenderInput{DeadlineDate: "2027-02-30"}, "deadline"},
			{"a time that is not a time", models.TenderInput{DeadlineDate: "2027-02-01", DeadlineTime: "25:00"}, "deadline_time"},
			{"a zone that is not a zone", models.TenderInput{DeadlineDate: "2027-02-01", DeadlineZone: "Europe/Atlantis"}, "deadline_zone"},
		} {
			t.Run(c.name+" is refused", func(t *testing.T) {
				in := c.in
				in.Title = "Refused"
				if _, err := models.CreateTender(ctx, db, w.officer, in, time.Now()); fieldOf(err) != c.field {
					t.Errorf("got %v, want an error on %s", err, c.field)
				}
			})
		}
		t.Run("an edit keeps the tender's zone and an amendment copies it", func(t *testing.T) {
			tn, err := models.CreateTender(ctx, db, w.officer, models.TenderInput{Title: "Edited", DeadlineDate: "2027-01-04", DeadlineZone: "Europe/Lisbon"}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			tn, err = models.UpdateTender(ctx, db, w.officer, tn.ID, models.TenderInput{Title: "Edited", DeadlineDate: "2027-01-05", DeadlineTime: "12:00"}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if want := time.Date(2027, 1, 5, 12, 0, 0, 0, time.UTC); tn.DeadlineZone != "Europe/Lisbon" || !tn.Deadline.Equal(want) {
				t.Fatalf("deadline %v in %q, want %v in Europe/Lisbon", tn.Deadline, tn.DeadlineZone, want)
			}
			if _, err := models.AddRequirement(ctx, db, w.officer, tn.ID, models.RequirementInput{Standard: "https", Level: models.LevelMandatory}, time.Now()); err != nil {
				t.Fatal(err)
			}
			if _, err := models.PublishTender(ctx, db, w.officer, tn.ID, time.Now()); err != nil {
				t.Fatal(err)
			}
			amended, err := models.AmendTender(ctx, db, w.officer, tn.ID, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if amended.DeadlineZone != "Europe/Lisbon" || !amended.Deadline.Equal(*tn.Deadline) {
				t.Errorf("the amendment's deadline %v in %q", amended.Deadline, amended.DeadlineZone)
			}
		})
	})
}

// TestTheDeadlineCheckAcrossSummerTime: a deadline at 23:59 Amsterdam
// time on the days the clocks change takes answers until that minute and
// refuses them from the next, whatever the hour the day lost or gained.
func TestTheDeadlineCheckAcrossSummerTime(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		for _, c := range summerTimeDeadlines {
			t.Run(c.name, func(t *testing.T) {
				tn := w.tender(t, "DST "+c.day, "https")
				tn, err := models.UpdateTender(ctx, db, w.officer, tn.ID, models.TenderInput{Title: tn.Title, DeadlineDate: c.day}, time.Now())
				if err != nil {
					t.Fatal(err)
				}
				if !tn.Deadline.Equal(c.utc) {
					t.Fatalf("the deadline is %s, want %s", tn.Deadline.UTC().Format(time.RFC3339), c.utc.Format(time.RFC3339))
				}
				if _, err := models.PublishTender(ctx, db, w.officer, tn.ID, time.Now()); err != nil {
					t.Fatal(err)
				}
				inv, _, err := models.Invite(ctx, db, w.officer, tn.ID, models.InviteInput{Email: w.vendor.Email}, time.Hour, c.utc.AddDate(0, 0, -10))
				if err != nil {
					t.Fatal(err)
				}
				a, err := models.FindAttestation(ctx, db, inv.AttestationID)
				if err != nil {
					t.Fatal(err)
				}
				req := a.Answers[0].RequirementID
				for _, s := range []struct {
					name string
					at   time.Time
					want error
				}{
					{"an answer saved one minute before the deadline is taken", c.utc.Add(-time.Minute), nil},
					{"an answer saved at the deadline's minute is taken", c.utc, nil},
					{"an answer saved one minute after the deadline is refused", c.utc.Add(time.Minute), models.ErrDeadlinePassed},
					{"an answer saved an hour after, 00:59 the next day by the summer-time clock, is refused", c.utc.Add(time.Hour), models.ErrDeadlinePassed},
				} {
					t.Run(s.name, func(t *testing.T) {
						_, err := models.SaveAnswer(ctx, db, w.vendor, a.ID, req, models.AnswerInput{Status: models.AnswerComplies}, s.at)
						if s.want == nil && err != nil || s.want != nil && !errors.Is(err, s.want) {
							t.Errorf("saving at %s (%s in Amsterdam): %v, want %v", s.at.Format(time.RFC3339),
								s.at.In(amsterdam).Format("2 Jan 15:04 MST"), err, s.want)
						}
					})
				}
			})
		}
	})
}

// TestReminderStagesAreCalendarDaysInTheTendersZone: the reminders a
// week, three days and a day before start at midnight, in the tender's
// zone, of those calendar days, also when a summer-time change lies
// between the reminder and the deadline.
func TestReminderStagesAreCalendarDaysInTheTendersZone(t *testing.T) {
	t.Parallel()
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, amsterdam) }
	for _, c := range []struct {
		name     string
		deadline string
		now      time.Time
		days     int // 0: no stage
	}{
		{"March: 23:59 eight days before is before the first stage", "2027-03-28", at(2027, 3, 20, 23, 59), 0},
		{"March: midnight seven days before starts the week stage", "2027-03-28", at(2027, 3, 21, 0, 0), 7},
		{"March: 23:59 four days before is still the week stage", "2027-03-28", at(2027, 3, 24, 23, 59), 7},
		{"March: midnight three days before starts the three-day stage", "2027-03-28", at(2027, 3, 25, 0, 0), 3},
		{"March: 23:59 two days before (48 hours less the lost hour before the deadline) is still the three-day stage", "2027-03-28", at(2027, 3, 26, 23, 59), 3},
		{"March: midnight the day before starts the one-day stage", "2027-03-28", at(2027, 3, 27, 0, 0), 1},
		{"March: one minute before the deadline is the one-day stage", "2027-03-28", at(2027, 3, 28, 23, 58), 1},
		{"March: at the deadline there is no stage", "2027-03-28", at(2027, 3, 28, 23, 59), 0},
		{"October: 23:59 eight days before is before the first stage", "2027-10-31", at(2027, 10, 23, 23, 59), 0},
		{"October: midnight seven days before starts the week stage", "2027-10-31", at(2027, 10, 24, 0, 0), 7},
		{"October: midnight three days before starts the three-day stage", "2027-10-31", at(2027, 10, 28, 0, 0), 3},
		{"October: 23:59 two days before (exactly 48 hours before the deadline, by the extra hour) is still the three-day stage", "2027-10-31", at(2027, 10, 29, 23, 59), 3},
		{"October: midnight the day before starts the one-day stage", "2027-10-31", at(2027, 10, 30, 0, 0), 1},
		{"October: the hour the clocks go back is the one-day stage", "2027-10-31", time.Date(2027, 10, 31, 1, 30, 0, 0, time.UTC), 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			day, _ := time.Parse("2006-01-02", c.deadline)
			deadline := time.Date(day.Year(), day.Month(), day.Day(), 23, 59, 0, 0, amsterdam).UTC()
			tn := &models.Tender{Deadline: &deadline, DeadlineZone: "Europe/Amsterdam"}
			start, days, ok := tn.ReminderStage(c.now)
			if days != c.days || ok != (c.days != 0) {
				t.Fatalf("at %s: stage %d (%v), want %d", c.now.In(amsterdam).Format("Mon 2 Jan 15:04 MST"), days, ok, c.days)
			}
			if ok && (start.In(amsterdam).Hour() != 0 || start.In(amsterdam).Minute() != 0 || start.After(c.now)) {
				t.Errorf("the stage starts at %s, want a midnight in Amsterdam before now", start.In(amsterdam))
			}
		})
	}
	t.Run("a tender in another zone counts its own calendar days", func(t *testing.T) {
		bogota, _ := time.LoadLocation("America/Bogota")
		deadline := time.Date(2027, 3, 28, 23, 59, 0, 0, bogota).UTC()
		tn := &models.Tender{Deadline: &deadline, DeadlineZone: "America/Bogota"}
		// 27 March 00:00 in Bogotá (UTC-5) is 06:00 in Amsterdam (CET).
		if _, days, _ := tn.ReminderStage(at(2027, 3, 27, 5, 59)); days != 3 {
			t.Errorf("before midnight in Bogotá: stage %d, want 3", days)
		}
		if _, days, _ := tn.ReminderStage(at(2027, 3, 27, 6, 0)); days != 1 {
			t.Errorf("at midnight in Bogotá: stage %d, want 1", days)
		}
	})
}

// TestReminderMailsAcrossSummerTime: each stage is due once, on its
// calendar day in the tender's zone, around both summer-time changes.
func TestReminderMailsAcrossSummerTime(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, amsterdam) }
		for _, c := range summerTimeDeadlines {
			t.Run(c.name, func(t *testing.T) {
				tn := w.tender(t, "Reminders "+c.day, "https")
				if _, err := models.UpdateTender(ctx, db, w.officer, tn.ID, models.TenderInput{Title: tn.Title, DeadlineDate: c.day}, time.Now()); err != nil {
					t.Fatal(err)
				}
				if _, err := models.PublishTender(ctx, db, w.officer, tn.ID, time.Now()); err != nil {
					t.Fatal(err)
				}
				inv, _, err := models.Invite(ctx, db, w.officer, tn.ID, models.InviteInput{Email: w.vendor.Email}, time.Hour, c.utc.AddDate(0, 0, -20))
				if err != nil {
					t.Fatal(err)
				}
				d := c.utc.In(amsterdam)
				y, m, day := d.Date()
				for _, s := range []struct {
					name string
					now  time.Time
					due  bool
				}{
					{"nothing is due eight days before", at(y, m, day-8, 23, 59), false},
					{"the week reminder is due at midnight seven days before", at(y, m, day-7, 0, 0), true},
					{"the week reminder is not due again four days before", at(y, m, day-4, 23, 59), false},
					{"the three-day reminder is due at midnight three days before", at(y, m, day-3, 0, 0), true},
					{"nothing is due at 23:59 two days before", at(y, m, day-2, 23, 59), false},
					{"the one-day reminder is due at midnight the day before", at(y, m, day-1, 0, 0), true},
					{"nothing is due one minute before the deadline", c.utc.Add(-time.Minute), false},
				} {
					t.Run(s.name, func(t *testing.T) {
						due, err := models.DueReminderMails(ctx, db, s.now)
						if err != nil {
							t.Fatal(err)
						}
						found := false
						for _, r := range due {
							if r.Attestation.ID == inv.AttestationID {
								found = true
								if err := models.MarkReminded(ctx, db, r.Attestation.ID, s.now); err != nil {
									t.Fatal(err)
								}
							}
						}
						if found != s.due {
							t.Errorf("at %s: due %v, want %v", s.now.In(amsterdam).Format("Mon 2 Jan 15:04 MST"), found, s.due)
						}
					})
				}
			})
		}
	})
}

// TestMigratingGivesZonesAndMovesNoDeadline: after migration 0009 the
// organisations of an earlier database are in Europe/Amsterdam, and a
// tender's deadline keeps its instant with the zone it was set in, UTC.
func TestMigratingGivesZonesAndMovesNoDeadline(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			db := openEarlier(t, 0, d.name == "on PostgreSQL")
			if err := models.Migrate(ctx, db); err != nil {
				t.Fatal(err)
			}
			orgs, err := models.ListOrgs(ctx, db, "")
			if err != nil || len(orgs) == 0 {
				t.Fatalf("%d orgs, %v", len(orgs), err)
			}
			for _, o := range orgs {
				if o.TimeZone != "Europe/Amsterdam" {
					t.Errorf("%s is in %q, want Europe/Amsterdam", o.Name, o.TimeZone)
				}
			}
			tn, err := models.FindTender(ctx, db, 1)
			if err != nil {
				t.Fatal(err)
			}
			if want := time.Date(2099, 6, 30, 17, 0, 0, 0, time.UTC); tn.Deadline == nil || !tn.Deadline.Equal(want) || tn.DeadlineZone != "UTC" {
				t.Errorf("deadline %v in %q, want %v in UTC", tn.Deadline, tn.DeadlineZone, want)
			}
		})
	}
}
