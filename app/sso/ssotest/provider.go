// Package ssotest runs a small but real OpenID Connect provider on
// loopback for tests: discovery, a JWKS, an authorization endpoint that
// signs in whoever the test says, a token endpoint that checks the client
// secret, the redirect URI and the PKCE verifier (S256) and answers with
// an ID token signed (RS256, go-jose) by the current key, and an
// end-session endpoint. Tests bend one thing at a time (the signing key,
// the audience, the expiry, the nonce, email_verified) to see each
// defect refused by the relying party.
package ssotest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// User is the person signed in at the provider.
type User struct {
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	// Extra claims, such as "groups": []string{"buyers"}.
	Extra map[string]any
}

// Provider is the running provider.
type Provider struct {
	*httptest.Server
	ClientID, ClientSecret string
	// Now is the provider's clock for iat and exp.
	Now func() time.Time

	mu    sync.Mutex
	key   *rsa.PrivateKey
	kid   int
	user  User
	codes map[string]grant
	// Bend changes the claims of the next ID tokens; SignWith signs them
	// with a key that is not in the JWKS.
	bend     func(claims map[string]any)
	signWith *rsa.PrivateKey
	// Tokens counts the ID tokens issued; EndSessions the logouts seen.
	Tokens      int
	EndSessions []url.Values
}

type grant struct {
	clientID, redirectURI, challenge, nonce string
	user                                    User
}

// Start runs a provider for clientID and secret until the test ends.
func Start(clientID, secret string, now func() time.Time) (*Provider, error) {
	p := &Provider{ClientID: clientID, ClientSecret: secret, Now: now, codes: map[string]grant{}}
	if err := p.Rotate(); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /authorize", p.approve)
	mux.HandleFunc("POST /token", p.token)
	mux.HandleFunc("GET /logout", p.logout)
	p.Server = httptest.NewServer(mux)
	return p, nil
}

// Issuer is the provider's issuer URL.
func (p *Provider) Issuer() string { return p.URL }

// SignIn makes u the person signed in at the provider.
func (p *Provider) SignIn(u User) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.user = u
}

// Bend makes the next ID tokens' claims pass through f (nil: none).
func (p *Provider) Bend(f func(claims map[string]any)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bend = f
}

// SignWithRogueKey makes the next ID tokens signed by a fresh key that
// the JWKS does not list, under the current key's id (on: true).
func (p *Provider) SignWithRogueKey(on bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !on {
		p.signWith = nil
		return nil
	}
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	p.signWith = k
	return err
}

// Rotate replaces the signing key by a new one with a new key id; the
// JWKS lists only the new key from now on.
func (p *Provider) Rotate() error {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.key, p.kid = k, p.kid+1
	return nil
}

func (p *Provider) keyID() string { return fmt.Sprintf("key-%d", p.kid) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, 200, map[string]any{
		"issuer": p.URL, "authorization_endpoint": p.URL + "/authorize", "token_endpoint": p.URL + "/token",
		"jwks_uri": p.URL + "/jwks", "end_session_endpoint": p.URL + "/logout",
		"response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"}, "code_challenge_methods_supported": []string{"S256"},
		"scopes_supported": []string{"openid", "email", "profile"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, _ *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: p.keyID(), Algorithm: "RS256", Use: "sig"}}}
	writeJSON(w, 200, set)
}

var approvePage = template.Must(template.New("approve").Parse(`<!doctype html><html lang="en"><head><title>Test provider</title></head>
<body><main><h1>Test identity provider</h1><form method="post" action="/authorize">
{{range $k, $v := .Query}}<input type="hidden" name="{{$k}}" value="{{index $v 0}}">{{end}}
<p>Signed in as {{.Email}}</p><button type="submit" id="approve">Continue to Tenderprobe</button></form></main></body></html>`))

// authorize shows the sign-in page of the person signed in here (a
// browser clicks on), or with auto=1 in the test's own client goes on at
// once.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	email := p.user.Email
	p.mu.Unlock()
	_ = approvePage.Execute(w, map[string]any{"Query": r.URL.Query(), "Email": email})
}

// approve checks the request and sends the browser back with a code.
func (p *Provider) approve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", 400)
		return
	}
	q := r.PostForm
	if q.Get("client_id") != p.ClientID || q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		http.Error(w, "invalid_request", 400)
		return
	}
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || back.Host == "" {
		http.Error(w, "invalid redirect_uri", 400)
		return
	}
	code := rand.Text()
	p.mu.Lock()
	p.codes[code] = grant{clientID: p.ClientID, redirectURI: q.Get("redirect_uri"), challenge: q.Get("code_challenge"), nonce: q.Get("nonce"), user: p.user}
	p.mu.Unlock()
	v := back.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// Approve does what a browser does on the sign-in page: given the
// authorization URL, it returns where the provider sends the browser back.
func (p *Provider) Approve(authURL string) (string, error) {
	u, err := url.Parse(authURL)
	if err != nil {
		return "", err
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(p.URL+"/authorize", u.Query())
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusFound {
		return "", fmt.Errorf("provider answered %s", res.Status)
	}
	return res.Header.Get("Location"), nil
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, 400, map[string]string{"error": "invalid_request"})
		return
	}
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != p.ClientID || secret != p.ClientSecret {
		writeJSON(w, 401, map[string]string{"error": "invalid_client"})
		return
	}
	p.mu.Lock()
	g, found := p.codes[r.PostForm.Get("code")]
	delete(p.codes, r.PostForm.Get("code"))
	p.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	switch {
	case r.PostForm.Get("grant_type") != "authorization_code", !found:
		writeJSON(w, 400, map[string]string{"error": "invalid_grant"})
		return
	case g.redirectURI != r.PostForm.Get("redirect_uri"):
		writeJSON(w, 400, map[string]string{"error": "invalid_grant", "error_description": "redirect_uri"})
		return
	case base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		writeJSON(w, 400, map[string]string{"error": "invalid_grant", "error_description": "PKCE verifier"})
		return
	}
	raw, err := p.idToken(g)
	if err != nil {
		writeJSON(w, 500, map[string]string{"error": "server_error"})
		return
	}
	writeJSON(w, 200, map[string]any{"access_token": rand.Text(), "token_type": "Bearer", "expires_in": 300, "id_token": raw})
}

func (p *Provider) idToken(g grant) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.Now()
	claims := map[string]any{
		"iss": p.URL, "sub": g.user.Subject, "aud": g.clientID, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"nonce": g.nonce, "email": g.user.Email, "email_verified": g.user.EmailVerified, "name": g.user.Name,
	}
	for k, v := range g.user.Extra {
		claims[k] = v
	}
	if p.bend != nil {
		p.bend(claims)
	}
	key := p.key
	if p.signWith != nil {
		key = p.signWith
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader(jose.HeaderKey("kid"), p.keyID()))
	if err != nil {
		return "", err
	}
	p.Tokens++
	return jwt.Signed(signer).Claims(claims).Serialize()
}

func (p *Provider) logout(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.EndSessions = append(p.EndSessions, r.URL.Query())
	p.mu.Unlock()
	_, _ = fmt.Fprintln(w, "signed out at the provider")
}
