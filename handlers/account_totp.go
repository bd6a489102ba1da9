package handlers

import (
	"bytes"
	"errors"
	"image/png"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// totpIssuer is the name authenticator apps show next to the account.
const totpIssuer = "Tenderprobe"

// qrSize is the width and height of the enrolment QR code in pixels.
const qrSize = 240

// StartTOTP starts the enrolment of a second factor: a new secret, shown
// on the account page as a QR code and as text until a code confirms it.
func (h *Handler) StartTOTP(c *fiber.Ctx) error {
	if _, err := models.StartTOTPEnrolment(c.UserContext(), h.DB, currentUser(c), totpIssuer, h.now()); err != nil {
		return err
	}
	return c.Redirect("/account#second-factor", fiber.StatusSeeOther)
}

// TOTPQRCode is the QR code of the pending enrolment as a PNG (a page
// under the strict CSP shows it from its own address, not a data: URL).
// It holds the secret, so no cache keeps it.
func (h *Handler) TOTPQRCode(c *fiber.Ctx) error {
	u := currentUser(c)
	if u.TOTPPending == "" {
		return refuse(fiber.StatusNotFound, "totp.not_started")
	}
	key, err := models.TOTPKey(u, totpIssuer, u.TOTPPending)
	if err != nil {
		return err
	}
	img, err := key.Image(qrSize, qrSize)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, "image/png")
	return c.Send(buf.Bytes())
}

// keepCredential names the session or API token this request came with:
// turning the second factor on ends every other one.
func (h *Handler) keepCredential(c *fiber.Ctx) models.Keep {
	var k models.Keep
	if s, ok := c.Locals(localSession).(*models.Session); ok && s != nil {
		k.SessionID = s.ID
	}
	k.TokenHash, _ = c.Locals(localTokenHash).(string)
	return k
}

// ConfirmTOTP turns the pending second factor on when the code is right
// and shows the recovery codes, this once.
func (h *Handler) ConfirmTOTP(c *fiber.Ctx) error {
	u := currentUser(c)
	codes, err := models.ConfirmTOTP(c.UserContext(), h.DB, u, c.FormValue("code"), h.keepCredential(c), h.now())
	if errors.Is(err, models.ErrSecondFactorInvalid) {
		return h.renderAccount(c, fiber.StatusUnprocessableEntity, fiber.Map{"TOTPErrors": formError(c, "code", "totp.code_invalid")})
	}
	if err != nil {
		return err
	}
	h.Log.Info("second factor enabled", "user", u.ID)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return h.renderAccount(c, fiber.StatusOK, fiber.Map{"RecoveryCodes": codes, "Flash": tr(c, "flash.totp_enabled", nil)})
}

// DisableTOTP turns the second factor off; it needs a current code (or a
// recovery code), and each wrong one counts against the login limits, so
// a stolen session cannot guess its way to turning it off. A user who must
// have one may turn it off too, to move to a new phone or get new recovery
// codes: the enrolment rule then keeps every other page closed until a new
// one is set up.
func (h *Handler) DisableTOTP(c *fiber.Ctx) error {
	u := currentUser(c)
	code := c.FormValue("code")
	if code == "" {
		return h.renderAccount(c, fiber.StatusUnprocessableEntity, fiber.Map{"DisableErrors": formError(c, "disable_code", "totp.code_missing")})
	}
	reservation, err := h.reserveLogin(c, u.Email)
	if h.loginLimited(c, err) {
		return h.renderAccount(c, fiber.StatusTooManyRequests, fiber.Map{"DisableErrors": formError(c, "disable_code", "auth.too_many_logins")})
	}
	if err != nil {
		return err
	}
	err = models.DisableTOTP(c.UserContext(), h.DB, u, code, h.now())
	if errors.Is(err, models.ErrSecondFactorInvalid) {
		return h.renderAccount(c, fiber.StatusUnprocessableEntity, fiber.Map{"DisableErrors": formError(c, "disable_code", "totp.code_invalid")})
	}
	if err != nil {
		return err
	}
	if err := h.loginSucceeded(c, reservation); err != nil {
		return err
	}
	h.Log.Info("second factor disabled", "user", u.ID)
	return c.Redirect("/account?flash=totp_disabled#second-factor", fiber.StatusSeeOther)
}

// APIStartTOTP starts an enrolment through the API and answers the secret
// and the otpauth:// address an authenticator app takes.
func (h *Handler) APIStartTOTP(c *fiber.Ctx) error {
	key, err := models.StartTOTPEnrolment(c.UserContext(), h.DB, currentUser(c), totpIssuer, h.now())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"secret": key.Secret(), "otpauth_url": key.URL()})
}

// APIConfirmTOTP turns the pending second factor on with a current code
// and answers the recovery codes, the only time they are shown.
func (h *Handler) APIConfirmTOTP(c *fiber.Ctx) error {
	var in struct {
		Code string `json:"code"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := required([2]string{"code", in.Code}); err != nil {
		return err
	}
	codes, err := models.ConfirmTOTP(c.UserContext(), h.DB, currentUser(c), in.Code, h.keepCredential(c), h.now())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"recovery_codes": codes})
}
