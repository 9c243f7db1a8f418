package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"

	"github.com/supervisionfile/supfile/supervision"
)

// callFrom is call with an X-Forwarded-For header: the address a trusted
// proxy says the request came from.
func (c *client) callFrom(addr, method, path string, body any, want int, out any) []byte {
	c.t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		c.t.Fatal(err)
	}
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(raw))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if addr != "" {
		req.Header.Set("X-Forwarded-For", addr)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		c.t.Fatalf("%s %s from %s: status %d, want %d\n%s", method, path, addr, resp.StatusCode, want, truncateForLog(b))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatal(err)
		}
	}
	return b
}

const adminEmail, adminPassword = "admin@testshire.gov.uk", "correct horse battery"

func TestPasswordRules(t *testing.T) {
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	var e apiErr
	for pw, want := range map[string]string{
		"short":                        "at least 12 characters",
		"elevenchars":                  "at least 12 characters",
		"password1234":                 "too common",
		"Password 1234":                "too common",
		"QWERTYUIOP123":                "too common",
		"aaaaaaaaaaaaaaa":              "too common",
		"liverpool2024":                "too common",
		strings.Repeat("long ", 15):    "72 characters or fewer",
		"correcthorsebatterystaple":    "too common",
		"Correct Horse Battery Staple": "too common",
	} {
		p.admin.call("POST", "/api/v1/staff", map[string]any{"name": "Pat Test", "email": "pat@testshire.gov.uk", "job_title": "Social Worker",
			"role": "social_worker", "start_date": "2024-09-02", "password": pw}, http.StatusUnprocessableEntity, &e)
		if !hasFieldErr(e, "password") || !strings.Contains(e.Error.Fields[len(e.Error.Fields)-1].Message, want) {
			t.Errorf("password %q: %+v, want %q", pw, e, want)
		}
		p.admin.call("PUT", "/api/v1/staff/"+p.superviseeID+"/password", map[string]any{"password": pw}, http.StatusUnprocessableEntity, &e)
		if !hasFieldErr(e, "password") || !strings.Contains(e.Error.Fields[0].Message, want) {
			t.Errorf("reset to %q: %+v, want %q", pw, e, want)
		}
	}
	// No composition rules: twelve lower-case letters in words will do.
	addStaffWith(t, p.admin, "Pat Test", "pat@testshire.gov.uk", "pigeon teacup violin")
	login(t, m.URL, "pat@testshire.gov.uk", "pigeon teacup violin")
}

func addStaffWith(t *testing.T, admin *client, name, email, password string) string {
	t.Helper()
	var st struct{ ID string }
	admin.call("POST", "/api/v1/staff", map[string]any{"name": name, "email": email, "job_title": "Social Worker",
		"role": "social_worker", "start_date": "2024-09-02", "password": password}, http.StatusCreated, &st)
	return st.ID
}

func TestChangePasswordEndsOtherSessions(t *testing.T) {
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	other := login(t, m.URL, "sian.jones@testshire.gov.uk", "a long password 1")

	var e apiErr
	p.supervisee.call("PUT", "/api/v1/me/password", map[string]any{"current_password": "not my password", "new_password": "a fresh long password"}, http.StatusUnprocessableEntity, &e)
	if !hasFieldErr(e, "current_password") {
		t.Errorf("wrong current password: %+v", e)
	}
	p.supervisee.call("PUT", "/api/v1/me/password", map[string]any{"current_password": "a long password 1", "new_password": "password1234"}, http.StatusUnprocessableEntity, &e)
	if !hasFieldErr(e, "new_password") {
		t.Errorf("common new password: %+v", e)
	}
	p.supervisee.call("PUT", "/api/v1/me/password", map[string]any{"current_password": "a long password 1", "new_password": "a long password 1"}, http.StatusUnprocessableEntity, &e)
	if !hasFieldErr(e, "new_password") {
		t.Errorf("same password again: %+v", e)
	}
	other.call("GET", "/api/v1/me", nil, http.StatusOK, nil)

	p.supervisee.call("PUT", "/api/v1/me/password", map[string]any{"current_password": "a long password 1", "new_password": "a fresh long password"}, http.StatusNoContent, nil)
	p.supervisee.call("GET", "/api/v1/me", nil, http.StatusOK, nil) // the changer keeps theirs
	other.call("GET", "/api/v1/me", nil, http.StatusUnauthorized, nil)
	newClient(t, m.URL).call("POST", "/api/v1/login", map[string]any{"email": "sian.jones@testshire.gov.uk", "password": "a long password 1"}, http.StatusUnauthorized, nil)
	again := login(t, m.URL, "sian.jones@testshire.gov.uk", "a fresh long password")

	// An admin's reset ends every session of that person.
	p.admin.call("PUT", "/api/v1/staff/"+p.superviseeID+"/password", map[string]any{"password": "an admin set password"}, http.StatusNoContent, nil)
	p.supervisee.call("GET", "/api/v1/me", nil, http.StatusUnauthorized, nil)
	again.call("GET", "/api/v1/me", nil, http.StatusUnauthorized, nil)
	p.admin.call("GET", "/api/v1/me", nil, http.StatusOK, nil)
	// Resetting their own, an admin keeps the session they used and loses the others.
	admin2 := login(t, m.URL, adminEmail, adminPassword)
	var me struct{ ID string }
	p.admin.call("GET", "/api/v1/me", nil, http.StatusOK, &me)
	p.admin.call("PUT", "/api/v1/staff/"+me.ID+"/password", map[string]any{"password": "the admin's new one"}, http.StatusNoContent, nil)
	p.admin.call("GET", "/api/v1/me", nil, http.StatusOK, nil)
	admin2.call("GET", "/api/v1/me", nil, http.StatusUnauthorized, nil)

	// The page: "Your account" changes the password, with errors beside the fields.
	see := login(t, m.URL, "sian.jones@testshire.gov.uk", "an admin set password")
	if status, body := see.get("/account"); status != http.StatusOK || !strings.Contains(body, "Change your password") {
		t.Fatalf("account page: %d", status)
	}
	status, body := see.post("/account/password", url.Values{"current_password": {"wrong one here"}, "new_password": {"short"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Your current password is not right") || !strings.Contains(body, "at least 12 characters") {
		t.Errorf("bad change on the page: %d", status)
	}
	status, _ = see.post("/account/password", url.Values{"current_password": {"an admin set password"}, "new_password": {"my own choice of words"}})
	if status != http.StatusSeeOther {
		t.Errorf("change on the page: %d", status)
	}
	login(t, m.URL, "sian.jones@testshire.gov.uk", "my own choice of words")
}

// Wrong passwords slow the address and the account, in the database; the
// owner still signs in from elsewhere; huge emails cost nothing.
func TestSignInThrottle(t *testing.T) {
	m := startApp(t, map[string]string{"SUPFILE_TRUSTED_PROXIES": "127.0.0.1/32,::1"})
	// A second instance on the same data: the counts live in the database.
	b := startApp(t, map[string]string{"SUPFILE_DATA_DIR": m.Config.DataDir, "SUPFILE_TRUSTED_PROXIES": "127.0.0.1/32,::1"})
	ctx := t.Context()
	c := newClient(t, m.URL)
	var e apiErr
	const attacker = "203.0.113.5"
	for i := range 5 {
		c.callFrom(attacker, "POST", "/api/v1/login", map[string]any{"email": adminEmail, "password": "guess number " + string(rune('a'+i))}, http.StatusUnauthorized, nil)
	}
	// The sixth, even with the right password, waits: the address is slowed.
	c.callFrom(attacker, "POST", "/api/v1/login", map[string]any{"email": adminEmail, "password": adminPassword}, http.StatusTooManyRequests, &e)
	if e.Error.Code != "too_many_attempts" || !strings.Contains(e.Error.Message, "Wait") {
		t.Errorf("throttled: %+v", e)
	}
	// …on the other instance too.
	newClient(t, b.URL).callFrom(attacker, "POST", "/api/v1/login", map[string]any{"email": adminEmail, "password": adminPassword}, http.StatusTooManyRequests, nil)
	// The owner, from another address, signs in.
	owner := newClient(t, m.URL)
	owner.callFrom("198.51.100.7", "POST", "/api/v1/login", map[string]any{"email": adminEmail, "password": adminPassword}, http.StatusOK, nil)
	owner.call("GET", "/api/v1/me", nil, http.StatusOK, nil)

	// The account is slowed for an address that has failed before, even
	// one that has not failed against this account's limit yet.
	c2 := newClient(t, m.URL)
	c2.callFrom("192.0.2.44", "POST", "/api/v1/login", map[string]any{"email": "nobody@testshire.gov.uk", "password": "some wrong password"}, http.StatusUnauthorized, nil)
	for range 5 {
		c2.callFrom("192.0.2.99", "POST", "/api/v1/login", map[string]any{"email": adminEmail, "password": "another wrong one"}, http.StatusUnauthorized, nil)
	}
	c2.callFrom("192.0.2.44", "POST", "/api/v1/login", map[string]any{"email": adminEmail, "password": "yet another guess"}, http.StatusTooManyRequests, nil)
	// …while a clean address with the right password still gets in.
	newClient(t, m.URL).callFrom("198.51.100.8", "POST", "/api/v1/login", map[string]any{"email": adminEmail, "password": adminPassword}, http.StatusOK, nil)

	// Unknown emails add one row (the address), never one per email.
	before, err := m.db.ThrottleCount(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		// 401 for the first five; then 429 while the wait lasts (a slow
		// machine may see it end, and one more 401).
		status := c.status("192.0.2.200", "POST", "/api/v1/login", map[string]any{"email": strings.Repeat("x", i+1) + "@nowhere.example", "password": "wrong password"})
		if i < 5 && status != http.StatusUnauthorized || status != http.StatusUnauthorized && status != http.StatusTooManyRequests {
			t.Fatalf("unknown email %d: status %d", i, status)
		}
	}
	after, _ := m.db.ThrottleCount(ctx)
	if after-before != 1 {
		t.Errorf("40 failures with 40 unknown emails added %d throttle rows, want 1", after-before)
	}

	// Emails over 254 characters are refused before anything is stored, and
	// a flood of huge ones neither grows the table nor the process.
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	heapBefore := ms.HeapAlloc
	rowsBefore, _ := m.db.ThrottleCount(ctx)
	logBefore, err := m.db.CountAccess(ctx, supervision.AccessQuery{})
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("a", 10000) + "@example.org"
	for i := range 300 {
		c.callFrom("192.0.2.201", "POST", "/api/v1/login", map[string]any{"email": big + string(rune('a'+i%26)), "password": "wrong password"}, http.StatusUnprocessableEntity, &e)
	}
	if !hasFieldErr(e, "email") || !strings.Contains(e.Error.Fields[0].Message, "254 characters or fewer") {
		t.Errorf("long email: %+v", e)
	}
	huge := strings.Repeat("b", 2<<20) + "@example.org"
	for range 150 { // 300 sign-ins with 2 MB emails, half over the API, half from the page
		c.callFrom("192.0.2.202", "POST", "/api/v1/login", map[string]any{"email": huge, "password": "wrong password"}, http.StatusRequestEntityTooLarge, nil)
		status, _ := c.post("/login", url.Values{"email": {huge}, "password": {"wrong password"}})
		if status != http.StatusRequestEntityTooLarge {
			t.Fatalf("huge email on the page: %d", status)
		}
	}
	rowsAfter, _ := m.db.ThrottleCount(ctx)
	runtime.GC()
	runtime.ReadMemStats(&ms)
	t.Logf("heap before %d MB, after 300 sign-ins with 10 kB emails and 300 with 2 MB: %d MB; throttle rows %d → %d",
		heapBefore>>20, ms.HeapAlloc>>20, rowsBefore, rowsAfter)
	if rowsAfter != rowsBefore {
		t.Errorf("over-long emails stored %d throttle rows", rowsAfter-rowsBefore)
	}
	if logAfter, _ := m.db.CountAccess(ctx, supervision.AccessQuery{}); logAfter != logBefore {
		t.Errorf("over-long emails wrote %d access log entries", logAfter-logBefore)
	}
	if ms.HeapAlloc > heapBefore+32<<20 {
		t.Errorf("heap grew from %d MB to %d MB", heapBefore>>20, ms.HeapAlloc>>20)
	}
}

// status sends a JSON request from an address and returns the status.
func (c *client) status(addr, method, path string, body any) int {
	c.t.Helper()
	raw, _ := json.Marshal(body)
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(raw))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", addr)
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Without trusted proxies X-Forwarded-For is ignored: a guesser cannot
// pretend to be many addresses.
func TestForwardedForIgnoredWithoutTrustedProxy(t *testing.T) {
	m := startApp(t, nil)
	c := newClient(t, m.URL)
	for i := range 5 {
		c.callFrom("203.0.113."+string(rune('1'+i)), "POST", "/api/v1/login", map[string]any{"email": adminEmail, "password": "wrong guess here"}, http.StatusUnauthorized, nil)
	}
	c.callFrom("203.0.113.99", "POST", "/api/v1/login", map[string]any{"email": adminEmail, "password": "wrong guess here"}, http.StatusTooManyRequests, nil)
	th, err := m.db.Throttles(t.Context(), []string{"addr:127.0.0.1", "addr:203.0.113.1"})
	if err != nil {
		t.Fatal(err)
	}
	if th["addr:127.0.0.1"].Failures != 5 || th["addr:203.0.113.1"].Failures != 0 {
		t.Errorf("throttle rows = %+v, want 5 failures for the connection's address only", th)
	}
}

func TestLoginNextStaysOnSite(t *testing.T) {
	m := startApp(t, nil)
	for _, next := range []string{"/%09/evil.example", "//evil.example", "/\\evil.example", "https://evil.example/", "/%2F%2Fevil.example", "/%5Cevil.example", "/%252F/evil.example"} {
		c := newClient(t, m.URL)
		resp, err := c.http.PostForm(m.URL+"/login", url.Values{"email": {adminEmail}, "password": {adminPassword}, "next": {next}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/" {
			t.Errorf("next %q: %d to %q, want / ", next, resp.StatusCode, loc)
		}
	}
	c := newClient(t, m.URL)
	resp, err := c.http.PostForm(m.URL+"/login", url.Values{"email": {adminEmail}, "password": {adminPassword}, "next": {"/admin/staff?added=1"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); loc != "/admin/staff?added=1" {
		t.Errorf("a path on this site went to %q", loc)
	}
}

func TestConfigSignIn(t *testing.T) {
	base := map[string]string{"SUPFILE_DATA_DIR": t.TempDir()}
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"SUPFILE_TRUSTED_PROXIES": "10.0.0.0/8,proxy.example"}, "SUPFILE_TRUSTED_PROXIES: \"proxy.example\""},
		{map[string]string{"SUPFILE_LOCAL_PASSWORDS": "false"}, "SUPFILE_LOCAL_PASSWORDS: is false but no OpenID Connect provider"},
		{map[string]string{"SUPFILE_LOCAL_PASSWORDS": "maybe"}, "SUPFILE_LOCAL_PASSWORDS: \"maybe\" is not true or false"},
		{map[string]string{"SUPFILE_RETENTION_YEARS": "0"}, "SUPFILE_RETENTION_YEARS"},
		{map[string]string{"SUPFILE_RETENTION_YEARS": "six"}, "SUPFILE_RETENTION_YEARS"},
		{map[string]string{"SUPFILE_ADMIN_PASSWORD": "password1234"}, "SUPFILE_ADMIN_PASSWORD: This password is too common"},
		{map[string]string{"SUPFILE_ADMIN_PASSWORD": "elevenchars"}, "SUPFILE_ADMIN_PASSWORD: Password must be at least 12"},
		{map[string]string{"SUPFILE_OIDC_ISSUER": "https://login.example"}, "SUPFILE_OIDC_CLIENT_ID"},
		{map[string]string{"SUPFILE_OIDC_CLIENT_ID": "abc"}, "SUPFILE_OIDC_ISSUER"},
		{map[string]string{"SUPFILE_OIDC_ISSUER": "login.example", "SUPFILE_OIDC_CLIENT_ID": "a", "SUPFILE_OIDC_CLIENT_SECRET": "b"}, "SUPFILE_OIDC_ISSUER: \"login.example\""},
		{map[string]string{"SUPFILE_OIDC_ISSUER": "https://login.example", "SUPFILE_OIDC_CLIENT_ID": "a", "SUPFILE_OIDC_CLIENT_SECRET": "b", "SUPFILE_OIDC_REDIRECT_URL": "https://x.example/elsewhere"}, "SUPFILE_OIDC_REDIRECT_URL"},
	} {
		env := with(base)
		for k, v := range tt.env {
			env[k] = v
		}
		_, err := loadConfig(nil, func(k string) string { return env[k] })
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want %q", tt.env, err, tt.want)
		}
	}
	cfg, err := loadConfig(nil, func(k string) string {
		return map[string]string{"SUPFILE_DATA_DIR": t.TempDir(), "SUPFILE_TRUSTED_PROXIES": " 10.0.0.0/8, 192.168.1.10 ", "SUPFILE_RETENTION_YEARS": "7"}[k]
	})
	if err != nil || len(cfg.TrustedProxies) != 2 || cfg.RetentionYears != 7 || !cfg.LocalPasswords {
		t.Errorf("good config: %+v, %v", cfg, err)
	}
}
