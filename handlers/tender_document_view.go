package handlers

import (
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/docanalysis"
	"tenderprobe/models"
)

// documentRow is one standard on the report page.
type documentRow struct {
	Slug     string
	Name     string
	Status   string
	Relevant bool
	Quotes   []docanalysis.Quote
	// QuoteLang is the language the quotes are in, the document's: the
	// page marks them so, as it is in the reader's language.
	QuoteLang string
	// Clause is the clause to add, in the document's language.
	Clause string
}

// profileChoice is one kind of ICT in the report's form.
type profileChoice struct {
	Slug, Name string
	Checked    bool
}

// documentReport is what the report page shows of an analysis.
type documentReport struct {
	Result     *docanalysis.Result
	ClauseLang string
	Missing    []documentRow
	Requested  []documentRow
	Mentioned  []documentRow
	Absent     []documentRow
	// AllClauses are the missing standards' clauses, ready to paste.
	AllClauses string
	Profiles   []profileChoice
	KindNames  []string
	// RequestedRelevant counts the relevant standards requested.
	RequestedRelevant int
}

// profileName is a profile's name in the reader's language.
func profileName(c *fiber.Ctx, p models.Profile) string { return profileNameIn(localeOf(c).Lang, p) }

// profileNameIn is a profile's name in lang.
func profileNameIn(lang string, p models.Profile) string {
	if k := "profile.name." + p.Slug; hasMessage(k) {
		return messageIn(lang, k, nil)
	}
	return p.Name
}

// documentReportOf arranges res for the page (arrangeReport, the
// standards named in the reader's language) with the kinds of ICT to
// choose from.
func (h *Handler) documentReportOf(c *fiber.Ctx, res *docanalysis.Result, stds []models.Standard) documentReport {
	lang := localeOf(c).Lang
	rep := arrangeReport(res, stds, lang)
	for _, p := range h.Profiles {
		checked := slices.Contains(res.Document.Kinds, p.Slug)
		rep.Profiles = append(rep.Profiles, profileChoice{Slug: p.Slug, Name: profileNameIn(lang, p), Checked: checked})
		if checked {
			rep.KindNames = append(rep.KindNames, profileNameIn(lang, p))
		}
	}
	return rep
}

// arrangeReport arranges res with the standards named in lang: the
// relevant standards that are missing with the clauses to add, in the
// document's language, first, then those requested, those only mentioned
// and those absent. The page and the mail of an analysis both use it.
func arrangeReport(res *docanalysis.Result, stds []models.Standard, lang string) documentReport {
	rep := documentReport{Result: res, ClauseLang: documentLanguage(res.Document.Language)}
	bySlug := make(map[string]*models.Standard, len(stds))
	for i := range stds {
		bySlug[stds[i].Slug] = &stds[i]
	}
	var clauses []string
	for _, s := range res.Standards {
		row := documentRow{Slug: s.Slug, Name: s.Slug, Status: s.Status, Quotes: s.Quotes, QuoteLang: res.Document.Language, Relevant: slices.Contains(res.Relevant, s.Slug)}
		if std := bySlug[s.Slug]; std != nil {
			row.Name = std.In(lang).Name
			row.Clause = std.In(rep.ClauseLang).Clause
		}
		switch {
		case slices.Contains(res.Missing, s.Slug):
			rep.Missing = append(rep.Missing, row)
			clauses = append(clauses, std(bySlug, s.Slug, rep.ClauseLang)+"\n"+row.Clause)
		case s.Status == docanalysis.StatusRequested:
			rep.Requested = append(rep.Requested, row)
		case s.Status == docanalysis.StatusMentioned:
			rep.Mentioned = append(rep.Mentioned, row)
		default:
			rep.Absent = append(rep.Absent, row)
		}
	}
	rep.AllClauses = strings.Join(clauses, "\n\n")
	rep.RequestedRelevant = len(res.Relevant) - len(res.Missing)
	return rep
}

// std is the name of the standard slug in lang, as a heading above its
// clause.
func std(bySlug map[string]*models.Standard, slug, lang string) string {
	if s := bySlug[slug]; s != nil {
		return s.In(lang).Name
	}
	return slug
}
