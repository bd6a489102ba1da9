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
		`\p{L}{4,}eisen`, `\p{L}{4,}seis`,
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
		`rated requirements?`, `scored requirements?`, `point-rated`, `points? (?:will be )?award(?:ed)?`,
		`is not part of`, `are not part of`, `not part of the`, `out of scope`, `outside (?:the )?scope`,
		`not in scope`, `excluded`, `not applicable`, `n/a`,
		// English: wishes, options, award criteria
		`optional`, `optionally`, `won[’']?t(?: have)?`, `will not have`, `prefer`, `prefers`, `would like`, `nice[ -]to[ -]have`, `desirable`, `desired`, `preferably`, `preferred`,
		`preference`, `recommended`, `recommendation`, `advisable`, `should`, `may`, `could`, `might`,
		`wish(?:es)?`, `bonus`, `plus point`, `extra points`, `award criteri(?:on|a)`, `will be (?:scored|assessed|valued|evaluated)`,
		`welcomed?`, `encouraged`, `appreciated`, `(?:for|as) information(?: only)?`, `for reference(?: only)?`, `informative`,
		// Dutch
		`niet (?:\S+ ){0,3}(?:vereist|verplicht|nodig|noodzakelijk|gevraagd|geëist|geeist|verlangd|gesteld)`,
		`geen (?:\S+ ){0,2}(?:eis|eisen|vereiste|verplichting|voorwaarde|knock-out)`, `hoe(?:ft|ven) (?:\S+ ){0,6}niets?`, `is niet nodig`, `zijn niet nodig`,
		`(?:moet|moeten|dient|dienen) (?:\S+ ){0,3}?(?:geen|niet)`,
		`maak(?:t|en) geen (?:\S+ )?deel uit`, `(?:is|zijn) geen onderdeel`, `geen onderdeel van`,
		`optione(?:el|le)`, `facultatie(?:f|ve)`, `wens`, `wensen`, `gewenst`, `gewenste`, `bij voorkeur`, `voorkeur`,
		`pluspunt(?:en)?`, `strekt tot aanbeveling`, `aanbevolen`, `aanbeveling`, `mag`, `mogen`, `kan`, `kunnen`,
		`zou`, `zouden`, `gunningscriteri(?:um|a)`, `buiten (?:de )?scope`, `buiten beschouwing`, `valt buiten`,
		`vallen buiten`, `niet van toepassing`, `n\.v\.t\.?`, `wordt (?:positief )?(?:gewaardeerd|beoordeeld)`,
		`extra punten`, `levert punten op`, `meerwaarde`, `(?:stellen|stelt) \S+ (?:\S+ )?op prijs`, `op prijs gesteld`,
		`wenselijk`, `(?:een|is een) pr[eé]`, `ter informatie`, `ter kennisname`, `informatief`, `ter referentie`,
		// Spanish
		`no (?:\S+ ){0,3}(?:exige|exigirá|exigen|exigido|exigida|requiere|requerirá|requerido|requerida|obligatori[oa]|necesari[oa]|exigible|requisito|imprescindible)`,
		`no se (?:\S+ ){0,2}(?:exige|requiere|pide|solicita|necesita)`, `no (?:\S+ )?(?:tiene|tienen|tendrá|tendrán|ha|han|habrá) (?:que|de) (?:hacer )?nada`, `no (?:tiene|tienen|tendrá|tendrán) que`, `no necesita(?:n|rá|rán)?`, `no (?:es|será|resulta) necesari[oa]`, `no hace(?:rá)? falta`, `no debe`, `no deberá`, `no deberán`,
		`no forma(?:n|rá|rán)? parte`, `requisitos? puntuables?`, `criterios? (?:de valoración|evaluables?|puntuables?)`,
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

// notOnly is a negation that adds rather than denies: "must not only
// …", "moet niet alleen …", "no solo".
var notOnly = regexp.MustCompile(`(?i)^(?:(?:must|shall|moet|moeten|dient|dienen) )?(?:\S+ ){0,3}?(?:not only|not just|niet alleen|niet enkel|niet slechts|no solo|no sólo|no solamente|no únicamente)(?:$|[^\p{L}])`)

// alsoAfter is the "also" of "not only … but also": no contrast.
var alsoAfter = regexp.MustCompile(`(?i)^(?:ook|also|también|as well)(?:$|[^\p{L}])`)

// clauseBreaks finds the clause breaks of s, leaving out the "but" of
// "not only … but also".
func clauseBreaks(s string) [][]int {
	var out [][]int
	for _, m := range clauseBreak.FindAllStringIndex(s, -1) {
		if alsoAfter.MatchString(s[m[1]:]) {
			continue
		}
		out = append(out, m)
	}
	return out
}

// withdrawal takes a requirement back ("is withdrawn", "vervalt", "se
// suprime"): the nouns that name the requirement are then no demand.
var (
	withdrawal      = wordsRE(withdrawalWords)
	requirementNoun = regexp.MustCompile(`(?i)^(?:requirements?|minimum requirements?|demands?|eis|eisen|minimumeis(?:en)?|harde eis(?:en)?|voorwaarde|requisitos?|condición)$`)
)

// readsAs follows "must" in a correction's formula for the new text:
// "debe decir", "shall read", "moet luiden". It is no demand.
var readsAs = regexp.MustCompile(`(?i)^\s+(?:now\s+)?(?:decir|leerse|read|luiden|komen te luiden)(?:$|[^\p{L}])`)

// wishWithdrawn reports whether s withdraws a wish rather than a demand:
// "In de toelichting bij gunningscriterium K2 vervalt de zin over DANE"
// takes back an award criterion, which says nothing against a demand.
// The wish comes before the withdrawal ("X is no longer required and
// will be scored" withdraws the demand).
func wishWithdrawn(s string, cs []cue) bool {
	w := withdrawal.FindStringIndex(s)
	if w == nil {
		return false
	}
	for _, c := range cs {
		if !c.demand && c.end <= w[0] && !withdrawal.MatchString(s[c.start:c.end]) {
			return true
		}
	}
	return false
}

// withdrawalWords take a demand back: they are non-demand words, and a
// sentence with one takes back what its requirement nouns name.
var withdrawalWords = []string{
	`no longer`, `(?:is|are|has been|have been|will be) (?:hereby )?(?:withdrawn|deleted|removed|cancelled|canceled|dropped)`,
	`niet langer`, `(?:komt|komen) te vervallen`, `verval(?:t|len)`, `(?:wordt|worden|is|zijn) (?:\S+ )?(?:geschrapt|ingetrokken|verwijderd)`,
	`deja(?:n|rá|rán)? de ser`, `ya no (?:es|son|será|serán|se)`, `se (?:suprime|suprimen|elimina|eliminan)`, `queda(?:n)? (?:suprimid|eliminad|sin efecto)[oa]?s?`,
}

// cue is a demand or non-demand word found in a sentence.
type cue struct {
	start, end int
	demand     bool
}

var (
	demandRE    = wordsRE(demandWords)
	notDemandRE = wordsRE(append(notDemandWords, withdrawalWords...))
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
		if word == "May" || notOnly.MatchString(s[m[0]:]) {
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
		if !inside && !readsAs.MatchString(s[m[1]:]) {
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

// Subordinate clauses that describe someone other than the supplier: a
// standard named only there is not demanded by the main clause's verb,
// and a demand word there ("the Council's policy requires") is not a
// demand on the supplier.
var (
	// comparisonStart opens a comparison with what another party does:
	// ", as the Council does", ", zoals de gemeente", ", del mismo modo
	// que lo hace el Instituto". Such a clause is always background.
	comparisonStart = regexp.MustCompile(`(?i)(?:,|\(|—|–)\s*(?:just as|in the same way as|the same way as|like (?:the|its|their|our|we|it)|as (?:the|its|their|our|we|it) |zoals (?:de|het|dat|die|ook|wij|onze|ons)\b|net als|net zoals|op dezelfde (?:manier|wijze) als|del mismo modo que|de la misma (?:manera|forma) que|de igual (?:modo|manera|forma) que|al igual que|igual que|evenals (?:de|het|onze|wij)\b|(?:tal y |tal )?como (?:(?:ya|lo|también|hoy|actualmente)\s+)*(?:hace|hacen|hizo|aplica|aplican|utiliza|utilizan|usa|usan|exige|requiere)\b)`)
	// relativeStart opens a non-restrictive relative clause or an
	// appositive one: ", which", ", die", ", que", ", waarbij", ", a
	// guideline that". It is background only when it speaks of another
	// party (see backgroundWords) and has no modal of its own.
	relativeStart = regexp.MustCompile(`(?i)(?:,|\(|—|–)\s*(?:(?:een|a|an|un|una|the|de|het|el|la)\s+(?:[\p{L}\-]+\s+){0,4}?)?(?:which|who|whom|whose|that|die|dat|welke|waarbij|waarvan|waarin|wat|que|el cual|la cual|los cuales|las cuales|lo cual|cuy[oa]s?|quien(?:es)?)(?:$|[^\p{L}])`)
	// purposeStart opens a clause of purpose: its "can" or "may" is not
	// a wish about the standard of the main clause.
	purposeStart = regexp.MustCompile(`(?i)(?:,\s*)?(?:so that|in order that|zodat|opdat|para que|de modo que|de forma que|a fin de que)(?:$|[^\p{L}])`)
	// backgroundWords are signs that a clause describes another party or
	// the buyer's own situation.
	backgroundWords = regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:(?:since|sinds|desde) (?:19|20)\d\d|background|achtergrond|antecedente|refers? to|verwijst|remite|council|authority|municipality|ministry|department|institute|government|gemeente|provincie|ministerie|overheid|opdrachtgever|aanbestedende dienst|ayuntamiento|instituto|ministerio|administraci[oó]n|gobierno|[oó]rgano de contrataci[oó]n|entidad|universidad|diputaci[oó]n|mancomunidad|many|most|often|usually|commonly|typically|generally|normally|veel|meeste|vaak|meestal|doorgaans|gewoonlijk|muchos|muchas|mayoría|menudo|habitualmente|normalmente|generalmente|suele|suelen)(?:$|[^\p{L}])`)
	// ownWords ("itself", "already", "zelf", "ya") describe the party the
	// clause is about: background only when that party, the word before
	// the clause, is the buyer or another party ("the Authority's policy,
	// which is itself …"), not the supplier's deliverable ("time servers,
	// die zelf hun tijd … betrekken").
	ownWords     = regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:itself|themselves|zelf|propi[oa]|s[ií] mism[oa]|already|reeds|ya|currently|at present|momenteel|thans|actualmente)(?:$|[^\p{L}])`)
	supplierWord = regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:supplier|contractor|bidder|tenderer|provider|vendor|you|opdrachtnemer|leverancier|inschrijver|dienstverlener|aanbieder|contractant|u|adjudicatari[oa]|contratista|proveedor|licitador|ofertante)(?:$|[^\p{L}])`)
	modalWord    = regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:must|shall|has to|have to|moet|moeten|dient|dienen|debe|deben|deberá|deberán|ha de|han de|tiene que|tienen que)(?:$|[^\p{L}])`)
)

// span is a part [from, to) of a sentence.
type span struct{ from, to int }

// backgroundClauses finds the clauses of s that describe another party
// (comparisons, and relative clauses that speak of another party, with
// no modal verb and not the supplier as their subject) and the clauses
// of purpose. A clause runs to the next ";", contrast or end of the
// sentence, or to the next comma when that comes within five words (a
// parenthesis: "DNSSEC, which the Council already uses, must ...").
func backgroundClauses(s string) (background, purpose []span) {
	end := func(from int) int {
		to := len(s)
		for _, m := range clauseBreaks(s) {
			if m[0] > from && m[0] < to {
				to = m[0]
			}
		}
		if c := strings.IndexByte(s[from:], ','); c > 0 && from+c < to && len(strings.Fields(s[from:from+c])) <= 6 {
			to = from + c
		}
		return to
	}
	for _, m := range comparisonStart.FindAllStringIndex(s, -1) {
		background = append(background, span{m[0], end(m[1])})
	}
	for _, m := range relativeStart.FindAllStringIndex(s, -1) {
		sp := span{m[0], end(m[1])}
		text := s[sp.from:sp.to]
		words := strings.Fields(s[m[1]:sp.to])
		subject := strings.Join(words[:min(len(words), 4)], " ")
		// A relative clause right after a background clause goes on
		// about the same party ("…, as the Ministry does, which uses …").
		follows := false
		for _, b := range background {
			follows = follows || b.to == m[0]
		}
		before := s[max(0, m[0]-60):m[0]]
		other := backgroundWords.MatchString(text) || ownWords.MatchString(text) && buyerWord.MatchString(before) && !supplierWord.MatchString(lastWords(before, 4))
		if modalWord.MatchString(text) || supplierWord.MatchString(subject) || !follows && !other {
			continue
		}
		background = append(background, sp)
	}
	for _, m := range purposeStart.FindAllStringIndex(s, -1) {
		purpose = append(purpose, span{m[0], end(m[1])})
	}
	return background, purpose
}

// lastWords is the last n words of s.
func lastWords(s string, n int) string {
	f := strings.Fields(s)
	return strings.Join(f[max(0, len(f)-n):], " ")
}

func within(sps []span, at int) bool {
	for _, sp := range sps {
		if at >= sp.from && at < sp.to {
			return true
		}
	}
	return false
}

// Questions to the bidder ("Describe how you will …", "Beschrijf hoe
// …", "Describa cómo …") ask for a description: they mention what they
// name unless the sentence calls it mandatory or knock-out.
var (
	questionStart = regexp.MustCompile(`(?i)^(?:(?:question|q|vraag|pregunta|p)\s*\d*[.:)]?\s*|[\p{L}]{0,4}[-.]?\d+(?:[.-]\d+)*[.:)]?\s+)?(?:please\s+)?(?:describe|explain|outline|set out how|indicate how|state how|show how|demonstrate how|tell us|provide a description|give a description|beschrijf|omschrijf|geef aan|geef een beschrijving|licht toe|licht \S+ toe|toon aan hoe|leg uit|describa|describan|explique|expliquen|indique cómo|indique de qué|detalle|detallen|justifique cómo|exponga)(?:$|[^\p{L}])`)
	strongDemand  = regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:mandatory|compulsory|obligatory|knock-out|ko|minimum requirement|must-have|verplicht|verplichte|knock-out-?eis|ko-eis|minimumeis|harde eis|obligatori[oa]s?|excluyentes?|eliminatori[oa]s?|requisitos? m[ií]nimos?|imprescindible)(?:$|[^\p{L}])`)
)

// isQuestion reports whether s, or one of its cells, asks the bidder to
// describe or explain, or is a question.
func isQuestion(s string) bool {
	if strings.HasSuffix(strings.TrimSpace(s), "?") {
		return true
	}
	for _, cell := range strings.Split(s, " | ") {
		if questionStart.MatchString(strings.TrimLeft(strings.TrimSpace(cell), "•-–¿ ")) {
			return true
		}
	}
	return false
}

// normHolder is the subject of a demand that binds someone else: a
// policy, law, regulation or guideline that "requires" something is not
// this tender demanding it of the supplier, unless the supplier is named
// after the verb ("the policy requires suppliers to ...").
var (
	normHolder = regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:policy|policies|law|act|regulation|guideline|guidelines|directive|standard|beleid|wet|verordening|regeling|richtlijn|richtlijnen|norm|política|ley|reglamento|normativa|directiva|guía|esquema)(?:$|[^\p{L}])`)
	normVerb   = regexp.MustCompile(`(?i)^(?:requires?|demands?|vereist|vereisen|eist|eisen|exige|exigen|requiere|requieren)$`)
)

// thirdPartyDemand reports whether the demand word c of s, in the clause
// [from, to), is a norm's demand on someone else.
func thirdPartyDemand(s string, c cue, from, to int) bool {
	if !c.demand || c.start < from || c.end > to || !normVerb.MatchString(s[c.start:c.end]) {
		return false
	}
	before := s[from:c.start]
	if i := strings.LastIndexAny(before, ",:"); i >= 0 {
		before = before[i+1:]
	}
	return normHolder.MatchString(before) && !supplierWord.MatchString(before) && !supplierWord.MatchString(s[c.end:to])
}

// A legal duty of a class of others ("From 2026 manufacturers must
// report … under Article 14 of the Cyber Resilience Act") states the law,
// not a demand of this tender on the supplier.
var (
	dutyHolder = regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:manufacturers|producers|importers|distributors|operators|economic operators|member states|controllers|processors|entities|essential entities|important entities|fabrikanten|producenten|importeurs|distributeurs|exploitanten|marktdeelnemers|lidstaten|verwerkingsverantwoordelijken|verwerkers|entiteiten|fabricantes|productores|importadores|distribuidores|operadores|operadores económicos|estados miembros|responsables del tratamiento|encargados del tratamiento|entidades)(?:$|[^\p{L}])`)
	legalRef   = regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:(?:article|art\.|artikel|artículo)\s*\d+|act|regulation|directive|law|wet|verordening|richtlijn|ley|reglamento|directiva|nis2|gdpr|avg|rgpd)(?:$|[^\p{L}])`)
)

// legalDuty reports whether the demand word c of s, in the clause [from,
// to), is a law's duty on a class of others that is not the supplier.
func legalDuty(s string, c cue, from, to int) bool {
	if !c.demand || c.start < from || c.end > to || !legalRef.MatchString(s) {
		return false
	}
	before := s[from:c.start]
	if i := strings.LastIndexAny(before, ",:;"); i >= 0 {
		before = before[i+1:]
	}
	// Dutch and Spanish put the subject after the verb: "Op grond van
	// artikel 14 moeten fabrikanten …", "deberán los fabricantes …".
	after := strings.Fields(s[c.end:to])
	after = after[:min(len(after), 3)]
	subject := before + " " + strings.Join(after, " ")
	return dutyHolder.MatchString(subject) && !supplierWord.MatchString(subject)
}

// ownSituation is a statement of what the buyer or another party does
// itself or already has ("De gemeente beheert het DMARC-record zelf",
// "The Council already publishes …", "lo gestiona el propio
// Ayuntamiento"): under a heading that demands, it is not a demand.
var (
	buyerWord = regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:we|our|council|authority|municipality|ministry|department|institute|the buyer|contracting authority|wij|we|onze|ons|gemeente|provincie|ministerie|omgevingsdienst|waterschap|opdrachtgever|aanbestedende dienst|nosotros|nuestr[oa]s?|ayuntamiento|instituto|ministerio|consejer[ií]a|diputaci[oó]n|mancomunidad|universidad|entidad|[oó]rgano de contrataci[oó]n)(?:$|[^\p{L}])`)
	selfWord  = regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:itself|themselves|ourselves|already|zelf|reeds|nu al|al sinds|staat al|heeft al|propi[oa]|ya)(?:$|[^\p{L}])`)
)

func ownSituation(clause string) bool {
	return buyerWord.MatchString(clause) && selfWord.MatchString(clause) && !supplierWord.MatchString(clause)
}
