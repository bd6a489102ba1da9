package monitor

import (
	"context"
	"strings"

	"gorm.io/gorm"

	"tenderprobe/app/docanalysis"
	"tenderprobe/app/i18n"
	"tenderprobe/models"
)

// KindsChoice is what the reader chose on an analysis page: Chosen says
// the kinds of ICT were chosen there (Kinds, possibly none), else the
// tender's own choice or a suggestion decides.
type KindsChoice struct {
	Kinds  []string
	Chosen bool
}

// TenderAnalysis is the document analysis of a tender built in
// Tenderprobe, counted as the monitor counts it: a mandatory requirement
// is requested, a recommended one only mentioned (a wish), each quoted
// with its clause in the tender's language and its level in lang. The
// kinds of ICT are choice's when chosen, else the officer's choice for
// the tender (models.TenderKinds), else suggested from its title,
// description and scope tags; the relevant standards it does not request
// are missing. Nothing is stored.
func TenderAnalysis(ctx context.Context, db *gorm.DB, e *docanalysis.Engine, t *models.Tender, choice KindsChoice, lang string) (*docanalysis.Result, error) {
	requested := map[string][]docanalysis.Quote{}
	for i := range t.Requirements {
		r := &t.Requirements[i]
		if r.Standard == nil {
			continue
		}
		requested[r.Standard.Slug] = []docanalysis.Quote{{
			Text: r.ClauseIn(t.Language), Demand: r.Level == models.LevelMandatory,
			Section: i18n.Messages().T(lang, "docanalysis.platform_section", "level", r.Level),
		}}
	}
	info := docanalysis.DocumentInfo{Name: t.Title, Language: t.Language, Kinds: choice.Kinds}
	if len(choice.Kinds) == 0 && !choice.Chosen {
		kinds, chosen, err := models.TenderKinds(ctx, db, t.ID)
		if err != nil {
			return nil, err
		}
		info.Kinds = kinds
		if !chosen {
			text := &docanalysis.Document{Segments: []docanalysis.Segment{
				{Text: t.Title}, {Text: t.Description}, {Text: strings.Join(t.ScopeTags, ", ")},
			}}
			info.Kinds, info.KindsSuggested = e.SuggestProfilesAtLeast(text, 1), true
		}
	}
	return e.WithRequested(info, requested), nil
}
