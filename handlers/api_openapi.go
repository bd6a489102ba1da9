package handlers

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// openAPIDocument describes the JSON API; TestOpenAPICoversEveryRoute fails
// when a route under /api/v1 is missing from it.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPIDocument returns the embedded OpenAPI 3 document.
func OpenAPIDocument() []byte { return openAPIDocument }

// APIOpenAPI serves the OpenAPI 3 document of the JSON API.
func (h *Handler) APIOpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(openAPIDocument)
}
