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

// editableTender loads the tender like tenderFor and refuses with 403 users
// who may see but not change it (auditors, officers of other buyers).
// Whether it is still a draft is the models' call (409).
func (h *Handler) editableTender(c *fiber.Ctx) (*models.Tender, error) {
	t, err := h.tenderFor(c)
	if err != nil {
		return nil, err
	}
	if !currentUser(c).CanEditTender(t) {
		return nil, &models.ForbiddenError{Code: "not_buyer"}
	}
	return t, nil
}
