package app

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"tenderprobe/models"
)

// TestAFormSentAfterTheSessionEndedSaysSo: a save sent after the session
// ended (a logout in another tab, an expiry) is told so, not that the form
// expired: a page's script gets the words as JSON, and a form gets a page
// with a way to log in again and back to where it was sent from.
func TestAFormSentAfterTheSessionEndedSaysSo(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	send := func(path, accept string, form url.Values) response {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Referer", "http://example.com/attestations/7?tab=answers")
		if accept != "" {
			req.Header.Set("Accept", accept)
			req.Header.Set("X-CSRF-Token", "a-token-of-the-ended-session")
		}
		return a.anonymous().do(req)
	}
	t.Run("an autosave gets JSON saying to log in", func(t *testing.T) {
		res := send("/attestations/7/answers/3", "application/json", url.Values{"_csrf": {"a-token-of-the-ended-session"}, "status": {"complies"}})
		if res.status != 401 || res.json(t)["code"] != "auth.login_required" {
			t.Errorf("%d %s", res.status, res.body)
		}
	})
	t.Run("a form gets a page to log in again and go back", func(t *testing.T) {
		res := send("/attestations/7/submit", "", url.Values{"_csrf": {"a-token-of-the-ended-session"}})
		if res.status != 401 || !strings.Contains(res.body, `href="/login?next=%2Fattestations%2F7%3Ftab%3Danswers"`) ||
			!strings.Contains(res.body, "kept in this browser tab") {
			t.Errorf("%d %.2000s", res.status, res.body)
		}
	})
}

// TestAnUnknownAddressKnowsItsReader: the 404 of an address no route has
// is in the signed-in reader's language (their account's, not the
// browser's), with their menu.
func TestAnUnknownAddressKnowsItsReader(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	if err := a.db.Model(&models.User{}).Where("email = ?", "vendor@demo.test").Update("language", "nl").Error; err != nil {
		t.Fatal(err)
	}
	vendor := a.session("vendor@demo.test")
	req := httptest.NewRequest(http.MethodGet, "/no-such-page", nil)
	req.Header.Set("Accept-Language", "es")
	res := vendor.do(req)
	if res.status != 404 || !strings.Contains(res.body, `<html lang="nl"`) || !strings.Contains(res.body, `href="/account"`) {
		t.Errorf("%d %.1500s", res.status, res.body)
	}
}

// TestAnInvitationLinkThatCannotBeUsedSaysWhatToDo: an unknown or a used
// link says what is wrong and offers to log in, not "Not found." twice.
func TestAnInvitationLinkThatCannotBeUsedSaysWhatToDo(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	res := a.anonymous().get("/invitations/not-a-token-at-all-0000000000000000")
	if res.status != 404 || !strings.Contains(res.body, "not valid") || !strings.Contains(res.body, `href="/login"`) ||
		strings.Contains(res.body, `role="alert">Not found.`) {
		t.Errorf("%d %.1500s", res.status, res.body)
	}
}
