package supervision

// The audit tool: while an auditor fills in a file audit, each question
// that the supervisee's file bears on shows the file's evidence beside it,
// read-only, with links to the records (issue 11). Nothing is filled in:
// the auditor answers.

import (
	"context"
	"encoding/json"
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

// evidenceSections are the file audit's questions the file bears on.
var evidenceSections = []string{"q1", "q2", "q3", "q4", "q7", "q8"}

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
	last := func(rs []*Record, n int) []*Record {
		if len(rs) > n {
			return rs[len(rs)-n:]
		}
		return rs
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
		t := fmt.Sprintf("Case %s: last discussed %s, next due %s", c.Reference, day(c.LastDiscussed), day(c.Due))
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

	detail := "file audit evidence"
	if section != "" {
		detail += ", section " + section
	}
	if err := s.logActor(ctx, actor, fa.Role(), ActViewFile, see.ID, "", detail); err != nil {
		return nil, err
	}
	return ev, nil
}
