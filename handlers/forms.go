package handlers

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// flashMessages are the confirmations a redirect may ask for with ?flash=;
// only these fixed texts can appear, so the query cannot inject content.
var flashMessages = map[string]string{
	"created":   "Tender created. Add requirements from the catalogue or apply a profile.",
	"saved":     "Tender details saved.",
	"added":     "Requirement added.",
	"profile":   "Profile applied: its standards not yet on the sheet were added.",
	"removed":   "Requirement removed.",
	"moved":     "Requirement moved.",
	"published": "Tender published. Its requirement sheet is now frozen.",
	"amended":   "Amendment started: this is a new draft revision; the published one stays as it was.",
	"imported":  "Catalogue version imported and made current.",
	"org":       "Organisation created.",
	"user":      "User created.",
	"disabled":  "User disabled and logged out everywhere.",
	"enabled":   "User enabled.",
	"password":  "Password reset. The user's sessions were ended.",
	"revoked":   "Invitation revoked: its link no longer works.",
}

// flashFrom looks up the confirmation named in the query, if any.
func flashFrom(c *fiber.Ctx) string {
	return flashMessages[c.Query("flash")]
}

// parseMoney reads an amount such as "125000", "125,000.50" or "125000,5"
// typed by a person and returns it in cents.
func parseMoney(s string) (int64, error) {
	s = strings.TrimSpace(strings.ReplaceAll(s, " ", ""))
	if s == "" {
		return 0, nil
	}
	// A comma followed by one or two digits at the end is a decimal comma;
	// other commas group thousands.
	if i := strings.LastIndex(s, ","); i >= 0 && !strings.Contains(s, ".") && len(s)-i-1 <= 2 {
		s = s[:i] + "." + s[i+1:]
	}
	s = strings.ReplaceAll(s, ",", "")
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 {
		return 0, invalidInput("estimated_value", "too_many_decimals")
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w < 0 || w > 1e15 {
		return 0, invalidInput("estimated_value", "not_an_amount")
	}
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, invalidInput("estimated_value", "not_an_amount")
	}
	return w*100 + f, nil
}

// parseDeadline reads a date (YYYY-MM-DD, the format of <input type=date>)
// or an RFC 3339 time; empty means no deadline.
func parseDeadline(s string) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		// A deadline date means the end of that day (UTC).
		t = t.Add(24*time.Hour - time.Second)
		return &t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return &t, nil
	}
	return nil, invalidInput("deadline", "not_a_date", "value", s)
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
