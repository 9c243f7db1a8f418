package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/internal/mailpittest"
	"github.com/supervisionfile/supfile/internal/needs"
	"github.com/supervisionfile/supfile/internal/pgtest"
	"github.com/supervisionfile/supfile/jobs"
	"github.com/supervisionfile/supfile/supervision"
)

const mailBase = "https://supervision.testshire.gov.uk"

// mailEnv is the settings to send email to a Mailpit.
func mailEnv(mp *mailpittest.Server, env map[string]string) map[string]string {
	out := with(env, "SUPFILE_BASE_URL", mailBase)
	for k, v := range mp.Env() {
		out[k] = v
	}
	return out
}

// mailTo waits for n messages to an address with a subject (prefix) and
// returns them in full; it fails if more arrive.
func mailTo(t *testing.T, mp *mailpittest.Server, address, subject string, n int) []*mailpittest.Message {
	t.Helper()
	var out []*mailpittest.Message
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		out = out[:0]
		for _, s := range mp.To(address) {
			if strings.HasPrefix(s.Subject, subject) {
				out = append(out, mp.Message(s.ID))
			}
		}
		if len(out) >= n || time.Now().After(deadline) {
			break
		}
	}
	if len(out) != n {
		t.Fatalf("%d emails to %s with subject %q, want %d; all: %+v", len(out), address, subject, n, mp.Messages())
	}
	return out
}

// noContent checks an email holds no answer, comment or disagreement text,
// and links to the page.
func noContent(t *testing.T, m *mailpittest.Message, link string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(m.Text, s) || strings.Contains(m.HTML, s) || strings.Contains(m.Subject, s) {
			t.Errorf("email %q holds record content %q:\n%s", m.Subject, s, m.Text)
		}
	}
	if !strings.Contains(m.Text, link) || !strings.Contains(m.HTML, `href="`+link+`"`) {
		t.Errorf("email %q does not link to %s:\n%s\n%s", m.Subject, link, m.Text, m.HTML)
	}
}

// settled waits until no email job is waiting or running.
func emailsSettled(t *testing.T, m *Main) []*rivertype.JobRow {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		js, err := m.jobs.EmailJobs(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		busy := false
		for _, j := range js {
			if j.State != rivertype.JobStateCompleted && j.State != rivertype.JobStateDiscarded {
				busy = true
			}
		}
		if !busy || time.Now().After(deadline) {
			return js
		}
	}
}

// Every email, end to end through the service and a real SMTP server
// (Mailpit): a record awaiting a signature, a draft sent for the other's
// part, a disagreement (to the supervisor and the line manager), a record
// signed and filed (to the supervisee and the signers), the weekly digest
// (to the supervisor, and to the line manager past the policy's grace).
// Each links to its page, names the form and the file, and holds no
// answers. Nobody who has left is emailed. A second instance on the same
// database, a job run again and the digest asked for again send nothing
// twice.
func TestEmailNotifications(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			env := map[string]string{"SUPFILE_DATA_DIR": t.TempDir()}
			if db == "postgres" {
				env["DATABASE_URL"] = pgtest.Schema(t)
			}
			testEmailNotifications(t, env)
		})
	}
}

func testEmailNotifications(t *testing.T, env map[string]string) {
	needs.Tools(t, "Mailpit")
	mp := mailpittest.Start(t)
	env = mailEnv(mp, env)
	a := startApp(t, env)
	p := setUpTeam(t, a.URL)
	lmID := addStaff(t, p.admin, "Grace Okafor", "grace.okafor@testshire.gov.uk", "Service Manager", "senior_manager")
	p.admin.call("PUT", "/api/v1/staff/"+p.supervisorID+"/supervisor", map[string]any{"supervisor_id": lmID, "from": "2026-11-23"}, http.StatusOK, nil)
	const (
		sian  = "sian.jones@testshire.gov.uk"
		ahmed = "ahmed.khan@testshire.gov.uk"
		grace = "grace.okafor@testshire.gov.uk"
	)
	answer := "We will meet every four weeks in Tŷ Newydd."
	disagreement := "Four weeks is too long between sessions in my first year."

	// Submitted: the supervisee is asked to sign; the author is not emailed.
	var rec recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records",
		map[string]any{"form": "supervision-agreement", "data": validAgreement(answer)}, http.StatusCreated, &rec)
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusOK, &rec)
	link := mailBase + "/records/" + rec.ID
	m := mailTo(t, mp, sian, "Awaiting your signature: Supervision agreement", 1)[0]
	noContent(t, m, link, answer)
	if len(m.To) != 1 || m.To[0].Name != "Siân Gwŷnedd-Jones" || m.From.Address != "supervision@testshire.gov.uk" ||
		!strings.Contains(m.Text, "Dear Siân Gwŷnedd-Jones,") || !strings.Contains(m.Text, "your supervision file") {
		t.Errorf("signature email: %+v", m)
	}
	raw := mp.Raw(m.ID)
	hdr := mp.Headers(m.ID)
	if !strings.Contains(raw, "To: =?utf-8?q?Si=C3=A2n_Gw=C5=B7nedd-Jones?= <sian.jones@testshire.gov.uk>") ||
		len(hdr["Message-Id"]) != 1 || len(hdr["Date"]) != 1 || !strings.Contains(strings.Join(hdr["Content-Type"], ""), "multipart/alternative") {
		t.Errorf("headers: %v\n%.600s", hdr, raw)
	}

	// Signed with a disagreement: the supervisor and their line manager
	// hear of it, without its text.
	p.supervisee.call("POST", "/api/v1/records/"+rec.ID+"/signatures",
		map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true, "disagreement": disagreement}, http.StatusCreated, nil)
	for _, to := range []string{ahmed, grace} {
		m := mailTo(t, mp, to, "Disagreement recorded: Supervision agreement", 1)[0]
		noContent(t, m, link, answer, disagreement)
		if !strings.Contains(m.Text, "the supervision file of Siân Gwŷnedd-Jones") {
			t.Errorf("disagreement email to %s: %s", to, m.Text)
		}
	}
	// Signed by everyone: in the file; the supervisee and the signers hear.
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true}, http.StatusCreated, &rec)
	if rec.Status != "signed" {
		t.Fatalf("record after the last signature: %s", rec.Status)
	}
	for _, to := range []string{sian, ahmed} {
		noContent(t, mailTo(t, mp, to, "Signed and filed: Supervision agreement", 1)[0], link, answer, disagreement)
	}
	mailTo(t, mp, ahmed, "Awaiting your signature", 0) // he submitted it

	// Sent for the other's part, both ways.
	cat, err := forms.Load(forms.Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	def, _ := cat.Get("supervision-record")
	sample := forms.Sample(def, p.supervisorID)
	var sr livingRecord
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "supervision-record", "data": sample}, http.StatusCreated, &sr)
	p.supervisor.call("POST", "/api/v1/records/"+sr.ID+"/send", nil, http.StatusOK, &sr)
	noContent(t, mailTo(t, mp, sian, "Your part to fill in: "+def.Title, 1)[0], mailBase+"/records/"+sr.ID, answerTexts(sample)...)
	p.supervisee.call("POST", "/api/v1/records/"+sr.ID+"/send", nil, http.StatusOK, &sr)
	noContent(t, mailTo(t, mp, ahmed, "Your part to fill in: "+def.Title, 1)[0], mailBase+"/records/"+sr.ID, answerTexts(sample)...)

	// The weekly digest: Siân's supervision is overdue (none since January
	// 2025). Ahmed hears as her supervisor, Grace as his line manager (it
	// is overdue by more than 14 days).
	if err := a.jobs.QueueDigests(t.Context()); err != nil {
		t.Fatal(err)
	}
	d := mailTo(t, mp, ahmed, "Overdue supervision: 1 file", 1)[0]
	noContent(t, d, mailBase+"/staff/"+p.superviseeID+"/file")
	if !strings.Contains(d.Text, "Siân Gwŷnedd-Jones: supervision ") || !strings.Contains(d.Text, "in 1 file you supervise") {
		t.Errorf("Ahmed's digest:\n%s", d.Text)
	}
	g := mailTo(t, mp, grace, "Overdue supervision: 1 file", 1)[0]
	if !strings.Contains(g.Text, "Siân Gwŷnedd-Jones (supervised by Ahmed Khan): supervision ") || !strings.Contains(g.Text, "more than 14 days") {
		t.Errorf("Grace's digest:\n%s", g.Text)
	}
	mailTo(t, mp, sian, "Overdue supervision", 0) // she supervises nobody
	emailsSettled(t, a)
	total := len(mp.Messages())

	// Nothing twice: the digest asked for again this week, a second
	// instance on the same database asking too, every completed email job
	// run again (as River retries a job), the same notices queued again.
	b := startApp(t, env)
	if err := a.jobs.QueueDigests(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := b.jobs.QueueDigests(t.Context()); err != nil {
		t.Fatal(err)
	}
	js := emailsSettled(t, a)
	var again []supervision.Notice
	for _, j := range js {
		if err := b.jobs.RetryJob(t.Context(), j.ID); err != nil {
			t.Fatalf("retry job %d: %v", j.ID, err)
		}
		again = append(again, noticeOf(t, j))
	}
	if err := b.jobs.Notify(t.Context(), again); err != nil {
		t.Fatal(err)
	}
	js = emailsSettled(t, b)
	retried := 0
	for _, j := range js {
		if j.Attempt > 1 {
			retried++
		}
	}
	if retried == 0 {
		t.Errorf("no email job ran again: %+v", js)
	}
	time.Sleep(time.Second)
	if n := len(mp.Messages()); n != total {
		t.Errorf("%d emails after asking again, want %d", n, total)
	}

	// With both instances working, a new event's email is sent once.
	var r2 recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records",
		map[string]any{"form": "supervision-agreement", "data": validAgreement(answer)}, http.StatusCreated, &r2)
	p.supervisor.call("POST", "/api/v1/records/"+r2.ID+"/submit", nil, http.StatusOK, &r2)
	mailTo(t, mp, sian, "Awaiting your signature: Supervision agreement", 2)
	emailsSettled(t, a)
	time.Sleep(time.Second)
	mailTo(t, mp, sian, "Awaiting your signature: Supervision agreement", 2)

	// Grace leaves: the next disagreement reaches Ahmed only.
	p.admin.call("PATCH", "/api/v1/staff/"+lmID, map[string]any{"end_date": time.Now().AddDate(0, 0, -1).Format("2006-01-02")}, http.StatusOK, nil)
	p.supervisee.call("POST", "/api/v1/records/"+r2.ID+"/signatures",
		map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true, "disagreement": disagreement}, http.StatusCreated, nil)
	mailTo(t, mp, ahmed, "Disagreement recorded", 2)
	emailsSettled(t, a)
	mailTo(t, mp, grace, "Disagreement recorded", 1)

	// Siân switches her emails off (the API), then on again (her account
	// page): while off, nothing reaches her.
	var set struct {
		On        bool `json:"on"`
		EmailSent bool `json:"email_sent"`
	}
	p.supervisee.call("PUT", "/api/v1/me/email-notifications", map[string]any{"on": false}, http.StatusOK, &set)
	if set.On || !set.EmailSent {
		t.Errorf("switched off: %+v", set)
	}
	var r3 recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records",
		map[string]any{"form": "supervision-agreement", "data": validAgreement(answer)}, http.StatusCreated, &r3)
	p.supervisor.call("POST", "/api/v1/records/"+r3.ID+"/submit", nil, http.StatusOK, &r3)
	emailsSettled(t, a)
	mailTo(t, mp, sian, "Awaiting your signature: Supervision agreement", 2)
	page := p.supervisee.call("GET", "/account", nil, http.StatusOK, nil)
	if !strings.Contains(string(page), `id="email-off" name="email" type="radio" value="off" checked`) {
		t.Errorf("account page does not show emails off")
	}
	resp, err := p.supervisee.http.PostForm(p.supervisee.base+"/account/email", url.Values{"email": {"on"}})
	if err != nil || resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account?email=on" {
		t.Fatalf("switch on from the account page: %v %+v", err, resp)
	}
	resp.Body.Close()
	p.supervisor.call("POST", "/api/v1/records/"+r3.ID+"/withdraw", nil, http.StatusOK, nil)
	p.supervisor.call("POST", "/api/v1/records/"+r3.ID+"/submit", nil, http.StatusOK, nil)
	mailTo(t, mp, sian, "Awaiting your signature: Supervision agreement", 3)
}

// answerTexts are the longer text answers of a sample record.
func answerTexts(data map[string]any) []string {
	var out []string
	for _, v := range data {
		if s, ok := v.(string); ok && len(s) > 12 && !strings.HasPrefix(s, "20") {
			out = append(out, s)
		}
	}
	return out
}

// noticeOf is an email job's notice.
func noticeOf(t *testing.T, j *rivertype.JobRow) supervision.Notice {
	t.Helper()
	var a jobs.EmailArgs
	if err := json.Unmarshal(j.EncodedArgs, &a); err != nil {
		t.Fatal(err)
	}
	return a.Notice
}

// With SMTP unset nothing is queued or sent, whatever happens.
func TestEmailOff(t *testing.T) {
	needs.Tools(t, "Mailpit")
	mp := mailpittest.Start(t)
	a := startApp(t, nil)
	p := setUpTeam(t, a.URL)
	signWithDisagreement(t, p)
	if err := a.jobs.QueueDigests(t.Context()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	if js, err := a.jobs.EmailJobs(t.Context()); err != nil || len(js) != 0 {
		t.Errorf("email jobs with SMTP unset: %v %+v", err, js)
	}
	if ms := mp.Messages(); len(ms) != 0 {
		t.Errorf("emails with SMTP unset: %+v", ms)
	}
}

// SMTP settings are checked at start, naming the setting at fault.
func TestConfigSMTP(t *testing.T) {
	ok := map[string]string{"SUPFILE_SMTP_HOST": "smtp.testshire.gov.uk", "SUPFILE_SMTP_FROM": "Supervision File <supervision@testshire.gov.uk>",
		"SUPFILE_BASE_URL": mailBase}
	for _, tt := range []struct {
		env  map[string]string
		name string // the setting named, "" for none
	}{
		{map[string]string{}, ""},
		{ok, ""},
		{with(ok, "SUPFILE_SMTP_USERNAME", "u", "SUPFILE_SMTP_PASSWORD", "p", "SUPFILE_SMTP_PORT", "465"), ""},
		{with(ok, "SUPFILE_SMTP_HOST", "127.0.0.1", "SUPFILE_SMTP_STARTTLS", "false", "SUPFILE_SMTP_USERNAME", "u", "SUPFILE_SMTP_PASSWORD", "p"), ""},
		{map[string]string{"SUPFILE_SMTP_FROM": "a@b.c"}, "SUPFILE_SMTP_FROM"},
		{with(ok, "SUPFILE_SMTP_PORT", "0"), "SUPFILE_SMTP_PORT"},
		{with(ok, "SUPFILE_SMTP_PORT", "smtp"), "SUPFILE_SMTP_PORT"},
		{with(ok, "SUPFILE_SMTP_HOST", "smtp://x"), "SUPFILE_SMTP_HOST"},
		{with(ok, "SUPFILE_SMTP_FROM", ""), "SUPFILE_SMTP_FROM"},
		{with(ok, "SUPFILE_SMTP_FROM", "not an address"), "SUPFILE_SMTP_FROM"},
		{with(ok, "SUPFILE_SMTP_USERNAME", "u"), "SUPFILE_SMTP_USERNAME"},
		{with(ok, "SUPFILE_SMTP_STARTTLS", "maybe"), "SUPFILE_SMTP_STARTTLS"},
		{with(ok, "SUPFILE_SMTP_STARTTLS", "false", "SUPFILE_SMTP_USERNAME", "u", "SUPFILE_SMTP_PASSWORD", "p"), "SUPFILE_SMTP_STARTTLS"},
		{with(ok, "SUPFILE_BASE_URL", ""), "SUPFILE_BASE_URL"},
		{with(ok, "SUPFILE_BASE_URL", "supervision.testshire.gov.uk"), "SUPFILE_BASE_URL"},
	} {
		c, err := loadConfig(nil, func(k string) string { return tt.env[k] })
		switch {
		case tt.name == "" && err != nil:
			t.Errorf("%v: %v", tt.env, err)
		case tt.name != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.name+": ")):
			t.Errorf("%v: %v, want an error naming %s", tt.env, err, tt.name)
		case tt.name == "" && tt.env["SUPFILE_SMTP_HOST"] != "" && (c.SMTP.Host == "" || c.SMTP.From.Address != "supervision@testshire.gov.uk"):
			t.Errorf("%v: %+v", tt.env, c.SMTP)
		}
	}
}
