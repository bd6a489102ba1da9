package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// standardListJSON is a standard as GET /api/v1/standards lists it: the
// fields every standard JSON has, plus its texts in every language it
// reads in, by language tag ("en" is the catalogue's own).
type standardListJSON struct {
	standardJSON
	Translations map[string]standardTextJSON `json:"translations"`
}

// standardTextJSON is a standard's texts in one language.
type standardTextJSON struct {
	Name      string `json:"name"`
	Summary   string `json:"summary"`
	WhyDemand string `json:"why_demand"`
	Clause    string `json:"clause"`
}

// APIListStandards lists the current catalogue, optionally filtered with
// ?domain= and ?q= (which also matches the name and summary in ?lang=).
func (h *Handler) APIListStandards(c *fiber.Ctx) error {
	standards, err := models.ListStandards(c.UserContext(), h.DB, models.StandardFilter{Query: c.Query("q"), Domain: c.Query("domain"), Lang: c.Query("lang")})
	if err != nil {
		return err
	}
	out := make([]standardListJSON, len(standards))
	for i := range standards {
		s := &standards[i]
		texts := map[string]standardTextJSON{}
		for _, lang := range s.Languages() {
			t := s.In(lang)
			texts[lang] = standardTextJSON{Name: t.Name, Summary: t.Summary, WhyDemand: t.WhyDemand, Clause: t.Clause}
		}
		out[i] = standardListJSON{standardJSON: standardOf(s), Translations: texts}
	}
	return c.JSON(fiber.Map{"standards": out})
}
