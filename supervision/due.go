package supervision

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/supervisionfile/supfile/policy"
)

// Agreement statuses in DueView.Agreement.
const (
	AgreementNone          = "none"
	AgreementInDate        = "in date"
	AgreementReviewDue     = "review due"
	AgreementAfterHandover = "due after a change of supervisor"
)

// What is due: the Due.What values.
const (
	DueSupervision      = "supervision"
	DueAgreement        = "supervision-agreement"
	DueObservation      = "practice-observation"
	DueFileAudit        = "file-audit"
	DueSelfAssessment   = "self-assessment"
	DueRecord           = "supervision-record"
	DueRecordSignedLate = "record-signed-late"
	DueCaseSupervision  = "case-supervision"
)

// reviewWarning is how long before an agreement's review date it shows as
// "review due".
const reviewWarning = 28

// DueView is what a supervisee's file needs, from the policy profile and
// the file: the home page's timeline and the file's "due".
type DueView struct {
	Supervisee *Staff
	Supervisor *Staff // nil when none
	Today      time.Time
	EveryWeeks int         // the weeks between sessions in force today
	Held       []time.Time // sessions held (signed supervision records), oldest first
	Planned    []time.Time // dates in the forward planner after the last session held
	LastHeld   *time.Time
	NextDue    time.Time
	// Windows are each stretch between a session (or the start of the
	// relationship) and when the next was due; Gaps the stretches past a
	// due date with no session.
	Windows, Gaps          []Span
	Agreement              string // AgreementNone, ...
	AgreementSigned        *time.Time
	AgreementReview        time.Time     // zero when none
	Observations           []Observation // signed observations, oldest first
	ObsThisYear            int
	ObsByLineManager       int
	ObsYearFrom, ObsYearTo time.Time
	LastAudit              *time.Time
	NextAudit              time.Time // zero when the policy sets no audits
	// Cases are the cases discussed in signed case supervision records and
	// not closed, each with when it is next due (the policy's cycle).
	Cases []CaseDue
	// Items are what is due, most overdue first, then soonest.
	Items []Due
}

// CaseDue is one case discussed in case supervision: its reference (never
// a name), when it was last discussed, in which record, the date the record
// planned for the next discussion (zero when none) and when the policy's
// cycle makes it due.
//
// A case reference is record content: FileDue and TeamDue leave Reference
// empty (and say "a case" in the item's reason) for a viewer who may not
// read the record it comes from.
type CaseDue struct {
	Reference     string
	LastDiscussed time.Time
	RecordID      string
	Planned       time.Time
	Due           time.Time

	rec *Record // the record of the last discussion
}

// By is when the case is next due: the cycle's date, or the planned date
// when that is sooner (the date of its item in DueView.Items).
func (c *CaseDue) By() time.Time {
	if !c.Planned.IsZero() && c.Planned.Before(c.Due) {
		return c.Planned
	}
	return c.Due
}

// caseReason is a case's reason in DueView.Items; ref "" says "a case".
func caseReason(ref string, c *CaseDue, p *policy.Profile) string {
	name := "a case"
	if ref != "" {
		name = "case " + ref
	}
	reason := fmt.Sprintf("%s, last discussed %s; %s (%s)", name, c.LastDiscussed.Format(time.DateOnly), policy.Weeks(p.CaseSupervisionWeeks), p.Council)
	if !c.Planned.IsZero() {
		reason += "; planned for " + c.Planned.Format(time.DateOnly)
		if !c.Planned.Before(c.Due) {
			reason += ", after it is due"
		}
	}
	return reason
}

// Span is a stretch of days [From, To).
type Span struct{ From, To time.Time }

// Observation is one signed practice observation.
type Observation struct {
	Date          time.Time
	ByLineManager bool
}

// MostOverdue is the most days anything is overdue (0 when nothing is).
func (v *DueView) MostOverdue() int {
	n := 0
	for _, d := range v.Items {
		if d.OverdueDays > n {
			n = d.OverdueDays
		}
	}
	return n
}

// FileDue is what a supervisee's file needs, for whoever may read its
// handovers (handover.go: whoever may open the file, and admins).
func (s *Files) FileDue(ctx context.Context, actor *Staff, superviseeID string) (*DueView, error) {
	see, err := s.store.GetStaff(ctx, superviseeID)
	if err != nil {
		return nil, err
	}
	read, _, _, err := s.handoverAccess(ctx, actor, see)
	if err != nil {
		return nil, err
	}
	if !read {
		return nil, Errorf(ErrForbidden, "You cannot see this file")
	}
	v, err := s.dueFor(ctx, see)
	if err != nil {
		return nil, err
	}
	return v, s.withholdCases(ctx, actor, v)
}

// withholdCases takes the case references out of a DueView for an actor
// who may not read the records they come from (a case reference is record
// content): the case stays, as "a case". Whoever may open the file reads a
// case supervision record unless a council made the form confidential;
// an admin, or an incoming supervisor before the handover, may see what is
// due without opening the file.
func (s *Files) withholdCases(ctx context.Context, actor *Staff, v *DueView) error {
	if len(v.Cases) == 0 {
		return nil
	}
	fa, err := s.FileAccess(ctx, actor, v.Supervisee.ID)
	if err != nil {
		return err
	}
	for i := range v.Cases {
		c := &v.Cases[i]
		read, err := s.readsCase(ctx, fa, c.rec)
		if err != nil {
			return err
		}
		if read {
			continue
		}
		c.Reference = ""
		for j := range v.Items {
			if d := &v.Items[j]; d.What == DueCaseSupervision && d.caseRecord == c.RecordID {
				d.Reason = caseReason("", c, s.cfg.Policy)
			}
		}
	}
	return nil
}

// readsCase says whether the actor, standing towards the file as fa, may
// read a case supervision record (RecordAccess's rule, asked of the
// database only when the standing alone does not settle it).
func (s *Files) readsCase(ctx context.Context, fa *FileAccess, r *Record) (bool, error) {
	if def, ok := s.forms.GetVersion(r.FormID, r.FormVersion); ok && fa.CanOpen() && (!def.Confidential || fa.ReadsConfidential()) {
		return true, nil
	}
	_, err := s.RecordAccess(ctx, fa.Actor, r)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, ErrNotFound):
		return false, nil
	}
	return false, err
}

func dateField(data map[string]any, id string) (time.Time, bool) {
	v, _ := data[id].(string)
	t, err := time.Parse(time.DateOnly, v)
	return t, err == nil
}

func (s *core) localDate(t time.Time) time.Time { return policy.Date(t.In(s.cfg.Location)) }

// dueFor works out a supervisee's DueView (no access check).
func (s *Files) dueFor(ctx context.Context, see *Staff) (*DueView, error) {
	p := s.cfg.Policy
	today := s.today()
	role := string(see.Role)
	v := &DueView{Supervisee: see, Today: today, EveryWeeks: p.EveryWeeks(role, see.StartDate, today)}
	v.ObsYearFrom, v.ObsYearTo = policy.ObservationYear(today)

	// Where the current relationship starts: due dates count from it when
	// nothing is held yet.
	relStart := policy.Date(see.StartDate)
	if rel, err := s.store.CurrentRelationship(ctx, see.ID, today); err == nil {
		if rel.From.After(relStart) {
			relStart = policy.Date(rel.From)
		}
		if v.Supervisor, err = s.store.GetStaff(ctx, rel.SupervisorID); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}

	recs, err := s.store.ListRecords(ctx, see.ID)
	if err != nil {
		return nil, err
	}
	var planner, agreement, selfAssess *Record
	var unsigned []Due
	cases := map[string]*CaseDue{} // by reference
	closed := map[string]bool{}
	for i := len(recs) - 1; i >= 0; i-- { // oldest first
		r := recs[i]
		var data map[string]any
		_ = json.Unmarshal(r.Data, &data)
		switch r.FormID {
		case "supervision-record":
			session, ok := dateField(data, "supervision_date")
			if r.Status != StatusSigned || r.SignedAt == nil {
				if ok && p.RecordWorkingDays > 0 {
					by := policy.AddWorkingDays(session, p.RecordWorkingDays)
					if by.Before(today) {
						unsigned = append(unsigned, Due{What: DueRecord, By: by, OverdueDays: days(by, today),
							Reason: fmt.Sprintf("the record of the session on %s is not yet signed (%d working days)", session.Format(time.DateOnly), p.RecordWorkingDays)})
					}
				}
				continue
			}
			signed := s.localDate(*r.SignedAt)
			if !ok {
				session = signed
			}
			v.Held = append(v.Held, session)
			if p.RecordWorkingDays > 0 && session.After(today.AddDate(-1, 0, 0)) {
				by := policy.AddWorkingDays(session, p.RecordWorkingDays)
				if signed.After(by) {
					v.Items = append(v.Items, Due{What: DueRecordSignedLate, By: by,
						Reason: fmt.Sprintf("the session on %s was signed on %s, %d working days after the %d allowed", session.Format(time.DateOnly), signed.Format(time.DateOnly), policy.WorkingDaysAfter(by, signed), p.RecordWorkingDays)})
				}
			}
		case "case-supervision":
			if r.Status != StatusSigned || r.SignedAt == nil {
				continue
			}
			ref, _ := data["case_reference"].(string)
			ref = strings.TrimSpace(ref)
			if ref == "" {
				continue
			}
			on, ok := dateField(data, "supervision_date")
			if !ok {
				on = s.localDate(*r.SignedAt)
			}
			if c := cases[ref]; c != nil && on.Before(c.LastDiscussed) {
				continue // an older discussion signed later
			}
			c := &CaseDue{Reference: ref, LastDiscussed: on, RecordID: r.ID, rec: r}
			if next, ok := dateField(data, "next_case_supervision_date"); ok && next.After(on) {
				c.Planned = next
			}
			cases[ref] = c
			dir, _ := data["case_direction"].(string)
			closed[ref] = dir == "close"
		case "forward-planner":
			if r.Status == StatusSigned {
				planner = r
			}
		case "supervision-agreement":
			if r.Status == StatusSigned && r.SignedAt != nil {
				agreement = r
			}
		case "self-assessment":
			if r.Status == StatusSigned && r.SignedAt != nil {
				selfAssess = r
			}
		case "practice-observation":
			if r.Status != StatusSigned || r.SignedAt == nil {
				continue
			}
			on, ok := dateField(data, "observation_date")
			if !ok {
				on = s.localDate(*r.SignedAt)
			}
			byLM := false
			if sigs, err := s.store.Signatures(ctx, r.ID); err == nil {
				rel, err := s.store.CurrentRelationship(ctx, see.ID, on)
				for _, sg := range sigs {
					if sg.Role == "observer" && err == nil && sg.SignerID == rel.SupervisorID {
						byLM = true
					}
				}
			} else {
				return nil, err
			}
			v.Observations = append(v.Observations, Observation{Date: on, ByLineManager: byLM})
		}
	}
	// A group supervision they attended is supervision held (002 §1.1.3),
	// on the day of the session.
	attended, err := s.attendedRecords(ctx, see.ID)
	if err != nil {
		return nil, err
	}
	for _, r := range attended {
		var data map[string]any
		_ = json.Unmarshal(r.Data, &data)
		session, ok := dateField(data, "session_date")
		if !ok && r.SignedAt != nil {
			session, ok = s.localDate(*r.SignedAt), true
		}
		if ok {
			v.Held = append(v.Held, session)
		}
	}
	sort.Slice(v.Held, func(i, j int) bool { return v.Held[i].Before(v.Held[j]) })
	v.Items = append(v.Items, unsigned...)

	// Supervision: due every so many weeks after the last session held (in
	// the phase of time in post it was held in), or after the relationship
	// began.
	from := relStart
	if n := len(v.Held); n > 0 {
		last := v.Held[n-1]
		v.LastHeld = &last
		if last.After(from) {
			from = last
		}
	}
	v.NextDue = p.NextDue(role, see.StartDate, from)
	prev := relStart
	if len(v.Held) > 0 && v.Held[0].Before(prev) {
		prev = v.Held[0]
	}
	for _, h := range append(append([]time.Time{}, v.Held...), today) {
		due := p.NextDue(role, see.StartDate, prev)
		end := h
		if due.Before(end) {
			v.Gaps = append(v.Gaps, Span{due, h})
			end = due
		}
		v.Windows = append(v.Windows, Span{prev, end})
		if h.After(prev) {
			prev = h
		}
	}
	if planner != nil {
		var data struct {
			Dates []map[string]any `json:"dates"`
		}
		_ = json.Unmarshal(planner.Data, &data)
		for _, row := range data.Dates {
			d, ok := dateField(row, "date")
			if st, _ := row["status"].(string); st == "postponed" {
				d, ok = dateField(row, "rescheduled")
			} else if st == "completed" {
				continue
			}
			if ok && v.LastHeld != nil && !d.After(*v.LastHeld) {
				continue
			}
			if ok && !d.Before(relStart) {
				v.Planned = append(v.Planned, d)
			}
		}
		sort.Slice(v.Planned, func(i, j int) bool { return v.Planned[i].Before(v.Planned[j]) })
	}
	last := "none held since " + relStart.Format(time.DateOnly)
	if v.LastHeld != nil {
		last = "last held " + v.LastHeld.Format(time.DateOnly)
	}
	reason := fmt.Sprintf("%s (%s); %s", policy.Weeks(p.EveryWeeks(role, see.StartDate, from)), p.Council, last)
	next := v.NextDue
	if len(v.Planned) > 0 {
		reason += "; planned for " + v.Planned[0].Format(time.DateOnly)
		if v.Planned[0].After(v.NextDue) {
			reason += ", after it is due"
		} else {
			next = v.Planned[0]
		}
	}
	v.Items = append(v.Items, Due{What: DueSupervision, Reason: reason, By: v.NextDue, OverdueDays: days(v.NextDue, today)})

	// The agreement: a handover's new one first (handover.go), else none,
	// else its review.
	hs, err := s.store.Handovers(ctx, see.ID)
	if err != nil {
		return nil, err
	}
	var afterHandover []Due
	if len(hs) > 0 {
		if afterHandover, err = s.agreementDue(ctx, hs[len(hs)-1]); err != nil {
			return nil, err
		}
	}
	switch {
	case len(afterHandover) > 0:
		v.Agreement = AgreementAfterHandover
		v.Items = append(v.Items, afterHandover...)
	case agreement == nil:
		v.Agreement = AgreementNone
		by := relStart.AddDate(0, 0, 7*p.Agreement.NewAfterChangeWeeks)
		v.Items = append(v.Items, Due{What: DueAgreement, Reason: "none in the file", By: by, OverdueDays: days(by, today)})
	default:
		signed := s.localDate(*agreement.SignedAt)
		v.AgreementSigned = &signed
		var data map[string]any
		_ = json.Unmarshal(agreement.Data, &data)
		dated := signed
		if d, ok := dateField(data, "agreement_date"); ok {
			dated = d
		}
		v.Agreement = AgreementInDate
		if p.Agreement.ReviewMonths > 0 {
			v.AgreementReview = dated.AddDate(0, p.Agreement.ReviewMonths, 0)
		}
		if d, ok := dateField(data, "review_date"); ok && (v.AgreementReview.IsZero() || d.Before(v.AgreementReview)) {
			v.AgreementReview = d
		}
		if !v.AgreementReview.IsZero() {
			if !today.Before(v.AgreementReview.AddDate(0, 0, -reviewWarning)) {
				v.Agreement = AgreementReviewDue
			}
			v.Items = append(v.Items, Due{What: DueAgreement, Reason: fmt.Sprintf("review of the agreement of %s", dated.Format(time.DateOnly)),
				By: v.AgreementReview, OverdueDays: days(v.AgreementReview, today)})
		}
	}

	// Observations this year (1 April to 31 March).
	for _, o := range v.Observations {
		if !o.Date.Before(v.ObsYearFrom) && o.Date.Before(v.ObsYearTo) {
			v.ObsThisYear++
			if o.ByLineManager {
				v.ObsByLineManager++
			}
		}
	}
	if want := p.Observations.PerYear; want > 0 && (v.ObsThisYear < want || v.ObsByLineManager < p.Observations.ByLineManager) {
		by := v.ObsYearTo.AddDate(0, 0, -1)
		v.Items = append(v.Items, Due{What: DueObservation, By: by, OverdueDays: days(by, today),
			Reason: fmt.Sprintf("%d of %d this year (from 1 April), %d of %d by the line manager", v.ObsThisYear, want, v.ObsByLineManager, p.Observations.ByLineManager)})
	}

	// File audits: the last signed audit of this file, and the next.
	audits, err := s.store.PartyRecords(ctx, see.ID, PartySubject)
	if err != nil {
		return nil, err
	}
	var nextAudit time.Time
	for _, r := range audits {
		if r.FormID != "file-audit" || r.Status != StatusSigned || r.SignedAt == nil {
			continue
		}
		var data map[string]any
		_ = json.Unmarshal(r.Data, &data)
		done, ok := dateField(data, "audit_completed")
		if !ok {
			done = s.localDate(*r.SignedAt)
		}
		if v.LastAudit == nil || done.After(*v.LastAudit) {
			d := done
			v.LastAudit = &d
			nextAudit, _ = dateField(data, "next_audit")
		}
	}
	if n := p.FileAuditsPerYear; n > 0 {
		base := relStart
		if v.LastAudit != nil {
			base = *v.LastAudit
		}
		v.NextAudit = base.AddDate(0, 12/n, 0)
		if !nextAudit.IsZero() && nextAudit.Before(v.NextAudit) {
			v.NextAudit = nextAudit
		}
		reason := "no audit of this file yet"
		if v.LastAudit != nil {
			reason = "last audited " + v.LastAudit.Format(time.DateOnly)
		}
		v.Items = append(v.Items, Due{What: DueFileAudit, Reason: fmt.Sprintf("%s; %d a year (%s)", reason, n, p.Council), By: v.NextAudit, OverdueDays: days(v.NextAudit, today)})
	} else if !nextAudit.IsZero() {
		v.NextAudit = nextAudit
	}

	// A self-assessment before the next session, for case-holding social
	// workers (002 Appendix K), unless one was signed since the last.
	if n := p.SelfAssessmentDaysBefore; n > 0 && (see.Role == RoleSocialWorker || see.Role == RoleASYE) {
		done := selfAssess != nil && (v.LastHeld == nil || !s.localDate(*selfAssess.SignedAt).Before(*v.LastHeld))
		if !done {
			by := next.AddDate(0, 0, -n)
			v.Items = append(v.Items, Due{What: DueSelfAssessment, By: by, OverdueDays: days(by, today),
				Reason: fmt.Sprintf("%d days before the session due %s", n, next.Format(time.DateOnly))})
		}
	}

	// Case supervision: every open case discussed again within the
	// policy's cycle after its last discussion (a working day), or sooner
	// if the record planned it sooner. A case the last discussion closed
	// is due no more.
	if p.CaseSupervisionWeeks > 0 {
		for ref, c := range cases {
			if closed[ref] {
				continue
			}
			c.Due = p.CaseDue(c.LastDiscussed)
			by := c.By()
			v.Cases = append(v.Cases, *c)
			v.Items = append(v.Items, Due{What: DueCaseSupervision, Reason: caseReason(ref, c, p), By: by, OverdueDays: days(by, today), caseRecord: c.RecordID})
		}
		sort.Slice(v.Cases, func(i, j int) bool {
			return v.Cases[i].Due.Before(v.Cases[j].Due) || v.Cases[i].Due.Equal(v.Cases[j].Due) && v.Cases[i].Reference < v.Cases[j].Reference
		})
	}

	sort.SliceStable(v.Items, func(i, j int) bool {
		a, b := v.Items[i], v.Items[j]
		if a.OverdueDays != b.OverdueDays {
			return a.OverdueDays > b.OverdueDays
		}
		if !a.By.Equal(b.By) {
			return a.By.Before(b.By)
		}
		return a.What < b.What || a.What == b.What && a.Reason < b.Reason
	})
	return v, nil
}

// days is how many days after by today is (0 when it is not).
func days(by, today time.Time) int {
	if !today.After(by) {
		return 0
	}
	return int(today.Sub(by).Hours()/24 + 0.5)
}

// TeamDue is the supervisees whose files the actor looks after, each with
// what is due, most overdue first: their own supervisees and, for a line
// manager, their supervisors' (Supervisor says whose).
func (s *Files) TeamDue(ctx context.Context, actor *Staff) (mine, team []*DueView, err error) {
	today := s.today()
	direct, err := s.store.Supervisees(ctx, actor.ID, today)
	if err != nil {
		return nil, nil, err
	}
	for _, see := range direct {
		v, err := s.dueFor(ctx, see)
		if err != nil {
			return nil, nil, err
		}
		if err := s.withholdCases(ctx, actor, v); err != nil {
			return nil, nil, err
		}
		mine = append(mine, v)
		under, err := s.store.Supervisees(ctx, see.ID, today)
		if err != nil {
			return nil, nil, err
		}
		for _, u := range under {
			uv, err := s.dueFor(ctx, u)
			if err != nil {
				return nil, nil, err
			}
			if err := s.withholdCases(ctx, actor, uv); err != nil {
				return nil, nil, err
			}
			team = append(team, uv)
		}
	}
	sortDue(mine)
	sortDue(team)
	return mine, team, nil
}

func sortDue(vs []*DueView) {
	sort.SliceStable(vs, func(i, j int) bool {
		a, b := vs[i].MostOverdue(), vs[j].MostOverdue()
		if a != b {
			return a > b
		}
		if !vs[i].NextDue.Equal(vs[j].NextDue) {
			return vs[i].NextDue.Before(vs[j].NextDue)
		}
		return vs[i].Supervisee.Name < vs[j].Supervisee.Name
	})
}
