package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/monitor"
	"tenderprobe/app/report"
	"tenderprobe/models"
)

// monitorSegment is one part of the classes bar, in SVG units of 0-100.
type monitorSegment struct {
	Class string
	N     int
	X, W  float64
}

// monitorTenderRow is a tender's row with its words.
type monitorTenderRow struct {
	monitor.Tender
	Link      string
	Kinds     string
	Missing   string
	Explained string
}

// monitorStandardRow is a standard's row with its words and its bar, in
// SVG units of 0-100 (Previous is last year's share, drawn as a tick).
type monitorStandardRow struct {
	monitor.Standard
	Name        string
	Share       string
	Previous    string
	Change      string
	Bar         float64
	PreviousBar float64
	HasPrevious bool
}

// ShowMonitor is the monitor page: the year's headline, charts and the
// tables per standard, per tender and of explanations, for an officer's
// own organisation or, for auditors and admins, every buyer or one.
func (h *Handler) ShowMonitor(c *fiber.Ctx) error {
	r, err := h.loadMonitor(c)
	if err != nil {
		return err
	}
	ctx, user := c.UserContext(), currentUser(c)
	lang := localeOf(c).Lang
	data := fiber.Map{"M": r.Monitor, "Buyer": r.Buyer, "PreviousYear": r.Year - 1}
	years, err := models.MonitorYears(ctx, h.DB, r.OrgID)
	if err != nil {
		return err
	}
	if len(years) == 0 || years[0] < h.now().UTC().Year() {
		years = append([]int{h.now().UTC().Year()}, years...)
	}
	data["Years"] = years
	if user.Role == models.RoleAdmin || user.Role == models.RoleAuditor {
		orgs, err := models.ListBuyerOrgs(ctx, h.DB)
		if err != nil {
			return err
		}
		data["Orgs"] = orgs
	}

	h1 := r.Headline
	data["Share"] = report.MonitorShare(lang, h1.Requested, h1.Relevant)
	data["Change"] = report.MonitorChange(lang, r.ShareChange)
	data["VerifiedShare"] = report.MonitorShare(lang, h1.Verified, h1.OnSheet)
	if r.Previous != nil {
		data["PreviousShare"] = report.MonitorShare(lang, r.Previous.Requested, r.Previous.Relevant)
	}
	var segs []monitorSegment
	x := 0.0
	for _, cl := range monitor.Classes {
		n := h1.Classes[cl]
		w := 0.0
		if h1.Assessed > 0 {
			w = 100 * float64(n) / float64(h1.Assessed)
		}
		segs = append(segs, monitorSegment{Class: cl, N: n, X: x, W: w})
		x += w
	}
	data["Segments"] = segs

	var stds []monitorStandardRow
	for _, s := range r.Standards {
		row := monitorStandardRow{Standard: s, Name: r.Names[s.Slug], Share: report.MonitorShare(lang, s.Requested, s.Relevant),
			Change: report.MonitorChange(lang, s.Change), Bar: 100 * s.Share()}
		if row.Name == "" {
			row.Name = s.Slug
		}
		if s.PreviousRelevant > 0 {
			row.HasPrevious = true
			row.Previous = report.MonitorShare(lang, s.PreviousRequested, s.PreviousRelevant)
			row.PreviousBar = 100 * float64(s.PreviousRequested) / float64(s.PreviousRelevant)
		}
		stds = append(stds, row)
	}
	data["Standards"] = stds

	var rows []monitorTenderRow
	for _, t := range r.Tenders {
		row := monitorTenderRow{Tender: t}
		if t.Source == monitor.SourcePlatform {
			row.Link = fmt.Sprintf("/tenders/%d/monitor", t.ID)
		} else {
			row.Link = fmt.Sprintf("/tender-documents/%d", t.ID)
		}
		row.Kinds = joinWords(r.Kinds, t.Kinds)
		row.Missing = joinWords(r.Names, t.Missing)
		row.Explained = joinWords(r.Names, t.Explained)
		rows = append(rows, row)
	}
	data["Tenders"] = rows
	data["Names"] = r.Names
	return h.render(c, fiber.StatusOK, "monitor/show", "title.monitor", data)
}

// joinWords joins the words of codes (the code itself when it has none).
func joinWords(words map[string]string, codes []string) string {
	out := ""
	for i, c := range codes {
		if i > 0 {
			out += ", "
		}
		if w, ok := words[c]; ok && w != "" {
			out += w
		} else {
			out += c
		}
	}
	return out
}
