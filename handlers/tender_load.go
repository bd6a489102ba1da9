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

// editableTender loads the tender like tenderFor for a user who manages
// it (models.FindTenderToManage): 403 for users who may see but not
// change it (auditors, vendors, officers of other buyers never see it).
// Whether its state allows the change is the models' call (409).
func (h *Handler) editableTender(c *fiber.Ctx) (*models.Tender, error) {
	id, err := paramID(c, "id")
	if err != nil {
		return nil, err
	}
	return models.FindTenderToManage(c.UserContext(), h.DB, currentUser(c), id)
}
