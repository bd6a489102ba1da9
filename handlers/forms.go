package handlers

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

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
