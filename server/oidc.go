package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gin-gonic/gin"
	"golang.org/x/oauth2"

	"github.com/supervisionfile/supfile/supervision"
)

// OIDCConfig sets up sign-in with an OpenID Connect identity provider
// (Microsoft Entra ID, Google Workspace, Okta, Keycloak…).
type OIDCConfig struct {
	Issuer       string // e.g. https://login.microsoftonline.com/<tenant>/v2.0
	ClientID     string
	ClientSecret string
	// RedirectURL is registered with the provider; empty derives it from
	// each request: http(s)://<host>/login/oidc/callback.
	RedirectURL string
	// Name is shown on the button: "Sign in with <Name>".
	Name string
	// HTTPClient talks to the provider; nil is http.DefaultClient.
	HTTPClient *http.Client
}

// OIDC is a discovered provider, ready to sign people in.
type OIDC struct {
	Name     string
	cfg      OIDCConfig
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
}

// NewOIDC discovers the provider (its /.well-known/openid-configuration).
func NewOIDC(ctx context.Context, cfg OIDCConfig) (*OIDC, error) {
	if cfg.HTTPClient != nil {
		ctx = oidc.ClientContext(ctx, cfg.HTTPClient)
	}
	p, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("discover OpenID provider %s: %w", cfg.Issuer, err)
	}
	if cfg.Name == "" {
		cfg.Name = "your organisation's account"
	}
	return &OIDC{Name: cfg.Name, cfg: cfg, provider: p, verifier: p.Verifier(&oidc.Config{ClientID: cfg.ClientID})}, nil
}

func (o *OIDC) oauth(c *gin.Context, secure bool) *oauth2.Config {
	redirect := o.cfg.RedirectURL
	if redirect == "" {
		scheme := "http"
		if secure || c.Request.TLS != nil {
			scheme = "https"
		}
		redirect = scheme + "://" + c.Request.Host + "/login/oidc/callback"
	}
	return &oauth2.Config{ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, Endpoint: o.provider.Endpoint(),
		RedirectURL: redirect, Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
}

func (o *OIDC) ctx(c *gin.Context) context.Context {
	if o.cfg.HTTPClient != nil {
		return oidc.ClientContext(c.Request.Context(), o.cfg.HTTPClient)
	}
	return c.Request.Context()
}

// oidcCookie holds the state, nonce and PKCE verifier of one sign-in in
// progress, for ten minutes, only on the callback's path.
const (
	oidcCookie     = "supfile_oidc"
	oidcCookiePath = "/login/oidc"
	oidcCookieTTL  = 10 * time.Minute
)

func randomString() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

var errNoOIDC = supervision.Errorf(supervision.ErrNotFound, "Sign-in with an identity provider is not set up here")

// oidcStart sends the browser to the provider with a fresh state, nonce
// and PKCE challenge.
func (s *Server) oidcStart(c *gin.Context) error {
	o := s.opts.OIDC
	if o == nil {
		return errNoOIDC
	}
	state, nonce, verifier := randomString(), randomString(), oauth2.GenerateVerifier()
	v := url.Values{"state": {state}, "nonce": {nonce}, "verifier": {verifier}, "next": {safeNext(c.Query("next"))}}
	http.SetCookie(c.Writer, &http.Cookie{Name: oidcCookie, Value: base64.RawURLEncoding.EncodeToString([]byte(v.Encode())),
		Path: oidcCookiePath, HttpOnly: true, Secure: s.opts.SecureCookies, SameSite: http.SameSiteLaxMode,
		MaxAge: int(oidcCookieTTL / time.Second)})
	c.Redirect(http.StatusSeeOther, o.oauth(c, s.opts.SecureCookies).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)))
	return nil
}

// oidcClaims are the ID token claims used. Entra ID has no email_verified;
// its xms_edov optional claim says the email's domain is verified.
type oidcClaims struct {
	Email         string `json:"email"`
	EmailVerified *bool  `json:"email_verified"`
	EntraVerified *bool  `json:"xms_edov"`
}

// oidcRefused is a sign-in the provider completed but this service will
// not accept.
func oidcRefused(format string, args ...any) error {
	return supervision.Errorf(supervision.ErrForbidden, format, args...)
}

// oidcCallback finishes a sign-in: the state must match the cookie, the
// code is exchanged with the PKCE verifier, the ID token is verified (and
// its nonce checked), and the person is found by their verified email.
func (s *Server) oidcCallback(c *gin.Context) error {
	o := s.opts.OIDC
	if o == nil {
		return errNoOIDC
	}
	ck, err := c.Cookie(oidcCookie)
	// One use only.
	http.SetCookie(c.Writer, &http.Cookie{Name: oidcCookie, Value: "", Path: oidcCookiePath, HttpOnly: true,
		Secure: s.opts.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	again := " Go back to the sign-in page and try again."
	if err != nil || ck == "" {
		return badRequest{"This sign-in has expired or was started in another browser." + again}
	}
	raw, err := base64.RawURLEncoding.DecodeString(ck)
	if err != nil {
		return badRequest{"This sign-in could not be read." + again}
	}
	saved, err := url.ParseQuery(string(raw))
	if err != nil || saved.Get("state") == "" {
		return badRequest{"This sign-in could not be read." + again}
	}
	if e := c.Query("error"); e != "" {
		msg := c.Query("error_description")
		if msg == "" {
			msg = e
		}
		return oidcRefused("Your organisation's sign-in did not sign you in: %s.%s", truncateText(msg, 300), again)
	}
	if subtle.ConstantTimeCompare([]byte(c.Query("state")), []byte(saved.Get("state"))) != 1 {
		return badRequest{"This sign-in does not match the one this browser started (the state is wrong)." + again}
	}
	code := c.Query("code")
	if code == "" {
		return badRequest{"The identity provider sent no authorisation code." + again}
	}
	ctx := o.ctx(c)
	tok, err := o.oauth(c, s.opts.SecureCookies).Exchange(ctx, code, oauth2.VerifierOption(saved.Get("verifier")))
	if err != nil {
		s.log.Warn("OIDC code exchange failed", "request_id", requestID(c), "err", err)
		return oidcRefused("Your organisation's sign-in could not be completed (the code was refused).%s", again)
	}
	rawID, _ := tok.Extra("id_token").(string)
	if rawID == "" {
		return oidcRefused("Your organisation's sign-in sent no identity token.%s", again)
	}
	idt, err := o.verifier.Verify(ctx, rawID)
	if err != nil {
		s.log.Warn("OIDC ID token refused", "request_id", requestID(c), "err", err)
		return oidcRefused("Your organisation's sign-in sent an identity token that could not be verified.%s", again)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(saved.Get("nonce"))) != 1 {
		return oidcRefused("Your organisation's sign-in sent an identity token for another sign-in (the nonce is wrong).%s", again)
	}
	var cl oidcClaims
	if err := idt.Claims(&cl); err != nil {
		return oidcRefused("Your organisation's sign-in sent an identity token that could not be read.%s", again)
	}
	verified := (cl.EmailVerified != nil && *cl.EmailVerified) || (cl.EmailVerified == nil && cl.EntraVerified != nil && *cl.EntraVerified)
	if cl.Email == "" || !verified {
		return oidcRefused("Your organisation's sign-in did not give a verified email address, so you cannot be matched to a member of staff. Ask your administrator.")
	}
	token, _, err := s.svc.People.SignInVerifiedEmail(c.Request.Context(), cl.Email)
	if err != nil {
		return err
	}
	s.setSessionCookie(c, token)
	c.Redirect(http.StatusSeeOther, safeNext(saved.Get("next")))
	return nil
}

func truncateText(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
