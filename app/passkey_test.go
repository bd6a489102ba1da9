package app

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"tenderprobe/models"
	"tenderprobe/seed"
)

// testAuthenticator is a software authenticator for the server-side tests
// of passkeys: an ECDSA P-256 key, "none" attestation, a signature counter
// and user verification, as in WebAuthn Level 2. The journey in Chromium
// (TestPasskeyJourneyInChromium) uses the browser's own virtual
// authenticator; this one lets a test send what no honest browser would.
type testAuthenticator struct {
	t       *testing.T
	key     *ecdsa.PrivateKey
	id      []byte
	handle  []byte
	counter uint32
}

// The test app answers requests to http://example.com (httptest's host),
// so that is the relying party and the origin.
const passkeyTestOrigin = "http://example.com"

func newTestAuthenticator(t *testing.T) *testAuthenticator {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		t.Fatal(err)
	}
	return &testAuthenticator{t: t, key: key, id: id}
}

var b64 = base64.RawURLEncoding

// options reads the publicKey member of a ceremony's options.
func passkeyOptionsOf(t *testing.T, res response) (challenge, rpID string, user []byte) {
	t.Helper()
	if res.status != http.StatusOK {
		t.Fatalf("options: status %d\n%s", res.status, errorText(res.body))
	}
	var o struct {
		PublicKey struct {
			Challenge string `json:"challenge"`
			RPID      string `json:"rpId"`
			RP        struct {
				ID string `json:"id"`
			} `json:"rp"`
			User struct {
				ID string `json:"id"`
			} `json:"user"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal([]byte(res.body), &o); err != nil {
		t.Fatalf("options: %v\n%s", err, res.body)
	}
	rpID = o.PublicKey.RPID + o.PublicKey.RP.ID
	if o.PublicKey.User.ID != "" {
		var err error
		if user, err = b64.DecodeString(o.PublicKey.User.ID); err != nil {
			t.Fatal(err)
		}
	}
	return o.PublicKey.Challenge, rpID, user
}

func (k *testAuthenticator) clientData(typ, challenge string) []byte {
	b, err := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": passkeyTestOrigin, "crossOrigin": false})
	if err != nil {
		k.t.Fatal(err)
	}
	return b
}

// authData is the authenticator data: the relying party's hash, the flags
// (user present and verified, plus extra) and the counter.
func (k *testAuthenticator) authData(rpID string, extra byte) []byte {
	h := sha256.Sum256([]byte(rpID))
	out := append(h[:], 0x01|0x04|extra)
	return binary.BigEndian.AppendUint32(out, k.counter)
}

// create answers registration options with a new credential.
func (k *testAuthenticator) create(options response) string {
	k.t.Helper()
	challenge, rpID, user := passkeyOptionsOf(k.t, options)
	k.handle = user
	point, err := k.key.PublicKey.Bytes() // 0x04 || x || y
	if err != nil {
		k.t.Fatal(err)
	}
	cose, err := cbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: point[1:33], -3: point[33:]})
	if err != nil {
		k.t.Fatal(err)
	}
	auth := k.authData(rpID, 0x40)
	auth = append(auth, make([]byte, 16)...) // AAGUID
	auth = binary.BigEndian.AppendUint16(auth, uint16(len(k.id)))
	auth = append(append(auth, k.id...), cose...)
	att, err := cbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": auth})
	if err != nil {
		k.t.Fatal(err)
	}
	return k.answer(map[string]any{
		"clientDataJSON":    b64.EncodeToString(k.clientData("webauthn.create", challenge)),
		"attestationObject": b64.EncodeToString(att),
	})
}

// get answers sign-in options: the counter goes up by one first.
func (k *testAuthenticator) get(options response) string {
	k.t.Helper()
	challenge, rpID, _ := passkeyOptionsOf(k.t, options)
	k.counter++
	return k.sign(challenge, rpID)
}

func (k *testAuthenticator) sign(challenge, rpID string) string {
	k.t.Helper()
	auth := k.authData(rpID, 0)
	data := k.clientData("webauthn.get", challenge)
	sum := sha256.Sum256(data)
	digest := sha256.Sum256(append(append([]byte{}, auth...), sum[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, k.key, digest[:])
	if err != nil {
		k.t.Fatal(err)
	}
	return k.answer(map[string]any{
		"clientDataJSON":    b64.EncodeToString(data),
		"authenticatorData": b64.EncodeToString(auth),
		"signature":         b64.EncodeToString(sig),
		"userHandle":        b64.EncodeToString(k.handle),
	})
}

func (k *testAuthenticator) answer(response map[string]any) string {
	b, err := json.Marshal(map[string]any{"id": b64.EncodeToString(k.id), "rawId": b64.EncodeToString(k.id),
		"type": "public-key", "response": response, "clientExtensionResults": map[string]any{}})
	if err != nil {
		k.t.Fatal(err)
	}
	return string(b)
}

// registerPasskey registers a new passkey named name for c's user through
// the account page's two requests.
func registerPasskey(t *testing.T, c *client, name string) *testAuthenticator {
	t.Helper()
	k := newTestAuthenticator(t)
	res := c.post("/account/passkeys", url.Values{"name": {name}, "credential": {k.create(c.post("/account/passkeys/options", nil))}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/account?flash=passkey_added#passkeys" {
		t.Fatalf("register: status %d %s\n%s", res.status, res.header.Get("Location"), errorText(res.body))
	}
	return k
}

// visitor is a browser on the login page: the CSRF cookie and token.
func passkeyVisitor(t *testing.T, a *testApp) *client {
	t.Helper()
	c := a.anonymous()
	page := c.get("/login")
	c.csrf = csrfFrom(t, page.body)
	return c
}

// passkeyLogin signs in with k from a new visitor and returns the answer.
func passkeyLogin(t *testing.T, a *testApp, k *testAuthenticator) (*client, response) {
	t.Helper()
	c := passkeyVisitor(t, a)
	answer := k.get(c.post("/login/passkey/options", nil))
	return c, c.post("/login/passkey", url.Values{"credential": {answer}, "next": {"/account"}})
}

func passkeyAudits(t *testing.T, a *testApp, action string, userID uint) int64 {
	t.Helper()
	var n int64
	if err := a.db.Model(&models.AuditEntry{}).Where("action = ? AND object_id = ?", action, userID).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPasskeys(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	vendor := a.user("vendor@demo.test")
	k := registerPasskey(t, a.session("vendor@demo.test"), "YubiKey")

	t.Run("a registered passkey is listed on the account page and audited", func(t *testing.T) {
		page := a.session("vendor@demo.test").get("/account")
		if !strings.Contains(page.body, `id="passkey-list"`) || !strings.Contains(page.body, "YubiKey") {
			t.Errorf("the account page does not list the passkey:\n%s", page.body)
		}
		if n := passkeyAudits(t, a, "passkey.add", vendor.ID); n != 1 {
			t.Errorf("%d audit entries of an added passkey, want 1", n)
		}
	})

	t.Run("the passkey signs its owner in without password or code", func(t *testing.T) {
		c, res := passkeyLogin(t, a, k)
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/account" || c.cookies["tp_session"] == "" {
			t.Fatalf("status %d to %q, session %q\n%s", res.status, res.header.Get("Location"), c.cookies["tp_session"], errorText(res.body))
		}
		if _, ok := c.cookies["tp_passkey"]; ok {
			t.Error("the challenge cookie outlived the sign-in")
		}
		if n := passkeyAudits(t, a, "passkey.login", vendor.ID); n != 1 {
			t.Errorf("%d audit entries of a passkey login, want 1", n)
		}
	})

	t.Run("an answer sent twice to the same challenge is refused the second time", func(t *testing.T) {
		c := passkeyVisitor(t, a)
		answer := k.get(c.post("/login/passkey/options", nil))
		cookie := c.cookies["tp_passkey"]
		if res := c.post("/login/passkey", url.Values{"credential": {answer}}); res.status != http.StatusSeeOther {
			t.Fatalf("first answer: status %d\n%s", res.status, errorText(res.body))
		}
		replay := passkeyVisitor(t, a)
		replay.cookies["tp_passkey"] = cookie
		res := replay.post("/login/passkey", url.Values{"credential": {answer}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "This took too long or the page was sent twice") || replay.cookies["tp_session"] != "" {
			t.Errorf("replayed answer: status %d, session %q\n%s", res.status, replay.cookies["tp_session"], errorText(res.body))
		}
	})

	t.Run("an old answer to a new challenge is refused", func(t *testing.T) {
		c := passkeyVisitor(t, a)
		old := k.get(c.post("/login/passkey/options", nil))
		c = passkeyVisitor(t, a)
		c.post("/login/passkey/options", nil)
		res := c.post("/login/passkey", url.Values{"credential": {old}})
		if res.status != http.StatusUnauthorized || c.cookies["tp_session"] != "" {
			t.Errorf("status %d, session %q\n%s", res.status, c.cookies["tp_session"], errorText(res.body))
		}
	})

	t.Run("a signature counter that goes backwards is refused and audited", func(t *testing.T) {
		failed := passkeyAudits(t, a, "passkey.login_failed", vendor.ID)
		k.counter -= 2 // get adds one: one below the stored counter
		c, res := passkeyLogin(t, a, k)
		if res.status != http.StatusUnauthorized || c.cookies["tp_session"] != "" || !strings.Contains(res.body, "This passkey is not known or could not be checked") {
			t.Errorf("status %d, session %q\n%s", res.status, c.cookies["tp_session"], errorText(res.body))
		}
		if n := passkeyAudits(t, a, "passkey.login_failed", vendor.ID); n != failed+1 {
			t.Errorf("%d audit entries of a failed passkey login, want %d", n, failed+1)
		}
		k.counter += 5
	})

	t.Run("a passkey answering for another user is refused", func(t *testing.T) {
		own := k.handle
		defer func() { k.handle = own }()
		k.handle = binary.BigEndian.AppendUint64(nil, uint64(a.user("officer@demo.test").ID))
		c, res := passkeyLogin(t, a, k)
		if res.status != http.StatusUnauthorized || c.cookies["tp_session"] != "" {
			t.Errorf("status %d, session %q\n%s", res.status, c.cookies["tp_session"], errorText(res.body))
		}
	})

	t.Run("an unknown passkey is refused", func(t *testing.T) {
		stranger := newTestAuthenticator(t)
		stranger.handle = k.handle
		c, res := passkeyLogin(t, a, stranger)
		if res.status != http.StatusUnauthorized || c.cookies["tp_session"] != "" {
			t.Errorf("status %d, session %q\n%s", res.status, c.cookies["tp_session"], errorText(res.body))
		}
	})

	t.Run("another user's passkey cannot be removed", func(t *testing.T) {
		ps, err := models.ListPasskeys(context.Background(), a.db, vendor.ID)
		if err != nil || len(ps) != 1 {
			t.Fatalf("passkeys %v (%v)", ps, err)
		}
		res := a.session("officer@demo.test").post(fmt.Sprintf("/account/passkeys/%d/remove", ps[0].ID), nil)
		if res.status != http.StatusNotFound {
			t.Errorf("status %d, want 404", res.status)
		}
		if n, _ := models.CountPasskeys(context.Background(), a.db, vendor.ID); n != 1 {
			t.Errorf("%d passkeys left, want 1", n)
		}
	})

	t.Run("the owner removes the passkey, and it signs in no more", func(t *testing.T) {
		ps, _ := models.ListPasskeys(context.Background(), a.db, vendor.ID)
		res := a.session("vendor@demo.test").post(fmt.Sprintf("/account/passkeys/%d/remove", ps[0].ID), nil)
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/account?flash=passkey_removed#passkeys" {
			t.Fatalf("status %d %s\n%s", res.status, res.header.Get("Location"), errorText(res.body))
		}
		if n := passkeyAudits(t, a, "passkey.remove", vendor.ID); n != 1 {
			t.Errorf("%d audit entries of a removed passkey, want 1", n)
		}
		if u := a.user("vendor@demo.test"); u.Passkeys != 0 || u.HasSecondFactor() {
			t.Errorf("the vendor still counts %d passkeys", u.Passkeys)
		}
		if _, res := passkeyLogin(t, a, k); res.status != http.StatusUnauthorized {
			t.Errorf("sign-in with the removed passkey: status %d", res.status)
		}
	})
}

// TestAPasskeyIsASecondFactor: for an officer whose organisation requires
// a second factor, a passkey meets the rule, the last one stays while it
// is the only factor, and the password alone no longer signs them in.
func TestAPasskeyIsASecondFactor(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	ctx := context.Background()
	officer := a.user("officer@demo.test")
	if _, err := models.SetOrgSecondFactor(ctx, a.db, a.user("admin@demo.test"), *officer.OrgID, true, testNow); err != nil {
		t.Fatal(err)
	}
	c := a.session("officer@demo.test")
	if res := c.get("/tenders"); res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/account") {
		t.Fatalf("before any factor: status %d to %q, want the account page", res.status, res.header.Get("Location"))
	}
	registerPasskey(t, c, "Laptop")
	if res := c.get("/tenders"); res.status != http.StatusOK {
		t.Fatalf("with a passkey: status %d, want 200", res.status)
	}

	t.Run("the password alone is refused with a pointer to the passkey", func(t *testing.T) {
		v := passkeyVisitor(t, a)
		res := v.post("/login", url.Values{"email": {"officer@demo.test"}, "password": {seed.DemoPassword}})
		if res.status != http.StatusUnauthorized || v.cookies["tp_session"] != "" || !strings.Contains(res.body, "log in with your passkey") {
			t.Errorf("status %d, session %q\n%s", res.status, v.cookies["tp_session"], errorText(res.body))
		}
	})

	t.Run("an API token needs more than the password", func(t *testing.T) {
		res := a.anonymous().postJSON("/api/v1/tokens", map[string]string{"email": "officer@demo.test", "password": seed.DemoPassword})
		if res.status != http.StatusUnauthorized || res.json(t)["second_factor"] != "passkey" {
			t.Errorf("status %d\n%s", res.status, res.body)
		}
	})

	ps, err := models.ListPasskeys(ctx, a.db, officer.ID)
	if err != nil || len(ps) != 1 {
		t.Fatalf("passkeys %v (%v)", ps, err)
	}
	t.Run("the last passkey stays", func(t *testing.T) {
		res := c.post(fmt.Sprintf("/account/passkeys/%d/remove", ps[0].ID), nil)
		if res.status != http.StatusConflict || !strings.Contains(res.body, "This is your last passkey") {
			t.Errorf("status %d\n%s", res.status, errorText(res.body))
		}
		if n, _ := models.CountPasskeys(ctx, a.db, officer.ID); n != 1 {
			t.Errorf("%d passkeys, want 1", n)
		}
	})

	t.Run("with a second passkey the first one may go", func(t *testing.T) {
		registerPasskey(t, c, "Phone")
		res := c.post(fmt.Sprintf("/account/passkeys/%d/remove", ps[0].ID), nil)
		if res.status != http.StatusSeeOther {
			t.Errorf("status %d\n%s", res.status, errorText(res.body))
		}
		if u := a.user("officer@demo.test"); u.Passkeys != 1 {
			t.Errorf("the officer counts %d passkeys, want 1", u.Passkeys)
		}
	})
}

// TestFailedPasskeyLoginsCountAgainstTheLockout: refused passkey answers
// for an account use up its login allowance like wrong passwords.
func TestFailedPasskeyLoginsCountAgainstTheLockout(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	k := registerPasskey(t, a.session("auditor@demo.test"), "Key")
	var res response
	for range a.h.LoginFailuresPerAccount + 1 {
		k.counter = 0 // stored counter 0 and now 1: the handle is wrong instead
		own := k.handle
		k.handle = []byte("someone else")
		_, res = passkeyLogin(t, a, k)
		k.handle = own
	}
	if res.status != http.StatusTooManyRequests || res.header.Get("Retry-After") == "" {
		t.Fatalf("after %d failures: status %d, want 429\n%s", a.h.LoginFailuresPerAccount+1, res.status, errorText(res.body))
	}
	if _, res := passkeyLogin(t, a, k); res.status != http.StatusTooManyRequests {
		t.Errorf("a right answer while locked out: status %d, want 429", res.status)
	}
}

// TestThePasskeyRelyingPartyFollowsTheBaseURL: with --base-url the
// relying party id is its host (no port, no path) and an answer from any
// other origin is refused; without it, the request's host.
func TestThePasskeyRelyingPartyFollowsTheBaseURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, base, want string
	}{
		{"without a base URL the request's host is the relying party", "", "example.com"},
		{"with a base URL its host is the relying party", "https://tenders.example.org:8443/tenderprobe", "tenders.example.org"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newTestApp(t)
			a.h.Attest.BaseURL = tc.base
			c := passkeyVisitor(t, a)
			options := c.post("/login/passkey/options", nil)
			if _, rpID, _ := passkeyOptionsOf(t, options); rpID != tc.want {
				t.Errorf("relying party %q, want %q", rpID, tc.want)
			}
			if tc.base == "" {
				return
			}
			// The test authenticator answers from http://example.com.
			k := registerPasskeyOn(t, a, "vendor@demo.test")
			_, res := passkeyLogin(t, a, k)
			if res.status != http.StatusUnauthorized {
				t.Errorf("an answer from another origin: status %d, want 401", res.status)
			}
		})
	}
}

// registerPasskeyOn stores a passkey of a test authenticator for email
// directly, whatever the relying party.
func registerPasskeyOn(t *testing.T, a *testApp, email string) *testAuthenticator {
	t.Helper()
	saved := a.h.Attest.BaseURL
	a.h.Attest.BaseURL = ""
	defer func() { a.h.Attest.BaseURL = saved }()
	return registerPasskey(t, a.session(email), "Key")
}

// TestPasskeysOnAnAddressSayWhatToDo: a passkey belongs to a domain name,
// so on an address (a server reached as 127.0.0.1) the options are
// refused with the reason in the reader's language, not a 500 and a page
// that blames the browser.
func TestPasskeysOnAnAddressSayWhatToDo(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	a.base = a.listen(t)
	c := a.session("officer@demo.test")
	c.cookies["tp_lang"] = "nl"
	req := httptest.NewRequest(http.MethodPost, "/account/passkeys/options", nil)
	req.Host = "" // the listener's address, as a browser opening it sends
	req.Header.Set("X-CSRF-Token", c.csrf)
	req.Header.Set("Accept", "application/json")
	res := c.do(req)
	if msg, _ := res.json(t)["error"].(string); res.status != 409 || !strings.Contains(msg, "domeinnaam") {
		t.Fatalf("%d %s, want 409 saying a domain name is needed", res.status, res.body)
	}
	anon := a.anonymous()
	anon.cookies["tp_lang"] = "en"
	login := anon.get("/login")
	req = httptest.NewRequest(http.MethodPost, "/login/passkey/options", nil)
	req.Host = ""
	req.Header.Set("Accept", "application/json")
	if m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(login.body); m != nil {
		req.Header.Set("X-CSRF-Token", m[1])
	}
	if res := anon.do(req); res.status != 409 {
		t.Fatalf("sign-in options on an address: %d %s", res.status, res.body)
	}
}
