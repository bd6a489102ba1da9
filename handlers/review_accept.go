package handlers

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// hiddenField is one hidden input the confirmation form sends again.
type hiddenField struct{ Name, Value string }

// parseAnswerRef reads "attestationID-requirementID", the value of a
// matrix cell's accept button.
func parseAnswerRef(s string) (uint, uint, error) {
	a, r, ok := strings.Cut(s, "-")
	att, err1 := strconv.ParseUint(a, 10, 32)
	req, err2 := strconv.ParseUint(r, 10, 32)
	if !ok || err1 != nil || err2 != nil || att == 0 || req == 0 {
		return 0, 0, invalidInput("answer", "not_a_choice")
	}
	return uint(att), uint(req), nil
}

// renderAcceptConfirm shows the probe evidence behind an answer the probes
// contradict and asks the officer to confirm the accept: the form posts
// to action again with fields and confirm=yes. Nothing has changed yet,
// so the status is 409 (the state asks for a further step).
func (h *Handler) renderAcceptConfirm(c *fiber.Ctx, attID, reqID uint, action, back string, fields []hiddenField) error {
	ev, err := models.FindReviewEvidence(c.UserContext(), h.DB, currentUser(c), attID, reqID)
	if err != nil {
		return err
	}
	return h.render(c, fiber.StatusConflict, "review/confirm", "title.review_confirm", fiber.Map{
		"Evidence": ev, "Action": action, "Back": back, "Fields": fields,
		"Question": tr(c, "state.accept_contradicted", nil),
		"Answer":   answerWords(localeOf(c).Lang, ev.Answer.Status), "Comment": c.FormValue("comment"),
		"VerdictWords": verdictWords(localeOf(c).Lang, verdictOf(ev)),
	})
}

func verdictOf(ev *models.ReviewEvidence) string {
	if ev.Verification == nil {
		return ""
	}
	return ev.Verification.Status
}

// AcceptFromMatrix accepts one answer from the review matrix (the cell's
// button names it as answer=ATT-REQ) and returns to the same view of the
// matrix, at that cell. An answer the probes contradict is only accepted
// with confirm=yes, sent from the evidence page this shows first.
func (h *Handler) AcceptFromMatrix(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	attID, reqID, err := parseAnswerRef(c.FormValue("answer"))
	if err != nil {
		return err
	}
	p := parseMatrixParams(c)
	d := models.ReviewDecision{Decision: "accept", Comment: c.FormValue("comment"), Confirmed: c.FormValue("confirm") == "yes", TenderID: id}
	_, err = models.ReviewAnswer(c.UserContext(), h.DB, currentUser(c), attID, reqID, d, h.now())
	back := fmt.Sprintf("/tenders/%d/review%s#c%d-%d", id, p.encode(), attID, reqID)
	if errors.Is(err, models.ErrAcceptContradicted) {
		fields := []hiddenField{{"answer", c.FormValue("answer")}}
		for k, vs := range p.values() {
			for _, v := range vs {
				fields = append(fields, hiddenField{k, v})
			}
		}
		return h.renderAcceptConfirm(c, attID, reqID, fmt.Sprintf("/tenders/%d/review/accept", id), back, fields)
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/tenders/%d/review%s#c%d-%d", id, p.encode("done", "accept"), attID, reqID), fiber.StatusSeeOther)
}

// BulkAcceptConfirmed accepts every answer of the tender the probes
// confirmed that awaits review, in one transaction, and says how many.
func (h *Handler) BulkAcceptConfirmed(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	n, err := models.BulkAcceptConfirmed(c.UserContext(), h.DB, currentUser(c), id, h.now())
	if err != nil {
		return err
	}
	p := parseMatrixParams(c)
	return c.Redirect(fmt.Sprintf("/tenders/%d/review%s", id, p.encode("done", "bulk", "n", strconv.Itoa(n))), fiber.StatusSeeOther)
}

// APIBulkAcceptConfirmed is POST /api/v1/tenders/{id}/review/accept-confirmed.
func (h *Handler) APIBulkAcceptConfirmed(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	n, err := models.BulkAcceptConfirmed(c.UserContext(), h.DB, currentUser(c), id, h.now())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"tender_id": id, "accepted": n})
}
