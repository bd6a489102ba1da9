package report

import (
	"fmt"
	"strings"
	"time"

	"tenderprobe/app/i18n"
	"tenderprobe/models"
)

// catalogue is the embedded message catalogue, read once. Every text of a
// document comes from it, under the namespaces report., sheet., annual.
// and csv_report., with the shared words for codes (level., answer_status.,
// review.verdict., check_status., domain., ...).
var catalogue = i18n.Messages

// ZoneOf is the time zone a tender's documents state their times in: the
// zone its deadline was set in (the buyer's, unless the officer chose
// another), so the sheet and the mails show the deadline as announced.
func ZoneOf(t *models.Tender) *time.Location { return t.Location() }

// words writes the texts of one document: in its language, with its times
// in its zone.
type words struct {
	lang string
	zone *time.Location
}

func wordsOf(opt Options) words {
	lang := opt.Lang
	if !catalogue().Supported(lang) {
		lang = i18n.Default
	}
	zone := opt.Zone
	if zone == nil {
		zone = time.UTC
	}
	return words{lang: lang, zone: zone}
}

// t is the message key with its parameters given as name, value pairs.
func (w words) t(key string, pairs ...any) string {
	var params map[string]any
	if len(pairs) > 0 {
		params = make(map[string]any, len(pairs)/2)
		for i := 0; i+1 < len(pairs); i += 2 {
			params[pairs[i].(string)] = pairs[i+1]
		}
	}
	return catalogue().Text(w.lang, key, params)
}

// count is n with its noun, by the plural message key ("1 tender", "2
// tenders"), for a sentence that counts more than one thing.
func (w words) count(key string, n int) string { return w.t(key, "count", n) }

// word is the words of a code in namespace ns; a code without words (a
// catalogue's own domain, say) shows as fallback.
func (w words) word(ns, code, fallback string) string {
	key := ns + "." + code
	if text := catalogue().Text(w.lang, key, nil); text != key {
		return text
	}
	return fallback
}

// level is a requirement level in words.
func (w words) level(code string) string { return w.word("level", code, code) }

// domain is an IS3C domain in words.
func (w words) domain(code string) string { return w.word("domain", code, models.DomainName(code)) }

// answer is an answer status in words; no answer is "not answered".
func (w words) answer(status string) string {
	if status == "" {
		return w.t("report.answer.none")
	}
	return w.word("answer_status", status, status)
}

// verdict is a probe verdict in words; none is "not verified".
func (w words) verdict(code string) string {
	if code == "" {
		code = "none"
	}
	return w.word("review.verdict", code, strings.ReplaceAll(code, "_", " "))
}

// date is the calendar day of t in the document's zone.
func (w words) date(t time.Time) string { return catalogue().Date(w.lang, t.In(w.zone)) }

// dateTime is t in the document's zone, with the zone named.
func (w words) dateTime(t time.Time) string { return catalogue().DateTime(w.lang, t, w.zone) }

// dateTimeOrNone is dateTime, or "none" for no time.
func (w words) dateTimeOrNone(t *time.Time) string {
	if t == nil {
		return w.t("report.none")
	}
	return w.dateTime(*t)
}

// orNone is v, or "none" when it is blank.
func (w words) orNone(v string) string {
	if strings.TrimSpace(v) == "" {
		return w.t("report.none")
	}
	return safeText(v)
}

// money is an amount in cents as the document's language writes it.
func (w words) money(cents int64, currency string) string {
	return i18n.FormatMoney(w.lang, cents, currency)
}

// decimal writes f with one decimal and the language's decimal mark.
func (w words) decimal(f float64, sign bool) string {
	format := "%.1f"
	if sign {
		format = "%+.1f"
	}
	s := fmt.Sprintf(format, f)
	if mark := decimalMark(w.lang); mark != "." {
		s = strings.Replace(s, ".", mark, 1)
	}
	return s
}

// percent is a rate as "83.3%" (83,3% in Dutch), or "n/a".
func (w words) percent(r float64, ok bool) string {
	if !ok {
		return w.t("report.not_available")
	}
	return glue(w.t("report.percent", "value", w.decimal(r, false)))
}

// change is the change of s's rate against the year before in
// percentage points, or "" when either year has none.
func (w words) change(s StandardStats) string {
	r, ok := s.Rate()
	if !ok || s.Previous == nil {
		return ""
	}
	return glue(w.t("annual.change", "value", w.decimal(r-*s.Previous, true)))
}

// points is change without its unit, for a column whose title names it.
func (w words) points(s StandardStats) string {
	r, ok := s.Rate()
	if !ok || s.Previous == nil {
		return ""
	}
	return w.decimal(r-*s.Previous, true)
}

// decimalMark is the mark lang writes between whole and decimal numbers.
func decimalMark(lang string) string {
	n := i18n.FormatNumber(lang, 150) // 1.50 or 1,50
	if len(n) >= 2 && (n[1] == ',' || n[1] == '.') {
		return n[1:2]
	}
	return "."
}

// parseDay reads a day written as YYYY-MM-DD, such as a planned date.
func parseDay(s string) (time.Time, error) { return time.Parse(time.DateOnly, s) }
