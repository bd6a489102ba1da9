package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// decodeJSON reads the request body into dst, which must be a pointer to a
// struct. It answers 400 with a message a client can act on: not JSON, a
// syntax error with its byte offset, a field of the wrong type, an unknown
// field, or trailing data.
func decodeJSON(c *fiber.Ctx, dst any) error {
	body := c.Body()
	if len(bytes.TrimSpace(body)) == 0 {
		return refuse(fiber.StatusBadRequest, "json.empty")
	}
	if ct := c.Get(fiber.HeaderContentType); ct != "" && !strings.HasPrefix(strings.ToLower(ct), fiber.MIMEApplicationJSON) {
		return refuse(fiber.StatusUnsupportedMediaType, "json.content_type")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
	case errors.As(err, &syntax):
		return refuse(fiber.StatusBadRequest, "json.syntax", "offset", syntax.Offset)
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return refuse(fiber.StatusBadRequest, "json.not_object")
		}
		return refuse(fiber.StatusBadRequest, "json.wrong_type", "field", typeErr.Field, "want", jsonKind(typeErr.Type.Kind().String()), "got", typeErr.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return refuse(fiber.StatusBadRequest, "json.truncated")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return refuse(fiber.StatusBadRequest, "json.unknown_field", "field", strings.TrimPrefix(err.Error(), "json: unknown field "))
	default:
		return refuse(fiber.StatusBadRequest, "json.invalid")
	}
	if dec.More() {
		return refuse(fiber.StatusBadRequest, "json.trailing_data")
	}
	return nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "slice", "array":
		return "list"
	case "struct", "map", "ptr":
		return "object"
	case "bool":
		return "boolean"
	}
	return "number"
}

// required answers 422 naming every empty required field.
func required(fields ...[2]string) error {
	var errs []error
	for _, f := range fields {
		if strings.TrimSpace(f[1]) == "" {
			errs = append(errs, invalidInput(f[0], "required"))
		}
	}
	return models.JoinInvalid(errs...)
}
