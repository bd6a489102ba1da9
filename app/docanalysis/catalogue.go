package docanalysis

import (
	"tenderprobe/models"
)

// ProfilesFrom turns requirement profiles into the relevance table: a
// profile's mandatory standards are relevant to its kind of ICT.
func ProfilesFrom(ps []models.Profile) []Profile {
	out := make([]Profile, 0, len(ps))
	for _, p := range ps {
		var rel []string
		for _, it := range p.Items {
			if it.Level == models.LevelMandatory {
				rel = append(rel, it.Standard)
			}
		}
		out = append(out, Profile{Slug: p.Slug, Relevant: rel, Keywords: p.Keywords})
	}
	return out
}

// FromCatalogue builds an engine for a catalogue's standards (in
// catalogue order) and the profiles; fallback gives aliases by slug for
// standards stored without any.
func FromCatalogue(standards []models.Standard, profiles []models.Profile, fallback map[string][]string) *Engine {
	return New(SpecsFrom(standards, fallback), ProfilesFrom(profiles))
}
