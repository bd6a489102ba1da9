package i18n

import (
	"fmt"
	"strconv"
	"time"
)

// Dates are written with the words of each language's file: the month
// names date.month.1 … date.month.12 and the orders date.format
// ({day} {month} {year}) and date.time_format ({date} {time} {zone}). So a
// new language brings its own date habits with its file. (Libraries such as
// goodsign/monday were considered: they cover the month names but not a
// language added as a file.)

// Date writes the calendar day of t as lang writes it: 4 Jan 2027,
// 4 jan 2027, 4 ene 2027. A zero time is empty.
func (c *Catalogue) Date(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return c.Text(lang, "date.format", map[string]any{
		"day":   strconv.Itoa(t.Day()),
		"month": c.Text(lang, "date.month."+strconv.Itoa(int(t.Month())), nil),
		"year":  strconv.Itoa(t.Year()),
	})
}

// DateTime writes t as seen in zone, with the zone named by its
// abbreviation (CET, CEST, UTC) or, where the zone has none (most of Latin
// America and Asia), by its offset from UTC: 4 Jan 2027, 23:59 CET;
// 4 Jan 2027, 14:00 UTC-3. A zero time is empty.
func (c *Catalogue) DateTime(lang string, t time.Time, zone *time.Location) string {
	if t.IsZero() {
		return ""
	}
	if zone == nil {
		zone = time.UTC
	}
	t = t.In(zone)
	abbr, offset := t.Zone()
	if abbr == "" || abbr[0] == '+' || abbr[0] == '-' {
		abbr = utcOffset(offset)
	}
	return c.Text(lang, "date.time_format", map[string]any{
		"date": c.Date(lang, t), "time": t.Format("15:04"), "zone": abbr,
	})
}

// utcOffset names an offset as UTC+5:30, UTC-3 or UTC: a bare "-03" (the
// zone database's name where a zone has no abbreviation) reads as a
// number, not a time zone.
func utcOffset(seconds int) string {
	if seconds == 0 {
		return "UTC"
	}
	sign := "+"
	if seconds < 0 {
		sign, seconds = "-", -seconds
	}
	out := "UTC" + sign + strconv.Itoa(seconds/3600)
	if m := seconds % 3600 / 60; m != 0 {
		out += fmt.Sprintf(":%02d", m)
	}
	return out
}

// Day is a calendar date (YYYY-MM-DD) as a message parameter: written as
// the reader writes dates ("30 nov 2026"), as itself when it is not one
// (what a user typed), and as itself in JSON.
type Day string

// NameIn writes d in lang.
func (d Day) NameIn(lang string) string {
	t, err := time.Parse(time.DateOnly, string(d))
	if err != nil {
		return string(d)
	}
	return Messages().Date(lang, t)
}
