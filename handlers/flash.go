package handlers

import "github.com/gofiber/fiber/v2"

// flashOf looks up the confirmation a redirect asked for with ?flash=: the
// message flash.<ns><key>, or nothing when the catalogue has no such
// message, so the query can only pick one of the catalogue's own texts.
func flashOf(c *fiber.Ctx, ns string) string {
	key := c.Query("flash")
	if key == "" || !validKey.MatchString(key) {
		return ""
	}
	if !hasMessage("flash." + ns + key) {
		return ""
	}
	return tr(c, "flash."+ns+key, nil)
}

// flashFrom is the confirmation of the general pages.
func flashFrom(c *fiber.Ctx) string { return flashOf(c, "") }

// attestFlash is the confirmation of the attestation pages, or of the
// general ones.
func attestFlash(c *fiber.Ctx) string {
	if msg := flashOf(c, "attest."); msg != "" {
		return msg
	}
	return flashFrom(c)
}

// supplierFlash is the confirmation of the supplier's own page.
func supplierFlash(c *fiber.Ctx) string { return flashOf(c, "supplier.") }
