// Command supfile runs Supervision File: an electronic supervision file for
// children's social care staff.
//
//	supfile serve     run the service (the default)
//	supfile migrate   bring the database schema up to date and exit
//	supfile reindex   rebuild the index of signed records from the document store
//	supfile export ID --reason TEXT  write one supervisee's whole file as a zip
//	supfile verify F  check a PDF against the file: seal, record, signers, true copy
//	supfile purge     delete the files of leavers past retention (--dry-run lists them)
//
// Settings come from the environment (see README.md) and may be overridden
// by flags after the subcommand.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"
	_ "time/tzdata" // the distroless image has no zoneinfo

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/jobs"
	"github.com/supervisionfile/supfile/mailer"
	"github.com/supervisionfile/supfile/metrics"
	"github.com/supervisionfile/supfile/render"
	"github.com/supervisionfile/supfile/seal"
	"github.com/supervisionfile/supfile/server"
	"github.com/supervisionfile/supfile/storage"
	"github.com/supervisionfile/supfile/supervision"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "supfile:", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	// export and verify name what they work on before any flags.
	var operands []string
	for len(args) > 0 && args[0] != "" && args[0][0] != '-' && (cmd == "export" || cmd == "verify") {
		operands, args = append(operands, args[0]), args[1:]
	}
	dryRun := false
	if cmd == "purge" {
		args, dryRun = purgeFlags(args)
	}
	reason := ""
	if cmd == "export" {
		args, reason = reasonFlag(args)
	}
	cfg, err := loadConfig(args, env)
	if err != nil {
		return err
	}
	switch cmd {
	case "serve":
		tuneGC(env)
		ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
		m := NewMain(cfg, stdout)
		if err := m.Run(ctx); err != nil {
			m.Close()
			return err
		}
		<-ctx.Done()
		m.log.Info("shutting down")
		return m.Close()
	case "migrate":
		m := NewMain(cfg, stdout)
		defer m.Close()
		if err := m.openStore(ctx); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "database schema is up to date")
		return nil
	case "reindex", "export", "verify":
		return runTool(ctx, cmd, operands, reason, cfg, stdout)
	case "purge":
		return runPurge(ctx, cfg, dryRun, stdout)
	default:
		return fmt.Errorf("unknown command %q: use serve, migrate, reindex, export, verify or purge", cmd)
	}
}

// Main is the whole application, so a test can start it on 127.0.0.1:0.
type Main struct {
	Config *Config
	out    io.Writer
	log    *slog.Logger

	db      *storage.DB
	svc     *supervision.Service
	srv     *server.Server
	httpSrv *http.Server
	ln      net.Listener
	served  chan error
	jobs    *jobs.Queue // the durable job queue (finishing pending documents)
	metrics *metrics.Metrics
	// notices, when set (by tests), stands in front of the queue the
	// service queues its email notices on.
	notices func(supervision.NoticeQueue) supervision.NoticeQueue

	// URL is where the service listens, once Run has returned.
	URL string
}

// NewMain returns an application for a configuration; logs go to out.
func NewMain(cfg *Config, out io.Writer) *Main {
	var h slog.Handler = slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelInfo})
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(out, &slog.HandlerOptions{Level: slog.LevelInfo})
	}
	return &Main{Config: cfg, out: out, log: slog.New(h)}
}

func (m *Main) openStore(ctx context.Context) error {
	db, err := storage.Open(ctx, m.Config.DatabaseURL, m.Config.DataDir)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	m.db = db
	if err := db.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	return nil
}

// openBlobs opens the document store the configuration names.
func (m *Main) openBlobs(ctx context.Context) (supervision.Blobs, error) {
	if m.Config.S3.Endpoint != "" {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		blobs, err := storage.OpenS3(ctx, m.Config.S3)
		if err != nil {
			return nil, fmt.Errorf("S3_ENDPOINT: %w", err)
		}
		m.log.Info("documents are kept in S3", "endpoint", m.Config.S3.Endpoint, "bucket", m.Config.S3.Bucket, "object_lock", blobs.ObjectLock())
		return blobs, nil
	}
	blobs, err := storage.NewLocalBlobs(filepath.Join(m.Config.DataDir, "documents"))
	if err != nil {
		return nil, fmt.Errorf("SUPFILE_DATA_DIR: %w", err)
	}
	return blobs, nil
}

// openService loads the forms, opens the database (migrating it) and the
// document store, and builds the service on them.
func (m *Main) openService(ctx context.Context) error {
	cfg := m.Config
	// The forms (parsed and their schemas compiled), the document fonts and
	// the seal load while the database opens and migrates: each takes tens
	// of milliseconds, and start-up time is downtime on a restart. Errors
	// are reported in the order the steps were once run in.
	var (
		wg        sync.WaitGroup
		catalogue *forms.Catalogue
		formsErr  error
		renderer  *render.Renderer
		renderErr error
		sl        *seal.Sealer
		created   bool
		sealErr   error
	)
	wg.Go(func() { catalogue, formsErr = forms.Load(forms.Builtin(), cfg.FormsDir) })
	wg.Go(func() { renderer, renderErr = newRenderer(cfg) })
	wg.Go(func() { sl, created, sealErr = m.openSealer() })
	storeErr := m.openStore(ctx)
	var blobs supervision.Blobs
	if storeErr == nil {
		blobs, storeErr = m.openBlobs(ctx)
	}
	wg.Wait()
	if formsErr != nil {
		return fmt.Errorf("FORMS_DIR: %w", formsErr)
	}
	if storeErr != nil {
		return storeErr
	}
	if renderErr != nil {
		return fmt.Errorf("load document fonts: %w", renderErr)
	}
	if sealErr != nil {
		return sealErr
	}
	var err error
	if cfg.SealTSA != "" {
		sl = sl.WithTimestamps(cfg.SealTSA, nil)
	}
	if created {
		m.log.Info("created a self-signed sealing certificate", "dir", filepath.Join(cfg.DataDir, "seal"), "fingerprint", sl.Fingerprint())
	}
	if m.jobs, err = m.openJobs(); err != nil {
		return err
	}
	m.metrics = metrics.New(cfg.MetricsToken)
	scfg := supervision.Config{OrgName: cfg.OrgName, Location: cfg.Location, Seal: m.metrics.Sealer(sl.ForService()), PresignTTL: cfg.S3PresignTTL,
		PasswordsOff: !cfg.LocalPasswords, RetentionYears: cfg.RetentionYears, Jobs: m.jobs, Policy: cfg.Policy, BaseURL: cfg.BaseURL,
		Attachments: m.attachmentConfig(), PasswordCost: cfg.passwordCost}
	if cfg.SMTP.Host != "" {
		scfg.Mail, scfg.Notices = mailer.New(cfg.SMTP), m.jobs
		if m.notices != nil {
			scfg.Notices = m.notices(m.jobs)
		}
		m.log.Info("email notifications are on", "smtp", net.JoinHostPort(cfg.SMTP.Host, fmt.Sprint(cfg.SMTP.Port)), "starttls", cfg.SMTP.StartTLS, "from", cfg.SMTP.From.Address)
	}
	m.svc = supervision.New(m.metrics.Store(m.db), blobs, catalogue, m.metrics.Renderer(renderer), scfg, m.log)
	return nil
}

// openJobs makes the job queue on the database the store uses (River, on
// PostgreSQL or SQLite); its tables were made by openStore's migration.
func (m *Main) openJobs() (*jobs.Queue, error) {
	opts := jobs.Options{Workers: m.Config.JobWorkers, Logger: m.log, Digests: m.Config.SMTP.Host != ""}
	if pool := m.db.JobsPool(); pool != nil {
		return jobs.NewPostgres(pool, opts)
	}
	return jobs.NewSQLite(m.db.JobsSQLite(), opts)
}

// Run opens the stores, creates the first admin if there is nobody, and
// starts serving. It returns once the listener is open.
func (m *Main) Run(ctx context.Context) error {
	cfg := m.Config
	if err := m.openService(ctx); err != nil {
		return err
	}
	created, password, err := m.svc.People.EnsureAdmin(ctx, cfg.AdminEmail, cfg.AdminPassword)
	if err != nil {
		return fmt.Errorf("create first admin: %w", err)
	}
	m.metrics.SetSources(metrics.Sources{PendingDocuments: m.svc.Records.PendingDocuments, QueueDepth: m.jobs.Depth,
		FailedDocuments: func(ctx context.Context) (int, error) {
			fs, err := m.db.DocumentsFailures(ctx)
			return len(fs), err
		}})
	opts := server.Options{SecureCookies: cfg.SecureCookies, TrustedProxies: cfg.TrustedProxies, Metrics: m.metrics}
	if cfg.OIDC.Issuer != "" {
		dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		opts.OIDC, err = server.NewOIDC(dctx, cfg.OIDC)
		cancel()
		if err != nil {
			return fmt.Errorf("SUPFILE_OIDC_ISSUER: %w", err)
		}
	}
	srv, err := server.New(m.svc, m.log, opts)
	if err != nil {
		return err
	}
	m.srv = srv
	m.ln, err = net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("SUPFILE_ADDR: %w", err)
	}
	m.URL = "http://" + m.ln.Addr().String()
	m.httpSrv = &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(m.log.Handler(), slog.LevelWarn),
	}
	m.served = make(chan error, 1)
	go func() { m.served <- m.httpSrv.Serve(m.ln) }()
	if err := m.jobs.Start(context.WithoutCancel(ctx), m.svc.Records); err != nil {
		return fmt.Errorf("start the job queue: %w", err)
	}

	m.log.Info("Supervision File is running", "url", m.URL, "organisation", cfg.OrgName, "data_dir", cfg.DataDir, "policy", m.svc.Policy().Name,
		"database", map[bool]string{true: "postgresql", false: "sqlite"}[cfg.DatabaseURL != ""])
	if created {
		email := cfg.AdminEmail
		if email == "" {
			email = "admin@example.org"
		}
		fmt.Fprintf(m.out, "\nFirst start: an administrator account was created.\n  Sign in at %s/login\n  Email:    %s\n", m.URL, email)
		if !cfg.LocalPasswords {
			fmt.Fprintf(m.out, "  with your organisation's sign-in (passwords are switched off); the provider must give this email, verified\n\n")
		} else if cfg.AdminPassword == "" {
			fmt.Fprintf(m.out, "  Password: %s   (generated: change it by setting SUPFILE_ADMIN_PASSWORD before first start next time)\n\n", password)
		} else {
			fmt.Fprintf(m.out, "  Password: the value of SUPFILE_ADMIN_PASSWORD\n\n")
		}
	}
	return nil
}

// Close stops serving, waiting up to 20 seconds for requests in flight, and
// closes the database.
func (m *Main) Close() error {
	var errs []error
	if m.httpSrv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := m.httpSrv.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
		if err := <-m.served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	if m.jobs != nil {
		// After the requests, which may queue jobs; before the database.
		if err := m.jobs.Stop(context.Background()); err != nil {
			errs = append(errs, fmt.Errorf("stop the job queue: %w", err))
		}
		m.jobs = nil
	}
	if m.db != nil {
		if err := m.db.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// attachmentConfig is the attachments' limits and virus scanner. A clamd
// that does not answer at start is logged, not fatal: it may be loading its
// signatures, and until it answers uploads are refused, never let through.
func (m *Main) attachmentConfig() supervision.AttachmentConfig {
	cfg := m.Config
	ac := supervision.AttachmentConfig{MaxBytes: cfg.AttachmentMaxBytes, MaxCount: cfg.AttachmentMaxCount}
	if cfg.Clamd == nil {
		m.log.Warn("no virus scanner: set SUPFILE_CLAMD to scan attachments with clamd; executables and archives are still refused")
		return ac
	}
	ac.Scanner = cfg.Clamd
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := cfg.Clamd.Ping(ctx); err != nil {
		m.log.Warn("clamd does not answer yet; uploads are refused until it does", "clamd", cfg.Clamd.String(), "err", err)
	}
	return ac
}
