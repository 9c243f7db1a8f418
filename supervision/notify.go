package supervision

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/supervisionfile/supfile/forms"
)

// Email notifications. An event (a record submitted for signatures, sent
// to the other party, signed by everyone, a disagreement recorded) queues
// one Notice per person on the durable queue (NoticeQueue: package jobs),
// keyed by the event and the person, so that a notice queued twice is one
// job; the job (SendNotice, on whichever instance takes it) builds the
// email and sends it (Mailer: package mailer) unless the key is in the
// MailStore already, then records the key there: a retried job or a second
// instance does not send it again. A weekly digest of what is overdue goes
// the same way (DigestNotices, one key per person and week).
//
// An email carries no record content: the form's title, whose file it is
// in, and a link to the page (Config.BaseURL), where the reader signs in.
// Nobody who has left, has no email address, or switched their email
// notifications off (on their account page) gets one.

// The kinds of notice.
const (
	NoticeSign         = "sign"         // a record awaits your signature
	NoticeYourPart     = "your_part"    // a draft was sent to you for your part
	NoticeSigned       = "signed"       // a record was signed by everyone and is in the file
	NoticeDisagreement = "disagreement" // a disagreement was recorded
	NoticeDigest       = "digest"       // the weekly digest of what is overdue
)

// Notice is one email to send to one person, as a job's arguments.
type Notice struct {
	Kind     string `json:"kind"`
	StaffID  string `json:"staff_id"`
	RecordID string `json:"record_id,omitempty"`
	// Key names the email: the event and the person. An email is sent once
	// per key.
	Key string `json:"key"`
}

// NoticeQueue queues notices durably, each once per key.
type NoticeQueue interface {
	Notify(ctx context.Context, ns []Notice) error
}

// Email is one notification, built and ready to send.
type Email struct {
	Key                 string // the notice's key (a stable Message-ID)
	ToName, ToAddress   string
	Subject, Text, HTML string
}

// Mailer sends an email; package mailer is the implementation (SMTP).
type Mailer interface {
	Send(ctx context.Context, e *Email) error
}

// MailStore keeps which emails were settled, so each is sent once.
type MailStore interface {
	// MailSent says whether the email with the key was settled.
	MailSent(ctx context.Context, key string) (bool, error)
	// MarkMailSent settles it with an outcome ("sent", "left", …); marking
	// it again changes nothing.
	MarkMailSent(ctx context.Context, key string, at time.Time, outcome string) error
	// EmailOff says whether a member of staff switched their email
	// notifications off; SetEmailOff switches them off or back on.
	EmailOff(ctx context.Context, staffID string) (bool, error)
	SetEmailOff(ctx context.Context, staffID string, off bool, at time.Time) error
	// Outbox lists the emails events owe (Event.Notices, written with the
	// event) whose jobs may not be queued yet, oldest first, at most limit;
	// ClearOutbox deletes them once queued.
	Outbox(ctx context.Context, limit int) ([]Notice, error)
	ClearOutbox(ctx context.Context, keys []string) error
}

// EmailNotificationsOn says whether the actor gets email notifications
// (when the service sends email): on unless they switched them off.
func (s *People) EmailNotificationsOn(ctx context.Context, actor *Staff) (bool, error) {
	off, err := s.store.EmailOff(ctx, actor.ID)
	return !off, err
}

// SetEmailNotifications switches the actor's own email notifications on or
// off. An email already queued for them is not sent once they are off.
func (s *People) SetEmailNotifications(ctx context.Context, actor *Staff, on bool) error {
	if err := s.store.SetEmailOff(ctx, actor.ID, !on, s.now()); err != nil {
		return err
	}
	s.log.Info("email notifications switched", "staff", actor.ID, "on", on)
	return nil
}

// MailOn says whether email notifications are on (SMTP is set up).
func (s *core) MailOn() bool { return s.cfg.Mail != nil && s.cfg.Notices != nil }

// The emails an event owes are worked out before the event is stored and
// go into the store with it (Event.Notices: the outbox, in the event's
// transaction). Once the event is committed, dispatch queues them and
// clears them from the outbox; if the process dies in between, or the
// queue cannot be reached, the leader's sweep (SweepOutbox, at start and
// every minute) queues them. Queueing a notice twice sends one email: the
// jobs are unique by their notice and SendNotice settles each key once.

// dispatch queues an event's notices once the event is stored, then clears
// them from the outbox. A queue that cannot be reached leaves them there
// for the sweep, with a warning.
func (s *Records) dispatch(ctx context.Context, ns []Notice) {
	if !s.MailOn() || len(ns) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := s.cfg.Notices.Notify(ctx, ns); err != nil {
		s.log.Warn("could not queue email notifications: the sweep will", "kind", ns[0].Kind, "record", ns[0].RecordID, "err", err)
		return
	}
	keys := make([]string, len(ns))
	for i, n := range ns {
		keys[i] = n.Key
	}
	if err := s.store.ClearOutbox(ctx, keys); err != nil {
		s.log.Warn("could not clear the email outbox (the sweep queues them again, harmlessly)", "record", ns[0].RecordID, "err", err)
	}
}

// outboxBatch is how many owed emails one sweep queues at most.
const outboxBatch = 500

// SweepOutbox queues the emails events owe whose jobs were never queued
// (the process died after the event, or the queue was unreachable), and
// clears them: the queue's sweep job calls it on the leader, at start and
// every minute. It returns how many it queued.
func (s *Records) SweepOutbox(ctx context.Context) (int, error) {
	total := 0
	for {
		ns, err := s.store.Outbox(ctx, outboxBatch)
		if err != nil || len(ns) == 0 {
			return total, err
		}
		if s.cfg.Notices == nil {
			return total, nil
		}
		if err := s.cfg.Notices.Notify(ctx, ns); err != nil {
			return total, err
		}
		keys := make([]string, len(ns))
		for i, n := range ns {
			keys[i] = n.Key
		}
		if err := s.store.ClearOutbox(ctx, keys); err != nil {
			return total, err
		}
		total += len(ns)
		s.log.Info("emails owed queued by the sweep", "count", len(ns))
		if len(ns) < outboxBatch {
			return total, nil
		}
	}
}

// noticesTo makes one notice per person (each once, the actor left out).
func noticesTo(kind, recordID, event string, actor *Staff, ids []string) []Notice {
	var ns []Notice
	seen := map[string]bool{}
	for _, id := range ids {
		if id == "" || seen[id] || (actor != nil && id == actor.ID) {
			continue
		}
		seen[id] = true
		ns = append(ns, Notice{Kind: kind, StaffID: id, RecordID: recordID, Key: kind + ":" + recordID + ":" + event + ":" + id})
	}
	return ns
}

// eventKey names an event of a record by its time, to the nanosecond.
func eventKey(at time.Time) string { return fmt.Sprint(at.UnixNano()) }

// signableNow are the roles that may sign the record now and have not:
// every unsigned signer that does not wait for others (Waits).
func signableNow(v *RecordView) []string {
	return signable(v.Form, v.SignedRoles())
}

func signable(def *forms.Definition, signed map[string]bool) []string {
	var out []string
	for _, sg := range def.Signers {
		if signed[sg.Role] || Waits(def, sg, signed) {
			continue
		}
		out = append(out, sg.Role)
	}
	return out
}

// holders are the people who hold a role on a record: those named in it,
// else the supervisee for a role on their side, else the current
// supervisor.
func (s *Records) holders(ctx context.Context, v *RecordView, role string) ([]string, error) {
	parties, err := s.store.RecordParties(ctx, v.Record.ID)
	if err != nil {
		return nil, err
	}
	var named []string
	for _, p := range parties {
		if p.Role == role {
			named = append(named, p.StaffID)
		}
	}
	if len(named) > 0 {
		return named, nil
	}
	if Party(role) == "supervisee" {
		return []string{v.Record.StaffID}, nil
	}
	sup, err := s.CurrentSupervisor(ctx, v.Record.StaffID)
	if err != nil || sup == nil {
		return nil, err
	}
	return []string{sup.ID}, nil
}

// signerNotices tell the people who may sign v (as it will be once the
// event is stored), other than the actor, that the record awaits their
// signature; except lists roles already told.
func (s *Records) signerNotices(ctx context.Context, v *RecordView, actor *Staff, event time.Time, except []string) ([]Notice, error) {
	if !s.MailOn() {
		return nil, nil
	}
	var ids []string
	for _, role := range signableNow(v) {
		if slices.Contains(except, role) {
			continue
		}
		h, err := s.holders(ctx, v, role)
		if err != nil {
			return nil, err
		}
		ids = append(ids, h...)
	}
	return noticesTo(NoticeSign, v.Record.ID, eventKey(event), actor, ids), nil
}

// signerOwed is what a signature in role owes the signers it lets sign
// (an "Awaiting your signature" email each), as a function of the roles
// signed once it is written: the store calls it inside the signature's
// transaction (RecordStore.AddSignatureOwing), where the signatures of
// others committed meanwhile are seen. A role is told when this signature
// is the one that ends its wait (forms.Signer.After, a file audit's
// auditor): it may sign with it and could not without it. Nothing is owed
// by the last signature. Who holds each role is looked up here, before the
// transaction, for the roles v still has waiting (only they can be let in).
func (s *Records) signerOwed(ctx context.Context, v *RecordView, actor *Staff, role string, event time.Time) (func(signed map[string]bool) []Notice, error) {
	none := func(map[string]bool) []Notice { return nil }
	if !s.MailOn() {
		return none, nil
	}
	have := v.SignedRoles()
	holders := map[string][]string{}
	for _, sg := range v.Form.Signers {
		if have[sg.Role] || sg.Role == role || !Waits(v.Form, sg, have) {
			continue
		}
		h, err := s.holders(ctx, v, sg.Role)
		if err != nil {
			return nil, err
		}
		holders[sg.Role] = h
	}
	if len(holders) == 0 {
		return none, nil
	}
	return func(signed map[string]bool) []Notice {
		if !signed[role] || allSigned(v.Form, signed) {
			return nil
		}
		without := maps.Clone(signed)
		delete(without, role)
		before := signable(v.Form, without)
		var ids []string
		for _, r := range signable(v.Form, signed) {
			if !slices.Contains(before, r) {
				ids = append(ids, holders[r]...)
			}
		}
		return noticesTo(NoticeSign, v.Record.ID, eventKey(event), actor, ids)
	}, nil
}

// allSigned says whether every signer of the form has signed.
func allSigned(def *forms.Definition, signed map[string]bool) bool {
	for _, sg := range def.Signers {
		if !signed[sg.Role] {
			return false
		}
	}
	return true
}

// partNotices tell the other party a draft was sent to them.
func (s *Records) partNotices(ctx context.Context, v *RecordView, actor *Staff, side string, event time.Time) ([]Notice, error) {
	if !s.MailOn() {
		return nil, nil
	}
	var ids []string
	if side == "supervisee" {
		ids = []string{v.Record.StaffID}
	} else if v.Supervisor != nil {
		ids = []string{v.Supervisor.ID}
	} else if sup, err := s.CurrentSupervisor(ctx, v.Record.StaffID); err != nil {
		return nil, err
	} else if sup != nil {
		ids = []string{sup.ID}
	}
	return noticesTo(NoticeYourPart, v.Record.ID, eventKey(event), actor, ids), nil
}

// signedNotices tell the supervisee and everyone who signed that the
// record is signed and in the file: once per record.
func (s *Records) signedNotices(v *RecordView) []Notice {
	if !s.MailOn() {
		return nil
	}
	ids := []string{v.Record.StaffID}
	for _, sg := range v.Signatures {
		ids = append(ids, sg.SignerID)
	}
	return noticesTo(NoticeSigned, v.Record.ID, "final", nil, ids)
}

// disagreementNotices tell the supervisor and their line manager that a
// disagreement was recorded (by the actor, in role).
func (s *Records) disagreementNotices(ctx context.Context, v *RecordView, actor *Staff, role string) ([]Notice, error) {
	if !s.MailOn() {
		return nil, nil
	}
	sup, err := s.CurrentSupervisor(ctx, v.Record.StaffID)
	if err != nil || sup == nil {
		return nil, err
	}
	ids := []string{sup.ID}
	lm, err := s.CurrentSupervisor(ctx, sup.ID)
	if err != nil {
		return nil, err
	}
	if lm != nil {
		ids = append(ids, lm.ID)
	}
	return noticesTo(NoticeDisagreement, v.Record.ID, role, actor, ids), nil
}

// SendNotice sends a notice's email, once: it is the email job's work. It
// returns nil when the email is sent, was sent before, or has nobody to go
// to (the person has left, has no address, the record is gone); an error
// means "try again later".
func (s *Records) SendNotice(ctx context.Context, n Notice) error {
	if s.cfg.Mail == nil || n.Key == "" {
		return nil
	}
	sent, err := s.store.MailSent(ctx, n.Key)
	if err != nil || sent {
		return err
	}
	settle := func(outcome string) error { return s.store.MarkMailSent(ctx, n.Key, s.now(), outcome) }
	to, err := s.store.GetStaff(ctx, n.StaffID)
	if errors.Is(err, ErrNotFound) {
		return settle("no such person")
	}
	if err != nil {
		return err
	}
	if s.HasLeft(to) {
		return settle("left")
	}
	if to.Email == "" {
		return settle("no address")
	}
	if off, err := s.store.EmailOff(ctx, to.ID); err != nil || off {
		if err != nil {
			return err
		}
		return settle("switched off")
	}
	e, err := s.buildEmail(ctx, n, to)
	if errors.Is(err, ErrNotFound) {
		return settle("record gone")
	}
	if err != nil {
		return err
	}
	if e == nil {
		return settle("nothing to send")
	}
	if err := s.cfg.Mail.Send(ctx, e); err != nil {
		return fmt.Errorf("email %s: %w", n.Key, err)
	}
	s.log.Info("email sent", "kind", n.Kind, "to", to.ID, "record", n.RecordID)
	return settle("sent")
}

// link is the address of a page of the service.
func (s *Records) link(path string) string {
	return strings.TrimRight(s.cfg.BaseURL, "/") + path
}

// emailParts is what an email says, before it is laid out.
type emailParts struct {
	Greeting string
	Lines    []string // paragraphs
	Items    []emailItem
	Link     string
	LinkText string
	Footer   string
	Org      string
}

type emailItem struct {
	Text string
	Link string
}

func (s *Records) buildEmail(ctx context.Context, n Notice, to *Staff) (*Email, error) {
	p := emailParts{Greeting: "Dear " + to.Name + ",", Org: s.cfg.OrgName}
	var subject string
	if n.Kind == NoticeDigest {
		var err error
		subject, err = s.digestParts(ctx, to, &p)
		if err != nil || subject == "" {
			return nil, err
		}
	} else {
		r, err := s.store.GetRecord(ctx, n.RecordID)
		if err != nil {
			return nil, err
		}
		def, ok := s.forms.GetVersion(r.FormID, r.FormVersion)
		if !ok {
			return nil, fmt.Errorf("record %s: form %s version %d is not loaded", r.ID, r.FormID, r.FormVersion)
		}
		see, err := s.store.GetStaff(ctx, r.StaffID)
		if err != nil {
			return nil, err
		}
		file := "the supervision file of " + see.Name
		if see.ID == to.ID {
			file = "your supervision file"
		}
		p.Link, p.LinkText = s.link("/records/"+url.PathEscape(r.ID)), "Open the record"
		switch n.Kind {
		case NoticeSign:
			if r.Status != StatusAwaitingSignatures {
				return nil, nil // withdrawn or signed since
			}
			sigs, err := s.store.Signatures(ctx, r.ID)
			if err != nil {
				return nil, err
			}
			if slices.ContainsFunc(sigs, func(sg *Signature) bool { return sg.SignerID == to.ID }) {
				return nil, nil // signed since the notice was queued
			}
			subject = "Awaiting your signature: " + def.Title
			p.Lines = []string{fmt.Sprintf("A %s in %s awaits your signature.", def.Title, file)}
		case NoticeYourPart:
			if r.Status != StatusDraft {
				return nil, nil
			}
			subject = "Your part to fill in: " + def.Title
			p.Lines = []string{fmt.Sprintf("A %s in %s has been sent to you to fill in your part.", def.Title, file)}
		case NoticeSigned:
			subject = "Signed and filed: " + def.Title
			p.Lines = []string{fmt.Sprintf("A %s has been signed by everyone and is now in %s.", def.Title, file)}
		case NoticeDisagreement:
			subject = "Disagreement recorded: " + def.Title
			p.Lines = []string{fmt.Sprintf("A disagreement was recorded when a %s in %s was signed. The supervisor records a response on the record's page.", def.Title, file)}
		default:
			return nil, fmt.Errorf("unknown notice kind %q", n.Kind)
		}
	}
	if p.Footer == "" {
		p.Footer = "Sign in to Supervision File to read it. This email holds none of the record's content."
	}
	text, html, err := layoutEmail(p)
	if err != nil {
		return nil, err
	}
	return &Email{Key: n.Key, ToName: to.Name, ToAddress: to.Email, Subject: subject, Text: text, HTML: html}, nil
}

func layoutEmail(p emailParts) (text, html string, err error) {
	var b strings.Builder
	b.WriteString(p.Greeting + "\n\n")
	for _, l := range p.Lines {
		b.WriteString(l + "\n\n")
	}
	for _, it := range p.Items {
		b.WriteString("- " + it.Text + "\n  " + it.Link + "\n")
	}
	if len(p.Items) > 0 {
		b.WriteString("\n")
	}
	if p.Link != "" {
		b.WriteString(p.LinkText + ": " + p.Link + "\n\n")
	}
	b.WriteString(p.Footer + "\n\n-- \nSupervision File, " + p.Org + "\n")
	var h bytes.Buffer
	if err := emailHTML.Execute(&h, p); err != nil {
		return "", "", err
	}
	return b.String(), h.String(), nil
}

var emailHTML = template.Must(template.New("email").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Supervision File</title></head>
<body style="font-family: Arial, sans-serif; font-size: 16px; line-height: 1.5; color: #0b0c0c">
<p>{{.Greeting}}</p>
{{range .Lines}}<p>{{.}}</p>
{{end}}{{if .Items}}<ul>
{{range .Items}}<li><a href="{{.Link}}">{{.Text}}</a></li>
{{end}}</ul>
{{end}}{{if .Link}}<p><a href="{{.Link}}">{{.LinkText}}</a></p>
{{end}}<p>{{.Footer}}</p>
<p style="color: #505a5f">Supervision File, {{.Org}}</p>
</body></html>
`))

// week names the current week (ISO 8601, in the organisation's time zone),
// a digest's period.
func (s *Records) week() string {
	y, w := s.today().ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// DigestNotices are this week's digests not yet settled: one for each
// member of staff, still employed, who supervises someone today. The
// digest's job finds whether anything is overdue; a week with nothing
// sends nothing. The queue's periodic job asks for them.
func (s *Records) DigestNotices(ctx context.Context) ([]Notice, error) {
	if s.cfg.Mail == nil {
		return nil, nil
	}
	week, today := s.week(), s.today()
	list, err := s.store.ListStaff(ctx)
	if err != nil {
		return nil, err
	}
	var ns []Notice
	for _, st := range list {
		if s.HasLeft(st) {
			continue
		}
		sees, err := s.store.Supervisees(ctx, st.ID, today)
		if err != nil {
			return nil, err
		}
		if len(sees) == 0 {
			continue
		}
		key := NoticeDigest + ":" + st.ID + ":" + week
		if sent, err := s.store.MailSent(ctx, key); err != nil || sent {
			if err != nil {
				return nil, err
			}
			continue
		}
		ns = append(ns, Notice{Kind: NoticeDigest, StaffID: st.ID, Key: key})
	}
	return ns, nil
}

// digestLabel names what is overdue in a digest: supervision, case
// supervision and agreements.
func digestLabel(what string) string {
	switch what {
	case DueSupervision:
		return "supervision"
	case DueCaseSupervision:
		return "case supervision"
	case DueAgreement:
		return "supervision agreement"
	}
	return ""
}

// overdueText says what of a file's supervision and agreement is overdue by
// more than grace days ("" when nothing is).
func overdueText(v *DueView, grace int) string {
	var parts []string
	cases, most := 0, 0
	for _, d := range v.Items {
		if d.What == DueCaseSupervision {
			// Counted, never named: a case reference is record content.
			if d.OverdueDays > grace {
				cases++
				most = max(most, d.OverdueDays)
			}
			continue
		}
		if l := digestLabel(d.What); l != "" && d.OverdueDays > grace {
			parts = append(parts, fmt.Sprintf("%s %s overdue", l, plural(d.OverdueDays, "day")))
		}
	}
	if cases > 0 {
		parts = append(parts, fmt.Sprintf("case supervision of %s overdue (by up to %s)", plural(cases, "case"), plural(most, "day")))
	}
	return strings.Join(parts, ", ")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// digestParts fills a person's weekly digest: the files they supervise with
// supervision or an agreement overdue, and, as a line manager, their
// supervisors' files overdue by more than the policy's grace. The subject
// is "" when nothing is overdue.
func (s *Records) digestParts(ctx context.Context, to *Staff, p *emailParts) (string, error) {
	mine, team, err := s.files.TeamDue(ctx, to)
	if err != nil {
		return "", err
	}
	file := func(v *DueView) string { return s.link("/staff/" + url.PathEscape(v.Supervisee.ID) + "/file") }
	var own, managed []emailItem
	for _, v := range mine {
		if t := overdueText(v, 0); t != "" {
			own = append(own, emailItem{Text: v.Supervisee.Name + ": " + t, Link: file(v)})
		}
	}
	grace := s.cfg.Policy.OverdueGraceDays
	for _, v := range team {
		if t := overdueText(v, grace); t != "" {
			who := v.Supervisee.Name
			if v.Supervisor != nil {
				who += " (supervised by " + v.Supervisor.Name + ")"
			}
			managed = append(managed, emailItem{Text: who + ": " + t, Link: file(v)})
		}
	}
	if len(own)+len(managed) == 0 {
		return "", nil
	}
	switch {
	case len(own) > 0 && len(managed) > 0:
		p.Lines = []string{fmt.Sprintf("Supervision, case supervision or a supervision agreement is overdue in %s you supervise, and by more than %s in %s your team supervises.",
			plural(len(own), "file"), plural(grace, "day"), plural(len(managed), "file"))}
	case len(own) > 0:
		p.Lines = []string{fmt.Sprintf("Supervision, case supervision or a supervision agreement is overdue in %s you supervise.", plural(len(own), "file"))}
	default:
		p.Lines = []string{fmt.Sprintf("Supervision, case supervision or a supervision agreement is overdue by more than %s in %s your team supervises.",
			plural(grace, "day"), plural(len(managed), "file"))}
	}
	p.Items = append(own, managed...)
	p.Link, p.LinkText = s.link("/"), "Open your home page"
	p.Footer = "Sign in to Supervision File to see what is due. You get this digest once a week while anything is overdue."
	return fmt.Sprintf("Overdue supervision: %s (week %s)", plural(len(p.Items), "file"), s.week()), nil
}
