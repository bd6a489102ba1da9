// Package sso signs people in through their organisation's OpenID Connect
// provider: the authorization code flow with PKCE (S256), a state and a
// nonce per attempt, and an ID token verified by go-oidc (issuer,
// audience, expiry, and a signature by a key of the provider's JWKS; a key
// the set does not know makes go-oidc fetch the set again, which is how a
// rotated key is picked up). It also seals the providers' client secrets
// with AES-GCM. It has no Fiber import: the handlers call it.
//
// The steps of one sign-in:
//  1. Start: discovery (cached per issuer), a fresh state, nonce and PKCE
//     verifier, and the provider's authorization URL with the S256
//     challenge. The caller stores state, nonce and verifier server-side.
//  2. The browser signs in at the provider and comes back with code and
//     state; the caller checks and consumes the state.
//  3. Finish: the code is exchanged with the verifier at the token
//     endpoint, the ID token is verified, its nonce compared, and the
//     e-mail address kept only when email_verified is true.
package sso

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Reasons a sign-in is refused; each is a Refusal's Code, and the
// handlers turn it into words.
const (
	ReasonDiscovery     = "discovery"        // the issuer's discovery document could not be read
	ReasonExchange      = "exchange"         // the token endpoint refused the code
	ReasonNoIDToken     = "no_id_token"      // the token answer had no ID token
	ReasonSignature     = "signature"        // signed by a key not in the JWKS, or not signed right
	ReasonIssuer        = "issuer"           // issued by another issuer
	ReasonAudience      = "audience"         // issued for another client
	ReasonExpired       = "expired"          // past its expiry
	ReasonNonce         = "nonce"            // not the nonce of this attempt
	ReasonEmailMissing  = "email_missing"    // no e-mail address in the token
	ReasonEmailVerified = "email_unverified" // email_verified is not true
	ReasonInvalid       = "invalid_token"    // any other defect of the token
)

// Refusal is a sign-in the provider's answer does not allow; Code is one
// of the Reason constants, Err the cause for the log.
type Refusal struct {
	Code string
	Err  error
}

func (r *Refusal) Error() string {
	if r.Err != nil {
		return "sso: refused " + r.Code + ": " + r.Err.Error()
	}
	return "sso: refused " + r.Code
}

func (r *Refusal) Unwrap() error { return r.Err }

// Provider is what a sign-in needs of one registered provider.
type Provider struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// RoleClaim names the claim whose values are mapped to roles; empty
	// for a fixed role.
	RoleClaim string
}

// Client holds the HTTP client used to talk to providers and the
// discovery documents read so far, one per issuer.
type Client struct {
	// HTTP talks to the providers; it has a timeout.
	HTTP *http.Client
	// Now is the clock the ID token's expiry is checked against.
	Now func() time.Time

	mu        sync.Mutex
	providers map[string]*oidc.Provider
}

// DefaultTimeout bounds every request to a provider.
const DefaultTimeout = 10 * time.Second

// NewClient returns a Client whose requests time out after timeout.
func NewClient(timeout time.Duration, now func() time.Time) *Client {
	return &Client{HTTP: &http.Client{Timeout: timeout}, Now: now, providers: map[string]*oidc.Provider{}}
}

// discover returns the provider of issuer, reading its discovery document
// once; a failed read is not kept, so the next attempt tries again.
func (c *Client) discover(ctx context.Context, issuer string) (*oidc.Provider, error) {
	c.mu.Lock()
	p, ok := c.providers[issuer]
	c.mu.Unlock()
	if ok {
		return p, nil
	}
	// go-oidc keeps the HTTP client of this context for its key set, and
	// only the client: the cached provider outlives the request.
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, c.HTTP), issuer)
	if err != nil {
		return nil, &Refusal{Code: ReasonDiscovery, Err: err}
	}
	c.mu.Lock()
	c.providers[issuer] = p
	c.mu.Unlock()
	return p, nil
}

// Attempt is one sign-in started: the caller keeps State, Nonce and
// Verifier server-side and sends the browser to URL.
type Attempt struct {
	URL      string
	State    string
	Nonce    string
	Verifier string
}

func oauthConfig(p *oidc.Provider, prov Provider, redirectURL string) *oauth2.Config {
	return &oauth2.Config{
		ClientID: prov.ClientID, ClientSecret: prov.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: redirectURL, Scopes: []string{oidc.ScopeOpenID, "email", "profile"},
	}
}

// Start begins a sign-in at prov that comes back to redirectURL.
func (c *Client) Start(ctx context.Context, prov Provider, redirectURL string) (*Attempt, error) {
	p, err := c.discover(ctx, prov.Issuer)
	if err != nil {
		return nil, err
	}
	a := &Attempt{State: oauth2.GenerateVerifier(), Nonce: oauth2.GenerateVerifier(), Verifier: oauth2.GenerateVerifier()}
	a.URL = oauthConfig(p, prov, redirectURL).AuthCodeURL(a.State, oidc.Nonce(a.Nonce), oauth2.S256ChallengeOption(a.Verifier))
	return a, nil
}

// Identity is what a verified ID token says of the person.
type Identity struct {
	Subject string
	Email   string
	Name    string
	// RoleValues are the values of the provider's role claim.
	RoleValues []string
	// IDToken is the raw token, kept as the id_token_hint of a logout.
	IDToken string
}

// Finish exchanges code for tokens with the attempt's PKCE verifier,
// verifies the ID token and returns who it names.
func (c *Client) Finish(ctx context.Context, prov Provider, redirectURL, code, verifier, nonce string) (*Identity, error) {
	p, err := c.discover(ctx, prov.Issuer)
	if err != nil {
		return nil, err
	}
	ctx = oidc.ClientContext(ctx, c.HTTP)
	tok, err := oauthConfig(p, prov, redirectURL).Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, &Refusal{Code: ReasonExchange, Err: err}
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, &Refusal{Code: ReasonNoIDToken}
	}
	return c.Verify(ctx, prov, raw, nonce)
}

// Verify checks raw, an ID token of prov, against the attempt's nonce.
func (c *Client) Verify(ctx context.Context, prov Provider, raw, nonce string) (*Identity, error) {
	p, err := c.discover(ctx, prov.Issuer)
	if err != nil {
		return nil, err
	}
	now := c.Now
	if now == nil {
		now = time.Now
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: prov.ClientID, Now: now}).Verify(oidc.ClientContext(ctx, c.HTTP), raw)
	if err != nil {
		return nil, &Refusal{Code: classify(err), Err: err}
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 || nonce == "" {
		return nil, &Refusal{Code: ReasonNonce}
	}
	var claims map[string]json.RawMessage
	if err := idt.Claims(&claims); err != nil {
		return nil, &Refusal{Code: ReasonInvalid, Err: err}
	}
	id := &Identity{Subject: idt.Subject, IDToken: raw}
	_ = json.Unmarshal(claims["email"], &id.Email)
	_ = json.Unmarshal(claims["name"], &id.Name)
	if id.Email == "" {
		return nil, &Refusal{Code: ReasonEmailMissing}
	}
	if !verifiedTrue(claims["email_verified"]) {
		return nil, &Refusal{Code: ReasonEmailVerified}
	}
	if prov.RoleClaim != "" {
		id.RoleValues = stringValues(claims[prov.RoleClaim])
	}
	return id, nil
}

// verifiedTrue reads email_verified, which some providers send as the
// string "true".
func verifiedTrue(raw json.RawMessage) bool {
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return b
	}
	var s string
	return json.Unmarshal(raw, &s) == nil && s == "true"
}

// stringValues reads a claim that is a string or a list of strings.
func stringValues(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil && one != "" {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(raw, &many)
	return many
}

// classify names the check an ID token failed. go-oidc types only the
// expiry; the issuer and audience checks are told apart by their text,
// which its tests pin.
func classify(err error) string {
	var exp *oidc.TokenExpiredError
	msg := err.Error()
	switch {
	case errors.As(err, &exp):
		return ReasonExpired
	case strings.Contains(msg, "expected audience"):
		return ReasonAudience
	case strings.Contains(msg, "different provider"):
		return ReasonIssuer
	case strings.Contains(msg, "signature"), strings.Contains(msg, "fetching keys"):
		return ReasonSignature
	}
	return ReasonInvalid
}

// LogoutURL is the provider's end-session address for a sign-in with
// idToken, coming back to back; empty when the provider has none.
func (c *Client) LogoutURL(ctx context.Context, issuer, clientID, idToken, back string) string {
	p, err := c.discover(ctx, issuer)
	if err != nil {
		return ""
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if p.Claims(&meta) != nil || meta.EndSession == "" {
		return ""
	}
	u, err := url.Parse(meta.EndSession)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	q := u.Query()
	q.Set("id_token_hint", idToken)
	q.Set("client_id", clientID)
	q.Set("post_logout_redirect_uri", back)
	u.RawQuery = q.Encode()
	return u.String()
}

// AuthorizationOrigin is the scheme and host of the authorization
// endpoint of issuer: a page whose form leads there through a redirect
// names it in its CSP form-action, or the browser stops the redirect.
func (c *Client) AuthorizationOrigin(ctx context.Context, issuer string) (string, error) {
	p, err := c.discover(ctx, issuer)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(p.Endpoint().AuthURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.ContainsAny(u.Host, " ;,'") {
		return "", &Refusal{Code: ReasonDiscovery, Err: fmt.Errorf("authorization endpoint %q", p.Endpoint().AuthURL)}
	}
	return u.Scheme + "://" + u.Host, nil
}

// Forget drops the cached discovery document of issuer, after an admin
// changed the provider.
func (c *Client) Forget(issuer string) {
	c.mu.Lock()
	delete(c.providers, issuer)
	c.mu.Unlock()
}

// ErrNoKey means a client secret cannot be sealed or opened because no
// secret key is configured.
var ErrNoKey = errors.New("sso: no secret key configured")

// String names the client for logs.
func (c *Client) String() string { return fmt.Sprintf("sso client (%d issuers)", len(c.providers)) }
