package models

// StandardText is what a reader reads of a standard in one language: its
// name, summary, why to demand it and the clause to sign.
type StandardText struct {
	Lang      string `json:"language"`
	Name      string `json:"name"`
	Summary   string `json:"summary"`
	WhyDemand string `json:"why_demand"`
	Clause    string `json:"clause"`
}

// In is the standard's text in lang, falling back to the catalogue's
// source language (English) for a language the catalogue lacks.
//
// TODO(issue 11 §3): the catalogue format carries translations; until it
// does, every language reads the English source.
func (s *Standard) In(lang string) StandardText {
	return StandardText{Lang: "en", Name: s.Name, Summary: s.Summary, WhyDemand: s.WhyDemand, Clause: s.Clause}
}
