package main

import (
	"cmp"
	"flag"
	"fmt"
	"github.com/supervisionfile/supfile/clamav"
	"github.com/supervisionfile/supfile/policy"
	"github.com/supervisionfile/supfile/render"
	"net"
	"net/mail"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/supervisionfile/supfile/mailer"
	"github.com/supervisionfile/supfile/server"
	"github.com/supervisionfile/supfile/storage"
	"github.com/supervisionfile/supfile/supervision"
)

// Config is every setting, read from the environment and then flags.
type Config struct {
	Addr          string // SUPFILE_ADDR
	DataDir       string // SUPFILE_DATA_DIR
	OrgName       string // SUPFILE_ORG_NAME
	AdminEmail    string // SUPFILE_ADMIN_EMAIL
	AdminPassword string // SUPFILE_ADMIN_PASSWORD
	DatabaseURL   string // DATABASE_URL
	FormsDir      string // FORMS_DIR
	TimeZone      string // SUPFILE_TIMEZONE
	SecureCookies bool   // SUPFILE_SECURE_COOKIES
	LogFormat     string // SUPFILE_LOG_FORMAT: text or json
	Location      *time.Location

	// The council's letterhead on the first page of every document, and
	// the .docx whose styles the DOCX takes.
	LetterheadLogo    string // SUPFILE_LETTERHEAD_LOGO: a PNG or JPEG file
	LetterheadAddress string // SUPFILE_LETTERHEAD_ADDRESS: lines separated by |
	DOCXBase          string // SUPFILE_DOCX_BASE: a .docx file

	// The organisation's sealing certificate: a PEM certificate and key, or
	// a PKCS#12 bundle; with neither, a self-signed one under the data folder.
	SealCert        string // SUPFILE_SEAL_CERT
	SealKey         string // SUPFILE_SEAL_KEY
	SealP12         string // SUPFILE_SEAL_P12
	SealP12Password string // SUPFILE_SEAL_P12_PASSWORD
	SealTSA         string // SUPFILE_SEAL_TSA_URL: an RFC 3161 timestamp authority, optional

	// S3-compatible document storage; with no S3_ENDPOINT, documents are
	// kept under the data folder.
	S3           storage.S3Config // S3_ENDPOINT, S3_BUCKET, S3_REGION, S3_ACCESS_KEY, S3_SECRET_KEY, S3_USE_TLS, S3_PATH_STYLE, S3_RETENTION_YEARS
	S3PresignTTL time.Duration    // S3_PRESIGN_TTL: redirect downloads to a presigned URL valid this long; 0 streams them

	// Sign-in.
	TrustedProxies []string // SUPFILE_TRUSTED_PROXIES: comma-separated IPs and CIDRs whose X-Forwarded-For is believed
	OIDC           server.OIDCConfig
	// SUPFILE_OIDC_ISSUER, SUPFILE_OIDC_CLIENT_ID, SUPFILE_OIDC_CLIENT_SECRET, SUPFILE_OIDC_REDIRECT_URL, SUPFILE_OIDC_NAME
	LocalPasswords bool // SUPFILE_LOCAL_PASSWORDS: false allows only OpenID Connect sign-in
	RetentionYears int  // SUPFILE_RETENTION_YEARS: years a leaver's file is kept; the policy's, else 6
	// Policy is the council's policy profile: SUPFILE_POLICY names a
	// built-in preset or a YAML file (policy.DefaultPreset when unset).
	Policy *policy.Profile
	// Attachments (issue 14): SUPFILE_ATTACHMENT_MAX_MB (20) and
	// SUPFILE_ATTACHMENT_MAX_COUNT (20) limit each record's files;
	// SUPFILE_CLAMD is where clamd listens (unix:/run/clamav/clamd.ctl or
	// tcp:host:3310), and every upload is scanned there; empty: no scanner.
	AttachmentMaxBytes int64
	AttachmentMaxCount int
	Clamd              *clamav.Client

	// Email notifications; off when SUPFILE_SMTP_HOST is unset.
	SMTP    mailer.Config // SUPFILE_SMTP_HOST, _PORT, _USERNAME, _PASSWORD, _FROM, _STARTTLS
	BaseURL string        // SUPFILE_BASE_URL: the service's address as people reach it, for links in emails

	// Operations.
	JobWorkers   int    // SUPFILE_JOB_WORKERS: jobs this instance works at once; 0 only queues them; 2 by default
	MetricsToken string // SUPFILE_METRICS_TOKEN: bearer token for /metrics; empty allows loopback only

	// passwordCost is supervision.Config.PasswordCost: never read from
	// the environment or flags, so 0 (bcrypt's default cost, 10); only this
	// package's tests lower it (startApp).
	passwordCost int
}

// configError names the setting at fault, for a one-line start-up failure.
type configError struct{ name, problem string }

func (e *configError) Error() string { return e.name + ": " + e.problem }

func getenv(env func(string) string, name, def string) string {
	if v := env(name); v != "" {
		return v
	}
	return def
}

// loadConfig reads the environment, then lets flags override it.
func loadConfig(args []string, env func(string) string) (*Config, error) {
	c := &Config{
		Addr:          getenv(env, "SUPFILE_ADDR", "127.0.0.1:8080"),
		DataDir:       getenv(env, "SUPFILE_DATA_DIR", "./data"),
		OrgName:       getenv(env, "SUPFILE_ORG_NAME", "Children's Services"),
		AdminEmail:    env("SUPFILE_ADMIN_EMAIL"),
		AdminPassword: env("SUPFILE_ADMIN_PASSWORD"),
		DatabaseURL:   env("DATABASE_URL"),
		FormsDir:      env("FORMS_DIR"),
		TimeZone:      getenv(env, "SUPFILE_TIMEZONE", "Europe/London"),
		LogFormat:     getenv(env, "SUPFILE_LOG_FORMAT", "text"),

		LetterheadLogo:    env("SUPFILE_LETTERHEAD_LOGO"),
		LetterheadAddress: env("SUPFILE_LETTERHEAD_ADDRESS"),
		DOCXBase:          env("SUPFILE_DOCX_BASE"),

		SealCert:        env("SUPFILE_SEAL_CERT"),
		SealKey:         env("SUPFILE_SEAL_KEY"),
		SealP12:         env("SUPFILE_SEAL_P12"),
		SealP12Password: env("SUPFILE_SEAL_P12_PASSWORD"),
		SealTSA:         env("SUPFILE_SEAL_TSA_URL"),

		S3: storage.S3Config{Endpoint: env("S3_ENDPOINT"), Bucket: env("S3_BUCKET"), Region: env("S3_REGION"),
			AccessKey: env("S3_ACCESS_KEY"), SecretKey: env("S3_SECRET_KEY")},

		OIDC: server.OIDCConfig{Issuer: env("SUPFILE_OIDC_ISSUER"), ClientID: env("SUPFILE_OIDC_CLIENT_ID"),
			ClientSecret: env("SUPFILE_OIDC_CLIENT_SECRET"), RedirectURL: env("SUPFILE_OIDC_REDIRECT_URL"), Name: env("SUPFILE_OIDC_NAME")},
		RetentionYears: supervision.DefaultRetentionYears,
		JobWorkers:     2,
		MetricsToken:   env("SUPFILE_METRICS_TOKEN"),
	}
	jobWorkers := env("SUPFILE_JOB_WORKERS")
	if err := c.loadSMTP(env); err != nil {
		return nil, err
	}
	proxies := env("SUPFILE_TRUSTED_PROXIES")
	localPasswords := getenv(env, "SUPFILE_LOCAL_PASSWORDS", "true")
	retentionYears := env("SUPFILE_RETENTION_YEARS")
	useTLS := getenv(env, "S3_USE_TLS", "true")
	pathStyle := getenv(env, "S3_PATH_STYLE", "true")
	retention := env("S3_RETENTION_YEARS")
	presign := env("S3_PRESIGN_TTL")
	secure := getenv(env, "SUPFILE_SECURE_COOKIES", "false")
	fs := flag.NewFlagSet("supfile", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (SUPFILE_ADDR)")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "data folder for the embedded database and documents (SUPFILE_DATA_DIR)")
	fs.StringVar(&c.OrgName, "org-name", c.OrgName, "organisation name on pages and documents (SUPFILE_ORG_NAME)")
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "postgres:// URL; empty for SQLite under the data folder (DATABASE_URL)")
	fs.StringVar(&c.FormsDir, "forms-dir", c.FormsDir, "folder of form definitions that override or add to the built-in ones (FORMS_DIR)")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "text or json (SUPFILE_LOG_FORMAT)")
	fs.StringVar(&secure, "secure-cookies", secure, "mark the session cookie Secure, for HTTPS (SUPFILE_SECURE_COOKIES)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var err error
	if c.SecureCookies, err = parseBool("SUPFILE_SECURE_COOKIES", secure); err != nil {
		return nil, err
	}
	if c.LocalPasswords, err = parseBool("SUPFILE_LOCAL_PASSWORDS", localPasswords); err != nil {
		return nil, err
	}
	if c.TrustedProxies, err = server.ParseTrustedProxies(proxies); err != nil {
		return nil, &configError{"SUPFILE_TRUSTED_PROXIES", err.Error() + " (give a comma-separated list, for example 10.0.0.0/8,192.168.1.10)"}
	}
	if c.Policy, err = policy.Load(env("SUPFILE_POLICY")); err != nil {
		return nil, &configError{"SUPFILE_POLICY", err.Error()}
	}
	if c.Policy.RetentionYears > 0 {
		c.RetentionYears = c.Policy.RetentionYears
	}
	if retentionYears != "" {
		years, err := strconv.Atoi(retentionYears)
		if err != nil || years < 1 || years > 100 {
			return nil, &configError{"SUPFILE_RETENTION_YEARS", fmt.Sprintf("%q is not a whole number of years from 1 to 100", retentionYears)}
		}
		c.RetentionYears = years
	}
	if jobWorkers != "" {
		n, err := strconv.Atoi(jobWorkers)
		if err != nil || n < 0 || n > 64 {
			return nil, &configError{"SUPFILE_JOB_WORKERS", fmt.Sprintf("%q is not a whole number from 0 to 64", jobWorkers)}
		}
		c.JobWorkers = n
	}
	if t := c.MetricsToken; t != "" && (len(t) < 16 || strings.ContainsAny(t, " \t\r\n")) {
		return nil, &configError{"SUPFILE_METRICS_TOKEN", "must be at least 16 characters with no spaces"}
	}
	if v := env("SUPFILE_ATTACHMENT_MAX_MB"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1024 {
			return nil, &configError{"SUPFILE_ATTACHMENT_MAX_MB", fmt.Sprintf("%q is not a whole number of megabytes from 1 to 1024", v)}
		}
		c.AttachmentMaxBytes = int64(n) << 20
	}
	if v := env("SUPFILE_ATTACHMENT_MAX_COUNT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return nil, &configError{"SUPFILE_ATTACHMENT_MAX_COUNT", fmt.Sprintf("%q is not a whole number from 1 to 1000", v)}
		}
		c.AttachmentMaxCount = n
	}
	if v := env("SUPFILE_CLAMD"); v != "" {
		if c.Clamd, err = clamav.Parse(v); err != nil {
			return nil, &configError{"SUPFILE_CLAMD", err.Error()}
		}
	}
	if c.S3.UseTLS, err = parseBool("S3_USE_TLS", useTLS); err != nil {
		return nil, err
	}
	if c.S3.PathStyle, err = parseBool("S3_PATH_STYLE", pathStyle); err != nil {
		return nil, err
	}
	if retention != "" {
		years, err := strconv.Atoi(retention)
		if err != nil || years < 1 || years > 100 {
			return nil, &configError{"S3_RETENTION_YEARS", fmt.Sprintf("%q is not a whole number of years from 1 to 100", retention)}
		}
		c.S3.Retention = time.Duration(years)*365*24*time.Hour + time.Duration(years/4+1)*24*time.Hour
	}
	if presign != "" {
		d, err := time.ParseDuration(presign)
		if err != nil || d < 10*time.Second || d > time.Hour {
			return nil, &configError{"S3_PRESIGN_TTL", fmt.Sprintf("%q is not a duration from 10s to 1h (for example 5m)", presign)}
		}
		c.S3PresignTTL = d
	}
	return c, c.validate()
}

func (c *Config) validate() error {
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return &configError{"SUPFILE_ADDR", fmt.Sprintf("%q is not host:port (for example 127.0.0.1:8080)", c.Addr)}
	}
	_ = host
	if port == "" {
		return &configError{"SUPFILE_ADDR", "missing port"}
	}
	if strings.TrimSpace(c.DataDir) == "" {
		return &configError{"SUPFILE_DATA_DIR", "must not be empty"}
	}
	if strings.TrimSpace(c.OrgName) == "" || len(c.OrgName) > 200 {
		return &configError{"SUPFILE_ORG_NAME", "must be between 1 and 200 characters"}
	}
	if c.AdminEmail != "" {
		if a, err := mail.ParseAddress(c.AdminEmail); err != nil || a.Address != c.AdminEmail {
			return &configError{"SUPFILE_ADMIN_EMAIL", fmt.Sprintf("%q is not an email address", c.AdminEmail)}
		}
	}
	if c.AdminPassword != "" {
		if p := supervision.PasswordProblem(c.AdminPassword); p != "" {
			return &configError{"SUPFILE_ADMIN_PASSWORD", p}
		}
	}
	if err := c.validateOIDC(); err != nil {
		return err
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return &configError{"DATABASE_URL", "must start with postgres:// (leave it unset for the embedded SQLite database)"}
	}
	for _, f := range []struct{ name, path string }{{"SUPFILE_LETTERHEAD_LOGO", c.LetterheadLogo}, {"SUPFILE_DOCX_BASE", c.DOCXBase}} {
		if f.path == "" {
			continue
		}
		if st, err := os.Stat(f.path); err != nil || !st.Mode().IsRegular() {
			return &configError{f.name, fmt.Sprintf("%q is not a file", f.path)}
		}
	}
	if c.FormsDir != "" {
		st, err := os.Stat(c.FormsDir)
		if err != nil || !st.IsDir() {
			return &configError{"FORMS_DIR", fmt.Sprintf("%q is not a folder", c.FormsDir)}
		}
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return &configError{"SUPFILE_TIMEZONE", fmt.Sprintf("%q is not a time zone name", c.TimeZone)}
	}
	c.Location = loc
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return &configError{"SUPFILE_LOG_FORMAT", "must be text or json"}
	}
	if c.S3.Endpoint != "" {
		switch {
		case strings.Contains(c.S3.Endpoint, "://"):
			return &configError{"S3_ENDPOINT", fmt.Sprintf("%q must be host or host:port without a scheme (S3_USE_TLS says https or http)", c.S3.Endpoint)}
		case c.S3.Bucket == "":
			return &configError{"S3_BUCKET", "must be set with S3_ENDPOINT"}
		case c.S3.AccessKey == "" || c.S3.SecretKey == "":
			return &configError{"S3_ACCESS_KEY", "S3_ACCESS_KEY and S3_SECRET_KEY must be set with S3_ENDPOINT"}
		}
	} else if c.S3.Bucket != "" || c.S3PresignTTL != 0 {
		return &configError{"S3_ENDPOINT", "must be set when S3_BUCKET or S3_PRESIGN_TTL is (leave all S3_ settings unset to keep documents under the data folder)"}
	}
	switch {
	case c.SealP12 != "" && (c.SealCert != "" || c.SealKey != ""):
		return &configError{"SUPFILE_SEAL_P12", "set either SUPFILE_SEAL_P12 or SUPFILE_SEAL_CERT and SUPFILE_SEAL_KEY, not both"}
	case c.SealCert != "" && c.SealKey == "":
		return &configError{"SUPFILE_SEAL_KEY", "must be set with SUPFILE_SEAL_CERT (the PEM private key)"}
	case c.SealKey != "" && c.SealCert == "":
		return &configError{"SUPFILE_SEAL_CERT", "must be set with SUPFILE_SEAL_KEY (the PEM certificate)"}
	case c.SealP12Password != "" && c.SealP12 == "":
		return &configError{"SUPFILE_SEAL_P12_PASSWORD", "is set but SUPFILE_SEAL_P12 is not"}
	}
	if c.SealTSA != "" {
		if u, err := url.Parse(c.SealTSA); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &configError{"SUPFILE_SEAL_TSA_URL", "must be an http:// or https:// URL of an RFC 3161 timestamp authority"}
		}
	}
	return nil
}

// parseBool reads a true/false setting.
func parseBool(name, v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off", "":
		return false, nil
	}
	return false, &configError{name, fmt.Sprintf("%q is not true or false", v)}
}

func (c *Config) validateOIDC() error {
	o := c.OIDC
	set := o.Issuer != "" || o.ClientID != "" || o.ClientSecret != "" || o.RedirectURL != ""
	switch {
	case !set && !c.LocalPasswords:
		return &configError{"SUPFILE_LOCAL_PASSWORDS", "is false but no OpenID Connect provider is set up (SUPFILE_OIDC_ISSUER), so nobody could sign in"}
	case !set:
		return nil
	case o.Issuer == "":
		return &configError{"SUPFILE_OIDC_ISSUER", "must be set with the other SUPFILE_OIDC_ settings"}
	case o.ClientID == "":
		return &configError{"SUPFILE_OIDC_CLIENT_ID", "must be set with SUPFILE_OIDC_ISSUER"}
	case o.ClientSecret == "":
		return &configError{"SUPFILE_OIDC_CLIENT_SECRET", "must be set with SUPFILE_OIDC_ISSUER"}
	}
	if u, err := url.Parse(o.Issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return &configError{"SUPFILE_OIDC_ISSUER", fmt.Sprintf("%q is not an https:// URL", o.Issuer)}
	}
	if o.RedirectURL != "" {
		if u, err := url.Parse(o.RedirectURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "/login/oidc/callback" {
			return &configError{"SUPFILE_OIDC_REDIRECT_URL", "must be this service's address followed by /login/oidc/callback, for example https://supervision.example.gov.uk/login/oidc/callback"}
		}
	}
	return nil
}

// loadSMTP reads the email settings: all unset is email off; with
// SUPFILE_SMTP_HOST set, SUPFILE_SMTP_FROM and SUPFILE_BASE_URL are needed.
func (c *Config) loadSMTP(env func(string) string) error {
	host, port, user, pass, from := env("SUPFILE_SMTP_HOST"), env("SUPFILE_SMTP_PORT"), env("SUPFILE_SMTP_USERNAME"),
		env("SUPFILE_SMTP_PASSWORD"), env("SUPFILE_SMTP_FROM")
	starttls, base := env("SUPFILE_SMTP_STARTTLS"), env("SUPFILE_BASE_URL")
	c.BaseURL = base
	if base != "" {
		if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return &configError{"SUPFILE_BASE_URL", fmt.Sprintf("%q is not the service's http:// or https:// address (for example https://supervision.example.gov.uk)", base)}
		}
	}
	if host == "" {
		for _, v := range []struct{ name, val string }{{"SUPFILE_SMTP_PORT", port}, {"SUPFILE_SMTP_USERNAME", user},
			{"SUPFILE_SMTP_PASSWORD", pass}, {"SUPFILE_SMTP_FROM", from}, {"SUPFILE_SMTP_STARTTLS", starttls}} {
			if v.val != "" {
				return &configError{v.name, "is set but SUPFILE_SMTP_HOST is not (set SUPFILE_SMTP_HOST to send email notifications, or unset the other SUPFILE_SMTP_ settings)"}
			}
		}
		return nil
	}
	m := mailer.Config{Host: host, Port: 587, Username: user, Password: pass}
	if strings.Contains(host, "://") || strings.ContainsAny(host, " /") {
		return &configError{"SUPFILE_SMTP_HOST", fmt.Sprintf("%q must be a host name or address without a scheme or port (the port is SUPFILE_SMTP_PORT)", host)}
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return &configError{"SUPFILE_SMTP_PORT", fmt.Sprintf("%q is not a port number from 1 to 65535", port)}
		}
		m.Port = n
	}
	if from == "" {
		return &configError{"SUPFILE_SMTP_FROM", "must be set with SUPFILE_SMTP_HOST: the address emails come from (for example Supervision File <supervision@example.gov.uk>)"}
	}
	a, err := mail.ParseAddress(from)
	if err != nil {
		return &configError{"SUPFILE_SMTP_FROM", fmt.Sprintf("%q is not an email address (for example Supervision File <supervision@example.gov.uk>)", from)}
	}
	m.From = *a
	if (user == "") != (pass == "") {
		return &configError{"SUPFILE_SMTP_USERNAME", "SUPFILE_SMTP_USERNAME and SUPFILE_SMTP_PASSWORD are set together, or neither"}
	}
	var err2 error
	if m.StartTLS, err2 = parseBool("SUPFILE_SMTP_STARTTLS", cmp.Or(starttls, "true")); err2 != nil {
		return err2
	}
	if user != "" && !m.StartTLS && !loopback(host) {
		return &configError{"SUPFILE_SMTP_STARTTLS", "is off, so the SMTP password would cross the network in clear: turn it on, or use a relay that needs no password"}
	}
	if base == "" {
		return &configError{"SUPFILE_BASE_URL", "must be set with SUPFILE_SMTP_HOST: the emails link to the service's pages (for example https://supervision.example.gov.uk)"}
	}
	c.SMTP = m
	return nil
}

// loopback says whether a host is this machine.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// newRenderer makes the document renderer with the council's letterhead
// and base .docx, if configured; render.New checks and re-encodes them.
func newRenderer(c *Config) (*render.Renderer, error) {
	opts := render.Options{Letterhead: render.Letterhead{Address: strings.ReplaceAll(c.LetterheadAddress, "|", "\n")}}
	if c.LetterheadLogo != "" {
		b, err := os.ReadFile(c.LetterheadLogo)
		if err != nil {
			return nil, &configError{"SUPFILE_LETTERHEAD_LOGO", err.Error()}
		}
		opts.Letterhead.Logo = b
	}
	if c.DOCXBase != "" {
		b, err := os.ReadFile(c.DOCXBase)
		if err != nil {
			return nil, &configError{"SUPFILE_DOCX_BASE", err.Error()}
		}
		opts.BaseDOCX = b
	}
	r, err := render.New(opts)
	if err != nil && c.DOCXBase != "" && strings.Contains(err.Error(), "base DOCX") {
		// What is wrong with the council's .docx (its styles, header or
		// footer) names the setting to fix.
		return nil, &configError{"SUPFILE_DOCX_BASE", strings.TrimPrefix(err.Error(), "render: ")}
	}
	return r, err
}
