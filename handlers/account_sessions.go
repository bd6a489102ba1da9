package handlers

import (
	"regexp"
	"time"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// sessionRow is one line of the sessions page.
type sessionRow struct {
	ID         string
	Device     string
	IP         string
	CreatedAt  time.Time
	LastSeenAt *time.Time
	ExpiresAt  time.Time
	Current    bool
}

// tokenRow is one API token on the sessions page.
type tokenRow struct {
	ID         uint
	Device     string
	IP         string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	ExpiresAt  time.Time
}

// ListAccountSessions shows the user's live sessions and API tokens with
// the device, address and last use of each, and a button to end each.
func (h *Handler) ListAccountSessions(c *fiber.Ctx) error {
	ctx, u := c.UserContext(), currentUser(c)
	sessions, err := models.ListSessions(ctx, h.DB, u, h.now())
	if err != nil {
		return err
	}
	tokens, err := models.ListAPITokens(ctx, h.DB, u, h.now())
	if err != nil {
		return err
	}
	current, _ := c.Locals(localSession).(*models.Session)
	rows := make([]sessionRow, len(sessions))
	for i, s := range sessions {
		rows[i] = sessionRow{ID: s.ID, Device: deviceWords(c, s.UserAgent), IP: s.IP, CreatedAt: s.CreatedAt,
			LastSeenAt: s.LastSeenAt, ExpiresAt: s.ExpiresAt, Current: current != nil && current.ID == s.ID}
	}
	trows := make([]tokenRow, len(tokens))
	for i, t := range tokens {
		trows[i] = tokenRow{ID: t.ID, Device: deviceWords(c, t.UserAgent), IP: t.IP, CreatedAt: t.CreatedAt,
			LastUsedAt: t.LastUsedAt, ExpiresAt: t.ExpiresAt}
	}
	data := fiber.Map{"Sessions": rows, "Tokens": trows}
	return h.render(c, fiber.StatusOK, "account/sessions", "title.sessions", data)
}

// sessionID is the shape of a session's stored id: a hex SHA-256.
var sessionID = regexp.MustCompile(`^[0-9a-f]{64}$`)

// EndAccountSession ends one of the user's own sessions; a session of
// anyone else is 404. Ending the current one logs this browser out.
func (h *Handler) EndAccountSession(c *fiber.Ctx) error {
	id := c.Params("sid")
	if !sessionID.MatchString(id) {
		return refuse(fiber.StatusNotFound, "page.not_found")
	}
	u := currentUser(c)
	if err := models.EndSession(c.UserContext(), h.DB, u, id, h.now()); err != nil {
		return err
	}
	h.Log.Info("session ended", "user", u.ID)
	if current, _ := c.Locals(localSession).(*models.Session); current != nil && current.ID == id {
		h.clearCookie(c, sessionCookie)
		h.clearCookie(c, csrfCookie)
		return c.Redirect("/login?flash=sessions_ended_current", fiber.StatusSeeOther)
	}
	return c.Redirect("/account/sessions?flash=sessions_ended", fiber.StatusSeeOther)
}
