package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tenderprobe/models"
	"tenderprobe/seed"
)

// TestPasskeyJourneyInChromium registers a passkey in a real browser with
// the DevTools virtual authenticator (CTAP2, built in, with resident keys
// and user verification), logs out, logs in with the passkey alone, and
// removes it. WebAuthn refuses IP addresses as relying party ids, so the
// browser uses localhost, which is the loopback server too.
func TestPasskeyJourneyInChromium(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	t.Cleanup(cancel)
	bctx := startChromium(ctx, t)
	srv, base := startDemoServer(ctx, t)
	base = strings.Replace(base, "127.0.0.1", "localhost", 1)

	if _, err := chromedp.Call(bctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	auth, err := chromedp.Call(bctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol: webauthn.AuthenticatorProtocolCtap2, Transport: webauthn.AuthenticatorTransportInternal,
			HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	// The removal asks for confirmation; the journey clicks OK.
	if err := chromedp.Listen(bctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			go func() {
				_, _ = chromedp.Call(bctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
			}()
		}
	}); err != nil {
		t.Fatal(err)
	}
	run := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(bctx, time.Minute)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			where, _ := chromedp.Run(bctx, chromedp.Evaluate[string](`location.href + "\n" + (document.querySelector("main") || document.body).innerText`))
			t.Fatalf("%s: %v\nthe page:\n%s", step, err, where)
		}
	}
	js := func(script string) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			_, err := chromedp.Evaluate[bool](script+"; true")(ctx, tg)
			return chromedp.Void{}, err
		}
	}
	signedIn := chromedp.WaitVisible(chromedp.Search(`//header//a[@href="/account"]`))

	run("the vendor logs in with the password and adds a passkey",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("passkey-login-button")),
		chromedp.SendKeys(chromedp.ID("email"), "vendor@demo.test"),
		chromedp.SendKeys(chromedp.ID("password"), seed.DemoPassword+kb.Enter),
		signedIn,
		chromedp.Navigate(base+"/account"),
		chromedp.WaitVisible(chromedp.ID("passkey-add-button")),
		chromedp.SendKeys(chromedp.ID("passkey_name"), "Virtual key"),
		chromedp.Click(chromedp.ID("passkey-add-button")),
		chromedp.WaitVisible(chromedp.Search(`//table[@id="passkey-list"]//td[text()="Virtual key"]`)),
	)
	creds, err := chromedp.Call(bctx, webauthn.GetCredentials, webauthn.GetCredentialsParams(auth))
	if err != nil || len(creds.Credentials) != 1 || !creds.Credentials[0].IsResidentCredential || creds.Credentials[0].RpID != "localhost" {
		t.Fatalf("the authenticator holds %+v (%v), want one resident credential for localhost", creds, err)
	}

	run("the vendor logs out and logs in with the passkey alone",
		js(`document.querySelector('form[action="/logout"]').requestSubmit()`),
		chromedp.WaitVisible(chromedp.ID("passkey-login-button")),
		chromedp.Click(chromedp.ID("passkey-login-button")),
		signedIn,
	)
	vendor := mustUser(ctx, t, srv, "vendor@demo.test")
	ps, err := models.ListPasskeys(ctx, srv.DB, vendor.ID)
	if err != nil || len(ps) != 1 || ps[0].LastUsedAt == nil || ps[0].SignCount == 0 {
		t.Fatalf("passkeys after the sign-in: %+v (%v), want one, used, with a counter", ps, err)
	}
	var logins int64
	srv.DB.Model(&models.AuditEntry{}).Where("action = ? AND object_id = ?", "passkey.login", vendor.ID).Count(&logins)
	if logins != 1 {
		t.Errorf("%d audit entries of a passkey login, want 1", logins)
	}

	run("the vendor removes the passkey",
		chromedp.Navigate(base+"/account"),
		chromedp.Click(chromedp.Search(fmt.Sprintf(`//form[@action="/account/passkeys/%d/remove"]/button`, ps[0].ID))),
		chromedp.WaitVisible(chromedp.ID("no-passkeys")),
	)
	if n, err := models.CountPasskeys(ctx, srv.DB, vendor.ID); err != nil || n != 0 {
		t.Errorf("%d passkeys left (%v), want none", n, err)
	}
}
