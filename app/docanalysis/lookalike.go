package docanalysis

import (
	"regexp"
	"strings"
)

// unrelated are words that, in the same sentence as a standard's name in
// capitals, show the name means something else: "SPF 30 sun cream".
var unrelated = map[string]*regexp.Regexp{
	"spf": wordsRE([]string{`sun\S*`, `zon\S*`, `sol`, `solar(?:es)?`, `protector\S*`, `crema\S*`, `cream`, `lotion`,
		`skin`, `huid\S*`, `piel`, `uv`, `uva`, `uvb`, `protection factor`, `beschermingsfactor`, `factor de protección`,
		`cosmetic\S*`, `cosmétic\S*`, `cosmetica`, `bescherming tegen de zon`, `pbm`, `epi`}),
	"csp": wordsRE([]string{`cloud service provider\S*`, `cloudserviceprovider\S*`, `cloud(?:dienst)?leverancier\S*`,
		`proveedor(?:es)? de servicios (?:en la )?nube`, `concentrated solar`, `solar`, `zonne\S*`, `termosolar\S*`}),
	"tls": wordsRE([]string{`team leader`, `teamleider\S*`, `jefe de equipo`, `tender lot`, `laser scan\S*`, `terrestrial`,
		`terrestre`, `grass`, `gras`, `césped`, `geodes\S*`}),
	"nts":  wordsRE([]string{`national transport`, `nationaal`, `thuiszorg`, `neurolog\S*`}),
	"caa":  wordsRE([]string{`aviation`, `luchtvaart\S*`, `aviación`, `aeronáutic\S*`, `drone\S*`, `dron\S*`}),
	"dane": wordsRE([]string{`danish`, `deen`, `danés`, `denmark`, `denemarken`, `dinamarca`}),
	// Post-quantum key exchange in SSH is its own standard.
	"pq-key-exchange": wordsRE([]string{`ssh`, `secure shell`}),
}

// unrelatedName are such words for one name of a standard that is
// ambiguous where its others are not: "ROV" (route origin validation) is
// also a remotely operated vehicle, whose images an OT network carries.
var unrelatedName = map[string]*regexp.Regexp{
	"ROV": wordsRE([]string{`remotely operated`, `underwater`, `onderwater\S*`, `submarin\S*`, `subacuátic\S*`, `duik\S*`,
		`robot\S*`, `vehicle\S*`, `voertuig\S*`, `vehículo\S*`, `beelden`, `video\S*`, `vídeo\S*`, `camera\S*`, `cámara\S*`,
		`inspecti\S*`, `inspection\S*`, `inspección\S*`, `drone\S*`, `dron\S*`}),
}

// anyName are the standards whose unrelated words rule out any of their
// names, not only those in capitals.
var anyName = map[string]bool{"pq-key-exchange": true}

// lookalike reports whether the name found in sentence s is something
// other than the standard slug: a name in capitals next to words of
// another field.
func lookalike(slug, name, s string) bool {
	if re, ok := unrelatedName[name]; ok && re.MatchString(strings.ToLower(s)) {
		return true
	}
	re, ok := unrelated[slug]
	if !ok || !isAcronym(name) && !anyName[slug] {
		return false
	}
	return re.MatchString(strings.ToLower(s))
}
