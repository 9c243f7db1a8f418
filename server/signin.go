package server

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/supervisionfile/supfile/supervision"
)

// loginBodyLimit bounds a sign-in request: an email (254) and a password
// (1024) with room to spare. A bigger body is refused before it is read,
// so a flood of huge sign-ins costs no memory.
const loginBodyLimit = 16 << 10

func (s *Server) limitLogin(c *gin.Context) {
	if c.Request.ContentLength > loginBodyLimit {
		if isAPI(c) {
			s.api(func(*gin.Context) error { return errTooLarge })(c)
		} else {
			s.servePageError(c, errTooLarge)
		}
		c.Abort()
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, loginBodyLimit)
	c.Next()
}

// retryAfter sets Retry-After for a throttled sign-in and reports whether
// it was one.
func retryAfter(c *gin.Context, err error) bool {
	var te *supervision.ThrottledError
	if !errors.As(err, &te) {
		return false
	}
	c.Header("Retry-After", fmt.Sprint(int(te.Wait.Seconds())+1))
	return true
}

// trustProxies makes gin's ClientIP read X-Forwarded-For only from the
// configured proxies; with none, it is always the connection's address.
func (s *Server) trustProxies(e *gin.Engine) error {
	e.ForwardedByClientIP = len(s.opts.TrustedProxies) > 0
	e.RemoteIPHeaders = []string{"X-Forwarded-For"}
	e.TrustedPlatform = ""
	var list []string
	if len(s.opts.TrustedProxies) > 0 {
		list = s.opts.TrustedProxies
	}
	if err := e.SetTrustedProxies(list); err != nil {
		return fmt.Errorf("trusted proxies: %w", err)
	}
	return nil
}

// ParseTrustedProxies checks a comma-separated list of IP addresses and
// CIDR networks.
func ParseTrustedProxies(v string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if strings.Contains(f, "/") {
			if _, _, err := net.ParseCIDR(f); err != nil {
				return nil, fmt.Errorf("%q is not an IP address or CIDR network", f)
			}
		} else if net.ParseIP(f) == nil {
			return nil, fmt.Errorf("%q is not an IP address or CIDR network", f)
		}
		out = append(out, f)
	}
	return out, nil
}

// safeNext keeps a post-login redirect on this site: a path, starting with
// one slash, with no scheme or host, no backslash, no control characters
// or spaces, checked again after each round of percent-decoding (browsers
// and proxies decode some escapes, and drop tabs and newlines). Anything
// else goes home.
func safeNext(next string) string {
	if next == "" || len(next) > 2048 {
		return "/"
	}
	cur := next
	for range 4 {
		if !plainPath(cur) {
			return "/"
		}
		dec, err := url.PathUnescape(cur)
		if err != nil {
			return "/"
		}
		if dec == cur {
			break
		}
		cur = dec
	}
	if !plainPath(cur) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return "/"
	}
	return next
}

func plainPath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		return false
	}
	for _, r := range p {
		if r <= ' ' || r == 0x7f || r == '\\' || (r >= 0x80 && r <= 0x9f) || r == '\u2028' || r == '\u2029' || r == '\ufeff' {
			return false
		}
	}
	return true
}
