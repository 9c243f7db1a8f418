package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
)

// scrape reads /metrics with an optional bearer token.
func scrape(t *testing.T, base, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/metrics", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// series is the value of one series in a scrape (name with its labels,
// exactly as exposed, labels in name order); -1 when absent.
func series(body, name string) float64 {
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return -1
			}
			return f
		}
	}
	return -1
}

// /metrics on loopback without a token: requests by route template and
// status, render and seal durations, records finalised, documents pending,
// the job queue's depth; every series moves when the service works.
func TestMetrics(t *testing.T) {
	data := t.TempDir()
	m := startApp(t, map[string]string{"SUPFILE_DATA_DIR": data, "SUPFILE_JOB_WORKERS": "0"})
	status, before := scrape(t, m.URL, "")
	if status != http.StatusOK {
		t.Fatalf("/metrics from loopback: %d %s", status, before)
	}
	for _, s := range []string{"supfile_records_finalised_total", "supfile_documents_pending", "supfile_documents_failed",
		`supfile_job_queue_jobs{state="available"}`, `supfile_job_queue_jobs{state="scheduled"}`, `supfile_render_duration_seconds_count{kind="pdf"}`} {
		if v := series(before, s); v != 0 && !(v == -1 && strings.HasPrefix(s, "supfile_render")) {
			t.Errorf("before any work, %s = %v, want 0", s, v)
		}
	}

	p := setUpTeam(t, m.URL)
	rec := signAgreement(t, p, "")
	pending, block := pendingRecord(t, p, data)
	defer os.Remove(block)
	_, after := scrape(t, m.URL, "")
	for s, want := range map[string]float64{
		"supfile_records_finalised_total": 1,
		"supfile_documents_pending":       1,
		"supfile_documents_failed":        0,
		`supfile_http_requests_total{method="POST",route="/api/v1/records/:rid/signatures",status="201"}`: 4,
		`supfile_http_requests_total{method="POST",route="/api/v1/login",status="200"}`:                   3,
		`supfile_render_duration_seconds_count{kind="pdf"}`:                                               2,
		`supfile_render_duration_seconds_count{kind="docx"}`:                                              2,
		"supfile_seal_duration_seconds_count":                                                             2,
	} {
		if got := series(after, s); got != want {
			t.Errorf("%s = %v, want %v", s, got, want)
		}
	}
	// The pending record's finish job waits in the queue (no worker here).
	if n := series(after, `supfile_job_queue_jobs{state="available"}`) + series(after, `supfile_job_queue_jobs{state="scheduled"}`); n != 1 {
		t.Errorf("queued jobs = %v, want 1", n)
	}
	if got := series(after, `supfile_http_request_duration_seconds_count{method="GET",route="/metrics"}`); got != 1 {
		t.Errorf("the first scrape counted %v times, want 1", got)
	}
	// Labels are route templates: no record id appears.
	if strings.Contains(after, rec.ID) || strings.Contains(after, pending.ID) {
		t.Error("a raw path (with a record id) is a label")
	}
	newClient(t, m.URL).get("/no/such/page/" + rec.ID)
	if _, again := scrape(t, m.URL, ""); series(again, `supfile_http_requests_total{method="GET",route="unmatched",status="404"}`) != 1 || strings.Contains(again, rec.ID) {
		t.Error("an unmatched path is not counted as route=\"unmatched\"")
	}
}

// With SUPFILE_METRICS_TOKEN, /metrics asks everyone for it, loopback too.
func TestMetricsToken(t *testing.T) {
	const token = "a-scraper-token-0123456789"
	m := startApp(t, map[string]string{"SUPFILE_METRICS_TOKEN": token})
	if status, body := scrape(t, m.URL, ""); status != http.StatusUnauthorized || strings.Contains(body, "supfile_") {
		t.Errorf("no token: %d", status)
	}
	if status, _ := scrape(t, m.URL, "not-the-token-0123456789"); status != http.StatusUnauthorized {
		t.Errorf("wrong token: %d", status)
	}
	if status, body := scrape(t, m.URL, token); status != http.StatusOK || series(body, "supfile_records_finalised_total") != 0 {
		t.Errorf("right token: %d", status)
	}
	for _, bad := range []string{"short", "has a space in it 0123"} {
		if _, err := loadConfig(nil, envOf(t, map[string]string{"SUPFILE_METRICS_TOKEN": bad})); err == nil || !strings.HasPrefix(err.Error(), "SUPFILE_METRICS_TOKEN: ") {
			t.Errorf("token %q: %v", bad, err)
		}
	}
	for _, bad := range []string{"-1", "many", "65"} {
		if _, err := loadConfig(nil, envOf(t, map[string]string{"SUPFILE_JOB_WORKERS": bad})); err == nil || !strings.HasPrefix(err.Error(), "SUPFILE_JOB_WORKERS: ") {
			t.Errorf("workers %q: %v", bad, err)
		}
	}
}
