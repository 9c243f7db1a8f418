package server

import (
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/supervisionfile/supfile/supervision"
)

// dueRow is one supervisee on a home page: what is due and the timeline.
type dueRow struct {
	View     *supervision.DueView
	Timeline template.HTML // the SVG
	Text     []string      // the timeline as text
}

// dueHome is the home page's "What is due" block (home.html, "home_due"):
// the actor's supervisees, and for a line manager their supervisors' teams.
type dueHome struct {
	Mine, Team []dueRow
	Council    string
	// Filter is the search and filters of the list (listfilter.go); Total
	// is how many there are before them.
	Filter *listFilter
	Total  int
}

func (s *Server) dueHome(c *gin.Context) (*dueHome, error) {
	mine, team, err := s.svc.Files.TeamDue(c.Request.Context(), currentUser(c))
	if err != nil {
		return nil, err
	}
	h := &dueHome{Council: s.svc.Policy().Council, Filter: newListFilter(c, "/#supervisees", "supervisees"), Total: len(mine) + len(team)}
	if len(team) > 0 {
		h.Filter.Teams = []OptionVM{{Value: "mine", Label: "Your supervisees"}, {Value: "team", Label: "Your supervisors' teams"}}
		for i := range h.Filter.Teams {
			h.Filter.Teams[i].Checked = h.Filter.Teams[i].Value == c.Query("team")
		}
	}
	add := func(rows *[]dueRow, team string, list []*supervision.DueView) {
		for _, v := range list {
			supID := ""
			if v.Supervisor != nil {
				supID = v.Supervisor.ID
				addOption(&h.Filter.Supervisors, v.Supervisor.ID, v.Supervisor.Name, c.Query("supervisor"))
			}
			if !h.Filter.match(v.Supervisee, team, supID) {
				continue
			}
			*rows = append(*rows, dueRow{View: v, Timeline: timelineSVG(v), Text: timelineText(v)})
		}
	}
	add(&h.Mine, "mine", mine)
	add(&h.Team, "team", team)
	return h, nil
}

// dueLabel names a Due.What for people.
func dueLabel(what string) string {
	switch what {
	case supervision.DueSupervision:
		return "Supervision"
	case supervision.DueAgreement:
		return "Supervision agreement"
	case supervision.DueObservation:
		return "Practice observation"
	case supervision.DueFileAudit:
		return "File audit"
	case supervision.DueCaseSupervision:
		return "Case supervision"
	case supervision.DueSelfAssessment:
		return "Self-assessment"
	case supervision.DueRecord:
		return "Supervision record to sign"
	case supervision.DueRecordSignedLate:
		return "Record signed late"
	}
	return what
}

const (
	tlWidth  = 400.0
	tlLeft   = 4.0
	tlRight  = 396.0
	tlPast   = 365 // days shown before today
	tlFuture = 92  // and after
)

// tlHeight is the timeline's height, and tlCases how much a row of case
// supervision adds to it.
const (
	tlHeight = 96.0
	tlCases  = 16.0
)

// timelineSVG draws a supervisee's last 12 months and next 3: sessions
// held (filled dots), planned sessions (rings), the windows in which each
// next session was due (pale bars), gaps past a due date (red bars), the
// agreement (green bar, to its review), observations (triangles) and, when
// the file has open cases, each case's last discussion (a diamond) to when
// it is next due (a brown line to an upright bar; red past it). It is an
// image with a title and a description; timelineText says the same in
// words beside it. A case is drawn whether or not the viewer may read its
// reference; the reference is only in the text, and only when the DueView
// carries it (supervision.FileDue, TeamDue).
func timelineSVG(v *supervision.DueView) template.HTML {
	from := v.Today.AddDate(0, 0, -tlPast)
	to := v.Today.AddDate(0, 0, tlFuture)
	span := to.Sub(from).Hours() / 24
	x := func(d time.Time) float64 {
		if d.Before(from) {
			d = from
		}
		if d.After(to) {
			d = to
		}
		return tlLeft + (tlRight-tlLeft)*d.Sub(from).Hours()/24/span
	}
	id := "tl-" + v.Supervisee.ID
	var b strings.Builder
	esc := template.HTMLEscapeString
	height := tlHeight
	if len(v.Cases) > 0 {
		height += tlCases
	}
	axis := height - 18 // where the ticks and today's line end
	fmt.Fprintf(&b, `<svg class="app-timeline" viewBox="0 0 %.0f %.0f" width="100%%" role="img" aria-labelledby="%s-t %s-d" focusable="false" xmlns="http://www.w3.org/2000/svg">`, tlWidth, height, id, id)
	fmt.Fprintf(&b, `<title id="%s-t">Supervision timeline for %s, %s to %s</title>`, id, esc(v.Supervisee.Name), from.Format("Jan 2006"), to.Format("Jan 2006"))
	fmt.Fprintf(&b, `<desc id="%s-d">%s</desc>`, id, esc(strings.Join(timelineText(v), " ")))
	// Month ticks, every other month labelled.
	for m, i := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0), 0; m.Before(to); m, i = m.AddDate(0, 1, 0), i+1 {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="8" x2="%.1f" y2="%.0f" stroke="#b1b4b6" stroke-width="0.5"/>`, x(m), x(m), axis)
		if i%2 == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" font-size="10" fill="#0b0c0c" text-anchor="middle">%s</text>`, x(m), height-4, m.Format("Jan"))
		}
	}
	// Track 1: supervision.
	for _, w := range v.Windows {
		fmt.Fprintf(&b, `<rect x="%.1f" y="14" width="%.1f" height="16" fill="#d2e2f1"/>`, x(w.From), x(w.To)-x(w.From))
	}
	if v.LastHeld != nil || len(v.Windows) > 0 {
		start := v.Today
		if v.LastHeld != nil && v.LastHeld.After(start) {
			start = *v.LastHeld
		}
		if v.NextDue.After(start) {
			fmt.Fprintf(&b, `<rect x="%.1f" y="14" width="%.1f" height="16" fill="#d2e2f1" stroke="#1d70b8" stroke-dasharray="2 2" stroke-width="0.6"/>`, x(start), x(v.NextDue)-x(start))
		}
	}
	for _, g := range v.Gaps {
		fmt.Fprintf(&b, `<rect x="%.1f" y="14" width="%.1f" height="16" fill="#d4351c"/>`, x(g.From), x(g.To)-x(g.From))
	}
	for _, h := range v.Held {
		if !h.Before(from) {
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="22" r="4" fill="#0b0c0c"/>`, x(h))
		}
	}
	for _, p := range v.Planned {
		if !p.After(to) {
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="22" r="3.5" fill="#ffffff" stroke="#0b0c0c" stroke-width="1.2"/>`, x(p))
		}
	}
	// Track 2: the agreement, signed to its review.
	if v.AgreementSigned != nil {
		end := v.AgreementReview
		if end.IsZero() {
			end = to
		}
		fmt.Fprintf(&b, `<rect x="%.1f" y="40" width="%.1f" height="10" fill="#00703c"/>`, x(*v.AgreementSigned), x(end)-x(*v.AgreementSigned))
		if !v.AgreementReview.IsZero() {
			fmt.Fprintf(&b, `<rect x="%.1f" y="37" width="2" height="16" fill="#0b0c0c"/>`, x(v.AgreementReview)-1)
		}
	}
	for _, d := range v.Items {
		if d.What == supervision.DueAgreement && v.AgreementSigned == nil {
			fmt.Fprintf(&b, `<rect x="%.1f" y="37" width="2" height="16" fill="#d4351c"/>`, x(d.By)-1)
		}
	}
	// Track 3: observations.
	for _, o := range v.Observations {
		if !o.Date.Before(from) {
			cx := x(o.Date)
			fmt.Fprintf(&b, `<path d="M%.1f 58 L%.1f 68 L%.1f 68 Z" fill="#4c2c92"/>`, cx, cx-5, cx+5)
		}
	}
	// Track 4: case supervision, one line per open case, all on one row:
	// from its last discussion (a diamond) to when it is next due (an
	// upright bar), red from then to today when that has passed.
	if len(v.Cases) > 0 {
		b.WriteString(`<g class="app-timeline__cases">`)
		// In layers, so that no case's line hides another's overdue stretch
		// or mark.
		for _, c := range v.Cases {
			fmt.Fprintf(&b, `<rect x="%.1f" y="79" width="%.1f" height="3" fill="#b58840"/>`, x(c.LastDiscussed), x(c.By())-x(c.LastDiscussed))
		}
		for _, c := range v.Cases {
			if by := c.By(); by.Before(v.Today) {
				fmt.Fprintf(&b, `<rect x="%.1f" y="78" width="%.1f" height="5" fill="#d4351c"/>`, x(by), x(v.Today)-x(by))
			}
		}
		for _, c := range v.Cases {
			if by := c.By(); !by.After(to) {
				fmt.Fprintf(&b, `<rect x="%.1f" y="74" width="2" height="13" fill="#b58840"/>`, x(by)-1)
			}
		}
		for _, c := range v.Cases {
			if !c.LastDiscussed.Before(from) {
				cx := x(c.LastDiscussed)
				fmt.Fprintf(&b, `<path d="M%.1f 75 L%.1f 80.5 L%.1f 86 L%.1f 80.5 Z" fill="#b58840" stroke="#0b0c0c" stroke-width="0.6"/>`, cx, cx+5.5, cx, cx-5.5)
			}
		}
		b.WriteString(`</g>`)
	}
	// Today.
	fmt.Fprintf(&b, `<line x1="%.1f" y1="6" x2="%.1f" y2="%.0f" stroke="#0b0c0c" stroke-width="1.5"/>`, x(v.Today), x(v.Today), axis)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// timelineText is the timeline in words.
func timelineText(v *supervision.DueView) []string {
	from := v.Today.AddDate(0, 0, -tlPast)
	var out []string
	var held []string
	for _, h := range v.Held {
		if !h.Before(from) {
			held = append(held, h.Format("2 Jan 2006"))
		}
	}
	if len(held) == 0 {
		out = append(out, "No supervision held in the last 12 months.")
	} else {
		out = append(out, fmt.Sprintf("Supervision held on %s.", strings.Join(held, ", ")))
	}
	var gaps []string
	for _, g := range v.Gaps {
		if g.To.After(from) {
			gaps = append(gaps, fmt.Sprintf("%s to %s", g.From.Format("2 Jan 2006"), g.To.Format("2 Jan 2006")))
		}
	}
	if len(gaps) > 0 {
		out = append(out, fmt.Sprintf("Overdue without supervision: %s.", strings.Join(gaps, "; ")))
	}
	next := fmt.Sprintf("Next supervision due by %s", v.NextDue.Format("2 Jan 2006"))
	if len(v.Planned) > 0 {
		next += fmt.Sprintf(", planned for %s", v.Planned[0].Format("2 Jan 2006"))
	}
	out = append(out, next+".")
	switch {
	case v.AgreementSigned != nil && !v.AgreementReview.IsZero():
		out = append(out, fmt.Sprintf("Agreement signed %s, %s, review by %s.", v.AgreementSigned.Format("2 Jan 2006"), v.Agreement, v.AgreementReview.Format("2 Jan 2006")))
	case v.AgreementSigned != nil:
		out = append(out, fmt.Sprintf("Agreement signed %s, %s.", v.AgreementSigned.Format("2 Jan 2006"), v.Agreement))
	default:
		out = append(out, "Agreement: "+v.Agreement+".")
	}
	out = append(out, fmt.Sprintf("Observations this year (from 1 April): %d, %d by the line manager.", v.ObsThisYear, v.ObsByLineManager))
	for _, c := range v.Cases {
		name := "A case" // the viewer may not read its reference
		if c.Reference != "" {
			name = "Case " + c.Reference
		}
		by := c.By()
		line := fmt.Sprintf("%s last discussed in case supervision on %s, next due by %s", name, c.LastDiscussed.Format("2 Jan 2006"), by.Format("2 Jan 2006"))
		if by.Before(v.Today) {
			line += fmt.Sprintf(", overdue by %d days", int(v.Today.Sub(by).Hours()/24+0.5))
		}
		out = append(out, line+".")
	}
	return out
}

// teamDueCSV is the due list of the actor's supervisees and their
// supervisors' teams, one row per thing due.
func (s *Server) teamDueCSV(c *gin.Context) error {
	mine, team, err := s.svc.Files.TeamDue(c.Request.Context(), currentUser(c))
	if err != nil {
		return err
	}
	name := "due-" + time.Now().In(s.svc.Location()).Format("2006-01-02") + ".csv"
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Status(http.StatusOK)
	w := csv.NewWriter(c.Writer)
	_ = w.Write([]string{"supervisor", "supervisee", "supervisee_id", "what", "reason", "by", "overdue_days", "agreement", "observations_this_year"})
	for _, v := range append(mine, team...) {
		sup := ""
		if v.Supervisor != nil {
			sup = v.Supervisor.Name
		}
		for _, d := range v.Items {
			_ = w.Write([]string{csvSafe(sup), csvSafe(v.Supervisee.Name), v.Supervisee.ID, d.What, csvSafe(d.Reason), d.By.Format(time.DateOnly),
				fmt.Sprint(d.OverdueDays), v.Agreement, fmt.Sprint(v.ObsThisYear)})
		}
	}
	w.Flush()
	return w.Error()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
