package handlers

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"tenderprobe/app/docanalysis"
	"tenderprobe/app/i18n"
	"tenderprobe/app/mail"
	"tenderprobe/models"
	"tenderprobe/seed"
)

// DocumentBodyLimit is the largest request that uploads a tender document:
// the document's limit and room for the form around it.
const DocumentBodyLimit = docanalysis.MaxFileSize + 256<<10

// documentProblem is the status and message of a document the analysis
// refuses: 413 for a file over the limit, 422 otherwise, about the field
// "file".
func documentProblem(de *docanalysis.Error) problem {
	status := fiber.StatusUnprocessableEntity
	params := map[string]any{"max": de.Max}
	switch de.Reason {
	case docanalysis.ReasonTooLarge:
		status = fiber.StatusRequestEntityTooLarge
		params["max"] = docanalysis.MaxFileSize >> 20
	case docanalysis.ReasonUnpacked:
		params["max"] = docanalysis.MaxUnpacked >> 20
	case docanalysis.ReasonTooManyPage:
		params["max"] = docanalysis.MaxPages
	case docanalysis.ReasonTimeout:
		params["max"] = int(docanalysis.MaxTime.Seconds())
	case docanalysis.ReasonTooComplex:
		params["max"] = docanalysis.ChildMemory >> 20
	case docanalysis.ReasonTooMuchText:
		params["max"] = docanalysis.MaxTextRunes / 1_000_000
	}
	return problem{Status: status, Key: "docanalysis.error." + de.Reason, Params: params, Field: "file"}
}

// documentEngines keeps one analysis engine per state of a catalogue
// version (its names compiled into expressions), like the models keep
// the version's standards.
var documentEngines sync.Map

// shippedAliases are the aliases of the shipped catalogue by slug, for a
// catalogue stored before standards had aliases.
var shippedAliases = sync.OnceValue(func() map[string][]string {
	out := map[string][]string{}
	f, err := seed.Catalogue()
	if err != nil {
		return out
	}
	for _, e := range f.Standards {
		out[e.Slug] = e.Aliases
	}
	return out
})

// documentEngine returns the engine of the current catalogue with its
// standards in catalogue order.
func (h *Handler) documentEngine(c *fiber.Ctx) (*docanalysis.Engine, []models.Standard, error) {
	ctx := c.UserContext()
	cv, err := models.CurrentCatalogue(ctx, h.DB)
	if err != nil {
		return nil, nil, err
	}
	stds, err := models.ListStandards(ctx, h.DB, models.StandardFilter{Catalogue: cv})
	if err != nil {
		return nil, nil, err
	}
	key := fmt.Sprintf("%p/%s", h.DB.Config, cv.Stamp())
	if v, ok := documentEngines.Load(key); ok {
		return v.(*docanalysis.Engine), stds, nil
	}
	e := docanalysis.FromCatalogue(stds, h.Profiles, shippedAliases())
	documentEngines.Store(key, e)
	return e, stds, nil
}

// documentOptions reads the officer's choices: profile (one or more
// profile slugs, repeated or separated by commas) and language (en, nl or
// es); empty means the analysis decides.
func (h *Handler) documentOptions(c *fiber.Ctx) (docanalysis.Options, error) {
	var opt docanalysis.Options
	var raw []string
	if form, err := c.MultipartForm(); err == nil && form != nil {
		raw = form.Value["profile"]
	} else {
		for _, v := range c.Context().PostArgs().PeekMulti("profile") {
			raw = append(raw, string(v))
		}
		for _, v := range c.Context().QueryArgs().PeekMulti("profile") {
			raw = append(raw, string(v))
		}
	}
	allowed := make([]string, len(h.Profiles))
	for i, p := range h.Profiles {
		allowed[i] = p.Slug
	}
	for _, v := range raw {
		for _, slug := range strings.Split(v, ",") {
			slug = strings.TrimSpace(slug)
			if slug == "" || slices.Contains(opt.Profiles, slug) {
				continue
			}
			if !slices.Contains(allowed, slug) {
				return opt, invalidInput("profile", "not_one_of", "value", slug, "allowed", allowed)
			}
			opt.Profiles = append(opt.Profiles, utils.CopyString(slug))
		}
	}
	if lang := strings.TrimSpace(c.FormValue("language")); lang != "" {
		if !slices.Contains(docanalysis.Languages, lang) {
			return opt, invalidInput("language", "not_one_of", "value", lang, "allowed", docanalysis.Languages)
		}
		opt.Language = utils.CopyString(lang)
	}
	return opt, nil
}

// analyseUpload reads the uploaded document ("file"), analyses it and
// stores the analysis for the caller's organisation. The extraction runs
// before, and outside, the one write.
func (h *Handler) analyseUpload(c *fiber.Ctx) (*models.TenderDocument, *docanalysis.Result, error) {
	u := currentUser(c)
	if !u.MayAnalyseDocuments() {
		return nil, nil, models.ErrForbidden
	}
	opt, err := h.documentOptions(c)
	if err != nil {
		return nil, nil, err
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return nil, nil, invalidInput("file", "no_file")
	}
	if fh.Size > docanalysis.MaxFileSize {
		return nil, nil, &docanalysis.Error{Reason: docanalysis.ReasonTooLarge, Max: docanalysis.MaxFileSize}
	}
	f, err := fh.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("handlers: open upload: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, docanalysis.MaxFileSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("handlers: read upload: %w", err)
	}
	name := documentName(fh.Filename)
	// In a child process: a file built to crash or hang the reader ends
	// the child, not the server.
	doc, err := docanalysis.ExtractIsolated(c.UserContext(), name, data)
	if err != nil {
		return nil, nil, err
	}
	e, _, err := h.documentEngine(c)
	if err != nil {
		return nil, nil, err
	}
	res := e.Analyse(doc, opt)
	body, err := json.Marshal(res)
	if err != nil {
		return nil, nil, fmt.Errorf("handlers: encode analysis: %w", err)
	}
	requested := 0
	for _, s := range res.Standards {
		if s.Status == docanalysis.StatusRequested && slices.Contains(res.Relevant, s.Slug) {
			requested++
		}
	}
	// The text is not kept, so the addresses it names (the tender's
	// contacts, suggested for the mail of the analysis) are kept now.
	texts := make([]string, len(doc.Segments))
	for i, s := range doc.Segments {
		texts[i] = s.Text
	}
	d := &models.TenderDocument{
		Name: name, Format: doc.Format, Pages: doc.Pages, Language: res.Document.Language, Kinds: res.Document.Kinds,
		Relevant: len(res.Relevant), Requested: requested, Missing: len(res.Missing), Result: string(body),
		Contacts: mail.AddressesIn(texts...),
	}
	if err := models.CreateTenderDocument(c.UserContext(), h.DB, u, d, h.now()); err != nil {
		return nil, nil, err
	}
	h.Log.Info("tender document analysed", "by", u.ID, "id", d.ID, "format", d.Format, "pages", d.Pages)
	return d, res, nil
}

// documentName is the upload's base name, copied out of Fiber's buffer
// and cut to what the database keeps.
func documentName(name string) string {
	name = strings.TrimSpace(filepath.Base(strings.ReplaceAll(name, "\\", "/")))
	if name == "" || name == "." || name == "/" {
		name = "document"
	}
	for utf8.RuneCountInString(name) > 200 {
		r := []rune(name)
		name = string(r[:200])
	}
	return utils.CopyString(name)
}

// documentResult reads the stored answer of d.
func documentResult(d *models.TenderDocument) (*docanalysis.Result, error) {
	var res docanalysis.Result
	if err := json.Unmarshal([]byte(d.Result), &res); err != nil {
		return nil, fmt.Errorf("handlers: tender document %d: stored analysis: %w", d.ID, err)
	}
	return &res, nil
}

// documentLanguage is the language a document's clauses are offered in:
// its own when Tenderprobe speaks it, else English.
func documentLanguage(lang string) string {
	if slices.Contains(i18n.Available(), lang) {
		return lang
	}
	return i18n.Default
}
