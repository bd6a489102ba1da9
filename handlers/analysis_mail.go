package handlers

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"tenderprobe/app/docanalysis"
	"tenderprobe/app/mail"
	"tenderprobe/app/monitor"
	"tenderprobe/models"
)

// analysisSubject is the analysis a mail tells about: an uploaded
// document's or a platform tender's, with the kinds of ICT the page chose.
type analysisSubject struct {
	target   models.AnalysisTarget
	name     string
	platform bool
	res      *docanalysis.Result
	stds     []models.Standard
	// page is the analysis page's path with the kinds chosen on it.
	page string
	// contacts are the suggested recipients.
	contacts []string
	// mayOpen reports whether u could open the analysis page.
	mayOpen func(ctx context.Context, u *models.User) bool
}

// analysisPreview is a mail exactly as it would go: the API's preview
// and the page's.
type analysisPreview struct {
	To       string `json:"to"`
	Language string `json:"language"`
	Subject  string `json:"subject"`
	Text     string `json:"text"`
	Hash     string `json:"hash"`
	// Linked says the text links to the analysis page (the recipient
	// has an account that may open it).
	Linked bool `json:"linked"`
}

// kindsQuery is the query string ("?kinds=chosen&profile=...", or "")
// that carries the kinds of ICT chosen on an analysis page to the mail
// pages and back, so they show the same analysis.
func kindsQuery(c *fiber.Ctx, opt docanalysis.Options) string {
	if !kindsChoice(c, opt).Chosen {
		return ""
	}
	v := url.Values{"kinds": {"chosen"}}
	for _, p := range opt.Profiles {
		v.Add("profile", p)
	}
	return "?" + v.Encode()
}

// withQuery adds the parameter name=value to path, which may have a query.
func withQuery(path, name, value string) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + name + "=" + url.QueryEscape(value)
}

// mailedFlash is the confirmation after a mail of the analysis was sent,
// else the page's usual one.
func mailedFlash(c *fiber.Ctx) string {
	if c.Query("flash") == "analysismail_sent" {
		return tr(c, "analysismail.flash_sent", nil)
	}
	return flashFrom(c)
}

// documentSubject loads the document analysis named by :id for a user who
// may mail it: 404 for another organisation's, 403 for a role that may
// not. The kinds of ICT chosen on the page apply unless api (the API
// mails the analysis as it is stored).
func (h *Handler) documentSubject(c *fiber.Ctx, api bool) (*analysisSubject, *models.TenderDocument, error) {
	id, err := paramID(c, "id")
	if err != nil {
		return nil, nil, err
	}
	u := currentUser(c)
	d, err := models.FindTenderDocument(c.UserContext(), h.DB, u, id)
	if err != nil {
		return nil, nil, err
	}
	if !u.MayMailAnalyses() {
		return nil, nil, models.ErrForbidden
	}
	res, err := documentResult(d)
	if err != nil {
		return nil, nil, err
	}
	e, stds, err := h.documentEngine(c)
	if err != nil {
		return nil, nil, err
	}
	page := "/tender-documents/" + itoaID(d.ID)
	if !api {
		opt, err := h.documentOptions(c)
		if err != nil {
			return nil, nil, err
		}
		if kindsChoice(c, opt).Chosen {
			e.SetKinds(res, opt.Profiles)
		}
		page += kindsQuery(c, opt)
	}
	contacts := d.Contacts
	if len(contacts) == 0 {
		// An analysis stored before its contacts were kept: the addresses
		// its quotes name, if any.
		var quotes []string
		for _, s := range res.Standards {
			for _, q := range s.Quotes {
				quotes = append(quotes, q.Text)
			}
		}
		contacts = mail.AddressesIn(quotes...)
	}
	db := h.DB
	return &analysisSubject{
		target: models.DocumentTarget(d), name: d.Name, res: res, stds: stds, page: page, contacts: contacts,
		mayOpen: func(ctx context.Context, r *models.User) bool {
			_, err := models.FindTenderDocument(ctx, db, r, d.ID)
			return err == nil
		},
	}, d, nil
}

// tenderSubject loads the platform tender named by :id for a user who may
// mail its analysis (404 for another buyer's tender, 403 for a role that
// may not), analysed in the tender's language with the kinds of ICT
// chosen on the page (unless api). The suggested recipient is the officer who created
// it: a tender has no contact field of its own.
func (h *Handler) tenderSubject(c *fiber.Ctx, api bool) (*analysisSubject, *models.Tender, error) {
	t, err := h.tenderFor(c)
	if err != nil {
		return nil, nil, err
	}
	if !currentUser(c).MayMailAnalyses() {
		return nil, nil, models.ErrForbidden
	}
	var opt docanalysis.Options
	if !api {
		if opt, err = h.documentOptions(c); err != nil {
			return nil, nil, err
		}
	}
	e, stds, err := h.documentEngine(c)
	if err != nil {
		return nil, nil, err
	}
	// The API mails the analysis with the tender's own kinds of ICT.
	choice := monitor.KindsChoice{}
	if !api {
		choice = kindsChoice(c, opt)
	}
	res, err := monitor.TenderAnalysis(c.UserContext(), h.DB, e, t, choice, documentLanguage(t.Language))
	if err != nil {
		return nil, nil, err
	}
	var contacts []string
	if t.CreatedBy != nil && !t.CreatedBy.Disabled {
		contacts = []string{t.CreatedBy.Email}
	}
	db, id := h.DB, t.ID
	return &analysisSubject{
		target: models.TenderTarget(t), name: t.Title, platform: true, res: res, stds: stds,
		page: "/tenders/" + itoaID(t.ID) + "/analysis" + kindsQuery(c, opt), contacts: contacts,
		mayOpen: func(ctx context.Context, r *models.User) bool {
			ok, err := models.CanSeeTender(ctx, db, r, id)
			return err == nil && ok && r.MayAnalyseDocuments()
		},
	}, t, nil
}

// composeAnalysisMail writes the mail of s to the recipient to, in the
// document's language (English when Tenderprobe does not speak it): the
// relevant standards requested and missing, with the clauses to add
// (arrangeReport, as the page shows them), and the link to the analysis
// only when the recipient has an account that may open it.
func (h *Handler) composeAnalysisMail(c *fiber.Ctx, s *analysisSubject, field, to string) (*analysisPreview, error) {
	if err := models.ValidateRecipient(field, to); err != nil {
		return nil, err
	}
	to = utils.CopyString(models.NormalizeEmail(to))
	lang := documentLanguage(s.res.Document.Language)
	rep := arrangeReport(s.res, s.stds, lang)
	a := mail.Analysis{Document: s.name, Platform: s.platform}
	for _, p := range h.Profiles {
		if slices.Contains(s.res.Document.Kinds, p.Slug) {
			a.Kinds = append(a.Kinds, profileNameIn(lang, p))
		}
	}
	for _, r := range rep.Requested {
		if r.Relevant {
			a.Requested = append(a.Requested, mail.AnalysisStandard{Name: r.Name, Status: r.Status})
		}
	}
	for _, r := range rep.Missing {
		a.Missing = append(a.Missing, mail.AnalysisStandard{Name: r.Name, Status: r.Status, Clause: r.Clause})
	}
	u := currentUser(c)
	a.Sender = u.Email
	if u.Name != "" {
		a.Sender = u.Name + " <" + u.Email + ">"
	}
	if u.Org != nil {
		a.SenderOrg = u.Org.Name
	}
	r, err := models.FindUserByEmail(c.UserContext(), h.DB, to)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		return nil, err
	}
	if err == nil && !r.Disabled && s.mayOpen(c.UserContext(), r) {
		base := h.Attest.BaseURL
		if base == "" {
			base = c.BaseURL()
		}
		a.Link = base + s.page
	}
	subject, body := mail.AnalysisMail(lang, a)
	return &analysisPreview{To: to, Language: lang, Subject: subject, Text: body,
		Hash: mail.ContentHash(to, lang, subject, body), Linked: a.Link != ""}, nil
}

// errMailChanged refuses a send whose preview no longer matches the mail
// (the analysis, the kinds or the clauses changed since): the sender sees
// the new preview.
var errMailChanged = refuse(fiber.StatusConflict, "analysismail.changed")

// sendAnalysisMail sends the mail of s to to if it is still the one
// previewed under hash, and records it (mail.SendAnalysis).
func (h *Handler) sendAnalysisMail(c *fiber.Ctx, s *analysisSubject, field, to, hash string) (*models.AnalysisMail, *analysisPreview, error) {
	p, err := h.composeAnalysisMail(c, s, field, to)
	if err != nil {
		return nil, nil, err
	}
	if hash != p.Hash {
		return nil, p, errMailChanged
	}
	u := currentUser(c)
	m := &models.AnalysisMail{Recipient: p.To, Language: p.Language, Subject: p.Subject, ContentHash: p.Hash}
	if err := h.Attest.Mailer.SendAnalysis(c.UserContext(), h.DB, u, s.target, m, p.Text, h.now()); err != nil {
		if errors.Is(err, mail.ErrSendFailed) {
			h.Log.Error("analysis mail failed", "analysis", s.page, "err", err)
		}
		return nil, p, err
	}
	h.Log.Info("analysis mailed", "by", u.ID, "analysis", s.page, "mail", m.ID)
	return m, p, nil
}
