package handlers

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// The server streams request bodies (fasthttp's StreamRequestBody), so no
// body is read before a route decides how much it accepts and from whom:
// LimitBody at the head of every route reads at most the route's limit,
// and the upload routes run it only after the caller is authorised.

// errBodyEncoded refuses compressed request bodies: decoding them would
// hand a tiny request an unbounded amount of memory (a "gzip bomb").
var errBodyEncoded = refuse(fiber.StatusUnsupportedMediaType, "request.encoded")

// errBodyUnreadable is the 400 of a body that broke off while being read.
var errBodyUnreadable = refuse(fiber.StatusBadRequest, "request.unreadable")

// LimitBody reads the request body, refusing more than limit bytes (413)
// and any Content-Encoding (415). Small bodies are kept in memory; with
// spool the body goes to a temporary file that lives until the request
// ends, so a large upload is never held whole in memory.
func (h *Handler) LimitBody(limit int, spool bool) fiber.Handler {
	// tooLarge is the 413 every over-limit body of the route gets.
	tooLarge := refuse(fiber.StatusRequestEntityTooLarge, "request.too_large", "limit", limit)
	return func(c *fiber.Ctx) error {
		req := c.Request()
		// Every Content-Encoding line counts: Fiber decodes by the last one.
		for _, line := range req.Header.PeekAll(fiber.HeaderContentEncoding) {
			for _, enc := range strings.Split(string(line), ",") {
				if enc = strings.TrimSpace(enc); enc != "" && !strings.EqualFold(enc, "identity") {
					return errBodyEncoded
				}
			}
		}
		// Only "identity" is left: drop it, so nothing downstream decodes.
		req.Header.Del(fiber.HeaderContentEncoding)
		if n := req.Header.ContentLength(); n > limit {
			return tooLarge
		}
		stream := c.Context().RequestBodyStream()
		if stream == nil {
			return c.Next()
		}
		if !spool {
			body, err := io.ReadAll(io.LimitReader(stream, int64(limit)+1))
			if err != nil {
				return errBodyUnreadable
			}
			if len(body) > limit {
				return tooLarge
			}
			req.SetBody(body)
			return c.Next()
		}
		f, err := os.CreateTemp("", "tenderprobe-body-*")
		if err != nil {
			return fmt.Errorf("handlers: spool request body: %w", err)
		}
		defer os.Remove(f.Name())
		defer f.Close()
		n, err := io.Copy(f, io.LimitReader(stream, int64(limit)+1))
		switch {
		case err != nil:
			return errBodyUnreadable
		case n > int64(limit):
			return tooLarge
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("handlers: spool request body: %w", err)
		}
		req.SetBodyStream(f, int(n))
		return c.Next()
	}
}

// Lingering close: how much of a refused body is read and thrown away,
// at most, so that the client sees the answer instead of a reset.
const (
	drainBytes = 1 << 20
	drainTime  = time.Second
)

// closeUnreadBody ends the connection of a request that was refused before
// its body was read (the next request would otherwise be read from the
// body's bytes). It first discards a bounded part of the body, as web
// servers do on a lingering close: closing a socket with unread data
// resets it, and the reset can destroy the answer before the client reads
// it.
func closeUnreadBody(c *fiber.Ctx) {
	stream := c.Context().RequestBodyStream()
	if stream == nil || c.Request().Header.ContentLength() == 0 {
		return
	}
	c.Context().SetConnectionClose()
	if conn := c.Context().Conn(); conn != nil {
		_ = conn.SetReadDeadline(time.Now().Add(drainTime))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(stream, drainBytes))
}
