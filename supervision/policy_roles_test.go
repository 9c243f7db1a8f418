package supervision

import (
	"testing"

	"github.com/supervisionfile/supfile/policy"
)

// The policy profiles' role categories are the service's.
func TestPolicyRoles(t *testing.T) {
	if len(policy.Roles) != len(RoleCategories) {
		t.Fatalf("policy.Roles %v, RoleCategories %v", policy.Roles, RoleCategories)
	}
	for i, r := range RoleCategories {
		if policy.Roles[i] != string(r) {
			t.Errorf("role %d: policy %q, service %q", i, policy.Roles[i], r)
		}
	}
}
