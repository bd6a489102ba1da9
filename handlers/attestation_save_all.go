package handlers

import (
	"errors"
	"fmt"
	"maps"
	"mime/multipart"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/attest"
	"tenderprobe/models"
)

// answerFields names the inputs of one requirement on the answer page; the
// page's one form sends them for every requirement as <name>-<requirement id>.
var answerFields = []string{"status", "explanation", "planned_date", "evidence_url"}

// fieldIDs are the element ids of the page's inputs, by form field, so the
// error summary can link to each one.
var fieldIDs = map[string]string{
	"status": "status-%d", "explanation": "explanation-%d", "planned_date": "planned-%d",
	"evidence_url": "evidence-url-%d", "file": "file-%d", "form": "answer-%d",
	"reply": "reply-%d",
}

// returnAnchor is where a save may send the vendor back to on the page.
var returnAnchor = regexp.MustCompile(`^(answer-[0-9]{1,10}|scope|submit|answers)$`)

// summaryItem is one line of the error summary at the top of a page: the
// words and the id of the field they are about.
type summaryItem struct {
	Target string
	Text   string
}

// pageForm is the body of the answer page's one form, as names to values
// and files, from a multipart or a URL-encoded body.
type pageForm struct {
	values map[string][]string
	files  map[string][]*multipart.FileHeader
}

func readPageForm(c *fiber.Ctx) (pageForm, error) {
	if strings.HasPrefix(string(c.Request().Header.ContentType()), fiber.MIMEMultipartForm) {
		mf, err := c.MultipartForm()
		if err != nil {
			return pageForm{}, refuse(fiber.StatusBadRequest, "request.unreadable")
		}
		return pageForm{values: mf.Value, files: mf.File}, nil
	}
	values := map[string][]string{}
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		values[string(k)] = append(values[string(k)], string(v))
	})
	return pageForm{values: values}, nil
}

func (f pageForm) has(name string) bool { _, ok := f.values[name]; return ok }

func (f pageForm) get(name string) string {
	if v := f.values[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// file is the non-empty file chosen in input name, if any.
func (f pageForm) file(name string) *multipart.FileHeader {
	for _, fh := range f.files[name] {
		if fh.Filename != "" || fh.Size > 0 {
			return fh
		}
	}
	return nil
}

// pageResult collects, for the page shown again, what the vendor typed
// and what was refused.
type pageResult struct {
	forms  map[uint]map[string]string
	errors map[uint]map[string]string
}

func (r *pageResult) mark(rid uint, field, text string) {
	if r.errors[rid] == nil {
		r.errors[rid] = map[string]string{}
	}
	r.errors[rid][field] = text
}

// SaveAllAnswers is the answer page's one form ("Save all"): it saves
// every requirement's answer that changed, the scope if it changed, the
// evidence files chosen, removes the evidence asked for and, when asked,
// submits. Nothing the vendor typed is lost: a partly invalid page saves
// its valid answers and shows the page again (422) with every answer as
// typed, an error summary at the top and each refused field marked.
func (h *Handler) SaveAllAnswers(c *fiber.Ctx) error {
	ctx, u := c.UserContext(), currentUser(c)
	a, err := h.attestationFor(c)
	if err != nil {
		return err
	}
	form, err := readPageForm(c)
	if err != nil {
		return err
	}
	lock, err := optionalInt("lock_version", form.get("lock_version"))
	if err != nil {
		return err
	}
	res := pageResult{forms: map[uint]map[string]string{}, errors: map[uint]map[string]string{}}
	var drafts []models.AnswerDraft
	for _, an := range a.Answers {
		rid := an.RequirementID
		if !form.has(fmt.Sprintf("status-%d", rid)) {
			continue
		}
		typed := map[string]string{}
		for _, f := range answerFields {
			typed[f] = form.get(fmt.Sprintf("%s-%d", f, rid))
		}
		if typed["status"] != models.AnswerPartial && typed["status"] != models.AnswerDoesNotComply {
			// The date field is hidden then; a date left in it is dropped.
			typed["planned_date"] = ""
		}
		res.forms[rid] = typed
		d := models.AnswerDraft{RequirementID: rid, AnswerInput: models.AnswerInput{Status: typed["status"],
			Explanation: typed["explanation"], PlannedDate: typed["planned_date"], EvidenceURL: typed["evidence_url"]}}
		if d.LockVersion, err = optionalInt("lock_version", form.get(fmt.Sprintf("lock_version-%d", rid))); err != nil {
			res.mark(rid, "form", problemOf(err).text(localeOf(c).Lang))
			continue
		}
		drafts = append(drafts, d)
	}
	bumps := 0
	saved, err := models.SaveAnswers(ctx, h.DB, u, a.ID, drafts, h.now())
	if p := problemOf(err); err != nil && p.Status == fiber.StatusConflict {
		// The attestation can no longer change (the deadline passed, it
		// was submitted elsewhere): say why, and show what was typed so
		// it can be copied rather than lost.
		return h.showUnsaved(c, a, res, p)
	}
	if err != nil {
		return err
	}
	if len(saved.Saved) > 0 {
		bumps++
	}
	for rid, rerr := range saved.Refused {
		errs, ok := fieldErrors(c, rerr)
		if !ok {
			errs = map[string]string{"form": problemOf(rerr).fieldText(localeOf(c).Lang)}
		}
		for field, text := range errs {
			res.mark(rid, field, text)
		}
	}
	for _, rid := range saved.Saved {
		// A saved evidence URL is now in the evidence list, not the field.
		res.forms[rid]["evidence_url"] = ""
	}

	data := fiber.Map{}
	if form.has("web") || form.has("mail") {
		web, mail, mgmt := form.get("web"), form.get("mail"), form.get("management")
		// A form without the management field (one rendered before it
		// existed) keeps the endpoints in scope.
		management := attest.ManagementEndpoints(form.has("management"), mgmt)
		if !form.has("management") {
			mgmt = joinLines(a.ScopeNames(models.ScopeManagement))
		}
		if sameLines(web, joinLines(a.ScopeNames(models.ScopeWeb))) && sameLines(mail, joinLines(a.ScopeNames(models.ScopeMail))) &&
			sameLines(mgmt, joinLines(a.ScopeNames(models.ScopeManagement))) {
			data["ScopeWeb"], data["ScopeMail"], data["ScopeManagement"] = web, mail, mgmt
		} else {
			scopeLock, err := optionalInt("scope_lock", form.get("scope_lock"))
			if err == nil {
				_, err = models.SetScopeAll(ctx, h.DB, u, a.ID, attest.SplitDomains(web), attest.SplitDomains(mail), management, scopeLock, h.now())
			}
			switch errs, ok := fieldErrors(c, err); {
			case ok:
				data["ScopeErrors"], data["ScopeWeb"], data["ScopeMail"], data["ScopeManagement"] = errs, web, mail, mgmt
			case errors.Is(err, models.ErrStale):
				data["ScopeErrors"], data["ScopeWeb"], data["ScopeMail"], data["ScopeManagement"] = map[string]string{"scope": problemOf(err).text(localeOf(c).Lang)}, web, mail, mgmt
			case err != nil:
				return err
			default:
				bumps++
			}
		}
	}

	flash := "answers"
	for _, an := range a.Answers {
		rid := an.RequirementID
		fh := form.file(fmt.Sprintf("file-%d", rid))
		if fh == nil {
			continue
		}
		_, err := h.storeEvidenceFile(c, a, rid, fh, nil)
		if err != nil {
			if p := problemOf(err); p.Field != "" || p.Status == fiber.StatusRequestEntityTooLarge || p.Status == fiber.StatusUnsupportedMediaType {
				res.mark(rid, "file", p.fieldText(localeOf(c).Lang))
				continue
			}
			return err
		}
		bumps++
		flash = "uploaded"
	}
	if v := form.get("remove_evidence"); v != "" {
		eid, err := strconv.ParseUint(v, 10, 32)
		if err != nil || eid == 0 {
			return refuse(fiber.StatusNotFound, "page.not_found")
		}
		if err := models.RemoveEvidence(ctx, h.DB, u, a.ID, uint(eid), h.now()); err != nil {
			return err
		}
		bumps++
		flash = "removed"
		for _, an := range a.Answers {
			for _, ev := range an.Evidence {
				if ev.ID == uint(eid) {
					form.values["at"] = []string{fmt.Sprintf("answer-%d", an.RequirementID)}
				}
			}
		}
	}

	// The answer library's buttons: reuse an earlier answer (after the
	// typed ones were saved above, so a typed answer is never overwritten).
	reused, err := h.reuseFromPage(c, a, form, &res)
	if err != nil {
		return err
	}
	if reused != "" {
		bumps++
		flash = reused
	}

	submit := form.get("intent") == "submit"
	declarer := form.get("declarer")
	data["Declared"] = form.get("declaration") != ""
	if len(res.errors) > 0 || data["ScopeErrors"] != nil {
		return h.showRefusedPage(c, a.ID, res, data, declarer)
	}
	if submit {
		unconfirmed, err := h.selfCheckUnconfirmed(c, a.ID, form.get("selfcheck_confirm") != "")
		if err != nil {
			return err
		}
		if unconfirmed {
			data["SelfCheckUnconfirmed"] = true
			return h.showRefusedPage(c, a.ID, res, data, declarer)
		}
		in := models.SubmitInput{Declaration: form.get("declaration") != "", Declarer: declarer}
		if lock != nil {
			// The attestation's lock counts this request's own changes too.
			want := *lock + bumps
			in.LockVersion = &want
		}
		_, err = models.Submit(ctx, h.DB, u, a.ID, in, h.now())
		if p := problemOf(err); p.Missing != nil {
			data["Missing"], data["MissingItems"] = p.missingTexts(localeOf(c).Lang), p.Missing
			return h.showRefusedPage(c, a.ID, res, data, declarer)
		} else if err != nil && p.Status == fiber.StatusConflict && !errors.Is(err, models.ErrStale) {
			return h.showUnsaved(c, a, res, p)
		}
		if err != nil {
			return err
		}
		h.wakeWorkers() // the submission queued a probe run
		return c.Redirect(fmt.Sprintf("/attestations/%d?flash=submitted#receipt", a.ID), fiber.StatusSeeOther)
	}
	anchor := form.get("at")
	if !returnAnchor.MatchString(anchor) {
		anchor = "answers"
	}
	return c.Redirect(fmt.Sprintf("/attestations/%d?flash=%s#%s", a.ID, flash, anchor), fiber.StatusSeeOther)
}

// showRefusedPage shows the answer page again (422) after a refused part
// of a save: the saved parts as stored now, the refused ones as typed.
func (h *Handler) showRefusedPage(c *fiber.Ctx, id uint, res pageResult, data fiber.Map, declarer string) error {
	a, err := models.FindAttestationFor(c.UserContext(), h.DB, currentUser(c), id)
	if err != nil {
		return err
	}
	data["AnswerForms"], data["AnswerErrors"], data["Declarer"] = res.forms, res.errors, declarer
	data["Flash"] = ""
	return h.renderAttestation(c, fiber.StatusUnprocessableEntity, a, data)
}

// sameLines reports whether two lists of lines typed in a textarea say
// the same, ignoring blank lines, spaces around names and line endings.
func sameLines(a, b string) bool {
	return strings.Join(attest.SplitDomains(a), "\n") == strings.Join(attest.SplitDomains(b), "\n")
}

// errorSummary lists every refusal of the page in page order, each linking
// to its field: answers, then scope, then what a submission lacks.
func errorSummary(lang string, views []answerView, data fiber.Map) []summaryItem {
	var out []summaryItem
	for _, v := range views {
		fields := []string{"form", "status", "explanation", "planned_date", "evidence_url", "file"}
		for _, f := range slices.Sorted(maps.Keys(v.Errors)) {
			if !slices.Contains(fields, f) {
				fields = append(fields, f)
			}
		}
		for _, f := range fields {
			msg, ok := v.Errors[f]
			if !ok {
				continue
			}
			target, ok := fieldIDs[f]
			if !ok {
				// A field of the review, reply or amend forms: the answer.
				target = "answer-%d"
			}
			name := f
			if hasMessage("answer.field." + f) {
				name = messageIn(lang, "answer.field."+f, nil)
			}
			out = append(out, summaryItem{Target: fmt.Sprintf(target, v.RequirementID),
				Text: messageIn(lang, "answer.error_in", map[string]any{"position": v.Position, "standard": v.StandardName(lang), "field": name, "message": msg})})
		}
	}
	if errs, ok := data["ScopeErrors"].(map[string]string); ok {
		for _, msg := range errs {
			out = append(out, summaryItem{Target: "scope-web", Text: messageIn(lang, "answer.scope_error", map[string]any{"message": msg})})
		}
	}
	if items, ok := data["MissingItems"].([]models.Problem); ok {
		for _, m := range items {
			target := "submit"
			switch m.Code {
			case "unanswered", "explanation":
				if rid, ok := m.Params["requirement_id"].(uint); ok {
					target = fmt.Sprintf(fieldIDs[map[string]string{"unanswered": "status", "explanation": "explanation"}[m.Code]], rid)
				}
			case "declaration":
				target = "declaration"
			case "declarer", "declarer_too_long":
				target = "declarer"
			}
			out = append(out, summaryItem{Target: target, Text: messageIn(lang, "missing."+m.Code, m.Params)})
		}
	}
	return out
}

// unsavedAnswer is one answer typed on a page whose save the attestation's
// state refused, shown so the vendor can copy it.
type unsavedAnswer struct {
	Position    int
	Standard    string
	Status      string
	Explanation string
	PlannedDate string
}

// showUnsaved shows the attestation as it now is (409) with why nothing
// was saved and every typed answer that differs from the stored one.
func (h *Handler) showUnsaved(c *fiber.Ctx, a *models.Attestation, res pageResult, p problem) error {
	lang := localeOf(c).Lang
	var typed []unsavedAnswer
	for _, an := range a.Answers {
		f, ok := res.forms[an.RequirementID]
		if !ok || f["status"] == "" || f["status"] == an.Status && f["explanation"] == an.Explanation && f["planned_date"] == an.PlannedDate {
			continue
		}
		ua := unsavedAnswer{Status: codeWords(lang, "answer_status", f["status"]), Explanation: f["explanation"], PlannedDate: f["planned_date"]}
		if r := an.Requirement; r != nil {
			ua.Position = r.Position
			if r.Standard != nil {
				ua.Standard = r.Standard.In(lang).Name
			}
		}
		typed = append(typed, ua)
	}
	fresh, err := models.FindAttestationFor(c.UserContext(), h.DB, currentUser(c), a.ID)
	if err != nil {
		return err
	}
	data := fiber.Map{"Unsaved": typed, "UnsavedReason": p.text(lang), "Flash": ""}
	return h.renderAttestation(c, fiber.StatusConflict, fresh, data)
}
