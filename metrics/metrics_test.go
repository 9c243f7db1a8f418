package metrics

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
)

// Without a token, /metrics answers only connections from loopback,
// whatever X-Forwarded-For claims; with one, only the bearer of it.
func TestWhoMayRead(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	for _, c := range []struct {
		token, remote, auth, xff string
		want                     int
	}{
		{"", "127.0.0.1:5000", "", "", http.StatusOK},
		{"", "[::1]:5000", "", "", http.StatusOK},
		{"", "10.1.2.3:5000", "", "", http.StatusForbidden},
		{"", "10.1.2.3:5000", "", "127.0.0.1", http.StatusForbidden},
		{"", "192.168.0.9:5000", "Bearer anything", "", http.StatusForbidden},
		{"0123456789abcdef", "127.0.0.1:5000", "", "", http.StatusUnauthorized},
		{"0123456789abcdef", "10.1.2.3:5000", "Bearer 0123456789abcdef", "", http.StatusOK},
		{"0123456789abcdef", "10.1.2.3:5000", "bearer 0123456789abcdef", "", http.StatusOK},
		{"0123456789abcdef", "10.1.2.3:5000", "Bearer 0123456789abcdeX", "", http.StatusUnauthorized},
		{"0123456789abcdef", "10.1.2.3:5000", "Basic 0123456789abcdef", "", http.StatusUnauthorized},
	} {
		m := New(c.token)
		e := gin.New()
		e.GET("/metrics", m.Handler())
		req := httptest.NewRequest("GET", "/metrics", nil)
		req.RemoteAddr = c.remote
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		if c.xff != "" {
			req.Header.Set("X-Forwarded-For", c.xff)
		}
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		if w.Code != c.want {
			t.Errorf("token %q from %s auth %q xff %q: %d, want %d", c.token, c.remote, c.auth, c.xff, w.Code, c.want)
		}
	}
}
