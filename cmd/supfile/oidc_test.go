package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oauth2-proxy/mockoidc"
)

// startOIDC runs an OpenID provider over real HTTP on 127.0.0.1 for the
// test: discovery, authorisation (it signs in whoever is queued), token
// with PKCE, JWKS.
func startOIDC(t *testing.T) *mockoidc.MockOIDC {
	t.Helper()
	op, err := mockoidc.Run()
	if err != nil {
		t.Fatalf("start the OpenID provider: %v", err)
	}
	t.Cleanup(func() { _ = op.Shutdown() })
	return op
}

func oidcEnv(op *mockoidc.MockOIDC, more ...string) map[string]string {
	cfg := op.Config()
	return with(map[string]string{"SUPFILE_OIDC_ISSUER": cfg.Issuer, "SUPFILE_OIDC_CLIENT_ID": cfg.ClientID,
		"SUPFILE_OIDC_CLIENT_SECRET": cfg.ClientSecret, "SUPFILE_OIDC_NAME": "Testshire Entra ID"}, more...)
}

// hop is one request of a browser following redirects by hand.
type hop struct {
	status int
	url    string
	body   string
}

// visit GETs a URL and follows redirects across the app and the provider,
// as a browser would, returning every hop.
func (c *client) visit(start string) []hop {
	c.t.Helper()
	var hops []hop
	u := start
	for range 10 {
		resp, err := c.http.Get(u)
		if err != nil {
			c.t.Fatalf("GET %s: %v", u, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		hops = append(hops, hop{resp.StatusCode, u, string(b)})
		if resp.StatusCode < 300 || resp.StatusCode >= 400 {
			return hops
		}
		next, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
		if err != nil {
			c.t.Fatal(err)
		}
		u = next.String()
	}
	c.t.Fatalf("too many redirects from %s", start)
	return nil
}

func last(h []hop) hop { return h[len(h)-1] }

// stepTo follows redirects until the next URL would start with prefix,
// and returns that URL without visiting it.
func (c *client) stepTo(start, prefix string) string {
	c.t.Helper()
	u := start
	for range 10 {
		if strings.HasPrefix(u, prefix) {
			return u
		}
		resp, err := c.http.Get(u)
		if err != nil {
			c.t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode < 300 || resp.StatusCode >= 400 {
			c.t.Fatalf("GET %s: %d before reaching %s", u, resp.StatusCode, prefix)
		}
		next, _ := resp.Request.URL.Parse(resp.Header.Get("Location"))
		u = next.String()
	}
	c.t.Fatalf("never reached %s", prefix)
	return ""
}

// editFlowCookie changes one value kept in the sign-in-in-progress cookie.
func editFlowCookie(t *testing.T, c *client, base, key, value string) {
	t.Helper()
	u, _ := url.Parse(base + "/login/oidc/callback")
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name != "supfile_oidc" {
			continue
		}
		raw, err := base64.RawURLEncoding.DecodeString(ck.Value)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := url.ParseQuery(string(raw))
		v.Set(key, value)
		c.http.Jar.SetCookies(u, []*http.Cookie{{Name: "supfile_oidc", Path: "/login/oidc", Value: base64.RawURLEncoding.EncodeToString([]byte(v.Encode()))}})
		return
	}
	t.Fatal("no sign-in cookie")
}

func TestOIDCSignIn(t *testing.T) {
	op := startOIDC(t)
	m := startApp(t, oidcEnv(op))
	p := setUpTeam(t, m.URL)
	staffBefore := len(p.admin.call("GET", "/api/v1/staff", nil, http.StatusOK, nil))

	// The sign-in page offers the provider beside the password form.
	if _, body := newClient(t, m.URL).get("/login?next=/account"); !strings.Contains(body, "Sign in with Testshire Entra ID") ||
		!strings.Contains(body, `href="/login/oidc?next=%2Faccount"`) || !strings.Contains(body, `id="f-password"`) {
		t.Errorf("sign-in page lacks the provider's button or the password form")
	}

	// The full flow: state, nonce and PKCE, matched by verified email.
	op.QueueUser(&mockoidc.MockUser{Subject: "ahmed-1", Email: "Ahmed.Khan@testshire.gov.uk", EmailVerified: true})
	c := newClient(t, m.URL)
	hops := c.visit(m.URL + "/login/oidc?next=/account")
	if len(hops) != 4 || !strings.HasPrefix(hops[1].url, op.Issuer()) || !strings.Contains(hops[1].url, "code_challenge_method=S256") ||
		!strings.Contains(hops[1].url, "nonce=") || !strings.Contains(hops[1].url, "state=") {
		for _, h := range hops {
			t.Logf("%d %s", h.status, h.url)
		}
		t.Fatal("the flow did not go app → provider (with state, nonce and PKCE) → callback → page")
	}
	if h := last(hops); h.status != http.StatusOK || h.url != m.URL+"/account" {
		t.Fatalf("ended at %d %s", h.status, h.url)
	}
	var me struct{ Email string }
	c.call("GET", "/api/v1/me", nil, http.StatusOK, &me)
	if me.Email != "ahmed.khan@testshire.gov.uk" {
		t.Errorf("signed in as %q", me.Email)
	}
	// The callback works once: replaying it finds no sign-in in progress.
	if h := last(c.visit(hops[2].url)); h.status != http.StatusBadRequest || !strings.Contains(h.body, "expired") {
		t.Errorf("replayed callback: %d", h.status)
	}

	refused := func(name string, user *mockoidc.MockUser, tamper func(c *client), status int, want string) {
		t.Run(name, func(t *testing.T) {
			op.QueueUser(user)
			c := newClient(t, m.URL)
			cb := c.stepTo(m.URL+"/login/oidc", m.URL+"/login/oidc/callback")
			if tamper != nil {
				tamper(c)
			}
			if strings.HasPrefix(name, "wrong state") {
				u, _ := url.Parse(cb)
				q := u.Query()
				q.Set("state", "not-the-state")
				u.RawQuery = q.Encode()
				cb = u.String()
			}
			h := last(c.visit(cb))
			if h.status != status || !strings.Contains(h.body, want) {
				t.Errorf("%d, want %d with %q:\n%.3000s", h.status, status, want, h.body)
			}
			c.call("GET", "/api/v1/me", nil, http.StatusUnauthorized, nil)
		})
	}
	sian := &mockoidc.MockUser{Subject: "sian-1", Email: "sian.jones@testshire.gov.uk", EmailVerified: true}
	refused("wrong state", sian, nil, http.StatusBadRequest, "the state is wrong")
	refused("unknown email", &mockoidc.MockUser{Subject: "x", Email: "stranger@elsewhere.example", EmailVerified: true}, nil,
		http.StatusForbidden, "There is no account for stranger@elsewhere.example")
	refused("unverified email", &mockoidc.MockUser{Subject: "y", Email: "sian.jones@testshire.gov.uk", EmailVerified: false}, nil,
		http.StatusForbidden, "verified email")
	refused("wrong PKCE verifier", sian, func(c *client) { editFlowCookie(t, c, m.URL, "verifier", "x"+strings.Repeat("a", 50)) },
		http.StatusForbidden, "the code was refused")
	refused("wrong nonce", sian, func(c *client) { editFlowCookie(t, c, m.URL, "nonce", "another-nonce") },
		http.StatusForbidden, "the nonce is wrong")
	t.Run("error from the provider", func(t *testing.T) {
		c := newClient(t, m.URL)
		c.stepTo(m.URL+"/login/oidc", op.Issuer())
		h := last(c.visit(m.URL + "/login/oidc/callback?error=access_denied&error_description=User+cancelled"))
		if h.status != http.StatusForbidden || !strings.Contains(h.body, "User cancelled") {
			t.Errorf("provider error: %d", h.status)
		}
	})
	if n := len(p.admin.call("GET", "/api/v1/staff", nil, http.StatusOK, nil)); n != staffBefore {
		t.Errorf("staff list changed size: %d → %d bytes; no account may be created", staffBefore, n)
	}
	var list []staffOutJSON
	p.admin.call("GET", "/api/v1/staff", nil, http.StatusOK, &list)
	for _, s := range list {
		if strings.Contains(s.Email, "elsewhere") {
			t.Errorf("an account was created for %s", s.Email)
		}
	}

	// A leaver is refused.
	p.admin.call("PATCH", "/api/v1/staff/"+p.superviseeID, map[string]any{"end_date": londonToday().Format(time.DateOnly)}, http.StatusOK, nil)
	refused("leaver", sian, nil, http.StatusForbidden, "no longer active")

	// Sign-ins through the provider are in the access log.
	var out struct {
		Entries []struct{ Action, Detail string } `json:"entries"`
	}
	p.admin.call("GET", "/api/v1/access-log?action=sign-in", nil, http.StatusOK, &out)
	found := false
	for _, e := range out.Entries {
		found = found || e.Detail == "OpenID Connect"
	}
	if !found {
		t.Errorf("no OpenID Connect sign-in in the access log: %+v", out.Entries)
	}
}

func TestOIDCWithLocalPasswordsOff(t *testing.T) {
	op := startOIDC(t)
	m := startApp(t, oidcEnv(op, "SUPFILE_LOCAL_PASSWORDS", "false"))
	var e apiErr
	newClient(t, m.URL).call("POST", "/api/v1/login", map[string]any{"email": adminEmail, "password": adminPassword}, http.StatusForbidden, &e)
	if !strings.Contains(e.Error.Message, "switched off") {
		t.Errorf("password sign-in with passwords off: %+v", e)
	}
	status, body := newClient(t, m.URL).post("/login", url.Values{"email": {adminEmail}, "password": {adminPassword}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "switched off") {
		t.Errorf("password form post with passwords off: %d", status)
	}
	if _, body := newClient(t, m.URL).get("/login"); strings.Contains(body, `id="f-password"`) || !strings.Contains(body, "Sign in with Testshire Entra ID") {
		t.Error("the sign-in page still offers a password, or lacks the provider")
	}
	op.QueueUser(&mockoidc.MockUser{Subject: "admin", Email: adminEmail, EmailVerified: true})
	admin := newClient(t, m.URL)
	if h := last(admin.visit(m.URL + "/login/oidc")); h.status != http.StatusOK || h.url != m.URL+"/" {
		t.Fatalf("OIDC sign-in with passwords off ended at %d %s", h.status, h.url)
	}
	var me struct{ ID string }
	admin.call("GET", "/api/v1/me", nil, http.StatusOK, &me)
	admin.call("PUT", "/api/v1/me/password", map[string]any{"current_password": adminPassword, "new_password": "a brand new password"}, http.StatusConflict, nil)
	admin.call("PUT", "/api/v1/staff/"+me.ID+"/password", map[string]any{"password": "a brand new password"}, http.StatusConflict, nil)
	if _, body := admin.get("/account"); strings.Contains(body, "Change your password") || !strings.Contains(body, "Testshire Entra ID") {
		t.Error("account page offers a password change with passwords off")
	}
	// New people need no password: they sign in with the provider.
	if _, body := admin.get("/admin/staff"); strings.Contains(body, `id="f-password"`) {
		t.Error("the add-staff form asks for a password with passwords off")
	}
	var st struct{ ID string }
	admin.call("POST", "/api/v1/staff", map[string]any{"name": "Nia Evans", "email": "nia.evans@testshire.gov.uk", "job_title": "Social Worker",
		"role": "social_worker", "start_date": "2024-09-02"}, http.StatusCreated, &st)
	op.QueueUser(&mockoidc.MockUser{Subject: "nia", Email: "nia.evans@testshire.gov.uk", EmailVerified: true})
	nia := newClient(t, m.URL)
	if h := last(nia.visit(m.URL + "/login/oidc")); h.status != http.StatusOK {
		t.Errorf("a person added without a password signs in with the provider: %d", h.status)
	}
	nia.call("GET", "/api/v1/me", nil, http.StatusOK, nil)
	// A restart finds the administrator (who has no password) and adds none.
	m2 := startApp(t, with(oidcEnv(op, "SUPFILE_LOCAL_PASSWORDS", "false"), "SUPFILE_DATA_DIR", m.Config.DataDir))
	var staff []staffOutJSON
	newAdmin := newClient(t, m2.URL)
	op.QueueUser(&mockoidc.MockUser{Subject: "admin", Email: adminEmail, EmailVerified: true})
	last(newAdmin.visit(m2.URL + "/login/oidc"))
	newAdmin.call("GET", "/api/v1/staff", nil, http.StatusOK, &staff)
	if len(staff) != 2 {
		t.Errorf("after a restart there are %d staff, want 2 (the administrator and Nia)", len(staff))
	}
}

func TestOIDCProviderDownAtStart(t *testing.T) {
	op := startOIDC(t)
	env := oidcEnv(op)
	_ = op.Shutdown()
	base := map[string]string{"SUPFILE_ADDR": "127.0.0.1:0", "SUPFILE_DATA_DIR": t.TempDir(), "SUPFILE_ADMIN_EMAIL": adminEmail, "SUPFILE_ADMIN_PASSWORD": adminPassword}
	for k, v := range env {
		base[k] = v
	}
	cfg, err := loadConfig(nil, func(k string) string { return base[k] })
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	m := NewMain(cfg, &out)
	err = m.Run(context.Background())
	m.Close()
	if err == nil || !strings.Contains(err.Error(), "SUPFILE_OIDC_ISSUER: discover OpenID provider") {
		t.Errorf("start with the provider down: %v", err)
	}
}
