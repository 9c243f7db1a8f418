package supervision

// The audit tool: while an auditor fills in a file audit, each question
// that the supervisee's file bears on shows the file's evidence beside it,
// read-only, with links to the records (issue 11). Nothing is filled in:
// the auditor answers.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/supervisionfile/supfile/policy"
)

// EvidenceLine is one line of evidence: text, and the record it comes from
// (RecordID "" when it is a figure from the whole file).
type EvidenceLine struct {
	Text      string
	RecordID  string
	LinkLabel string
}

// AuditEvidence is the evidence from the audited file, by the audit's
// section id (q1, q2, …).
type AuditEvidence struct {
	Subject   *Staff
	BySection map[string][]EvidenceLine
}

// evidenceSections are the file audit's questions the file bears on. The
// others are the auditor's judgement alone, with nothing in the file to
// check them against: 10, permanence planning for the child (no record
// holds a permanence plan; it is on the child's case file), and 12,
// whether the supervisor's skills need observing (a conclusion from the
// audit itself).
var evidenceSections = []string{"q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "q11"}

// last is the last n of xs (all of them when there are fewer).
func last[T any](xs []T, n int) []T {
	if len(xs) > n {
		return xs[len(xs)-n:]
	}
	return xs
}

// auditSubject is the supervisee a file audit is about.
func auditSubject(parties []*RecordParty) string {
	for _, p := range parties {
		if p.Role == PartySubject {
			return p.StaffID
		}
	}
	return ""
}

// AuditEvidence gathers the evidence from the audited supervisee's file
// for the questions of the file audit v, for someone who may open that
// file; records they may not read (confidential ones) are counted and dated
// but not linked. The
// read is in the access log, against the audited file. It is nil for any
// other record, and for a section (when one is named) the file has no
// evidence for.
func (s *Files) AuditEvidence(ctx context.Context, actor *Staff, v *RecordView, section string) (*AuditEvidence, error) {
	if v == nil || v.Access == nil || !IsAudit(v.Form) || section != "" && !slices.Contains(evidenceSections, section) {
		return nil, nil
	}
	subjectID := auditSubject(v.Access.Parties)
	if subjectID == "" {
		return nil, nil
	}
	fa, err := s.FileAccess(ctx, actor, subjectID)
	if err != nil {
		return nil, err
	}
	if !fa.CanOpen() {
		return nil, nil
	}
	see, err := s.store.GetStaff(ctx, subjectID)
	if err != nil {
		return nil, err
	}
	due, err := s.dueFor(ctx, see)
	if err != nil {
		return nil, err
	}
	recs, err := s.store.ListRecords(ctx, see.ID)
	if err != nil {
		return nil, err
	}
	// Oldest first. Every record counts (dates and numbers are not
	// content: the file's "What is due" shows them too); only those the
	// actor may read (not confidential ones) are linked.
	var all []*Record
	readable := map[string]bool{}
	titles := map[string]string{}
	for i := len(recs) - 1; i >= 0; i-- {
		r := recs[i]
		def, ok := s.forms.GetVersion(r.FormID, r.FormVersion)
		if !ok {
			continue
		}
		all = append(all, r)
		titles[r.FormID] = def.Title
		if ra, err := s.RecordAccess(ctx, actor, r); err == nil && ra.CanRead() {
			readable[r.ID] = true
		}
	}
	day := func(t time.Time) string { return t.Format("2 January 2006") }
	signedOf := func(form string) []*Record {
		var out []*Record
		for _, r := range all {
			if r.FormID == form && r.Status == StatusSigned && r.SignedAt != nil {
				out = append(out, r)
			}
		}
		return out
	}
	dateOf := func(r *Record, field string) time.Time {
		var data map[string]any
		_ = json.Unmarshal(r.Data, &data)
		if d, ok := dateField(data, field); ok {
			return d
		}
		return s.localDate(*r.SignedAt)
	}
	link := func(r *Record, text string) EvidenceLine {
		if !readable[r.ID] {
			return EvidenceLine{Text: text}
		}
		return EvidenceLine{Text: text, RecordID: r.ID, LinkLabel: "Open the " + strings.ToLower(titles[r.FormID]) + " of " + day(s.localDate(*r.SignedAt))}
	}
	ev := &AuditEvidence{Subject: see, BySection: map[string][]EvidenceLine{}}
	add := func(sec string, l ...EvidenceLine) { ev.BySection[sec] = append(ev.BySection[sec], l...) }
	p := s.cfg.Policy

	// 1. Structure: what the file holds, signed, by form.
	counts := map[string]int{}
	drafts := 0
	for _, r := range all {
		if r.Status == StatusSigned {
			counts[r.FormID]++
		} else {
			drafts++
		}
	}
	var forms []string
	for id := range counts {
		forms = append(forms, id)
	}
	slices.SortFunc(forms, func(a, b string) int { return strings.Compare(titles[a], titles[b]) })
	if len(forms) == 0 {
		add("q1", EvidenceLine{Text: "No signed records in the file."})
	}
	for _, id := range forms {
		add("q1", EvidenceLine{Text: fmt.Sprintf("%s: %d signed", titles[id], counts[id])})
	}
	if drafts > 0 {
		add("q1", EvidenceLine{Text: fmt.Sprintf("Not yet signed: %d", drafts)})
	}

	// 2. Frequency: the policy's, the sessions held, when the next is due.
	year := due.Today.AddDate(-1, 0, 0)
	var held []string
	n12 := 0
	for _, h := range due.Held {
		if h.After(year) {
			n12++
			held = append(held, day(h))
		}
	}
	if len(held) > 6 {
		held = held[len(held)-6:]
	}
	add("q2", EvidenceLine{Text: fmt.Sprintf("Policy: %s (%s)", policy.Weeks(due.EveryWeeks), p.Council)})
	if n12 == 0 {
		add("q2", EvidenceLine{Text: "No session held in the last 12 months."})
	} else {
		add("q2", EvidenceLine{Text: fmt.Sprintf("Sessions held in the last 12 months: %d; the latest on %s", n12, strings.Join(held, ", "))})
	}
	if len(due.Gaps) > 0 {
		add("q2", EvidenceLine{Text: fmt.Sprintf("Times a session was overdue: %d", len(due.Gaps))})
	}
	for _, d := range due.Items {
		if d.What == DueSupervision {
			t := "Next session due " + day(d.By)
			if d.OverdueDays > 0 {
				t += fmt.Sprintf(": overdue by %d days", d.OverdueDays)
			}
			add("q2", EvidenceLine{Text: t})
		}
	}
	for _, r := range last(signedOf("supervision-record"), 3) {
		add("q2", link(r, "Session on "+day(dateOf(r, "supervision_date"))))
	}

	// 3. The agreement.
	agreements := signedOf("supervision-agreement")
	if len(agreements) == 0 {
		add("q3", EvidenceLine{Text: "No signed supervision agreement in the file."})
	} else {
		a := agreements[len(agreements)-1]
		add("q3", link(a, fmt.Sprintf("Signed by both on %s (dated %s)", day(s.localDate(*a.SignedAt)), day(dateOf(a, "agreement_date")))))
	}
	status := "Status: " + due.Agreement
	if !due.AgreementReview.IsZero() {
		status += "; review by " + day(due.AgreementReview)
	}
	add("q3", EvidenceLine{Text: status})

	// 4. Records of sessions: signed by both, on time.
	var signed12, late int
	for _, r := range signedOf("supervision-record") {
		if dateOf(r, "supervision_date").After(year) {
			signed12++
		}
	}
	unsigned := 0
	for _, d := range due.Items {
		switch d.What {
		case DueRecordSignedLate:
			late++
		case DueRecord:
			unsigned++
		}
	}
	add("q4", EvidenceLine{Text: fmt.Sprintf("Supervision records signed by both in the last 12 months: %d", signed12)})
	if p.RecordWorkingDays > 0 {
		add("q4", EvidenceLine{Text: fmt.Sprintf("Signed after the %d working days allowed: %d; not yet signed after them: %d", p.RecordWorkingDays, late, unsigned)})
	}
	for _, r := range last(signedOf("supervision-record"), 3) {
		add("q4", link(r, "Record of the session on "+day(dateOf(r, "supervision_date"))))
	}

	// 7. Decisions on cases: case supervision.
	if len(due.Cases) == 0 {
		add("q7", EvidenceLine{Text: "No open case in a signed case supervision record."})
	}
	for _, c := range due.Cases {
		// A case reference is record content: only from a record the
		// actor may open (a council may make the form confidential).
		name := "A case"
		if readable[c.RecordID] {
			name = "Case " + c.Reference
		}
		t := fmt.Sprintf("%s: last discussed %s, next due %s", name, day(c.LastDiscussed), day(c.Due))
		if i := slices.IndexFunc(all, func(r *Record) bool { return r.ID == c.RecordID }); i >= 0 {
			add("q7", link(all[i], t))
		} else {
			add("q7", EvidenceLine{Text: t})
		}
	}

	// 8. Development: observations, reflective discussions, self-assessments.
	if want := p.Observations.PerYear; want > 0 {
		add("q8", EvidenceLine{Text: fmt.Sprintf("Practice observations this year (from 1 April): %d of %d, %d of %d by the line manager",
			due.ObsThisYear, want, due.ObsByLineManager, p.Observations.ByLineManager)})
	} else {
		add("q8", EvidenceLine{Text: fmt.Sprintf("Practice observations this year (from 1 April): %d", due.ObsThisYear)})
	}
	for _, r := range last(signedOf("practice-observation"), 2) {
		add("q8", link(r, "Observation on "+day(dateOf(r, "observation_date"))))
	}
	for _, form := range []string{"reflective-discussion", "self-assessment"} {
		rs := signedOf(form)
		name := map[string]string{"reflective-discussion": "Reflective discussions", "self-assessment": "Self-assessments"}[form]
		if len(rs) == 0 {
			add("q8", EvidenceLine{Text: name + ": none signed"})
			continue
		}
		l := rs[len(rs)-1]
		add("q8", link(l, fmt.Sprintf("%s: %d signed, the latest on %s", name, len(rs), day(s.localDate(*l.SignedAt)))))
	}

	// What a record's answers say is read only from the records the actor
	// may open; of the others only their number and dates show.
	dataOf := func(r *Record) map[string]any {
		var data map[string]any
		_ = json.Unmarshal(r.Data, &data)
		return data
	}
	answer := func(data map[string]any, field string) string {
		v, _ := data[field].(string)
		return strings.TrimSpace(v)
	}
	notOpened := func(sec, what string, rs []*Record) {
		var n int
		var latest time.Time
		for _, r := range rs {
			if !readable[r.ID] {
				n++
				if d := s.localDate(*r.SignedAt); d.After(latest) {
					latest = d
				}
			}
		}
		if n > 0 {
			add(sec, EvidenceLine{Text: fmt.Sprintf("%s you may not open, so not read here: %d, the latest signed on %s", what, n, day(latest))})
		}
	}
	opened := func(rs []*Record) bool {
		return slices.ContainsFunc(rs, func(r *Record) bool { return readable[r.ID] })
	}
	within := func(rs []*Record, field string) []*Record {
		var out []*Record
		for _, r := range rs {
			if dateOf(r, field).After(year) {
				out = append(out, r)
			}
		}
		return out
	}

	// 5. Concerns the supervisee raised: a disagreement they recorded when
	// signing a record, and the supervisor's response (a signed record is
	// not changed: the response is kept beside it). That a record carries
	// one is not its content: the file page lists open disagreements on
	// confidential records too. Then concerns a case supervision recorded
	// for escalation to a senior manager.
	var raised []EvidenceLine
	responded := 0
	for _, r := range all {
		if r.Status != StatusSigned || r.SignedAt == nil {
			continue
		}
		sigs, err := s.store.Signatures(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(sigs, func(sg *Signature) bool { return sg.SignerID == see.ID && strings.TrimSpace(sg.Disagreement) != "" }) {
			continue
		}
		t := fmt.Sprintf("Disagreement recorded when signing the %s of %s: ", strings.ToLower(titles[r.FormID]), day(s.localDate(*r.SignedAt)))
		switch resp, err := s.store.DisagreementResponse(ctx, r.ID); {
		case err == nil:
			responded++
			t += "the supervisor responded on " + day(s.localDate(resp.At))
		case errors.Is(err, ErrNotFound):
			t += "no response from the supervisor yet"
		default:
			return nil, err
		}
		raised = append(raised, link(r, t))
	}
	if len(raised) == 0 {
		add("q5", EvidenceLine{Text: "No disagreement recorded by the supervisee when signing a record."})
	} else {
		add("q5", EvidenceLine{Text: fmt.Sprintf("Disagreements recorded by the supervisee when signing: %d; the supervisor responded to %d", len(raised), responded)})
		add("q5", last(raised, 3)...)
	}
	cases12 := within(signedOf("case-supervision"), "supervision_date")
	var escalated []*Record
	for _, r := range cases12 {
		if readable[r.ID] && answer(dataOf(r), "escalation") == "yes" {
			escalated = append(escalated, r)
		}
	}
	if opened(cases12) || len(cases12) == 0 {
		add("q5", EvidenceLine{Text: fmt.Sprintf("Case supervision records in the last 12 months with concerns for escalation to a senior manager: %d", len(escalated))})
	}
	for _, r := range last(escalated, 3) {
		add("q5", link(r, fmt.Sprintf("Case %s, discussed on %s", answer(dataOf(r), "case_reference"), day(dateOf(r, "supervision_date")))))
	}
	notOpened("q5", "Case supervision records", cases12)

	// 6. Content of sessions: what the supervision records cover is
	// confidential to the supervisee and the supervisor; the file shows
	// whether the worker's details (registration and DBS, 002 Appendix B,
	// completed at the first supervision) are held, and any
	// serious-incident support plan.
	if wd := signedOf("workers-details"); len(wd) == 0 {
		add("q6", EvidenceLine{Text: "Worker's details (registration and DBS): none signed"})
	} else {
		l := wd[len(wd)-1]
		add("q6", link(l, "Worker's details (registration and DBS): signed on "+day(s.localDate(*l.SignedAt))))
	}
	if si := signedOf("serious-incident-support"); len(si) > 0 {
		l := si[len(si)-1]
		add("q6", link(l, fmt.Sprintf("Serious-incident support plans: %d signed, the latest on %s", len(si), day(s.localDate(*l.SignedAt)))))
	}
	records12 := within(signedOf("supervision-record"), "supervision_date")
	for _, r := range last(records12, 3) {
		if readable[r.ID] {
			add("q6", link(r, "Record of the session on "+day(dateOf(r, "supervision_date"))))
		}
	}
	notOpened("q6", "Supervision records of the last 12 months", records12)

	// 9. Attendance: the sessions the forward planner records as
	// postponed, with the date each was rescheduled for and whether a
	// reason is given (the agreement changes the dates only "in the event
	// of annual leave, sickness or emergency situations", 002 Appendix D).
	if planners := signedOf("forward-planner"); len(planners) == 0 {
		add("q9", EvidenceLine{Text: "No signed forward planner in the file."})
	} else if pl := planners[len(planners)-1]; !readable[pl.ID] {
		add("q9", link(pl, "Forward planner: signed on "+day(s.localDate(*pl.SignedAt))))
	} else {
		var rows []string
		reasons, rescheduled := 0, 0
		dates, _ := dataOf(pl)["dates"].([]any)
		for _, x := range dates {
			row, _ := x.(map[string]any)
			d, ok := dateField(row, "date")
			if !ok || answer(row, "status") != "postponed" || !d.After(year) {
				continue
			}
			t := "Session of " + day(d) + " postponed"
			if to, ok := dateField(row, "rescheduled"); ok {
				rescheduled++
				t += " to " + day(to)
			} else {
				t += ", no date rescheduled"
			}
			if answer(row, "comments") != "" {
				reasons++
				t += "; reason given"
			} else {
				t += "; no reason given"
			}
			rows = append(rows, t)
		}
		add("q9", EvidenceLine{Text: fmt.Sprintf("Sessions postponed in the last 12 months: %d; rescheduled: %d; with a reason: %d", len(rows), rescheduled, reasons)})
		for _, t := range last(rows, 3) {
			add("q9", EvidenceLine{Text: t})
		}
		add("q9", link(pl, "Forward planner: signed on "+day(s.localDate(*pl.SignedAt))))
	}

	// 11. Direct work with children: each case supervision is to record
	// two examples of the planning or the occurrence of direct work (002
	// §3.3): the cases at each session whose record says what the child
	// says through direct work, and observations of direct work.
	type session struct {
		on              time.Time
		cases, withWork int
	}
	var sessions []*session
	for _, r := range cases12 {
		if !readable[r.ID] {
			continue
		}
		on := dateOf(r, "supervision_date")
		i := slices.IndexFunc(sessions, func(x *session) bool { return x.on.Equal(on) })
		if i < 0 {
			sessions = append(sessions, &session{on: on})
			i = len(sessions) - 1
		}
		sessions[i].cases++
		if answer(dataOf(r), "direct_work") != "" {
			sessions[i].withWork++
		}
	}
	slices.SortFunc(sessions, func(a, b *session) int { return a.on.Compare(b.on) })
	two := 0
	for _, x := range sessions {
		if x.withWork >= 2 {
			two++
		}
	}
	if opened(cases12) || len(cases12) == 0 {
		add("q11", EvidenceLine{Text: fmt.Sprintf("Case supervision sessions in the last 12 months: %d; with direct work noted for two cases or more: %d", len(sessions), two)})
	}
	for _, x := range last(sessions, 3) {
		add("q11", EvidenceLine{Text: fmt.Sprintf("Case supervision on %s: direct work noted for %d of %d cases", day(x.on), x.withWork, x.cases)})
	}
	var noted []*Record
	for _, r := range cases12 {
		if readable[r.ID] && answer(dataOf(r), "direct_work") != "" {
			noted = append(noted, r)
		}
	}
	for _, r := range last(noted, 3) {
		add("q11", link(r, fmt.Sprintf("Case %s on %s: direct work noted", answer(dataOf(r), "case_reference"), day(dateOf(r, "supervision_date")))))
	}
	notOpened("q11", "Case supervision records", cases12)
	var direct []*Record
	for _, r := range signedOf("practice-observation") {
		if readable[r.ID] && answer(dataOf(r), "activity") == "direct_work" {
			direct = append(direct, r)
		}
	}
	if len(direct) > 0 {
		l := direct[len(direct)-1]
		add("q11", link(l, fmt.Sprintf("Practice observations of direct work with children: %d, the latest on %s", len(direct), day(dateOf(l, "observation_date")))))
	}

	detail := "file audit evidence"
	if section != "" {
		detail += ", section " + section
	}
	if err := s.logActor(ctx, actor, fa.Role(), ActViewFile, see.ID, "", detail); err != nil {
		return nil, err
	}
	return ev, nil
}
