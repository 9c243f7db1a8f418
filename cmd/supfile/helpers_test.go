package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// startApp runs the whole application on 127.0.0.1:0 with a fresh data
// folder, as `supfile serve` would, and stops it when the test ends.
func startApp(t *testing.T, env map[string]string) *Main {
	t.Helper()
	base := map[string]string{
		"SUPFILE_ADDR":           "127.0.0.1:0",
		"SUPFILE_DATA_DIR":       t.TempDir(),
		"SUPFILE_ORG_NAME":       "Testshire County Council",
		"SUPFILE_ADMIN_EMAIL":    "admin@testshire.gov.uk",
		"SUPFILE_ADMIN_PASSWORD": "correct horse battery",
	}
	for k, v := range env {
		base[k] = v
	}
	cfg, err := loadConfig(nil, func(k string) string { return base[k] })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	// Passwords hashed at bcrypt's lowest cost: sign-ins were half of
	// TestWhoMayDoWhat's time. TestProductionPasswordCost checks that
	// `supfile` itself hashes at cost 10 or more.
	cfg.passwordCost = bcrypt.MinCost
	var out bytes.Buffer
	m := NewMain(cfg, &syncWriter{w: &out})
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
		if t.Failed() {
			t.Logf("service log:\n%s", out.String())
		}
	})
	return m
}

// client is one signed-in person talking to the API.
type client struct {
	t    *testing.T
	base string
	http *http.Client
}

func newClient(t *testing.T, base string) *client {
	jar, _ := cookiejar.New(nil)
	// Every API response any test gets is checked against the OpenAPI
	// document (openapi_test.go).
	return &client{t: t, base: base, http: &http.Client{Jar: jar, Transport: &openapiCheck{t: t, next: http.DefaultTransport},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}}
}

func login(t *testing.T, base, email, password string) *client {
	t.Helper()
	c := newClient(t, base)
	c.call("POST", "/api/v1/login", map[string]any{"email": email, "password": password}, http.StatusOK, nil)
	return c
}

// call sends a JSON request, checks the status and decodes the reply into out.
func (c *client) call(method, path string, body any, want int, out any) []byte {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		switch b := body.(type) {
		case string:
			rd = strings.NewReader(b)
		default:
			raw, err := json.Marshal(body)
			if err != nil {
				c.t.Fatal(err)
			}
			rd = bytes.NewReader(raw)
		}
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	if resp.StatusCode != want {
		c.t.Fatalf("%s %s: status %d, want %d\n%s", method, path, resp.StatusCode, want, truncateForLog(raw))
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: decode %q: %v", method, path, truncateForLog(raw), err)
		}
	}
	return raw
}

func truncateForLog(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}

// apiErr is the API's error body.
type apiErr struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Fields  []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"fields"`
	} `json:"error"`
}

// syncWriter lets the service log from many goroutines into one buffer.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
