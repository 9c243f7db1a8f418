package server

import "testing"

func TestSafeNext(t *testing.T) {
	tests := []struct{ next, want string }{
		{"", "/"},
		{"/", "/"},
		{"/staff/abc/file", "/staff/abc/file"},
		{"/records/r1/edit?saved=1", "/records/r1/edit?saved=1"},
		{"/admin/staff?x=%2Fy", "/admin/staff?x=%2Fy"},
		{"/verify#top", "/verify#top"},
		// Off-site, however dressed.
		{"//evil.example", "/"},
		{"///evil.example", "/"},
		{"/\\evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"/\t/evil.example", "/"},
		{"/%09/evil.example", "/"},
		{"/%0a/evil.example", "/"},
		{"/%0D%0A/evil.example", "/"},
		{"/%2F/evil.example", "/"},
		{"/%2f%2fevil.example", "/"},
		{"/%5Cevil.example", "/"},
		{"/%5cevil.example", "/"},
		{"/%252F/evil.example", "/"},
		{"/%25252F%25252Fevil.example", "/"},
		{"/%20/evil.example", "/"},
		{"/ /evil.example", "/"},
		{"/\x00/evil.example", "/"},
		{"/\u2028/evil.example", "/"},
		{"https://evil.example", "/"},
		{"http:/evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"evil.example", "/"},
		{"%2F%2Fevil.example", "/"},
		{"/%zz", "/"},
		{"/" + string(make([]byte, 3000)), "/"},
	}
	for _, tt := range tests {
		if got := safeNext(tt.next); got != tt.want {
			t.Errorf("safeNext(%q) = %q, want %q", tt.next, got, tt.want)
		}
	}
}

func TestParseTrustedProxies(t *testing.T) {
	got, err := ParseTrustedProxies(" 10.0.0.0/8, 192.168.1.10 ,::1,")
	if err != nil || len(got) != 3 {
		t.Errorf("ParseTrustedProxies = %v, %v", got, err)
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.example", "10.0.0.1.5", "*"} {
		if _, err := ParseTrustedProxies(bad); err == nil {
			t.Errorf("ParseTrustedProxies(%q) accepted it", bad)
		}
	}
}
