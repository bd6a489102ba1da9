package handlers

import (
	"fmt"
	"io"
	"path/filepath"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"tenderprobe/app/attest"
	"tenderprobe/models"
)

// standingView is one standing answer on the answer library page.
type standingView struct {
	models.StandingAnswer
	Name, StatusText, ValidText string
	Expired, Soon               bool
}

// standingSoonDays is how near its end a standing answer is marked
// "expires soon": the first reminder's stage.
const standingSoonDays = 30

// RequireLibraryUploader lets only a vendor of a supplier send a standing
// answer's (large) form; RequireRole has refused everybody else already,
// on the headers alone.
func (h *Handler) RequireLibraryUploader(c *fiber.Ctx) error {
	if u := currentUser(c); u == nil || u.OrgID == nil || u.Role != models.RoleVendor {
		return &models.ForbiddenError{Code: "not_vendor"}
	}
	return c.Next()
}

// ShowStandingAnswers is the supplier's answer library page: its standing
// answers and the form to add one or, with ?standard=<slug>, change one.
func (h *Handler) ShowStandingAnswers(c *fiber.Ctx) error {
	return h.renderStanding(c, fiber.StatusOK, fiber.Map{"Flash": flashOf(c, "")}, c.Query("standard"))
}

func (h *Handler) renderStanding(c *fiber.Ctx, status int, data fiber.Map, editing string) error {
	ctx, u, now := c.UserContext(), currentUser(c), h.now()
	list, err := models.ListStandingAnswers(ctx, h.DB, u)
	if err != nil {
		return err
	}
	org, err := models.FindOrg(ctx, h.DB, *u.OrgID)
	if err != nil {
		return err
	}
	standards, err := models.ListStandards(ctx, h.DB, models.StandardFilter{})
	if err != nil {
		return err
	}
	lang := localeOf(c).Lang
	words := statusWords(lang)
	views := make([]standingView, len(list))
	for i, s := range list {
		v := standingView{StandingAnswer: s, Name: s.StandardSlug, StatusText: words[s.Status], ValidText: plannedDateIn(lang, s.ValidUntil),
			Expired: s.Expired(now), Soon: s.ExpiresWithin(standingSoonDays, now)}
		if s.Standard != nil {
			v.Name = s.Standard.In(lang).Name
		}
		views[i] = v
		if s.StandardSlug == editing {
			data["Editing"] = &views[i]
		}
	}
	if _, ok := data["Form"]; !ok {
		form := map[string]string{"standard": editing}
		if e, ok := data["Editing"].(*standingView); ok {
			form = map[string]string{"standard": e.StandardSlug, "status": e.Status, "explanation": e.Explanation, "planned_date": e.PlannedDate, "valid_until": e.ValidUntil}
		}
		data["Form"] = form
	}
	type option struct{ Slug, Name string }
	options := make([]option, len(standards))
	for i := range standards {
		options[i] = option{standards[i].Slug, standards[i].In(lang).Name}
	}
	data["Org"], data["Standing"], data["Standards"] = org, views, options
	data["Statuses"], data["StatusTexts"] = models.AnswerStatuses, words
	data["Today"], data["FileMB"] = now.UTC().Format("2006-01-02"), attest.MaxEvidenceSize>>20
	return h.render(c, status, "library/standing", "title.library_standing", data)
}

// SaveStandingAnswer adds or replaces the supplier's standing answer to a
// standard, with an evidence link or file, or removes one piece of its
// evidence (the button remove_evidence). A refused form comes back (422)
// as typed, with the message next to its field; nothing is stored then.
func (h *Handler) SaveStandingAnswer(c *fiber.Ctx) error {
	form, err := readPageForm(c)
	if err != nil {
		return err
	}
	in := models.StandingInput{Standard: form.get("standard"), ValidUntil: form.get("valid_until"), AnswerInput: models.AnswerInput{
		Status: form.get("status"), Explanation: form.get("explanation"), PlannedDate: form.get("planned_date"), EvidenceURL: form.get("evidence_url")}}
	if in.Status != models.AnswerPartial && in.Status != models.AnswerDoesNotComply {
		in.PlannedDate = "" // the date belongs to a gap only
	}
	typed := map[string]string{"standard": in.Standard, "status": in.Status, "explanation": in.Explanation, "planned_date": in.PlannedDate,
		"valid_until": in.ValidUntil, "evidence_url": in.EvidenceURL}
	var remove []uint
	if v := form.get("remove_evidence"); v != "" {
		id, err := strconv.ParseUint(v, 10, 32)
		if err != nil || id == 0 {
			return refuse(fiber.StatusNotFound, "page.not_found")
		}
		remove = append(remove, uint(id))
	}
	var file *models.FileEvidence
	var staged *attest.Staged
	if fh := form.file("file"); fh != nil {
		if fh.Size > attest.MaxEvidenceSize {
			return h.refusedStanding(c, typed, attest.ErrTooLarge)
		}
		f, err := fh.Open()
		if err != nil {
			return fmt.Errorf("handlers: open upload: %w", err)
		}
		defer f.Close()
		bom, contentType, err := parseSBOM(f)
		if err != nil {
			return h.refusedStanding(c, typed, err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("handlers: rewind upload: %w", err)
		}
		if staged, err = h.Attest.Store.StageAs(f, contentType); err != nil {
			return h.refusedStanding(c, typed, err)
		}
		file = &models.FileEvidence{FileName: utils.CopyString(filepath.Base(fh.Filename)), ContentType: staged.ContentType, Size: staged.Size,
			SHA256: staged.SHA256, StoragePath: filepath.ToSlash(staged.RelPath), SBOM: bom}
	}
	var commit func() error
	if staged != nil {
		commit = staged.Commit
	}
	saved, err := models.SaveStanding(c.UserContext(), h.DB, currentUser(c), in, file, commit, remove, h.now())
	if err != nil {
		if staged != nil {
			staged.Cleanup()
		}
		return h.refusedStanding(c, typed, err)
	}
	return c.Redirect("/supplier/answers?flash=library_saved&standard="+saved.StandardSlug+"#standing-form", fiber.StatusSeeOther)
}

// refusedStanding shows the form again as typed with the refusal next to
// its field (422, 413 or 415), or returns any other error.
func (h *Handler) refusedStanding(c *fiber.Ctx, typed map[string]string, err error) error {
	p := problemOf(err)
	field := p.Field
	switch {
	case p.Status == fiber.StatusRequestEntityTooLarge || p.Status == fiber.StatusUnsupportedMediaType:
		field = "file"
	case field == "":
		return err
	}
	if field == "form" || field == "evidence" {
		field = "evidence_url"
	}
	return h.renderStanding(c, p.Status, fiber.Map{"Form": typed, "Errors": map[string]string{field: p.fieldText(localeOf(c).Lang)}}, typed["standard"])
}

// RemoveStandingAnswer deletes one of the supplier's standing answers.
func (h *Handler) RemoveStandingAnswer(c *fiber.Ctx) error {
	id, err := paramID(c, "standing_id")
	if err != nil {
		return err
	}
	if err := models.RemoveStanding(c.UserContext(), h.DB, currentUser(c), id); err != nil {
		return err
	}
	return c.Redirect("/supplier/answers?flash=library_removed", fiber.StatusSeeOther)
}

// DownloadStandingEvidence sends a file of one of the supplier's standing
// answers to its vendors, as an attachment (as DownloadEvidence does).
func (h *Handler) DownloadStandingEvidence(c *fiber.Ctx) error {
	id, err := paramID(c, "standing_id")
	if err != nil {
		return err
	}
	eid, err := paramID(c, "evidence_id")
	if err != nil {
		return err
	}
	ev, err := models.FindStandingEvidenceFor(c.UserContext(), h.DB, currentUser(c), id, eid)
	if err != nil {
		return err
	}
	return h.sendEvidenceFile(c, evidenceFile{ev.Kind, ev.StoragePath, ev.FileName, ev.ContentType, ev.SHA256, ev.Size})
}
