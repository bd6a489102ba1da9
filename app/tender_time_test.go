package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"tenderprobe/models"
)

// inLanguage makes c read pages in lang, as the language switch does.
func inLanguage(c *client, lang string) *client {
	c.cookies["tp_lang"] = lang
	return c
}

// fieldError is the error text shown next to field, or "" when none is.
func fieldError(body, field string) string {
	m := regexp.MustCompile(`id="` + field + `-error">([^<]*)<`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return strings.ReplaceAll(m[1], "&#34;", `"`)
}

func TestTheTenderFormReadsAmountsAsTheReaderWritesThem(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	for _, c := range []struct {
		name, lang, typed string
		cents             int64
		refused           []string // words the error next to the field must have
	}{
		{"English with grouping and decimals", "en", "1,250,000.50", 125000050, nil},
		{"English without grouping", "en", "125000", 12500000, nil},
		{"Dutch with grouping and a decimal comma", "nl", "1.250.000,50", 125000050, nil},
		{"Dutch with one decimal", "nl", "1250000,5", 125000050, nil},
		{"Dutch with spaces between the thousands", "nl", "1 250 000,50", 125000050, nil},
		{"Spanish with grouping and a decimal comma", "es", "1.250.000,50", 125000050, nil},
		{"Dutch refuses 1,250, which English reads as 1250, naming the Dutch way to write it", "nl", "1,250", 0,
			[]string{"kan op twee manieren", "1.250,00"}},
		{"Dutch refuses an English amount with decimals", "nl", "1250.50", 0, []string{"twee manieren", "1.250,50"}},
		{"English refuses 1.250, which Dutch reads as 1250", "en", "1.250", 0, []string{"can be read in two ways", "1,250.00"}},
		{"Spanish refuses an English amount with grouping", "es", "1,250,000.50", 0, []string{"de dos maneras", "1.250.000,50"}},
		{"Dutch refuses words, with an example in Dutch", "nl", "veel", 0, []string{"geen bedrag", "125.000,50"}},
		{"English refuses a negative amount", "en", "-5", 0, []string{"negative"}},
		{"Spanish refuses three decimals after grouping", "es", "1.250,505", 0, []string{"más de dos decimales"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			officer := inLanguage(a.session("officer@demo.test"), c.lang)
			before := a.count(&models.Tender{})
			title := fmt.Sprintf("Amount %d", next())
			res := officer.post("/tenders", url.Values{"title": {title}, "estimated_value": {c.typed}, "currency": {"EUR"}})
			if c.refused == nil {
				m := tenderLocation.FindStringSubmatch(res.header.Get("Location"))
				if res.status != 303 || m == nil {
					t.Fatalf("status %d: %s", res.status, errorText(res.body))
				}
				var tn models.Tender
				if err := a.db.First(&tn, m[1]).Error; err != nil || tn.EstimatedValueCents != c.cents {
					t.Errorf("stored %d cents (%v), want %d", tn.EstimatedValueCents, err, c.cents)
				}
				return
			}
			msg := fieldError(res.body, "estimated_value")
			if res.status != 422 || msg == "" {
				t.Fatalf("status %d, error %q: want 422 with the error next to the field", res.status, msg)
			}
			for _, w := range c.refused {
				if !strings.Contains(msg, w) {
					t.Errorf("the error %q lacks %q", msg, w)
				}
			}
			if !strings.Contains(res.body, `value="`+c.typed+`"`) {
				t.Errorf("the form does not show back what was typed, %q", c.typed)
			}
			if a.count(&models.Tender{}) != before {
				t.Error("a refused amount created a tender")
			}
		})
	}

	t.Run("the edit form writes the value as its reader writes numbers", func(t *testing.T) {
		officer := a.session("officer@demo.test")
		tn, _ := a.newDraft(fmt.Sprintf("Shown amount %d", next()))
		if err := a.db.Model(&models.Tender{}).Where("id = ?", tn.ID).Update("estimated_value_cents", 125000050).Error; err != nil {
			t.Fatal(err)
		}
		for lang, want := range map[string]string{"en": "1,250,000.50", "nl": "1.250.000,50", "es": "1.250.000,50"} {
			page := inLanguage(officer, lang).get(fmt.Sprintf("/tenders/%d/edit", tn.ID))
			if page.status != 200 || !strings.Contains(page.body, `value="`+want+`"`) {
				t.Errorf("%s: %d, want the value shown as %s", lang, page.status, want)
			}
		}
	})
	t.Run("the currency is chosen from the ISO 4217 codes, EUR by default", func(t *testing.T) {
		page := a.session("officer@demo.test").get("/tenders/new")
		for _, want := range []string{`<select id="currency" name="currency"`, `<option selected>EUR</option>`, `<option>USD</option>`, `<option>UYU</option>`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the new tender form lacks %s", want)
			}
		}
	})
}

func TestTheTenderFormTakesADeadlineWithATimeAndAZone(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	officer := a.session("officer@demo.test")
	t.Run("a new tender's deadline is at 23:59 in the buyer's zone unless changed", func(t *testing.T) {
		page := officer.get("/tenders/new")
		for _, want := range []string{`name="deadline_time" value="23:59"`, `<option selected>Europe/Amsterdam</option>`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the form lacks %s", want)
			}
		}
	})
	create := func(t *testing.T, form url.Values) *models.Tender {
		t.Helper()
		form.Set("title", fmt.Sprintf("Deadline %d", next()))
		res := officer.post("/tenders", form)
		m := tenderLocation.FindStringSubmatch(res.header.Get("Location"))
		if res.status != 303 || m == nil {
			t.Fatalf("status %d: %s", res.status, errorText(res.body))
		}
		var tn models.Tender
		if err := a.db.First(&tn, m[1]).Error; err != nil {
			t.Fatal(err)
		}
		return &tn
	}
	for _, c := range []struct {
		name string
		form url.Values
		want time.Time
		zone string
	}{
		{"deadline 4 January in Amsterdam is 22:59 UTC", url.Values{"deadline": {"2027-01-04"}, "deadline_time": {"23:59"}, "deadline_zone": {"Europe/Amsterdam"}},
			time.Date(2027, 1, 4, 22, 59, 0, 0, time.UTC), "Europe/Amsterdam"},
		{"a day without a time or zone is 23:59 in the buyer's zone", url.Values{"deadline": {"2027-01-04"}},
			time.Date(2027, 1, 4, 22, 59, 0, 0, time.UTC), "Europe/Amsterdam"},
		{"noon in Bogotá is 17:00 UTC", url.Values{"deadline": {"2027-01-04"}, "deadline_time": {"12:00"}, "deadline_zone": {"America/Bogota"}},
			time.Date(2027, 1, 4, 17, 0, 0, 0, time.UTC), "America/Bogota"},
		{"23:59 on the day summer time starts is 21:59 UTC", url.Values{"deadline": {"2027-03-28"}, "deadline_time": {"23:59"}, "deadline_zone": {"Europe/Amsterdam"}},
			time.Date(2027, 3, 28, 21, 59, 0, 0, time.UTC), "Europe/Amsterdam"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tn := create(t, c.form)
			if tn.Deadline == nil || !tn.Deadline.Equal(c.want) || tn.DeadlineZone != c.zone {
				t.Errorf("deadline %v in %q, want %v in %q", tn.Deadline, tn.DeadlineZone, c.want, c.zone)
			}
		})
	}
	t.Run("the edit form shows the deadline on the tender's own clock", func(t *testing.T) {
		tn := create(t, url.Values{"deadline": {"2027-01-04"}, "deadline_time": {"12:00"}, "deadline_zone": {"America/Bogota"}})
		page := inLanguage(a.session("officer@demo.test"), "nl").get(fmt.Sprintf("/tenders/%d/edit", tn.ID))
		for _, want := range []string{`name="deadline" value="2027-01-04"`, `name="deadline_time" value="12:00"`, `<option selected>America/Bogota</option>`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the edit form lacks %s", want)
			}
		}
	})
	for _, c := range []struct {
		name, field, words string
		form               url.Values
	}{
		{"a time that is not a time is refused next to it", "deadline_time", "is not a time like 23:59",
			url.Values{"deadline": {"2027-01-04"}, "deadline_time": {"24:30"}}},
		{"a zone that is not a zone is refused next to it", "deadline_zone", "is not a time zone",
			url.Values{"deadline": {"2027-01-04"}, "deadline_zone": {"Europe/Atlantis"}}},
		{"a day that is not a day is refused next to it", "deadline", "is not a date",
			url.Values{"deadline": {"4 January"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.form.Set("title", "Refused deadline")
			res := officer.post("/tenders", c.form)
			if msg := fieldError(res.body, c.field); res.status != 422 || !strings.Contains(msg, c.words) {
				t.Errorf("status %d, error %q next to %s; want 422 with %q", res.status, msg, c.field, c.words)
			}
		})
	}
}

func TestTheAPITakesADeadlineZone(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	officer := a.apiClient("officer@demo.test")
	for _, c := range []struct {
		name string
		body map[string]string
		want string
		zone string
	}{
		{"a day is 23:59 in the buyer's zone", map[string]string{"deadline": "2027-01-04"}, "2027-01-04T22:59:00Z", "Europe/Amsterdam"},
		{"a day with a zone is 23:59 in that zone", map[string]string{"deadline": "2027-01-04", "deadline_zone": "America/Bogota"}, "2027-01-05T04:59:00Z", "America/Bogota"},
		{"an instant stays that instant", map[string]string{"deadline": "2027-01-04T12:00:00+01:00"}, "2027-01-04T11:00:00Z", "Europe/Amsterdam"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.body["title"] = c.name
			res := officer.postJSON("/api/v1/tenders", c.body)
			body := res.json(t)
			if res.status != 201 || body["deadline"] != c.want || body["deadline_zone"] != c.zone {
				t.Errorf("status %d, deadline %v in %v; want %s in %s", res.status, body["deadline"], body["deadline_zone"], c.want, c.zone)
			}
		})
	}
	t.Run("an unknown zone is refused", func(t *testing.T) {
		res := officer.postJSON("/api/v1/tenders", map[string]string{"title": "x", "deadline": "2027-01-04", "deadline_zone": "Mars/Base"})
		if body := res.json(t); res.status != 422 || body["field"] != "deadline_zone" {
			t.Errorf("status %d: %v", res.status, body)
		}
	})
}

// TestDeadlineRemindersAcrossSummerTime: the reminder mails of a deadline
// at 23:59 Amsterdam time on the days the clocks change go on the right
// calendar days there, and state the deadline on the tender's clock.
func TestDeadlineRemindersAcrossSummerTime(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	ctx := context.Background()
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	sink := startMailSink(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, c := range []struct {
		name     string
		deadline time.Time
		text     string
	}{
		{"summer time starts on 28 March 2027", time.Date(2027, 3, 28, 23, 59, 0, 0, ams), "28 Mar 2027, 23:59 CEST"},
		{"summer time ends on 31 October 2027", time.Date(2027, 10, 31, 23, 59, 0, 0, ams), "31 Oct 2027, 23:59 CET"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newAttestWorld(t, a)
			if err := a.db.Model(&models.Tender{}).Where("id = ?", w.tender.ID).
				Updates(map[string]any{"deadline": c.deadline.UTC(), "deadline_zone": "Europe/Amsterdam"}).Error; err != nil {
				t.Fatal(err)
			}
			path := fmt.Sprintf("/attestations/%d ", w.att.ID)
			mails := func() (n int, last string) {
				for _, m := range sink.messages() {
					if strings.Contains(m, path) {
						n, last = n+1, m
					}
				}
				return n, last
			}
			y, m, d := c.deadline.Date()
			local := func(day, h, min int) time.Time { return time.Date(y, m, d-day, h, min, 0, 0, ams) }
			for _, s := range []struct {
				name string
				at   time.Time
				want int
			}{
				{"nothing at 23:59 eight days before", local(8, 23, 59), 0},
				{"the week reminder at 00:30 seven days before", local(7, 0, 30), 1},
				{"the three-day reminder at 00:30 three days before", local(3, 0, 30), 2},
				{"nothing more at 23:59 two days before", local(2, 23, 59), 2},
				{"the last reminder at 00:30 the day before", local(1, 0, 30), 3},
				{"nothing after the deadline", c.deadline.Add(time.Minute), 3},
			} {
				t.Run(s.name, func(t *testing.T) {
					if _, err := sendReminders(ctx, a.db, sink.mailer(), "", log, s.at); err != nil {
						t.Fatal(err)
					}
					if n, _ := mails(); n != s.want {
						t.Errorf("at %s: %d reminders so far, want %d", s.at.Format("Mon 2 Jan 15:04 MST"), n, s.want)
					}
				})
			}
			if _, last := mails(); !strings.Contains(last, c.text) {
				t.Errorf("the reminder does not state the deadline as %q", c.text)
			}
		})
	}
}
