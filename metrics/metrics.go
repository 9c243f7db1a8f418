// Package metrics exposes the service's Prometheus metrics at /metrics
// (github.com/prometheus/client_golang): requests by route and status,
// render and seal durations, records finalised, documents pending or
// failed, and the job queue's depth. It wraps the domain's adapters (the
// renderer, the sealer, the store's Finalize) to time and count them, so
// the domain knows nothing of it.
//
// Who may read /metrics: with a token configured (SUPFILE_METRICS_TOKEN),
// whoever sends it as "Authorization: Bearer TOKEN", from anywhere; with
// none, only a connection from the loopback address (a scraper on the same
// machine), whatever X-Forwarded-For says.
package metrics

import (
	"context"
	"crypto/subtle"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/supervisionfile/supfile/supervision"
	"github.com/supervisionfile/supfile/supervision/printout"
)

// Sources are where the gauges read from at each scrape; any may be nil.
type Sources struct {
	// PendingDocuments lists records signed by all whose documents are not
	// written yet.
	PendingDocuments func(ctx context.Context) ([]string, error)
	// FailedDocuments counts those whose making crashed.
	FailedDocuments func(ctx context.Context) (int, error)
	// QueueDepth counts the job queue's jobs by state.
	QueueDepth func(ctx context.Context) (map[string]int, error)
}

// Metrics is the registry and the instruments.
type Metrics struct {
	reg       *prometheus.Registry
	token     string
	requests  *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	render    *prometheus.HistogramVec
	seal      prometheus.Histogram
	finalised prometheus.Counter

	mu      sync.Mutex
	sources Sources
}

// New makes the metrics; token, when set, is the bearer token /metrics
// asks for.
func New(token string) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), token: token}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "supfile_http_requests_total",
		Help: "HTTP requests answered, by method, route template and status."}, []string{"method", "route", "status"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "supfile_http_request_duration_seconds",
		Help: "Time to answer an HTTP request, by method and route template.", Buckets: prometheus.DefBuckets}, []string{"method", "route"})
	m.render = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "supfile_render_duration_seconds",
		Help: "Time to render a signed record's document, by kind (pdf, docx).", Buckets: prometheus.ExponentialBuckets(0.005, 2, 12)}, []string{"kind"})
	m.seal = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "supfile_seal_duration_seconds",
		Help: "Time to seal a signed record's PDF.", Buckets: prometheus.ExponentialBuckets(0.005, 2, 12)})
	m.finalised = prometheus.NewCounter(prometheus.CounterOpts{Name: "supfile_records_finalised_total",
		Help: "Records finalised by this instance: signed by all, documents written to the file."})
	pending := prometheus.NewDesc("supfile_documents_pending", "Records signed by all whose documents are not written yet (including those failed).", nil, nil)
	failed := prometheus.NewDesc("supfile_documents_failed", "Records whose documents failed: making them crashed; retried with back-off.", nil, nil)
	depth := prometheus.NewDesc("supfile_job_queue_jobs", "Jobs in the queue, by state (available, scheduled, retryable, running, …).", []string{"state"}, nil)
	m.reg.MustRegister(m.requests, m.duration, m.render, m.seal, m.finalised,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&gauges{m: m, pending: pending, failed: failed, depth: depth})
	return m
}

// SetSources says where the gauges read from.
func (m *Metrics) SetSources(s Sources) {
	m.mu.Lock()
	m.sources = s
	m.mu.Unlock()
}

// Registry is where the metrics are registered (for tests and tools).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Middleware counts and times every request by its route template
// (/api/v1/records/:rid, never the raw path) and status. A path no route
// matches is "unmatched".
func (m *Metrics) Middleware(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	method := c.Request.Method
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
	default:
		method = "other" // bounded labels
	}
	m.requests.WithLabelValues(method, route, strconv.Itoa(c.Writer.Status())).Inc()
	m.duration.WithLabelValues(method, route).Observe(time.Since(start).Seconds())
}

// Handler serves /metrics to those allowed (see the package comment).
func (m *Metrics) Handler() gin.HandlerFunc {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Timeout: 10 * time.Second})
	return func(c *gin.Context) {
		if !m.allowed(c.Request) {
			if m.token != "" {
				c.Header("WWW-Authenticate", `Bearer realm="metrics"`)
				c.String(http.StatusUnauthorized, "metrics need the bearer token (SUPFILE_METRICS_TOKEN)\n")
			} else {
				c.String(http.StatusForbidden, "metrics are served to this machine only; set SUPFILE_METRICS_TOKEN to scrape from elsewhere\n")
			}
			return
		}
		h.ServeHTTP(c.Writer, c.Request)
	}
}

func (m *Metrics) allowed(r *http.Request) bool {
	if m.token != "" {
		auth := r.Header.Get("Authorization")
		const prefix = "Bearer "
		if len(auth) <= len(prefix) || !strings.EqualFold(auth[:len(prefix)], prefix) {
			return false
		}
		return subtle.ConstantTimeCompare([]byte(auth[len(prefix):]), []byte(m.token)) == 1
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// gauges reads the documents pending and failed and the queue's depth at
// each scrape.
type gauges struct {
	m                      *Metrics
	pending, failed, depth *prometheus.Desc
}

func (g *gauges) Describe(ch chan<- *prometheus.Desc) { ch <- g.pending; ch <- g.failed; ch <- g.depth }

func (g *gauges) Collect(ch chan<- prometheus.Metric) {
	g.m.mu.Lock()
	src := g.m.sources
	g.m.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if src.PendingDocuments != nil {
		if ids, err := src.PendingDocuments(ctx); err == nil {
			ch <- prometheus.MustNewConstMetric(g.pending, prometheus.GaugeValue, float64(len(ids)))
		} else {
			ch <- prometheus.NewInvalidMetric(g.pending, err)
		}
	}
	if src.FailedDocuments != nil {
		if n, err := src.FailedDocuments(ctx); err == nil {
			ch <- prometheus.MustNewConstMetric(g.failed, prometheus.GaugeValue, float64(n))
		} else {
			ch <- prometheus.NewInvalidMetric(g.failed, err)
		}
	}
	if src.QueueDepth != nil {
		if d, err := src.QueueDepth(ctx); err == nil {
			for _, state := range []string{"available", "scheduled", "retryable", "running", "pending"} {
				ch <- prometheus.MustNewConstMetric(g.depth, prometheus.GaugeValue, float64(d[state]), state)
			}
		} else {
			ch <- prometheus.NewInvalidMetric(g.depth, err)
		}
	}
}

// Renderer times a renderer.
func (m *Metrics) Renderer(r supervision.Renderer) supervision.Renderer { return &timedRenderer{r, m} }

type timedRenderer struct {
	supervision.Renderer
	m *Metrics
}

func (t *timedRenderer) PDF(ctx context.Context, d printout.Document) ([]byte, error) {
	defer t.m.observe(t.m.render.WithLabelValues("pdf"), time.Now())
	return t.Renderer.PDF(ctx, d)
}

func (t *timedRenderer) DOCX(ctx context.Context, d printout.Document) ([]byte, error) {
	defer t.m.observe(t.m.render.WithLabelValues("docx"), time.Now())
	return t.Renderer.DOCX(ctx, d)
}

// Sealer times a sealer; nil stays nil.
func (m *Metrics) Sealer(s supervision.Sealer) supervision.Sealer {
	if s == nil {
		return nil
	}
	return &timedSealer{s, m}
}

type timedSealer struct {
	supervision.Sealer
	m *Metrics
}

func (t *timedSealer) Seal(pdf []byte, info supervision.SealInfo) ([]byte, error) {
	defer t.m.observe(t.m.seal, time.Now())
	return t.Sealer.Seal(pdf, info)
}

func (m *Metrics) observe(o prometheus.Observer, start time.Time) {
	o.Observe(time.Since(start).Seconds())
}

// Store counts the records the store finalises.
func (m *Metrics) Store(s supervision.Store) supervision.Store { return &countingStore{s, m} }

type countingStore struct {
	supervision.Store
	m *Metrics
}

func (c *countingStore) Finalize(ctx context.Context, r *supervision.Record, docs []*supervision.Document, ev supervision.Event) error {
	err := c.Store.Finalize(ctx, r, docs, ev)
	if err == nil {
		c.m.finalised.Inc()
	}
	return err
}
