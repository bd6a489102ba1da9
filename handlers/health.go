package handlers

import "github.com/gofiber/fiber/v2"

// Health answers 200 {"status":"ok"} when the database answers a ping, for
// load balancers and uptime checks.
func (h *Handler) Health(c *fiber.Ctx) error {
	sqlDB, err := h.DB.DB()
	if err == nil {
		err = sqlDB.PingContext(c.UserContext())
	}
	if err != nil {
		h.Log.Error("health check: database ping", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable"})
	}
	return c.JSON(fiber.Map{"status": "ok"})
}
