package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/internal/needs"
	"github.com/supervisionfile/supfile/supervision"
)

//go:embed testdata/axe.min.js
var axeSource string

// browser opens a tab for a test in the package's one headless Debian
// Chromium (sharedChromium), in a browser context of its own: cookies and
// storage are the test's alone. A missing Chromium is a failure: CI
// installs it.
func browser(t *testing.T) context.Context {
	t.Helper()
	return browserFor(t, 4*time.Minute)
}

// browserFor is browser with a longer limit, for a test that visits many
// pages in one session.
func browserFor(t *testing.T, limit time.Duration) context.Context {
	t.Helper()
	needs.Tools(t, "Chromium")
	root, err := sharedChromium()
	if err != nil {
		t.Fatal(err)
	}
	// A browser context of its own, in a window of its own (chromedp's
	// WithNewBrowserContext opens its tab without a window, which headless
	// Chromium refuses: "no browser is open").
	browserCDP := cdp.WithExecutor(root, chromedp.FromContext(root).Browser)
	bc, err := target.CreateBrowserContext().Do(browserCDP)
	if err != nil {
		t.Fatalf("chromium: new browser context: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(root, 10*time.Second)
		defer cancel()
		if err := target.DisposeBrowserContext(bc).Do(cdp.WithExecutor(ctx, chromedp.FromContext(root).Browser)); err != nil && root.Err() == nil {
			t.Logf("chromium: closing the browser context: %v", err)
		}
	})
	tab, err := target.CreateTarget("about:blank").WithBrowserContextID(bc).WithNewWindow(true).Do(browserCDP)
	if err != nil {
		t.Fatalf("chromium: new tab: %v", err)
	}
	ctx, cancelB := chromedp.NewContext(root, chromedp.WithTargetID(tab))
	ctx, cancelT := context.WithTimeout(ctx, limit)
	t.Cleanup(func() { cancelT(); cancelB() })
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("chromium: attach to the new tab: %v", err)
	}
	return ctx
}

// chromium is the one Chromium process the package's browser tests share:
// starting one for each person in each test took a second or more of CPU
// each time, about 40 times a run. TestMain stops it.
var chromium struct {
	once   sync.Once
	ctx    context.Context // the browser's first tab; tests open theirs beside it
	cancel context.CancelFunc
	dir    string // its profile
	err    error
}

func sharedChromium() (context.Context, error) {
	chromium.once.Do(func() {
		path, err := exec.LookPath("chromium")
		if err != nil {
			chromium.err = fmt.Errorf("chromium is not installed (apt-get install chromium): the browser tests need it")
			return
		}
		if chromium.dir, err = os.MkdirTemp("", "supfile-chromium-*"); err != nil {
			chromium.err = err
			return
		}
		opts := []chromedp.ExecAllocatorOption{
			chromedp.ExecPath(path),
			chromedp.Flag("headless", true),
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.NoDefaultBrowserCheck,
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-dev-shm-usage", true),
			// Tests run side by side, each in its own tab: none is a
			// background tab to be slowed down.
			chromedp.Flag("disable-background-timer-throttling", true),
			chromedp.Flag("disable-backgrounding-occluded-windows", true),
			chromedp.Flag("disable-renderer-backgrounding", true),
			chromedp.UserDataDir(chromium.dir),
			chromedp.WindowSize(1200, 900),
		}
		actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelB := chromedp.NewContext(actx)
		chromium.ctx, chromium.cancel = ctx, func() { cancelB(); cancelA() }
		if err := chromedp.Run(ctx); err != nil {
			chromium.err = fmt.Errorf("start chromium: %w", err)
		}
	})
	return chromium.ctx, chromium.err
}

// stopChromium ends the shared Chromium, if a test started it.
func stopChromium() {
	if chromium.cancel != nil {
		chromium.cancel()
	}
	if chromium.dir == "" {
		return
	}
	// Chromium's helper processes may still write into the profile as
	// they exit: remove it until it stays gone (at most two seconds).
	for range 20 {
		os.RemoveAll(chromium.dir)
		time.Sleep(100 * time.Millisecond)
		if _, err := os.Stat(chromium.dir); errors.Is(err, fs.ErrNotExist) {
			return
		}
	}
}

// newSession is a separate browser context (its own cookies) in the
// shared Chromium, so each person has their own sign-in.
func newSession(t *testing.T, _ context.Context) context.Context {
	return browser(t)
}

func do(t *testing.T, ctx context.Context, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(ctx, actions...); err != nil {
		var url string
		_ = chromedp.Run(ctx, chromedp.Location(&url))
		t.Fatalf("browser at %s: %v", url, err)
	}
}

type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// checkAxe runs axe-core on the current page: no WCAG 2.2 A/AA violations.
func checkAxe(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	var loaded bool
	do(t, ctx, chromedp.Evaluate(`typeof axe !== "undefined"`, &loaded))
	if !loaded {
		do(t, ctx, chromedp.Evaluate(axeSource+";true", &loaded))
	}
	var res string
	do(t, ctx, chromedp.Evaluate(`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a","wcag2aa","wcag21a","wcag21aa","wcag22a","wcag22aa"]}})
		.then(r => JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(" "))}))))`,
		&res, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	var v []axeViolation
	if err := json.Unmarshal([]byte(res), &v); err != nil {
		t.Fatalf("axe result %q: %v", res, err)
	}
	for _, x := range v {
		t.Errorf("axe on %s: %s (%s): %s at %v", page, x.ID, x.Impact, x.Help, x.Nodes)
	}
	axePages.Lock()
	defer axePages.Unlock()
	if axePages.byTest == nil {
		axePages.byTest = map[string]map[string]bool{}
	}
	if axePages.byTest[t.Name()] == nil {
		axePages.byTest[t.Name()] = map[string]bool{}
	}
	axePages.byTest[t.Name()][page] = true
}

// axePages is the pages checkAxe checked, by test (tests run side by side).
var axePages struct {
	sync.Mutex
	byTest map[string]map[string]bool
}

// pagesChecked is how many different pages checkAxe checked in this test.
func pagesChecked(t *testing.T) int {
	axePages.Lock()
	defer axePages.Unlock()
	return len(axePages.byTest[t.Name()])
}

func signIn(t *testing.T, ctx context.Context, base, email, password string) {
	t.Helper()
	do(t, ctx, chromedp.Navigate(base+"/login"), chromedp.WaitVisible(`#f-email`, chromedp.ByQuery))
	checkAxe(t, ctx, "sign in")
	do(t, ctx,
		chromedp.SendKeys(`#f-email`, email, chromedp.ByQuery),
		chromedp.SendKeys(`#f-password`, password, chromedp.ByQuery))
	click(t, ctx, `form[action="/login"] button[type=submit]`)
}

func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	var s string
	do(t, ctx, chromedp.Text(sel, &s, chromedp.ByQuery))
	return s
}

func valueOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	var s string
	do(t, ctx, chromedp.Value(sel, &s, chromedp.ByQuery))
	return s
}

func click(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	navigate(t, ctx, chromedp.Click(sel, chromedp.ByQuery))
}

// navigate runs actions that load a new page (a click, a key press) and
// waits until the new page has loaded: the old document is marked first, so
// the wait cannot be satisfied by the page being left.
func navigate(t *testing.T, ctx context.Context, actions ...chromedp.Action) {
	t.Helper()
	do(t, ctx, chromedp.Evaluate(`document.documentElement.dataset.stale = "1"`, nil))
	do(t, ctx, actions...)
	deadline := time.Now().Add(30 * time.Second)
	for {
		var ready bool
		err := chromedp.Run(ctx, chromedp.Evaluate(`!document.documentElement.dataset.stale && document.readyState === "complete" && !!document.querySelector("h1")`, &ready))
		if err == nil && ready {
			return
		}
		if time.Now().After(deadline) {
			var url string
			_ = chromedp.Run(ctx, chromedp.Location(&url))
			t.Fatalf("no new page loaded (at %s): %v", url, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// setValue sets an input's value as a script would; used where typing key by
// key would take minutes (20,000 characters) or depends on the locale (dates).
func setValue(sel, value string, _ ...chromedp.QueryOption) chromedp.Action {
	js, _ := json.Marshal(value)
	q, _ := json.Marshal(sel)
	return chromedp.Evaluate(fmt.Sprintf(`(() => { const e = document.querySelector(%s); if (!e) throw new Error("no element " + %s); e.value = %s; return true })()`, q, q, js), nil)
}

// setDate fills a GOV.UK date input (its day box's selector, then the
// "-month" and "-year" boxes) from a date written 2026-03-27; "" empties it.
func setDate(daySel, iso string) chromedp.Action {
	var d, m, y string
	if iso != "" {
		t, err := time.Parse(time.DateOnly, iso)
		if err != nil {
			panic("setDate: " + iso)
		}
		d, m, y = fmt.Sprint(t.Day()), fmt.Sprint(int(t.Month())), fmt.Sprint(t.Year())
	}
	return chromedp.Tasks{setValue(daySel, d), setValue(daySel+"-month", m), setValue(daySel+"-year", y)}
}

// fillAgreement types and clicks every answer into the agreement page.
func fillAgreement(t *testing.T, ctx context.Context, data map[string]any) {
	t.Helper()
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		sel := fmt.Sprintf(`[name=%q]`, k)
		switch v := data[k].(type) {
		case string:
			if k == "recorded_by" || k == "copy_to_supervisee" {
				do(t, ctx, chromedp.Click(fmt.Sprintf(`input[name=%q][value=%q]`, k, v), chromedp.ByQuery))
				continue
			}
			if looksLikeDate(v) {
				do(t, ctx, setDate("#f-"+strings.ReplaceAll(k, ".", "-"), v))
				continue
			}
			if len(v) > 300 {
				// Typing 20,000 characters one key at a time takes minutes.
				do(t, ctx, setValue(sel, v, chromedp.ByQuery))
				continue
			}
			do(t, ctx, setValue(sel, "", chromedp.ByQuery), chromedp.SendKeys(sel, v, chromedp.ByQuery))
		case float64:
			do(t, ctx, setValue(sel, "", chromedp.ByQuery), chromedp.SendKeys(sel, fmt.Sprint(v), chromedp.ByQuery))
		case []any:
			for _, o := range v {
				do(t, ctx, chromedp.Click(fmt.Sprintf(`input[name=%q][value=%q]`, k, o), chromedp.ByQuery))
			}
		}
	}
}

func TestBrowserAgreement(t *testing.T) {
	needs.Tools(t, "Chromium")
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	var root context.Context
	data := validAgreement(longAnswer())

	// The supervisor starts an agreement from the supervisee's file.
	sup := newSession(t, root)
	signIn(t, sup, m.URL, "ahmed.khan@testshire.gov.uk", "a long password 1")
	checkAxe(t, sup, "home")
	click(t, sup, `a[href="/staff/`+p.superviseeID+`/file"]`)
	checkAxe(t, sup, "file (empty)")
	do(t, sup, setValue(`#f-form`, "supervision-agreement", chromedp.ByQuery))
	click(t, sup, `form[action$="/records"] button[type=submit]`)
	checkAxe(t, sup, "agreement (task list)")
	onOnePage(t, sup) // this test fills the single page; TestBrowserTaskList the sections
	checkAxe(t, sup, "agreement (new)")
	if got := valueOf(t, sup, `[name=supervisee_name]`); got != "Siân Gwŷnedd-Jones" {
		t.Errorf("supervisee name prefilled as %q", got)
	}
	if got := valueOf(t, sup, `[name=supervisor_job_title]`); got != "Team Manager" {
		t.Errorf("supervisor job title prefilled as %q", got)
	}

	// A wrong answer comes back with the error summary, the message beside
	// the field, and everything typed still there.
	do(t, sup,
		chromedp.SendKeys(`[name=supervisor_aims]`, "Keep this text 🙂 safe", chromedp.ByQuery),
		setValue(`[name=times_per_year]`, "twelve", chromedp.ByQuery))
	click(t, sup, `button[value=save]`)
	checkAxe(t, sup, "agreement (errors)")
	if s := textOf(t, sup, `.govuk-error-summary`); !strings.Contains(s, "There is a problem") {
		t.Fatalf("no error summary: %q", s)
	}
	if s := textOf(t, sup, `#f-times_per_year-error`); s == "" {
		t.Error("no error message beside times a year")
	}
	if got := valueOf(t, sup, `[name=times_per_year]`); got != "twelve" {
		t.Errorf("typed number lost: %q", got)
	}
	if got := valueOf(t, sup, `[name=supervisor_aims]`); got != "Keep this text 🙂 safe" {
		t.Errorf("typed text lost: %q", got)
	}
	if s := textOf(t, sup, `.govuk-error-summary`); !strings.Contains(s, "🙂") {
		t.Errorf("emoji not refused with a clear message: %q", s)
	}

	fillAgreement(t, sup, data)
	click(t, sup, `button[value=save]`)
	if s := textOf(t, sup, `.govuk-notification-banner`); !strings.Contains(s, "Draft saved") {
		t.Fatalf("after save: %q", s)
	}
	click(t, sup, `button[value=submit]`)
	checkAxe(t, sup, "record (awaiting signatures)")
	if s := textOf(t, sup, `main`); !strings.Contains(s, "Awaiting signatures") {
		t.Fatalf("after submit the page says: %.300q", s)
	}
	var recordURL string
	do(t, sup, chromedp.Location(&recordURL))

	// The supervisee reads it and signs with the keyboard only.
	see := newSession(t, root)
	signIn(t, see, m.URL, "sian.jones@testshire.gov.uk", "a long password 1")
	click(t, see, `a[href="/staff/`+p.superviseeID+`/file"]`)
	checkAxe(t, see, "file (awaiting)")
	click(t, see, `a[href^="/records/"]`)
	if s := textOf(t, see, `main`); !strings.Contains(s, "Meeting room 2, Tŷ Hywel") {
		t.Fatalf("supervisee cannot read the agreement: %.300q", s)
	}
	do(t, see,
		chromedp.SendKeys(`#f-comment`, "Diolch, I agree.", chromedp.ByQuery),
		chromedp.SendKeys(`#f-name`, "Siân Gwŷnedd-Jones", chromedp.ByQuery),
		chromedp.Focus(`#f-confirm`, chromedp.ByQuery),
		chromedp.KeyEvent(" "),
	)
	navigate(t, see, chromedp.Focus(`form[action$="/sign"] button[type=submit]`, chromedp.ByQuery), chromedp.KeyEvent("\r"))
	if s := textOf(t, see, `.govuk-notification-banner`); !strings.Contains(s, "You have signed") {
		t.Fatalf("supervisee signing: %q", s)
	}

	// The supervisor signs; forgetting the checkbox is caught first.
	do(t, sup, chromedp.Navigate(recordURL), chromedp.WaitVisible(`#f-name`, chromedp.ByQuery),
		chromedp.SendKeys(`#f-name`, "Ahmed Khan", chromedp.ByQuery))
	click(t, sup, `form[action$="/sign"] button[type=submit]`)
	checkAxe(t, sup, "sign (errors)")
	if got := valueOf(t, sup, `#f-name`); got != "Ahmed Khan" {
		t.Errorf("typed name lost: %q", got)
	}
	do(t, sup, chromedp.Click(`#f-confirm`, chromedp.ByQuery))
	click(t, sup, `form[action$="/sign"] button[type=submit]`)
	checkAxe(t, sup, "record (signed)")
	if s := textOf(t, sup, `.govuk-notification-banner`); !strings.Contains(s, "Everyone has now signed") {
		t.Fatalf("supervisor signing: %q", s)
	}

	// Both can download; the file lists it with its signers.
	click(t, see, `a[href="/staff/`+p.superviseeID+`/file"]`)
	checkAxe(t, see, "file (signed)")
	s := textOf(t, see, `table`)
	for _, want := range []string{"Supervision agreement", "Signed", "Siân Gwŷnedd-Jones (supervisee)", "Ahmed Khan (supervisor)"} {
		if !strings.Contains(s, want) {
			t.Errorf("file listing lacks %q: %q", want, s)
		}
	}
	for _, ctx := range []context.Context{sup, see} {
		var head string
		do(t, ctx, chromedp.Evaluate(`fetch(document.querySelector('a[href$="document.pdf"]').href).then(r => r.text()).then(t => t.slice(0, 5))`, &head,
			func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
		if head != "%PDF-" {
			t.Errorf("download is not a PDF: %q", head)
		}
	}
	if n := pagesChecked(t); n < 9 {
		t.Errorf("axe ran on only %d pages", n)
	}
}

// The administrator's pages: adding staff (with a mistake), a member of
// staff, setting a supervisor and a password (with a mistake).
func TestBrowserAdmin(t *testing.T) {
	needs.Tools(t, "Chromium")
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	var root context.Context
	adm := newSession(t, root)
	signIn(t, adm, m.URL, "admin@testshire.gov.uk", "correct horse battery")
	checkAxe(t, adm, "admin home")
	do(t, adm, chromedp.Navigate(m.URL+"/admin/staff"), chromedp.WaitVisible(`#f-name`, chromedp.ByQuery))
	checkAxe(t, adm, "staff list")
	do(t, adm, chromedp.SendKeys(`#f-name`, "Gwenllian ap Rhys", chromedp.ByQuery))
	click(t, adm, `form[method=post][action="/admin/staff"] button[type=submit]`)
	if got := textOf(t, adm, `.govuk-error-summary`); !strings.Contains(got, "Enter an email address") {
		t.Errorf("error summary = %q", got)
	}
	if got := valueOf(t, adm, `#f-name`); got != "Gwenllian ap Rhys" {
		t.Errorf("name kept as %q after an error", got)
	}
	checkAxe(t, adm, "staff list (errors)")
	do(t, adm, chromedp.Navigate(m.URL+"/admin/staff/"+p.superviseeID), chromedp.WaitVisible(`#f-supervisor_id`, chromedp.ByQuery))
	checkAxe(t, adm, "staff member")
	do(t, adm, chromedp.SendKeys(`#f-password`, "short", chromedp.ByQuery))
	click(t, adm, `form[action$="/password"] button[type=submit]`)
	if got := textOf(t, adm, `#f-password-error`); !strings.Contains(got, "at least 12 characters") {
		t.Errorf("password error = %q", got)
	}
	checkAxe(t, adm, "staff member (errors)")

	// Checking a document: the form, then the answer for a PDF that is not
	// from the file.
	do(t, adm, chromedp.Navigate(m.URL+"/verify"), chromedp.WaitVisible(`#f-file`, chromedp.ByQuery))
	checkAxe(t, adm, "verify")
	stray := filepath.Join(t.TempDir(), "stray.pdf")
	if err := os.WriteFile(stray, []byte("%PDF-1.4\n% not from the file\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	do(t, adm, chromedp.SetUploadFiles(`#f-file`, []string{stray}, chromedp.ByQuery))
	click(t, adm, `form[action="/verify"] button[type=submit]`)
	if got := textOf(t, adm, `.govuk-warning-text`); !strings.Contains(got, "not") {
		t.Errorf("verify answer = %q", got)
	}
	checkAxe(t, adm, "verify (answer)")
}

// TestBrowserEveryForm opens every form in the catalogue from the
// supervisee's file, as its author meets it (the supervisor, or the
// supervisee for a form that is theirs alone), then submits it empty so
// that every required question shows its error: axe-core must find nothing
// on either page. New forms are picked up from GET /api/v1/forms.
func TestBrowserEveryForm(t *testing.T) {
	needs.Tools(t, "Chromium")
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	var list []struct{ ID, Title string }
	p.supervisor.call("GET", "/api/v1/forms", nil, http.StatusOK, &list)
	var root context.Context
	sup := newSession(t, root)
	signIn(t, sup, m.URL, "ahmed.khan@testshire.gov.uk", "a long password 1")
	see := newSession(t, root)
	signIn(t, see, m.URL, "sian.jones@testshire.gov.uk", "a long password 1")
	cat, err := forms.Load(forms.Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	// The file audit is started by an auditor assigned to the file.
	auditorID := addStaff(t, p.admin, "Grace Okafor", "grace.okafor@testshire.gov.uk", "Service Manager", "senior_manager")
	p.admin.call("POST", "/api/v1/audit-assignments", map[string]any{"supervisee_id": p.superviseeID, "auditor_id": auditorID, "due": "2099-01-31"}, http.StatusCreated, nil)
	aud := newSession(t, root)
	signIn(t, aud, m.URL, "grace.okafor@testshire.gov.uk", "a long password 1")
	for _, f := range list {
		if def, _ := cat.Get(f.ID); def.Generated {
			continue // nobody starts it: TestBrowserHandover shows it
		} else if supervision.IsGroup(def) {
			// The lead starts it in their own file, not a supervisee's:
			// TestBrowserEveryPage checks it empty and with errors, and
			// TestBrowserGroupSupervision fills and signs it.
			continue
		}
		author := sup
		do(t, sup, chromedp.Navigate(m.URL+"/staff/"+p.superviseeID+"/file"), chromedp.WaitVisible(`#f-form`, chromedp.ByQuery))
		var offered bool
		do(t, sup, chromedp.Evaluate(fmt.Sprintf(`!!document.querySelector('#f-form option[value=%q]')`, f.ID), &offered))
		if def, _ := cat.Get(f.ID); supervision.IsAudit(def) {
			if offered {
				t.Errorf("%s: offered to the supervisor", f.ID)
			}
			offered, author = true, aud
			do(t, aud, chromedp.Navigate(m.URL+"/staff/"+p.superviseeID+"/file"), chromedp.WaitVisible(`#f-form`, chromedp.ByQuery))
		}
		if !offered {
			author = see
			do(t, see, chromedp.Navigate(m.URL+"/staff/"+p.superviseeID+"/file"), chromedp.WaitVisible(`#f-form`, chromedp.ByQuery))
		}
		do(t, author, setValue(`#f-form`, f.ID, chromedp.ByQuery))
		click(t, author, `form[action$="/records"] button[type=submit]`)
		onOnePage(t, author) // a long form opens on its task list (TestBrowserTaskList)
		if got := textOf(t, author, `h1`); !strings.Contains(got, f.Title) {
			t.Errorf("%s: page heading %q", f.ID, got)
		}
		checkAxe(t, author, f.ID+" (new)")
		// Clear what was prefilled so that required questions go unanswered.
		do(t, author, chromedp.Evaluate(`document.querySelectorAll("input[type=text], input:not([type]), textarea").forEach(e => e.value = "")`, nil))
		click(t, author, `button[value=submit]`)
		if got := textOf(t, author, `.govuk-error-summary`); !strings.Contains(got, "There is a problem") {
			t.Errorf("%s: submitting it empty gave no error summary", f.ID)
		}
		checkAxe(t, author, f.ID+" (errors)")
		// Where the other party writes a part too (a practice observation),
		// their page shows the author's part read-only: axe checks it too.
		other := see
		if author == see {
			other = sup
		}
		if author == aud {
			continue // the supervisor only acknowledges an audit: nothing to edit
		}
		var editURL string
		do(t, author, chromedp.Location(&editURL))
		var editable bool
		do(t, other, chromedp.Navigate(editURL), chromedp.WaitVisible(`h1`, chromedp.ByQuery),
			chromedp.Evaluate(`!!document.querySelector('form[action$="/edit"]')`, &editable))
		def, _ := cat.Get(f.ID)
		otherParty := map[bool]string{true: "supervisor", false: "supervisee"}[other == sup]
		if editable != supervision.Writes(def, otherParty) {
			t.Errorf("%s: the %s can edit it: %v", f.ID, otherParty, editable)
		}
		if editable {
			checkAxe(t, other, f.ID+" (the other party's part)")
		}
	}
}

// TestBrowserTableRows: with JavaScript, adding and removing a table's rows
// happens in the page (no reload) and the rows are numbered as the server
// reads them, so what is typed is saved; without it the same buttons post
// the form (tested in the server's page tests).
func TestBrowserTableRows(t *testing.T) {
	needs.Tools(t, "Chromium")
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	var rec recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "forward-planner"}, http.StatusCreated, &rec)
	var root context.Context
	sup := newSession(t, root)
	signIn(t, sup, m.URL, "ahmed.khan@testshire.gov.uk", "a long password 1")
	do(t, sup, chromedp.Navigate(m.URL+"/records/"+rec.ID+"/edit"), chromedp.WaitVisible(`#f-dates`, chromedp.ByQuery))
	rows := func() int {
		var n int
		do(t, sup, chromedp.Evaluate(`document.querySelectorAll("#f-dates tbody tr").length`, &n))
		return n
	}
	before := rows()
	do(t, sup, chromedp.Evaluate(`window.stillHere = true`, nil))
	for i := 0; i < 2; i++ {
		do(t, sup, chromedp.Click(`button[value="add-row:dates"]`, chromedp.ByQuery))
	}
	var stillHere bool
	do(t, sup, chromedp.Evaluate(`window.stillHere === true`, &stillHere))
	if !stillHere || rows() != before+2 {
		t.Fatalf("adding rows: reloaded %v, %d rows, want %d", !stillHere, rows(), before+2)
	}
	last := before + 1
	do(t, sup, setDate(fmt.Sprintf(`#f-dates-%d-date`, last), "2025-03-03"),
		setValue(fmt.Sprintf(`#f-dates-%d-comments`, last), "Kept after a row was removed"))
	// Remove the first row: the last becomes row before, and is saved so.
	do(t, sup, chromedp.Click(`button[value="remove-row:dates:0"]`, chromedp.ByQuery))
	if rows() != before+1 {
		t.Fatalf("after removing a row: %d rows", rows())
	}
	checkAxe(t, sup, "forward planner (rows added)")
	click(t, sup, `button[value=save]`)
	p.supervisor.call("GET", "/api/v1/records/"+rec.ID, nil, http.StatusOK, &rec)
	dates, _ := rec.Data["dates"].([]any)
	found := false
	for _, r := range dates {
		if row, _ := r.(map[string]any); row["comments"] == "Kept after a row was removed" && row["date"] == "2025-03-03" {
			found = true
		}
	}
	if !found {
		t.Errorf("the row typed after adding and removing rows was not saved: %v", rec.Data["dates"])
	}
}
