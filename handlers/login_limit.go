package handlers

import (
	"errors"
	"math"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// loginReservation is the password check a login attempt reserved against
// the client's address and the account.
type loginReservation struct {
	ip      models.LoginReservation
	account string
	acct    models.LoginReservation
}

// reserveLogin counts the attempt against the client IP and the account
// before the password is checked, and gives a *models.LoginLimitError once
// either limit is used up: checking first and counting after the slow bcrypt
// let concurrent guesses all pass. The web form and POST /api/v1/tokens
// share it.
func (h *Handler) reserveLogin(c *fiber.Ctx, email string) (loginReservation, error) {
	ctx, now := c.UserContext(), h.now()
	ip, err := models.ReserveLoginAttempt(ctx, h.DB, "ip:"+c.IP(), h.LoginFailuresPerIP, h.LoginWindow, now)
	if err != nil {
		return loginReservation{}, err
	}
	account := "account:" + email
	acct, err := models.ReserveLoginAttempt(ctx, h.DB, account, h.LoginFailuresPerAccount, h.LoginWindow, now)
	if err != nil {
		// No password is checked for a locked account, so the attempt does
		// not use up the address's allowance (a colleague behind the same
		// NAT may still log in).
		if rerr := models.ReleaseLoginAttempt(ctx, h.DB, ip); rerr != nil {
			return loginReservation{}, rerr
		}
		return loginReservation{}, err
	}
	return loginReservation{ip: ip, account: account, acct: acct}, nil
}

// loginSucceeded forgets the account's failures and gives the address its
// check back: only failures count against the limits.
func (h *Handler) loginSucceeded(c *fiber.Ctx, r loginReservation) error {
	if err := models.ResetLoginFailures(c.UserContext(), h.DB, r.account); err != nil {
		return err
	}
	return models.ReleaseLoginAttempt(c.UserContext(), h.DB, r.ip)
}

// firstFactorPassed gives back both reservations of a right password
// whose sign-in still waits for the second factor, without forgetting the
// account's earlier failures: only a whole sign-in does that, so a known
// password never buys more guesses at the code.
func (h *Handler) firstFactorPassed(c *fiber.Ctx, r loginReservation) error {
	if err := models.ReleaseLoginAttempt(c.UserContext(), h.DB, r.acct); err != nil {
		return err
	}
	return models.ReleaseLoginAttempt(c.UserContext(), h.DB, r.ip)
}

// loginLimited reports whether err is a used-up login limit and, if so,
// tells the client in Retry-After when to try again.
func (h *Handler) loginLimited(c *fiber.Ctx, err error) bool {
	var le *models.LoginLimitError
	if !errors.As(err, &le) {
		return false
	}
	wait := math.Ceil(le.Until.Sub(h.now()).Seconds())
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(max(1, int(wait))))
	h.Log.Info("login refused: limit reached", "key", le.Key, "ip", c.IP())
	return true
}
