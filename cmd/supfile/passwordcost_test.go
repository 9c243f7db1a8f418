package main

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// TestProductionPasswordCost: the tests hash passwords at bcrypt's lowest
// cost (startApp) to save time; `supfile` as configured from its
// environment hashes at cost 10 or more, for the first administrator and
// for staff added later.
func TestProductionPasswordCost(t *testing.T) {
	env := map[string]string{
		"SUPFILE_ADDR":           "127.0.0.1:0",
		"SUPFILE_DATA_DIR":       t.TempDir(),
		"SUPFILE_ADMIN_EMAIL":    "admin@testshire.gov.uk",
		"SUPFILE_ADMIN_PASSWORD": "correct horse battery",
	}
	cfg, err := loadConfig(nil, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	m := NewMain(cfg, &syncWriter{w: &out})
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	admin := login(t, m.URL, "admin@testshire.gov.uk", "correct horse battery")
	addStaff(t, admin, "Ahmed Khan", "ahmed.khan@testshire.gov.uk", "Team Manager", "team_manager")
	for _, email := range []string{"admin@testshire.gov.uk", "ahmed.khan@testshire.gov.uk"} {
		st, err := m.db.GetStaffByEmail(context.Background(), email)
		if err != nil {
			t.Fatal(err)
		}
		cost, err := bcrypt.Cost([]byte(st.PasswordHash))
		if err != nil {
			t.Fatalf("%s: %v", email, err)
		}
		if cost < bcrypt.DefaultCost {
			t.Errorf("%s's password is hashed at cost %d, want %d or more", email, cost, bcrypt.DefaultCost)
		}
	}
	login(t, m.URL, "ahmed.khan@testshire.gov.uk", "a long password 1").call("GET", "/api/v1/me", nil, http.StatusOK, nil)
}
