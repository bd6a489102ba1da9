package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tenderprobe/app/sso/ssotest"
	"tenderprobe/models"
	"tenderprobe/seed"
)

// TestSingleSignOnJourneyInChromium: in a real browser the admin
// registers a loopback OpenID provider for a new buyer organisation; a
// person of that organisation types their e-mail address on the login
// page, is sent to the provider, comes back signed in with a new
// officer account, and on logging out is offered the provider's
// end-session link.
func TestSingleSignOnJourneyInChromium(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	bctx := startChromium(ctx, t)
	idp, err := ssotest.Start("tenderprobe", "the client secret", time.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(idp.Close)
	idp.SignIn(ssotest.User{Subject: "s-1", Email: "sara@journey-council.test", EmailVerified: true, Name: "Sara Single"})
	cfg := DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.DB = demo.File(t)
	cfg.DataDir = t.TempDir()
	cfg.Demo = true
	cfg.Probe.Workers = 0
	cfg.SecretKey = ssoTestKey
	srv, base := startServer(ctx, t, cfg)
	org, err := models.CreateOrg(ctx, srv.DB, nil, "Journey Council", models.OrgBuyer, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	xpath := func(s string) chromedp.Search { return chromedp.Search(s) }
	steps := []struct {
		name    string
		actions []chromedp.Action[chromedp.Void]
	}{
		{"the admin registers the provider", []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(base + "/login"),
			chromedp.WaitVisible(chromedp.ID("email")),
			chromedp.SendKeys(chromedp.ID("email"), "admin@demo.test"),
			chromedp.SendKeys(chromedp.ID("password"), seed.DemoPassword+kb.Enter),
			chromedp.WaitVisible(xpath(`//h1[text()="Dashboard"]`)),
			chromedp.Navigate(base + "/admin/sso"),
			chromedp.SetValue(chromedp.ID("sso-org"), fmt.Sprint(org.ID)),
			chromedp.SendKeys(chromedp.ID("sso-issuer"), idp.Issuer()),
			chromedp.SendKeys(chromedp.ID("sso-client-id"), "tenderprobe"),
			chromedp.SendKeys(chromedp.ID("sso-client-secret"), "the client secret"),
			chromedp.SendKeys(chromedp.ID("sso-domains"), "journey-council.test"),
			chromedp.Click(xpath(`//button[text()="Save sign-in service"]`)),
			chromedp.WaitVisible(xpath(`//p[contains(@class,"flash")][contains(., "The sign-in service is saved.")]`)),
			chromedp.Click(xpath(`//button[text()="Log out"]`)),
			chromedp.WaitVisible(chromedp.ID("email")),
		}},
		{"the person types their e-mail address and goes to the provider", []chromedp.Action[chromedp.Void]{
			chromedp.SendKeys(chromedp.ID("email"), "sara@journey-council.test"+kb.Enter),
			chromedp.WaitVisible(chromedp.ID("sso-continue")),
			chromedp.Click(chromedp.ID("sso-continue")),
			chromedp.WaitVisible(chromedp.ID("approve")),
		}},
		{"the provider sends them back signed in", []chromedp.Action[chromedp.Void]{
			chromedp.Click(chromedp.ID("approve")),
			chromedp.WaitVisible(xpath(`//h1[text()="Dashboard"]`)),
		}},
		{"logging out offers the provider's end-session link", []chromedp.Action[chromedp.Void]{
			chromedp.Click(xpath(`//button[text()="Log out"]`)),
			chromedp.WaitVisible(chromedp.ID("sso-end-session")),
			chromedp.Click(chromedp.ID("sso-end-session")),
			chromedp.WaitVisible(xpath(`//*[contains(., "signed out at the provider")]`)),
		}},
	}
	for _, step := range steps {
		if err := chromedp.Do(bctx, step.actions...); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
	}
	u, err := models.FindUserByEmail(ctx, srv.DB, "sara@journey-council.test")
	if err != nil || u.Role != models.RoleOfficer || u.OrgID == nil || *u.OrgID != org.ID {
		t.Fatalf("the account made by the first sign-in: %+v, %v", u, err)
	}
	if len(idp.EndSessions) != 1 || !strings.HasSuffix(idp.EndSessions[0].Get("post_logout_redirect_uri"), "/login") || idp.EndSessions[0].Get("id_token_hint") == "" {
		t.Fatalf("the provider's end-session endpoint got %v", idp.EndSessions)
	}
}
