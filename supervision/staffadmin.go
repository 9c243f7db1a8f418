package supervision

import (
	"context"
	"errors"
	"strings"
	"time"
)

// DefaultRetentionYears is how long a file is kept after its member of
// staff leaves (policy 004 §10).
const DefaultRetentionYears = 6

// StaffPatch is an administrator's change to a member of staff: only the
// fields given change. EndDate "" clears an end date.
type StaffPatch struct {
	Name     *string `json:"name"`
	Email    *string `json:"email"`
	JobTitle *string `json:"job_title"`
	Role     *string `json:"role"`
	EndDate  *string `json:"end_date"`
}

// HasLeft reports whether a member of staff's end date has come (the end
// date is their first day gone).
func (s *core) HasLeft(st *Staff) bool {
	return st != nil && st.EndDate != nil && !st.EndDate.After(s.today())
}

// RetentionYears is how long a leaver's file is kept.
func (s *Admin) RetentionYears() int { return s.cfg.RetentionYears }

// RetentionUntil is the date a member of staff's file is kept until: their
// end date plus the retention period; nil while they are employed (no end
// date set).
func (s *Admin) RetentionUntil(st *Staff) *time.Time {
	if st == nil || st.EndDate == nil {
		return nil
	}
	t := st.EndDate.AddDate(s.cfg.RetentionYears, 0, 0)
	return &t
}

// HandoverNeeded reports whether a supervisee's current supervisor has left,
// so the file has no working supervisor until it is handed over.
func (s *Admin) HandoverNeeded(supervisor *Staff) bool { return s.HasLeft(supervisor) }

// checkFileOpen refuses changes to the file of someone who has left: it is
// kept, read-only, until it is purged.
func (s *core) checkFileOpen(ctx context.Context, staffID string) error {
	st, err := s.store.GetStaff(ctx, staffID)
	if err != nil {
		return err
	}
	return s.fileOpen(st)
}

// fileOpen is checkFileOpen for a file whose owner has been read already
// (a record view's Supervisee).
func (s *core) fileOpen(st *Staff) error {
	if s.HasLeft(st) {
		return Errorf(ErrForbidden, "%s left on %s: their file is read-only", st.Name, st.EndDate.Format("2 January 2006"))
	}
	return nil
}

// EditStaff changes a member of staff's details, checked as when they were
// added, and sets or clears their end date. From the end date every session
// of theirs ends and they cannot sign in.
func (s *People) EditStaff(ctx context.Context, actor *Staff, id string, p StaffPatch) (*Staff, error) {
	if actor == nil || !actor.IsAdmin {
		return nil, Errorf(ErrForbidden, "Only an administrator can change a member of staff")
	}
	st, err := s.store.GetStaff(ctx, id)
	if err != nil {
		return nil, err
	}
	n := NewStaff{Name: st.Name, Email: st.Email, JobTitle: st.JobTitle, Role: string(st.Role),
		StartDate: st.StartDate.Format(time.DateOnly)}
	if p.Name != nil {
		n.Name = *p.Name
	}
	if p.Email != nil {
		n.Email = *p.Email
	}
	if p.JobTitle != nil {
		n.JobTitle = *p.JobTitle
	}
	if p.Role != nil {
		n.Role = *p.Role
	}
	var errs []FieldError
	for _, e := range n.validate(s.renderer.CanPrint) {
		if e.Field != "password" && e.Field != "start_date" {
			errs = append(errs, e)
		}
	}
	end := st.EndDate
	if p.EndDate != nil {
		switch v := strings.TrimSpace(*p.EndDate); {
		case v == "":
			end = nil
		default:
			d, err := time.Parse(time.DateOnly, v)
			switch {
			case err != nil:
				errs = append(errs, FieldError{Field: "end_date", Message: dateError("end date", v)})
			case d.Before(st.StartDate):
				errs = append(errs, FieldError{Field: "end_date", Message: "End date must be on or after the start date, " + st.StartDate.Format("2 January 2006")})
			case id == actor.ID:
				errs = append(errs, FieldError{Field: "end_date", Message: "You cannot set your own end date: ask another administrator"})
			default:
				end = &d
			}
		}
	}
	if len(errs) > 0 {
		return nil, &ValidationError{Fields: errs}
	}
	endChanged := (end == nil) != (st.EndDate == nil) || (end != nil && !end.Equal(*st.EndDate))
	st.Name, st.Email, st.JobTitle, st.Role, st.EndDate = n.Name, n.Email, n.JobTitle, RoleCategory(n.Role), end
	if err := s.store.UpdateStaff(ctx, st); err != nil {
		if errors.Is(err, ErrConflict) {
			return nil, &ValidationError{Fields: []FieldError{{Field: "email", Message: "A member of staff with this email address already exists"}}}
		}
		return nil, err
	}
	if endChanged {
		detail := "end date cleared"
		if end != nil {
			detail = "end date " + end.Format(time.DateOnly)
		}
		if err := s.logActor(ctx, actor, "administrator", ActEndDate, st.ID, "", detail); err != nil {
			return nil, err
		}
	}
	if s.HasLeft(st) {
		if _, err := s.store.DeleteSessions(ctx, st.ID, ""); err != nil {
			return nil, err
		}
	}
	return st, nil
}
