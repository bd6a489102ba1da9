package handlers

import (
	"github.com/gofiber/fiber/v2"
)

// RequireEnrolment keeps an officer or admin who must have a second factor
// (by their organisation or the whole instance) and has none to the
// routes of the route table marked for enrolment: pages send them to the
// account page, everything else is refused.
func (h *Handler) RequireEnrolment(c *fiber.Ctx) error {
	u := currentUser(c)
	if !u.MustEnrol(h.RequireSecondFactor) {
		return c.Next()
	}
	if !isAPI(c) && c.Method() == fiber.MethodGet {
		return c.Redirect("/account?flash=totp_required#second-factor", fiber.StatusSeeOther)
	}
	return refuse(fiber.StatusForbidden, "totp.enrol_required")
}
