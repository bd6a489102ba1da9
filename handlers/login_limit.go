package handlers

import (
	"errors"
	"math"
	"net/netip"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// loginReservation is the password check a login attempt reserved against
// the client's address, the account from the client's network and the
// account from everywhere.
type loginReservation struct {
	ip models.LoginReservation
	// account and fromNet are the keys of the account's two counts.
	account, fromNet string
	acct, net        models.LoginReservation
}

// accountKeys are the keys of the two counts of an account's failures: from
// the client's network (the address, or its /64 for IPv6, where one
// client holds many addresses), and from every network together. The
// first is the usual limit; the second, higher one stops a guesser who
// spreads over many networks. Someone failing from one network therefore
// locks the account for that network only: its owner, elsewhere, still
// logs in.
func accountKeys(email, ip string) (account, fromNet string) {
	// No account's address is longer than 254 bytes; a longer one (cut at
	// a character) is a wrong login that still fits the count's key.
	if len(email) > 254 {
		email = strings.ToValidUTF8(email[:254], "")
	}
	account = "account:" + email
	network := ip
	if a, err := netip.ParseAddr(ip); err == nil && a.Unmap().Is6() {
		network = netip.PrefixFrom(a, 64).Masked().String()
	}
	return account, account + "|net:" + network
}

// reserveLogin counts the attempt against the client IP and the account
// (from the client's network and from all) before the password is checked,
// and gives a *models.LoginLimitError once any limit is used up: checking
// first and counting after the slow bcrypt let concurrent guesses all pass.
// The web form, POST /api/v1/tokens, the second factor and passkeys share it.
func (h *Handler) reserveLogin(c *fiber.Ctx, email string) (loginReservation, error) {
	ip, err := models.ReserveLoginAttempt(c.UserContext(), h.DB, "ip:"+c.IP(), h.LoginFailuresPerIP, h.LoginWindow, h.now())
	if err != nil {
		return loginReservation{}, err
	}
	return h.reserveAccount(c, email, ip)
}

// reserveAccount adds to the client's reservation ip the account's two
// (reserveLogin); when either is used up it gives back what it holds,
// ip included: no password is checked for a locked account, so the attempt
// does not use up the other allowances (a colleague behind the same NAT
// may still log in).
func (h *Handler) reserveAccount(c *fiber.Ctx, email string, ip models.LoginReservation) (loginReservation, error) {
	ctx, now := c.UserContext(), h.now()
	r := loginReservation{ip: ip}
	r.account, r.fromNet = accountKeys(email, c.IP())
	giveBack := func(err error, held ...models.LoginReservation) (loginReservation, error) {
		for _, res := range held {
			if rerr := models.ReleaseLoginAttempt(ctx, h.DB, res); rerr != nil {
				return loginReservation{}, rerr
			}
		}
		return loginReservation{}, err
	}
	var err error
	if r.net, err = models.ReserveLoginAttempt(ctx, h.DB, r.fromNet, h.LoginFailuresPerAccount, h.LoginWindow, now); err != nil {
		return giveBack(err, ip)
	}
	if r.acct, err = models.ReserveLoginAttempt(ctx, h.DB, r.account, h.LoginFailuresPerAccountTotal, h.LoginWindow, now); err != nil {
		return giveBack(err, ip, r.net)
	}
	return r, nil
}

// loginSucceeded forgets the account's failures and gives the address its
// check back: only failures count against the limits.
func (h *Handler) loginSucceeded(c *fiber.Ctx, r loginReservation) error {
	for _, key := range []string{r.account, r.fromNet} {
		if err := models.ResetLoginFailures(c.UserContext(), h.DB, key); err != nil {
			return err
		}
	}
	return models.ReleaseLoginAttempt(c.UserContext(), h.DB, r.ip)
}

// firstFactorPassed gives back every reservation of a right password
// whose sign-in still waits for the second factor, without forgetting the
// account's earlier failures: only a whole sign-in does that, so a known
// password never buys more guesses at the code.
func (h *Handler) firstFactorPassed(c *fiber.Ctx, r loginReservation) error {
	for _, res := range []models.LoginReservation{r.acct, r.net, r.ip} {
		if err := models.ReleaseLoginAttempt(c.UserContext(), h.DB, res); err != nil {
			return err
		}
	}
	return nil
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
