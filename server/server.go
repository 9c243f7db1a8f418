package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/supervisionfile/supfile/metrics"
	"github.com/supervisionfile/supfile/supervision"
	"github.com/supervisionfile/supfile/templates"
)

// Options tune the HTTP layer.
type Options struct {
	// SecureCookies marks the session cookie Secure; on when served over HTTPS.
	SecureCookies bool
	// MaxBodyBytes bounds a request body; 413 past it.
	MaxBodyBytes int64
	// HTML and Static default to the embedded templates; a dev flag or a
	// test may pass others.
	HTML, Static fs.FS
	// TrustedProxies are the addresses and networks (CIDR) of reverse
	// proxies whose X-Forwarded-For is believed; from anyone else the
	// client address is the connection's.
	TrustedProxies []string
	// OIDC, when set, offers sign-in with the organisation's identity
	// provider (see oidc.go).
	OIDC *OIDC
	// Metrics, when set, counts every request and serves /metrics.
	Metrics *metrics.Metrics
}

// Server serves the pages and the API.
type Server struct {
	svc   *supervision.Service
	log   *slog.Logger
	opts  Options
	pages map[string]*pageTemplate
	gin   *gin.Engine
}

const (
	cookieName = "supfile_session"
	userKey    = "user"
	reqIDKey   = "request_id"
)

// New builds the server and parses every template, so a broken template
// stops start-up rather than a request.
func New(svc *supervision.Service, log *slog.Logger, opts Options) (*Server, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = 8 << 20
	}
	if opts.HTML == nil {
		opts.HTML = templates.HTML()
	}
	if opts.Static == nil {
		opts.Static = templates.Static()
	}
	s := &Server{svc: svc, log: log, opts: opts}
	if _, err := openapiJSON(); err != nil {
		return nil, err
	}
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	if err := s.trustProxies(e); err != nil {
		return nil, err
	}
	if opts.Metrics != nil {
		e.Use(opts.Metrics.Middleware)
	}
	e.Use(s.requestContext, s.accessInfo, s.recoverer, s.limitBody, s.securityHeaders, s.loadUser)
	s.routes(e)
	s.gin = e
	return s, nil
}

// Handler is the whole service, with protection against cross-origin
// (CSRF) form posts.
func (s *Server) Handler() http.Handler {
	return http.NewCrossOriginProtection().Handler(s.gin)
}

func (s *Server) routes(e *gin.Engine) {
	e.StaticFS("/static", http.FS(s.opts.Static))
	e.GET("/healthz", func(c *gin.Context) { c.String(http.StatusOK, "ok\n") })
	e.GET("/readyz", s.readyz)
	if s.opts.Metrics != nil {
		e.GET("/metrics", s.opts.Metrics.Handler())
	}

	e.GET("/login", s.page(s.loginPage))
	e.GET("/about", s.page(s.aboutPage))
	e.POST("/login", s.limitLogin, s.page(s.loginSubmit))
	e.POST("/logout", s.page(s.logout))
	e.GET("/login/oidc", s.page(s.oidcStart))
	e.GET("/login/oidc/callback", s.page(s.oidcCallback))

	p := e.Group("/", s.requireUserPage)
	p.GET("", s.page(s.home))
	p.GET("team/due.csv", s.page(s.teamDueCSV))
	p.GET("admin/staff", s.page(s.staffList))
	p.POST("admin/staff", s.page(s.staffCreate))
	p.GET("admin/staff/:id", s.page(s.staffMember))
	p.POST("admin/staff/:id/supervisor", s.page(s.staffSetSupervisor))
	p.POST("admin/staff/:id/password", s.page(s.staffSetPassword))
	p.GET("admin/staff/:id/export.zip", s.page(s.exportFile))
	p.POST("admin/staff/:id/details", s.page(s.staffEdit))
	p.GET("account", s.page(s.accountPage))
	p.POST("account/password", s.page(s.accountPassword))
	p.POST("account/email", s.page(s.accountEmail))
	p.GET("staff/:id/file", s.page(s.filePage))
	p.GET("verify", s.page(s.verifyForm))
	p.POST("verify", s.page(s.verifySubmit))
	p.GET("staff/:id/front-page.pdf", s.page(s.frontPage))
	p.POST("staff/:id/records", s.page(s.recordStart))
	p.GET("records/:rid", s.page(s.recordPage))
	p.GET("records/:rid/edit", s.page(s.recordEdit))
	p.POST("records/:rid/edit", s.page(s.recordEditSubmit))
	s.taskListRoutes(p) // tasklist.go
	p.POST("records/:rid/sign", s.page(s.recordSign))
	p.GET("records/:rid/document.pdf", s.page(s.download("pdf")))
	p.GET("records/:rid/document.docx", s.page(s.download("docx")))
	p.GET("admin/access-log", s.page(s.accessLogPage))
	p.GET("admin/access-log.csv", s.page(s.accessLogCSV))
	p.GET("staff/:id/access-log", s.page(s.fileAccessPage))
	p.POST("records/:rid/parties", s.page(s.recordInvite))
	p.POST("records/:rid/parties/remove", s.page(s.recordUninvite))
	p.GET("manage/cover", s.page(s.coverPage))
	p.POST("manage/cover", s.page(s.coverCreate))
	p.POST("manage/cover/:cid/end", s.page(s.coverEnd))
	p.GET("manage/audits", s.page(s.auditsPage))
	p.POST("manage/audits", s.page(s.auditCreate))
	p.POST("manage/audits/:aid/end", s.page(s.auditEnd))

	a := e.Group("/api/v1")
	a.POST("/login", s.limitLogin, s.api(s.apiLogin))
	a.POST("/logout", s.api(s.apiLogout))
	a.GET("/openapi.json", s.api(s.apiOpenAPI))
	a.GET("/forms", s.api(s.apiForms))
	a.GET("/forms/:form/schema", s.api(s.apiFormSchema))
	u := a.Group("/", s.requireUserAPI)
	u.GET("me", s.api(s.apiMe))
	u.PUT("me/password", s.api(s.apiChangePassword))
	u.PUT("me/email-notifications", s.api(s.apiEmailNotifications))
	u.PATCH("staff/:id", s.api(s.apiStaffPatch))
	u.GET("staff", s.api(s.apiStaffList))
	u.POST("staff", s.api(s.apiStaffCreate))
	u.PUT("staff/:id/supervisor", s.api(s.apiSetSupervisor))
	u.PUT("staff/:id/password", s.api(s.apiSetPassword))
	u.GET("staff/:id/export.zip", s.api(s.exportFile))
	u.GET("staff/:id/file", s.api(s.apiFile))
	u.POST("verify", s.api(s.apiVerify))
	u.GET("staff/:id/file/front-page.pdf", s.api(s.frontPage))
	u.POST("staff/:id/records", s.api(s.apiRecordCreate))
	u.GET("records/:rid", s.api(s.apiRecordGet))
	u.PUT("records/:rid", s.api(s.apiRecordPut))
	u.POST("records/:rid/submit", s.api(s.apiRecordSubmit))
	u.POST("records/:rid/signatures", s.api(s.apiRecordSign))
	u.GET("records/:rid/document.pdf", s.api(s.download("pdf")))
	u.GET("records/:rid/document.docx", s.api(s.download("docx")))
	u.GET("access-log", s.api(s.apiAccessLog))
	u.GET("access-log.csv", s.api(s.accessLogCSV))
	u.GET("staff/:id/access-log", s.api(s.apiFileAccessLog))
	u.GET("records/:rid/parties", s.api(s.apiRecordParties))
	u.POST("records/:rid/parties", s.api(s.apiRecordInvite))
	u.DELETE("records/:rid/parties/:role/:staff", s.api(s.apiRecordUninvite))
	u.GET("covers", s.api(s.apiCovers))
	u.POST("covers", s.api(s.apiCoverCreate))
	u.DELETE("covers/:cid", s.api(s.apiCoverEnd))
	u.GET("audit-assignments", s.api(s.apiAudits))
	u.POST("audit-assignments", s.api(s.apiAuditCreate))
	u.DELETE("audit-assignments/:aid", s.api(s.apiAuditEnd))
	s.handoverRoutes(p, u)
	s.livingRoutes(p, u)
	s.attachmentRoutes(p, u)

	e.NoRoute(func(c *gin.Context) {
		if isAPI(c) {
			c.JSON(http.StatusNotFound, gin.H{"error": apiError{Code: "not_found", Message: "No such endpoint"}})
			return
		}
		s.servePageError(c, supervision.Errorf(supervision.ErrNotFound, "There is no page at this address. Check it, or go back to the start page."))
	})
	e.NoMethod(func(c *gin.Context) {
		c.JSON(http.StatusMethodNotAllowed, gin.H{"error": apiError{Code: "method_not_allowed", Message: "Method not allowed"}})
	})
}

func isAPI(c *gin.Context) bool {
	return len(c.Request.URL.Path) >= 8 && c.Request.URL.Path[:8] == "/api/v1/"
}

func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	if err := s.svc.Ready(ctx); err != nil {
		// The answer names the dependency; the error text (addresses,
		// bucket names, drivers' wording) goes to the log only.
		dep := "unknown"
		var nr *supervision.NotReadyError
		if errors.As(err, &nr) {
			dep = nr.Dependency
		}
		s.log.Warn("not ready", "dependency", dep, "err", err)
		c.String(http.StatusServiceUnavailable, "not ready: %s\n", dep)
		return
	}
	c.String(http.StatusOK, "ready\n")
}

func (s *Server) requestContext(c *gin.Context) {
	var b [8]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	c.Set(reqIDKey, id)
	c.Header("X-Request-Id", id)
	start := time.Now()
	c.Next()
	if isStatic(c) {
		return
	}
	route := c.FullPath()
	if route == "" {
		route = "(no route)"
	}
	s.log.Info("request", "request_id", id, "method", c.Request.Method, "route", route,
		"status", c.Writer.Status(), "duration", time.Since(start))
}

func requestID(c *gin.Context) string { return c.GetString(reqIDKey) }

func (s *Server) recoverer(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic", "request_id", requestID(c), "panic", r)
			if isAPI(c) {
				c.AbortWithStatusJSON(http.StatusInternalServerError, gin.H{"error": apiError{Code: "internal", Message: "Something went wrong (reference " + requestID(c) + ")"}})
				return
			}
			c.Abort()
			c.Writer.WriteHeader(http.StatusInternalServerError)
			_, _ = c.Writer.WriteString("Something went wrong. Reference " + requestID(c))
		}
	}()
	c.Next()
}

func (s *Server) limitBody(c *gin.Context) {
	limit := s.opts.MaxBodyBytes
	if isVerifyUpload(c) {
		// verify accepts every PDF the service has made, however large.
		n, err := s.verifyBodyLimit(c)
		if err != nil {
			if isAPI(c) {
				s.api(func(*gin.Context) error { return err })(c)
			} else {
				s.servePageError(c, err)
			}
			c.Abort()
			return
		}
		limit = max(limit, n)
	}
	if isAttachmentUpload(c) {
		limit = max(limit, s.attachmentBodyLimit())
	}
	if c.Request.ContentLength > limit {
		err := errTooLarge
		if isAPI(c) {
			s.api(func(*gin.Context) error { return err })(c)
		} else {
			s.servePageError(c, err)
		}
		c.Abort()
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	c.Next()
}

func (s *Server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	if !isStatic(c) {
		h.Set("Cache-Control", "no-store")
	}
	c.Next()
}

func isStatic(c *gin.Context) bool {
	return len(c.Request.URL.Path) >= 8 && c.Request.URL.Path[:8] == "/static/"
}

// loadUser finds the signed-in member of staff, if any.
func (s *Server) loadUser(c *gin.Context) {
	if isStatic(c) {
		c.Next()
		return
	}
	if ck, err := c.Cookie(cookieName); err == nil && ck != "" {
		st, err := s.svc.People.Authenticate(c.Request.Context(), ck)
		switch {
		case err == nil:
			c.Set(userKey, st)
		case errors.Is(err, supervision.ErrUnavailable):
			// Not "signed out": the database is down. Say so.
			if isAPI(c) {
				s.api(func(*gin.Context) error { return err })(c)
			} else {
				s.page(func(*gin.Context) error { return err })(c)
			}
			c.Abort()
			return
		}
	}
	c.Next()
}

func currentUser(c *gin.Context) *supervision.Staff {
	if v, ok := c.Get(userKey); ok {
		return v.(*supervision.Staff)
	}
	return nil
}

func (s *Server) requireUserPage(c *gin.Context) {
	if currentUser(c) == nil {
		c.Redirect(http.StatusSeeOther, "/login?next="+urlQueryEscape(c.Request.URL.RequestURI()))
		c.Abort()
		return
	}
	c.Next()
}

func (s *Server) requireUserAPI(c *gin.Context) {
	if currentUser(c) == nil {
		c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"error": apiError{Code: "unauthenticated", Message: "Sign in first: POST /api/v1/login"}})
		return
	}
	c.Next()
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

func (s *Server) setSessionCookie(c *gin.Context, token string) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: cookieName, Value: token, Path: "/", HttpOnly: true, Secure: s.opts.SecureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: int(supervision.SessionLifetime / time.Second),
	})
}

func (s *Server) clearSessionCookie(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{Name: cookieName, Value: "", Path: "/", HttpOnly: true,
		Secure: s.opts.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}
