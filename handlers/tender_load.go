package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// tenderFor loads the tender named by the :id parameter if the current user
// may see it; otherwise the answer is 404, so existence does not leak.
func (h *Handler) tenderFor(c *fiber.Ctx) (*models.Tender, error) {
	id, err := paramID(c, "id")
	if err != nil {
		return nil, err
	}
	return models.FindTenderFor(c.UserContext(), h.DB, currentUser(c), id)
}

// tenderToManage loads the tender named by :id for a user who manages it
// (models.FindTenderToManage): 404 for users who may not see it (officers
// of other buyers), 403 for those who may see but not manage it (auditors,
// invited vendors). Whether its state allows the change is the models'
// call (409).
func (h *Handler) tenderToManage(c *fiber.Ctx) (*models.Tender, error) {
	id, err := paramID(c, "id")
	if err != nil {
		return nil, err
	}
	return models.FindTenderToManage(c.UserContext(), h.DB, currentUser(c), id)
}
