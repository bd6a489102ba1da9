package handlers

import (
	"bytes"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/catalogue"
	"tenderprobe/models"
)

// ExportCatalogue downloads the current catalogue as YAML (default) or JSON,
// in the format the import accepts.
func (h *Handler) ExportCatalogue(c *fiber.Ctx) error {
	format := c.Query("format", catalogue.FormatYAML)
	if format != catalogue.FormatYAML && format != catalogue.FormatJSON {
		return refuse(fiber.StatusBadRequest, "request.bad_format")
	}
	cv, err := models.CurrentCatalogue(c.UserContext(), h.DB)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := catalogue.ExportVersion(c.UserContext(), h.DB, &buf, cv.Version, format); err != nil {
		return err
	}
	mime := "application/yaml"
	if format == catalogue.FormatJSON {
		mime = fiber.MIMEApplicationJSONCharsetUTF8
	}
	c.Set(fiber.HeaderContentType, mime)
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="catalogue-%s.%s"`, safeFilePart(cv.Version), format))
	return c.Send(buf.Bytes())
}

func safeFilePart(s string) string {
	b := []byte(s)
	for i, ch := range b {
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '.' || ch == '-') {
			b[i] = '-'
		}
	}
	return string(b)
}
