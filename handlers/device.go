package handlers

import (
	"sync"

	"github.com/gofiber/fiber/v2"
	"github.com/medama-io/go-useragent"
	"github.com/medama-io/go-useragent/agents"
)

// userAgents parses User-Agent headers; building its table takes a moment,
// so it is built on first use, by the sessions page.
var userAgents = sync.OnceValue(useragent.NewParser)

// osNames spells the operating systems as their makers do.
var osNames = map[agents.OS]string{agents.OSMacOS: "macOS"}

// deviceWords names the browser and system of a User-Agent header in a
// few words ("Chrome on Linux"), in the reader's language.
func deviceWords(c *fiber.Ctx, header string) string {
	if header == "" {
		return tr(c, "sessions.device_unknown", nil)
	}
	a := userAgents().Parse(header)
	browser, system := string(a.Browser()), string(a.OS())
	if name, ok := osNames[a.OS()]; ok {
		system = name
	}
	switch {
	case browser != "" && system != "":
		return tr(c, "sessions.device", map[string]any{"browser": browser, "system": system})
	case browser != "":
		return browser
	case system != "":
		return system
	}
	return tr(c, "sessions.device_other", nil)
}
