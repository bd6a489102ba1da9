package handlers

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// queryID parses the query parameter name as a record id: absent is 0,
// anything but a positive whole number is a 400 naming the parameter.
func queryID(c *fiber.Ctx, name string) (uint, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 32)
	if err != nil || n == 0 {
		return 0, refuse(fiber.StatusBadRequest, "request.bad_id", "name", name)
	}
	return uint(n), nil
}

// queryCount parses the query parameter name as a count (limit, offset):
// absent is 0, anything but a whole number from 0 to 1,000,000 is a 400.
func queryCount(c *fiber.Ctx, name string) (int, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 || n > 1_000_000 {
		return 0, refuse(fiber.StatusBadRequest, "request.bad_count", "name", name)
	}
	return n, nil
}

// optionalInt reads a form or query integer such as a lock version; empty
// gives nil (no check).
func optionalInt(field, s string) (*int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return nil, invalidInput(field, "not_a_number")
	}
	return &n, nil
}

// pageURL is the address of a list page with its query, ending in "page="
// for the pager to add the number; empty parameters are left out.
func pageURL(path string, q url.Values) string {
	for k, v := range q {
		if len(v) == 0 || v[0] == "" {
			delete(q, k)
		}
	}
	if len(q) == 0 {
		return path + "?page="
	}
	return path + "?" + q.Encode() + "&page="
}
