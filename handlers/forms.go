package handlers

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/i18n"
	"tenderprobe/models"
)

// exampleAmount is the amount the form's hint and its errors write in the
// reader's language to show how an amount is typed: 125000.50.
const exampleAmount = 12_500_050

// parseMoney reads an amount typed by a reader of lang, as lang writes
// numbers (1.250.000,50 in Dutch and Spanish, 1,250,000.50 in English),
// and returns it in cents; empty is 0. An amount that can be read two
// ways is refused with the reading that is likely meant as an example.
func parseMoney(lang, s string) (int64, error) {
	if strings.TrimSpace(s) == "" {
		return 0, nil
	}
	cents, err := i18n.ParseAmount(lang, s)
	var ae *i18n.AmountError
	switch {
	case err == nil:
		return cents, nil
	case !errors.As(err, &ae):
		return 0, err
	case ae.Code == i18n.CodeAmbiguousAmount && ae.Example != "":
		return 0, invalidInput("estimated_value", "ambiguous_amount", "value", ae.Value, "example", ae.Example)
	case ae.Code == i18n.CodeAmbiguousAmount, ae.Code == i18n.CodeNotAnAmount:
		return 0, invalidInput("estimated_value", "not_an_amount_like", "value", ae.Value,
			"example", i18n.FormatNumber(lang, exampleAmount))
	case ae.Code == i18n.CodeTooLarge:
		return 0, invalidInput("estimated_value", "amount_too_large", "max", i18n.FormatNumber(lang, i18n.MaxCents))
	default: // negative, too many decimals: codes the catalogue has
		return 0, invalidInput("estimated_value", ae.Code)
	}
}

// formatMoney writes cents for the estimated value field in the reader's
// language, so that parseMoney reads it back; 0 is empty.
func formatMoney(lang string, cents int64) string {
	if cents == 0 {
		return ""
	}
	return i18n.FormatNumber(lang, cents)
}

// parseDeadline reads the API's "deadline": a day (YYYY-MM-DD), which is
// returned as date and means DefaultDeadlineTime in the tender's zone, or
// an RFC 3339 time, returned as instant. Empty means no deadline.
func parseDeadline(s string) (instant *time.Time, date string, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, "", nil
	}
	if _, err := time.Parse("2006-01-02", s); err == nil {
		return nil, s, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return &t, "", nil
	}
	return nil, "", invalidInput("deadline", "not_a_date", "value", s)
}

// deadlineForm is the deadline fields of the tender form as typed: the
// day (<input type=date>), the time (<input type=time>) and the zone.
type deadlineForm struct {
	Date, Time, Zone string
}

// deadlineFormOf reads the deadline fields of the tender form.
func deadlineFormOf(c *fiber.Ctx) deadlineForm {
	return deadlineForm{Date: strings.TrimSpace(c.FormValue("deadline")), Time: strings.TrimSpace(c.FormValue("deadline_time")),
		Zone: strings.TrimSpace(c.FormValue("deadline_zone"))}
}

// deadlineFormFor is the deadline fields showing t's deadline as the clock
// in its zone shows it; without a deadline, the day is empty and the time
// is the default.
func deadlineFormFor(t *models.Tender) deadlineForm {
	f := deadlineForm{Time: models.DefaultDeadlineTime, Zone: t.DeadlineZone}
	if t.Deadline != nil {
		d := t.DeadlineIn()
		f.Date, f.Time = d.Format("2006-01-02"), d.Format("15:04")
	}
	return f
}

// set puts the deadline fields into a form's data.
func (f deadlineForm) set(data fiber.Map) {
	data["Deadline"], data["DeadlineTime"], data["DeadlineZone"] = f.Date, f.Time, f.Zone
	data["Zones"] = zonesWith(f.Zone)
}

// zonesWith is the time zones to choose from, with zone among them: the
// list holds one canonical zone per region (Europe/Brussels for the
// Netherlands, since the zone database links Europe/Amsterdam to it), and
// an organisation's or a tender's own zone must be offered as it is named.
func zonesWith(zone string) []string {
	zones := models.TimeZones()
	if i, found := slices.BinarySearch(zones, zone); !found && models.ValidTimeZone(zone) {
		zones = slices.Insert(zones, i, zone)
	}
	return zones
}

// formUint reads a positive integer form field; empty gives 0.
func formUint(c *fiber.Ctx, field string) (uint, error) {
	v := strings.TrimSpace(c.FormValue(field))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil {
		return 0, invalidInput(field, "not_a_choice")
	}
	return uint(n), nil
}
