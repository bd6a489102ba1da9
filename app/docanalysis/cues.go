package docanalysis

import (
	"regexp"
	"strings"
)

// The words that make a sentence an explicit demand, and those that make
// it something less (a negation, a wish, an option, an award criterion,
// something out of scope), in English, Dutch and Spanish. All three
// languages' words apply to every document: tenders mix languages, and
// no word of one list means something else in another. A wish ("should",
// "wens", "se valorará") is not an explicit demand: the Standardisation
// Forum's monitor counts only those.
var (
	demandWords = []string{
		// English
		`must`, `shall`, `is required`, `are required`, `be required`, `required to`, `requires?`, `required`,
		`mandatory`, `compulsory`, `obligatory`, `obliged to`, `has to`, `have to`, `needs? to`,
		`requirements?`, `minimum requirements?`, `demands?`, `demanded`, `knock-out`, `we require`,
		`must-have`, `is a condition`, `as a condition`, `is obliged to`, `are obliged to`, `undertakes? to`,
		`shall ensure`, `is responsible for ensuring`, `are responsible for ensuring`, `guarantees? that`, `will ensure`,
		// Dutch
		`moet`, `moeten`, `dient`, `dienen`, `is vereist`, `zijn vereist`, `vereist`, `vereisen`, `vereiste`,
		`verplicht`, `verplichte`, `verplichting`, `verplichtingen`, `eis`, `eisen`, `geëist`, `geeist`, `eist`,
		`noodzakelijk`, `verlangt`, `verlangd`, `verlangen`, `minimumeis(?:en)?`, `harde eis(?:en)?`,
		`ko-criteri(?:um|a)`, `knock-out-criteri(?:um|a)`, `voorwaarde`, `is een vereiste`, `stelt als eis`,
		`dra(?:agt|gen) (?:er )?zorg`, `zorg(?:t|en) ervoor dat`, `is verplicht om`, `zijn verplicht om`, `verplicht(?:en)? zich`,
		`sta(?:at|an) ervoor in`, `knock-out-?eis(?:en)?`, `ko-eis(?:en)?`, `garandeert`, `garanderen`,
		// Spanish
		`debe`, `deben`, `deberá`, `deberán`, `se exige`, `exige`, `exigen`, `exigirá`, `exigirán`, `exigido`,
		`exigida`, `exigidos`, `exigidas`, `exigible`, `exigibles`, `es obligatori[oa]`, `obligatori[oa]s?`,
		`obligatoriamente`, `requisitos?`, `se requiere`, `requiere`, `requieren`, `requerirá`, `requerido`,
		`requerida`, `requeridos`, `requeridas`, `ha de`, `han de`, `habrá de`, `tendrá que`, `tendrán que`,
		`tiene que`, `tienen que`, `imprescindible`, `preceptiv[oa]`, `necesariamente`, `es necesario`,
		`será necesario`, `condición`, `(?:estará|estarán|está|están|queda|quedan|quedará|quedarán) obligad[oa]s? a`,
		`garantizará(?:n)?`, `se compromete(?:n)? a`, `se obliga(?:n)? a`, `excluyentes?`, `eliminatori[oa]s?`, `cumplir(?:á|án)? (?:con )?(?:el|la|los|las)? ?(?:estándar|norma)`,
	}
	notDemandWords = []string{
		// English: negations of a demand
		`not (?:\S+ ){0,3}(?:required|mandatory|necessary|needed|requested|demanded|obligatory|compulsory|expected|asked|requirements?|conditions?)`,
		`no (?:\S+ ){0,2}(?:requirements?|obligations?|need)`, `need not`, `needn't`, `does not need`, `do not need`, `not needed`, `not necessary`, `no need`,
		`does not require`, `do not require`, `will not require`, `must not`, `shall not`, `may not`,
		`is not part of`, `are not part of`, `not part of the`, `out of scope`, `outside (?:the )?scope`,
		`not in scope`, `excluded`, `not applicable`, `n/a`,
		// English: wishes, options, award criteria
		`optional`, `optionally`, `prefer`, `prefers`, `would like`, `nice[ -]to[ -]have`, `desirable`, `desired`, `preferably`, `preferred`,
		`preference`, `recommended`, `recommendation`, `advisable`, `should`, `may`, `could`, `might`,
		`wish(?:es)?`, `bonus`, `plus point`, `extra points`, `award criteri(?:on|a)`, `will be (?:scored|assessed|valued|evaluated)`,
		`welcomed?`, `encouraged`, `appreciated`, `(?:for|as) information(?: only)?`, `for reference(?: only)?`, `informative`,
		// Dutch
		`niet (?:\S+ ){0,3}(?:vereist|verplicht|nodig|noodzakelijk|gevraagd|geëist|geeist|verlangd|gesteld)`,
		`geen (?:\S+ ){0,2}(?:eis|eisen|vereiste|verplichting|voorwaarde|knock-out)`, `hoe(?:ft|ven) (?:\S+ ){0,6}niets?`, `is niet nodig`, `zijn niet nodig`,
		`optione(?:el|le)`, `facultatie(?:f|ve)`, `wens`, `wensen`, `gewenst`, `gewenste`, `bij voorkeur`, `voorkeur`,
		`pluspunt(?:en)?`, `strekt tot aanbeveling`, `aanbevolen`, `aanbeveling`, `mag`, `mogen`, `kan`, `kunnen`,
		`zou`, `zouden`, `gunningscriteri(?:um|a)`, `buiten (?:de )?scope`, `buiten beschouwing`, `valt buiten`,
		`vallen buiten`, `niet van toepassing`, `n\.v\.t\.?`, `wordt (?:positief )?(?:gewaardeerd|beoordeeld)`,
		`extra punten`, `levert punten op`, `meerwaarde`, `(?:stellen|stelt) \S+ (?:\S+ )?op prijs`, `op prijs gesteld`,
		`wenselijk`, `(?:een|is een) pr[eé]`, `ter informatie`, `ter kennisname`, `informatief`, `ter referentie`,
		// Spanish
		`no (?:\S+ ){0,3}(?:exige|exigirá|exigen|exigido|exigida|requiere|requerirá|requerido|requerida|obligatori[oa]|necesari[oa]|exigible|requisito|imprescindible)`,
		`no se (?:\S+ ){0,2}(?:exige|requiere|pide|solicita|necesita)`, `no necesita(?:n|rá|rán)?`, `no (?:es|será|resulta) necesari[oa]`, `no hace(?:rá)? falta`, `no debe`, `no deberá`, `no deberán`,
		`opcional(?:es|mente)?`, `optativ[oa]s?`, `deseables?`, `se valorará(?:n)?`, `valorará(?:n)?`, `valorables?`,
		`preferiblemente`, `preferentemente`, `preferible`, `recomendables?`, `se recomienda`, `recomendad[oa]s?`,
		`podrá`, `podrán`, `puede`, `pueden`, `debería`, `deberían`, `criterios? de adjudicación`,
		`fuera del alcance`, `queda(?:n)? excluid[oa]s?`, `excluid[oa]s?`, `no aplica`, `no procede`, `mejoras?`,
		`se puntuará(?:n)?`, `puntuará(?:n)?`, `puntuación adicional`, `se agradecerá`, `a título informativo`,
		`con carácter informativo`, `meramente informativ[oa]`,
	}
	// Words of a table cell that say yes or no to a column heading.
	yesCell = regexp.MustCompile(`(?i)^(?:yes|ja|sí|si|x|✓|✔|☑|v|y|j|s|required|mandatory|verplicht|vereist|eis|obligatorio|obligatoria|requisito|must|moet|debe)$`)
	noCell  = regexp.MustCompile(`(?i)^(?:no|nee|n|-|–|—|☐|optional|optioneel|opcional|wens|deseable|nice to have|n\.v\.t\.?|n/a)$`)
	// Clause breaks: a demand on one side does not reach the other.
	clauseBreak = regexp.MustCompile(`(?i);|,? but |,? however,? |,? whereas |,? while |,? although |,? maar |,? echter,? |,? terwijl |,? hoewel |,? pero |,? sin embargo,? |,? mientras que |,? aunque |,? no obstante,? `)
)

// cue is a demand or non-demand word found in a sentence.
type cue struct {
	start, end int
	demand     bool
}

var (
	demandRE    = wordsRE(demandWords)
	notDemandRE = wordsRE(notDemandWords)
)

// wordsRE compiles words into one expression with Unicode word boundaries
// (RE2's \b knows only ASCII letters); the words are in group 1.
func wordsRE(words []string) *regexp.Regexp {
	return regexp.MustCompile(`(?i)(?:^|[^\p{L}\p{N}])(` + strings.Join(words, "|") + `)(?:$|[^\p{L}\p{N}])`)
}

// cues finds the demand and non-demand words of s. A demand word inside
// a non-demand phrase ("required" in "not required") does not count.
func cues(s string) []cue {
	var neg []cue
	for _, m := range findAllOverlapping(notDemandRE, s) {
		word := s[m[0]:m[1]]
		if word == "May" {
			continue
		}
		neg = append(neg, cue{start: m[0], end: m[1]})
	}
	out := append([]cue(nil), neg...)
	for _, m := range findAllOverlapping(demandRE, s) {
		inside := false
		for _, n := range neg {
			if m[0] < n.end && m[1] > n.start {
				inside = true
				break
			}
		}
		if !inside {
			out = append(out, cue{start: m[0], end: m[1], demand: true})
		}
	}
	return out
}

// findAllOverlapping returns group 1 of every match of re in s; the
// boundary characters around a word may be shared by the next match.
func findAllOverlapping(re *regexp.Regexp, s string) [][2]int {
	var out [][2]int
	for pos := 0; pos < len(s); {
		m := re.FindStringSubmatchIndex(s[pos:])
		if m == nil {
			break
		}
		out = append(out, [2]int{pos + m[2], pos + m[3]})
		pos += m[3]
	}
	return out
}
