// Command load measures the Supervision File service under load. It builds
// and starts the real `supfile serve` on 127.0.0.1 with a fresh data folder
// (and, with -backend postgres, a fresh PostgreSQL schema and a MinIO server
// with an Object Lock bucket), drives its pages and JSON API, and appends
// its figures as a dated section to bench/RESULTS.md.
//
//	go run ./bench/load -backend sqlite
//	go run ./bench/load -backend postgres
//
// Every phase is bounded both in time (-duration) and in count (-max), and
// all traffic stays on loopback.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type options struct {
	backend   string
	duration  time.Duration
	max       int
	conc      int
	writers   int
	signers   int
	rounds    int
	readyRuns int
	results   string
	only      string
	keep      bool
	bin       string
}

func main() {
	var o options
	flag.StringVar(&o.backend, "backend", "sqlite", "sqlite (the embedded default) or postgres (PostgreSQL + MinIO)")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "how long each read and save phase runs")
	flag.IntVar(&o.max, "max", 500000, "most requests in a phase")
	flag.IntVar(&o.conc, "c", 16, "concurrent clients for the page and record JSON phases (as many as the draft writers)")
	flag.IntVar(&o.writers, "writers", 16, "concurrent draft writers")
	flag.IntVar(&o.signers, "signers", 50, "last signatures sent at once")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds of last signatures")
	flag.IntVar(&o.readyRuns, "ready-runs", 5, "restarts timed on the filled data folder")
	flag.StringVar(&o.results, "results", "bench/RESULTS.md", "file the figures are appended to (empty: print only)")
	flag.StringVar(&o.only, "only", "", "comma-separated phases to run (healthz,page,json,save,sign,ready); default all")
	flag.StringVar(&o.bin, "bin", "", "a supfile binary to run instead of building ./cmd/supfile (to compare two builds back to back)")
	flag.BoolVar(&o.keep, "keep", false, "keep the work folder (service log, data)")
	flag.Parse()
	if o.backend != "sqlite" && o.backend != "postgres" {
		fmt.Fprintln(os.Stderr, "load: -backend must be sqlite or postgres")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func (o options) want(phase string) bool {
	return o.only == "" || slices.Contains(strings.Split(o.only, ","), phase)
}

// report is what one run found.
type report struct {
	backend             string
	started             time.Time
	loadBefore, loadAft string
	page, json, save    *stats
	healthz             *stats // the machine's yardstick
	sign                []*stats
	signedOK, signedAll int
	peakRSS             int64
	ready               []time.Duration
	commit              string
}

func run(ctx context.Context, o options) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "supfile-load-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Println("work folder:", work)
	} else {
		defer os.RemoveAll(work)
	}
	bin := o.bin
	if bin == "" {
		fmt.Println("building ./cmd/supfile …")
		if bin, err = buildBinary(ctx, root, work); err != nil {
			return err
		}
	}
	svc, err := newService(ctx, o.backend, bin, work)
	if err != nil {
		return err
	}
	defer svc.close()
	if _, err := svc.start(ctx); err != nil {
		return err
	}
	rep := &report{backend: o.backend, started: time.Now().UTC(), loadBefore: loadAvg(), commit: gitCommit(root)}
	if o.bin != "" {
		rep.commit = "(binary " + o.bin + ", not built from a commit)"
	}
	base := svc.url()

	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, DisableCompression: true}
	defer tr.CloseIdleConnections()
	team, err := setUp(ctx, base, tr)
	if err != nil {
		return fmt.Errorf("set up: %w", err)
	}

	// The form page and the record JSON of one filled agreement.
	filled, err := team.supervisor.createRecord(ctx, team.superviseeID, agreement("Meeting room 2"))
	if err != nil {
		return err
	}
	if o.want("healthz") {
		// The cheapest route, through the same HTTP stack and middleware
		// as the page: what this machine serves with no work behind it,
		// so that figures from machines of different speeds can be set
		// side by side (the issue's own machine: about 16,000/s).
		fmt.Printf("/healthz: %d clients, %s …\n", o.conc, o.duration)
		anon := newClient(base, tr)
		rep.healthz = hammer(ctx, o, svc, o.conc, func(ctx context.Context, _ int) error {
			return anon.get(ctx, "/healthz", "ok")
		})
		fmt.Println("  ", rep.healthz)
	}
	if o.want("page") {
		fmt.Printf("form page: %d clients, %s …\n", o.conc, o.duration)
		rep.page = hammer(ctx, o, svc, o.conc, func(ctx context.Context, _ int) error {
			return team.supervisor.get(ctx, "/records/"+filled.ID+"/edit", "Meeting room 2")
		})
		fmt.Println("  ", rep.page)
	}
	if o.want("json") {
		fmt.Printf("record JSON: %d clients, %s …\n", o.conc, o.duration)
		rep.json = hammer(ctx, o, svc, o.conc, func(ctx context.Context, _ int) error {
			return team.supervisor.get(ctx, "/api/v1/records/"+filled.ID, `"id":"`+filled.ID+`"`)
		})
		fmt.Println("  ", rep.json)
	}
	if o.want("save") {
		fmt.Printf("draft saves: %d writers, %s …\n", o.writers, o.duration)
		recs := make([]*record, o.writers)
		for i := range recs {
			if recs[i], err = team.supervisor.createRecord(ctx, team.superviseeID, agreement("Room 1")); err != nil {
				return err
			}
		}
		var n atomic.Int64
		rep.save = hammer(ctx, o, svc, o.writers, func(ctx context.Context, w int) error {
			r := recs[w]
			data := agreement(fmt.Sprintf("Room %d, save %d", w, n.Add(1)))
			var out record
			if err := team.supervisor.do(ctx, "PUT", "/api/v1/records/"+r.ID,
				map[string]any{"data": data, "revision": r.Revision}, http.StatusOK, &out); err != nil {
				return err
			}
			r.Revision = out.Revision
			return nil
		})
		fmt.Println("  ", rep.save)
	}
	if o.want("sign") {
		for round := range o.rounds {
			st, ok, err := signRound(ctx, o, svc, team)
			if err != nil {
				return err
			}
			fmt.Printf("last signatures, round %d: %d at once: %s; %d of %d signed with documents\n", round+1, o.signers, st, ok, o.signers)
			rep.sign = append(rep.sign, st)
			rep.signedOK += ok
			rep.signedAll += o.signers
		}
	}
	if rep.peakRSS, err = svc.peakRSS(); err != nil {
		return err
	}
	fmt.Printf("peak RSS: %.1f MB\n", float64(rep.peakRSS)/1e6)
	tr.CloseIdleConnections()

	if o.want("ready") {
		for range o.readyRuns {
			svc.stop()
			d, err := svc.start(ctx)
			if err != nil {
				return err
			}
			rep.ready = append(rep.ready, d)
		}
		fmt.Printf("ready on the filled data folder: %v\n", rep.ready)
	}
	rep.loadAft = loadAvg()
	md := rep.markdown(o)
	fmt.Println()
	fmt.Println(md)
	if o.results != "" {
		path := o.results
		if !filepath.IsAbs(path) {
			path = filepath.Join(root, path)
		}
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := f.WriteString("\n" + md); err != nil {
			return err
		}
		fmt.Println("appended to", path)
	}
	return nil
}

// signRound prepares o.signers records that wait only for the supervisor's
// signature, sends every last signature at once, and checks each record is
// signed with its documents.
func signRound(ctx context.Context, o options, svc *service, team *team) (*stats, int, error) {
	recs := make([]*record, o.signers)
	for i := range recs {
		r, err := team.supervisor.createRecord(ctx, team.superviseeID, agreement(fmt.Sprintf("Room %d", i)))
		if err != nil {
			return nil, 0, err
		}
		if err := team.supervisor.do(ctx, "POST", "/api/v1/records/"+r.ID+"/submit", nil, http.StatusOK, nil); err != nil {
			return nil, 0, err
		}
		if err := team.supervisee.do(ctx, "POST", "/api/v1/records/"+r.ID+"/signatures",
			map[string]any{"name": superviseeName, "confirm": true}, http.StatusCreated, nil); err != nil {
			return nil, 0, err
		}
		recs[i] = r
	}
	st := &stats{}
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for _, r := range recs {
		wg.Go(func() {
			<-gate
			t := time.Now()
			var out record
			err := team.supervisor.do(ctx, "POST", "/api/v1/records/"+r.ID+"/signatures",
				map[string]any{"name": supervisorName, "confirm": true}, http.StatusCreated, &out)
			st.add(time.Since(t), err)
		})
	}
	cpu0 := svc.cpuTime()
	began := time.Now()
	close(gate)
	wg.Wait()
	st.elapsed = time.Since(began)
	st.cpu = svc.cpuTime() - cpu0
	ok := 0
	for _, r := range recs {
		var out record
		if err := team.supervisor.do(ctx, "GET", "/api/v1/records/"+r.ID, nil, http.StatusOK, &out); err != nil {
			return nil, 0, err
		}
		if out.Status == "signed" && !out.DocumentsPending && len(out.Documents) >= 2 && len(out.Signatures) == 2 {
			ok++
		}
	}
	return st, ok, nil
}

// stats are the latencies and errors of one phase.
type stats struct {
	mu      sync.Mutex
	lat     []time.Duration
	errs    int
	firstEr error
	elapsed time.Duration
	cpu     time.Duration // the service's CPU time during the phase
	self    time.Duration // the harness's own
}

// cpuPer is the service's CPU time per successful request: unlike the rate,
// it hardly depends on what else the machine is doing.
func (s *stats) cpuPer() string {
	if len(s.lat) == 0 {
		return "–"
	}
	out := fmt.Sprintf("%.2f ms", float64(s.cpu.Microseconds())/1000/float64(len(s.lat)))
	if s.self > 0 {
		out += fmt.Sprintf(" (harness %.2f ms)", float64(s.self.Microseconds())/1000/float64(len(s.lat)))
	}
	return out
}

func (s *stats) add(d time.Duration, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.errs++
		if s.firstEr == nil {
			s.firstEr = err
		}
		return
	}
	s.lat = append(s.lat, d)
}

func (s *stats) rate() float64 { return float64(len(s.lat)) / s.elapsed.Seconds() }

func (s *stats) pct(p float64) time.Duration {
	if len(s.lat) == 0 {
		return 0
	}
	l := slices.Clone(s.lat)
	slices.Sort(l)
	i := int(float64(len(l))*p+0.5) - 1
	return l[max(0, min(i, len(l)-1))]
}

func (s *stats) String() string {
	out := fmt.Sprintf("%d ok in %.2fs: %.0f/s, p50 %s, p99 %s, service CPU %s/request", len(s.lat), s.elapsed.Seconds(), s.rate(), ms(s.pct(0.5)), ms(s.pct(0.99)), s.cpuPer())
	if s.errs > 0 {
		out += fmt.Sprintf(", %d errors (first: %v)", s.errs, s.firstEr)
	}
	return out
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// hammer runs f from n workers until o.duration has passed or o.max calls
// were made, after a one-second warm-up that is not counted. Calls are never
// cut off: a worker stops before its next call.
func hammer(ctx context.Context, o options, svc *service, n int, f func(ctx context.Context, worker int) error) *stats {
	var wg sync.WaitGroup
	warmEnd := time.Now().Add(time.Second)
	for w := range n {
		wg.Go(func() {
			for time.Now().Before(warmEnd) && ctx.Err() == nil {
				f(ctx, w)
			}
		})
	}
	wg.Wait()

	st := &stats{}
	var count atomic.Int64
	cpu0, self0 := svc.cpuTime(), selfCPU()
	began := time.Now()
	end := began.Add(o.duration)
	for w := range n {
		wg.Go(func() {
			for time.Now().Before(end) && ctx.Err() == nil && count.Add(1) <= int64(o.max) {
				t := time.Now()
				err := f(ctx, w)
				st.add(time.Since(t), err)
			}
		})
	}
	wg.Wait()
	st.elapsed = time.Since(began)
	st.cpu, st.self = svc.cpuTime()-cpu0, selfCPU()-self0
	return st
}

// selfCPU is the CPU time the harness itself has used: it runs on the same
// cores, so what it takes the service cannot have.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ---- the people and their records ----

const (
	supervisorName = "Alex Morgan"
	superviseeName = "Sam Taylor"
)

type client struct {
	base string
	http *http.Client
}

type team struct {
	admin, supervisor, supervisee *client
	superviseeID                  string
}

type record struct {
	ID               string `json:"id"`
	Status           string `json:"status"`
	Revision         int    `json:"revision"`
	DocumentsPending bool   `json:"documents_pending"`
	Documents        []any  `json:"documents"`
	Signatures       []any  `json:"signatures"`
}

func newClient(base string, tr *http.Transport) *client {
	jar, _ := cookiejar.New(nil)
	return &client{base: base, http: &http.Client{Jar: jar, Transport: tr, Timeout: 2 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func login(ctx context.Context, base string, tr *http.Transport, email, password string) (*client, error) {
	c := newClient(base, tr)
	return c, c.do(ctx, "POST", "/api/v1/login", map[string]any{"email": email, "password": password}, http.StatusOK, nil)
}

func setUp(ctx context.Context, base string, tr *http.Transport) (*team, error) {
	admin, err := login(ctx, base, tr, adminEmail, adminPassword)
	if err != nil {
		return nil, err
	}
	add := func(name, email, title, role string) (string, error) {
		var st struct{ ID string }
		err := admin.do(ctx, "POST", "/api/v1/staff", map[string]any{"name": name, "email": email, "job_title": title,
			"role": role, "start_date": "2024-09-02", "password": "a long password 1"}, http.StatusCreated, &st)
		return st.ID, err
	}
	supID, err := add(supervisorName, "alex.morgan@load.test", "Team Manager", "team_manager")
	if err != nil {
		return nil, err
	}
	seeID, err := add(superviseeName, "sam.taylor@load.test", "Social Worker", "social_worker")
	if err != nil {
		return nil, err
	}
	if err := admin.do(ctx, "PUT", "/api/v1/staff/"+seeID+"/supervisor",
		map[string]any{"supervisor_id": supID, "from": "2025-01-06"}, http.StatusOK, nil); err != nil {
		return nil, err
	}
	t := &team{admin: admin, superviseeID: seeID}
	if t.supervisor, err = login(ctx, base, tr, "alex.morgan@load.test", "a long password 1"); err != nil {
		return nil, err
	}
	if t.supervisee, err = login(ctx, base, tr, "sam.taylor@load.test", "a long password 1"); err != nil {
		return nil, err
	}
	return t, nil
}

func (c *client) createRecord(ctx context.Context, staffID string, data map[string]any) (*record, error) {
	var r record
	err := c.do(ctx, "POST", "/api/v1/staff/"+staffID+"/records",
		map[string]any{"form": "supervision-agreement", "data": data}, http.StatusCreated, &r)
	return &r, err
}

// do sends a JSON request, checks the status and decodes the reply.
func (c *client) do(ctx context.Context, method, path string, body any, want int, out any) error {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		if len(raw) > 300 {
			raw = raw[:300]
		}
		return fmt.Errorf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// get reads a page or JSON and checks it is 200 and holds want.
func (c *client) get(ctx context.Context, path, want string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", c.base+path, nil)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	// A pooled buffer: the harness shares the service's cores, so it
	// should spend as little of them as it can.
	buf := bufs.Get().(*bytes.Buffer)
	defer bufs.Put(buf)
	buf.Reset()
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || !bytes.Contains(buf.Bytes(), []byte(want)) {
		return fmt.Errorf("GET %s: status %d, %d bytes", path, resp.StatusCode, buf.Len())
	}
	return nil
}

var bufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// agreement is a complete supervision agreement; location varies.
func agreement(location string) map[string]any {
	return map[string]any{
		"supervisee_name":               superviseeName,
		"supervisee_job_title":          "Social Worker",
		"supervisor_name":               supervisorName,
		"supervisor_job_title":          "Team Manager",
		"agreement_date":                "2026-11-20",
		"supervisee_aims":               "To reflect on my practice with children and families, plan my development and keep my caseload safe.",
		"supervisor_aims":               "To hold the worker to account for casework and support reflective practice.",
		"times_per_year":                13.0,
		"every_weeks":                   4.0,
		"session_hours":                 1.5,
		"location":                      location,
		"booking_arrangements":          "Booked twelve months ahead in both calendars.",
		"interruptions":                 "Phones on silent; only emergencies about a child's safety interrupt.",
		"recorded_by":                   "supervisor",
		"copy_to_supervisee":            "yes",
		"copy_within_days":              2.0,
		"case_recording":                "Case discussions are recorded on the child's file within two working days.",
		"content":                       []any{"casework", "caseload", "career", "care"},
		"cpd_time":                      "Protected CPD time is agreed at each session and logged in the CPD record.",
		"supervisor_responsibilities":   "Prepare, keep to time, record accurately and share the record.",
		"supervisee_responsibilities":   "Bring an agenda, prepare cases and reflect honestly.",
		"organisation_responsibilities": "Provide time, a private room and training for supervisors.",
		"equality_diversity_power":      "We will talk openly about power, identity and difference in the relationship.",
		"confidentiality":               "Supervision is confidential except where a child or adult is at risk of harm.",
		"feedback":                      "We review how supervision is working every third session.",
		"disagreements":                 "Disagreements are recorded and, if unresolved, taken to the service manager.",
		"review_arrangements":           "Reviewed at twelve months and whenever the supervisor changes.",
		"review_date":                   "2027-11-01",
	}
}

// ---- the machine and the results ----

func repoRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("run from inside the repository")
	}
	return filepath.Dir(mod), nil
}

func gitCommit(root string) string {
	cmd := exec.Command("git", "rev-parse", "--short", "HEAD")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

func loadAvg() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(raw))
	return strings.Join(f[:3], " ")
}

func cpuModel() string {
	raw, err := os.ReadFile("/proc/cpuinfo")
	if err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				return strings.TrimSpace(v)
			}
		}
	}
	return "unknown"
}

func median(ds []time.Duration) time.Duration {
	l := slices.Clone(ds)
	slices.Sort(l)
	return l[len(l)/2]
}

func (r *report) markdown(o options) string {
	var b strings.Builder
	name := map[string]string{"sqlite": "SQLite (embedded default, documents in the data folder)",
		"postgres": "PostgreSQL + MinIO (Object Lock bucket), both on loopback"}[r.backend]
	fmt.Fprintf(&b, "## Load harness: %s, %s\n\n", r.backend, r.started.Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "- Command: `go run ./bench/load -backend %s` (-c %d, -duration %s, -writers %d, -signers %d, -rounds %d), commit %s\n",
		r.backend, o.conc, o.duration, o.writers, o.signers, o.rounds, r.commit)
	fmt.Fprintf(&b, "- Machine: nproc %d, %s, %s; load average %s before, %s after\n", runtime.NumCPU(), cpuModel(), runtime.Version(), r.loadBefore, r.loadAft)
	fmt.Fprintf(&b, "- Backend: %s; the harness runs on the same cores as the service\n\n", name)
	fmt.Fprintf(&b, "| measure | figure | CPU per request: service (harness) | goal | met |\n| --- | --- | --- | --- | --- |\n")
	yes := func(ok bool) string {
		if ok {
			return "yes"
		}
		return "**no**"
	}
	if s := r.page; s != nil {
		fmt.Fprintf(&b, "| form page (edit page of a filled agreement), %d clients | %.0f req/s, p50 %s, p99 %s%s | %s | ≥ 3,000/s, p99 ≤ 20 ms | %s |\n",
			o.conc, s.rate(), ms(s.pct(.5)), ms(s.pct(.99)), errNote(s), s.cpuPer(), yes(s.rate() >= 3000 && s.pct(.99) <= 20*time.Millisecond && s.errs == 0))
	}
	if s, h := r.page, r.healthz; s != nil && h != nil && h.rate() > 0 {
		fmt.Fprintf(&b, "| `/healthz` (the machine's yardstick: the HTTP stack and middleware alone), %d clients | %.0f req/s, p50 %s, p99 %s%s; the form page serves %.2f of it | %s | – (3,000 of 16,000 = 0.19 on the issue's machine) | – |\n",
			o.conc, h.rate(), ms(h.pct(.5)), ms(h.pct(.99)), errNote(h), s.rate()/h.rate(), h.cpuPer())
	}
	if s := r.json; s != nil {
		fmt.Fprintf(&b, "| record JSON (`GET /api/v1/records/:id`), %d clients | %.0f req/s, p50 %s, p99 %s%s | %s | – | – |\n",
			o.conc, s.rate(), ms(s.pct(.5)), ms(s.pct(.99)), errNote(s), s.cpuPer())
	}
	if s := r.save; s != nil {
		goal := map[string]float64{"sqlite": 1500, "postgres": 800}[r.backend]
		fmt.Fprintf(&b, "| draft saves (`PUT /api/v1/records/:id`), %d writers | %.0f/s, p50 %s, p99 %s%s | %s | ≥ %.0f/s | %s |\n",
			o.writers, s.rate(), ms(s.pct(.5)), ms(s.pct(.99)), errNote(s), s.cpuPer(), goal, yes(s.rate() >= goal && s.errs == 0))
	}
	if len(r.sign) > 0 {
		goal := map[string]float64{"sqlite": 100, "postgres": 80}[r.backend]
		var rates []string
		best, errs := 0.0, 0
		var all []time.Duration
		for _, s := range r.sign {
			rates = append(rates, fmt.Sprintf("%.0f", s.rate()))
			best = max(best, s.rate())
			errs += s.errs
			all = append(all, s.lat...)
		}
		var cpu time.Duration
		for _, s := range r.sign {
			cpu += s.cpu
		}
		mid := &stats{lat: all, cpu: cpu}
		sorted := slices.Clone(r.sign)
		slices.SortFunc(sorted, func(a, b *stats) int { return int((a.rate() - b.rate()) * 1000) })
		med := sorted[len(sorted)/2].rate()
		fmt.Fprintf(&b, "| last signatures, %d at once → finalised records/s (rounds: %s) | median %.0f/s, p50 %s, p99 %s; %d of %d signed with both documents%s | %s | ≥ %.0f/s, every one signed | %s |\n",
			o.signers, strings.Join(rates, ", "), med, ms(mid.pct(.5)), ms(mid.pct(.99)), r.signedOK, r.signedAll,
			map[bool]string{true: fmt.Sprintf(", %d errors", errs), false: ""}[errs > 0], mid.cpuPer(), goal, yes(med >= goal && r.signedOK == r.signedAll && errs == 0))
	}
	fmt.Fprintf(&b, "| peak RSS of the service (VmHWM, after all phases) | %.0f MB | – | ≤ 150 MB | %s |\n", float64(r.peakRSS)/1e6, yes(r.peakRSS <= 150e6))
	if len(r.ready) > 0 {
		var each []string
		for _, d := range r.ready {
			each = append(each, fmt.Sprintf("%.0f", float64(d.Microseconds())/1000))
		}
		m := median(r.ready)
		fmt.Fprintf(&b, "| `serve` ready on the filled data folder (exec to `/readyz` 200) | median %s (runs: %s ms) | – | ≤ 200 ms | %s |\n",
			ms(m), strings.Join(each, ", "), yes(m <= 200*time.Millisecond))
	}
	return b.String()
}

func errNote(s *stats) string {
	if s.errs == 0 {
		return ""
	}
	return fmt.Sprintf(", **%d errors**", s.errs)
}
