package supervision

import (
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// TestDummyHashCost checks the fixed hash a failed look-up compares with
// costs what a real password's does, so an unknown email is no faster.
func TestDummyHashCost(t *testing.T) {
	cost, err := bcrypt.Cost(dummyHash)
	if err != nil {
		t.Fatal(err)
	}
	if cost != bcrypt.DefaultCost {
		t.Fatalf("dummy hash cost %d, real hashes cost %d", cost, bcrypt.DefaultCost)
	}
	if err := bcrypt.CompareHashAndPassword(dummyHash, []byte("not a real password")); err != nil {
		t.Fatalf("the dummy hash is not a bcrypt hash: %v", err)
	}
}

// TestDefaultPasswordCost: unless a test lowers it, new passwords are
// hashed at bcrypt's default cost, the dummy hash's.
func TestDefaultPasswordCost(t *testing.T) {
	if got := (Config{}).passwordCost(); got != bcrypt.DefaultCost {
		t.Fatalf("new passwords hashed at cost %d, want %d", got, bcrypt.DefaultCost)
	}
	if got := (Config{PasswordCost: bcrypt.MinCost}).passwordCost(); got != bcrypt.MinCost {
		t.Fatalf("a test's cost %d became %d", bcrypt.MinCost, got)
	}
}

// TestDummyHashAtTheTestsCost: with the service's cost the fixed hash is
// used; with a test's lower cost, a hash at that cost.
func TestDummyHashAtTheTestsCost(t *testing.T) {
	if got := dummyHashAt(bcrypt.DefaultCost); string(got) != string(dummyHash) {
		t.Errorf("at the default cost: %s, want the fixed hash", got)
	}
	h := dummyHashAt(bcrypt.MinCost)
	if cost, err := bcrypt.Cost(h); err != nil || cost != bcrypt.MinCost {
		t.Errorf("at cost %d: a hash of cost %d (%v)", bcrypt.MinCost, cost, err)
	}
	if err := bcrypt.CompareHashAndPassword(h, []byte("not a real password")); err != nil {
		t.Errorf("not a bcrypt hash: %v", err)
	}
	if s := New(nil, nil, nil, nil, Config{}, nil); string(s.People.dummy) != string(dummyHash) {
		t.Error("the service does not compare unknown emails with the fixed hash")
	}
}
