package supervision

// Attachments kept with a record (issue 14): the tools, worksheets, letters
// and evidence a record gathers. Either party may attach files to a record
// while it is a draft or awaiting signatures and nobody has signed yet; each
// is scanned for viruses, its type decided from its content, and written
// once beside the record's documents
// (files/<staff>/records/<rid>/v<n>/attachments/…). When the record is
// signed, record.json lists them with their SHA-256 and the signed PDF and
// DOCX name them (name, size, hash), so the seal covers them.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/supervisionfile/supfile/supervision/printout"
)

// Default limits on attachments; AttachmentConfig overrides them.
const (
	DefaultAttachmentMaxBytes = 20 << 20
	DefaultAttachmentMaxCount = 20
	maxAttachmentName         = 200
	maxAttachmentDescription  = 1000
)

// Attachment is one file kept with a record.
type Attachment struct {
	ID          string
	RecordID    string
	Name        string // what the person called it
	Description string
	FileName    string // the file's name for downloads, made safe, with the extension of its type
	ContentType string // decided from the content
	Size        int64
	SHA256      string
	Key         string // object key, files/<staff>/records/<rid>/v<n>/attachments/<id>-<file name>
	UploadedBy  string // staff id
	UploadedAt  time.Time
}

// AttachmentStore keeps the attachments' rows; the files are in Blobs.
type AttachmentStore interface {
	// AddAttachment stores a with an event on its record, in one
	// transaction. It fails with ErrConflict when the record is signed, or
	// is awaiting signatures and someone has signed, or already has max
	// attachments; with ErrNotFound when there is no such record.
	AddAttachment(ctx context.Context, a *Attachment, max int, ev Event) error
	// Attachments are a record's attachments, oldest first.
	Attachments(ctx context.Context, recordID string) ([]*Attachment, error)
	// DeleteAttachment removes one, with an event, on the same terms as
	// AddAttachment; ErrNotFound when the record has no such attachment.
	DeleteAttachment(ctx context.Context, recordID, id string, ev Event) error
	// ImportAttachments adds the attachments of a signed record rebuilt
	// from the file (reindex); one already there is left as it is.
	ImportAttachments(ctx context.Context, list []*Attachment) error
}

// Scanner checks a file for viruses: clamd (package clamav) in production.
type Scanner interface {
	// Scan reads r to its end and returns the name of what it found, or
	// "" when the file is clean.
	Scan(ctx context.Context, r io.Reader) (found string, err error)
}

// AttachmentConfig sets the attachments' limits and virus scanner.
type AttachmentConfig struct {
	MaxBytes int64 // per file; 0 means DefaultAttachmentMaxBytes
	MaxCount int   // per record; 0 means DefaultAttachmentMaxCount
	// Scanner scans every upload; nil means none is configured, which the
	// admin page says (executables and archives are still refused, as is
	// every type not on the list).
	Scanner Scanner
}

// AttachmentLimits are the limits in force, for pages and the API.
func (s *Records) AttachmentLimits() (maxBytes int64, maxCount int) {
	return s.attachMaxBytes(), s.attachMaxCount()
}

// VirusScanning says whether uploads are scanned for viruses.
func (s *Records) VirusScanning() bool { return s.cfg.Attachments.Scanner != nil }

func (s *Records) attachMaxBytes() int64 {
	if s.cfg.Attachments.MaxBytes > 0 {
		return s.cfg.Attachments.MaxBytes
	}
	return DefaultAttachmentMaxBytes
}

func (s *Records) attachMaxCount() int {
	if s.cfg.Attachments.MaxCount > 0 {
		return s.cfg.Attachments.MaxCount
	}
	return DefaultAttachmentMaxCount
}

// NewAttachment is an upload: the person's name and description for it,
// the file's own name (only used for its download name) and its content.
type NewAttachment struct {
	Name        string
	Description string
	FileName    string
	Data        []byte
	// TooLarge says the upload was cut off at the size limit.
	TooLarge bool
}

// FormatSize is a size as people read it: "312 KB", "4.2 MB" (counted in
// 1024s, as file managers do, so a limit of 20 << 20 bytes reads "20 MB").
func FormatSize(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d bytes", n)
	case n < 1024*1024:
		return fmt.Sprintf("%d KB", (n+512)/1024)
	default:
		mb := float64(n) / (1024 * 1024)
		if mb >= 10 || mb == float64(int64(mb)) {
			return fmt.Sprintf("%.0f MB", mb)
		}
		return fmt.Sprintf("%.1f MB", mb)
	}
}

func fileErr(msg string) error {
	return &ValidationError{Fields: []FieldError{{Field: "file", Message: msg}}}
}

// mayChangeAttachments loads a record for a command on its attachments
// and checks that the actor may change them now.
func (s *Records) mayChangeAttachments(ctx context.Context, actor *Staff, id string) (*RecordView, error) {
	v, err := s.load(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := s.checkFileOpen(ctx, v.Record.StaffID); err != nil { // a leaver's file is read-only
		return nil, err
	}
	if !partyOf(v) {
		return nil, Errorf(ErrForbidden, "Only the people who fill in or sign this record can change its attachments")
	}
	if msg := attachmentsFixed(v); msg != "" {
		return nil, Errorf(ErrConflict, "%s", msg)
	}
	return v, nil
}

// attachmentsFixed says why a record's attachments can no longer change,
// or "" while they can.
func attachmentsFixed(v *RecordView) string {
	switch {
	case v.Record.Status == StatusSigned || v.DocumentsPending:
		return "This record is signed: its attachments can no longer change"
	case v.Record.Status == StatusAwaitingSignatures && len(v.Signatures) > 0:
		return "Someone has signed this record, so its attachments can no longer change. Withdraw it to draft to change them"
	}
	return ""
}

// partyOf says whether the actor is a party to the record: they write a
// part of it or sign it.
func partyOf(v *RecordView) bool {
	if v.Access == nil {
		return false
	}
	if v.Access.Writes() {
		return true
	}
	for _, sg := range v.Form.Signers {
		if v.Access.Holds(sg.Role) {
			return true
		}
	}
	return false
}

// MayAttach checks, before an upload is read, that the actor may attach
// files to the record now: the same refusals as AddAttachment, without
// reading (or logging) anything else.
func (s *Records) MayAttach(ctx context.Context, actor *Staff, id string) error {
	_, err := s.mayChangeAttachments(ctx, actor, id)
	return err
}

// CanAttach says whether the actor may add and remove attachments now.
func (v *RecordView) CanAttach() bool {
	return partyOf(v) && attachmentsFixed(v) == ""
}

// AddAttachment scans, checks and stores an upload as an attachment of a
// record. A refused file is a *ValidationError on the field "file" (or
// "name", "description") saying why; nothing is written.
func (s *Records) AddAttachment(ctx context.Context, actor *Staff, id string, in NewAttachment) (*Attachment, error) {
	v, err := s.mayChangeAttachments(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if len(v.Attachments) >= s.attachMaxCount() {
		return nil, fileErr(fmt.Sprintf("A record can have at most %d attachments. Remove one before you attach another", s.attachMaxCount()))
	}
	var errs []FieldError
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	if in.Name == "" {
		in.Name = strings.TrimSpace(path.Base(strings.ReplaceAll(in.FileName, "\\", "/")))
		if !utf8.ValidString(in.Name) || printout.CheckText(in.Name, "", printout.OneLine, s.renderer.CanPrint) != "" || utf8.RuneCountInString(in.Name) > maxAttachmentName || in.Name == "." || in.Name == "/" {
			in.Name = ""
		}
	}
	switch {
	case in.Name == "" && len(in.Data) > 0:
		errs = append(errs, FieldError{Field: "name", Message: "Enter a name for the attachment"})
	case utf8.RuneCountInString(in.Name) > maxAttachmentName:
		errs = append(errs, FieldError{Field: "name", Message: fmt.Sprintf("Name must be %d characters or fewer", maxAttachmentName)})
	case in.Name != "":
		if msg := printout.CheckText(in.Name, "the name", printout.OneLine, s.renderer.CanPrint); msg != "" {
			errs = append(errs, FieldError{Field: "name", Message: msg})
		}
	}
	if n := utf8.RuneCountInString(in.Description); n > maxAttachmentDescription {
		errs = append(errs, FieldError{Field: "description", Message: fmt.Sprintf("Description must be %d characters or fewer", maxAttachmentDescription)})
	} else if msg := printout.CheckText(in.Description, "the description", printout.Lines, s.renderer.CanPrint); msg != "" {
		errs = append(errs, FieldError{Field: "description", Message: msg})
	}
	switch {
	case in.TooLarge || int64(len(in.Data)) > s.attachMaxBytes():
		errs = append(errs, FieldError{Field: "file", Message: "The selected file must be smaller than " + FormatSize(s.attachMaxBytes())})
	case len(in.Data) == 0 && in.FileName == "":
		errs = append(errs, FieldError{Field: "file", Message: "Select a file to attach"})
	case len(in.Data) == 0:
		errs = append(errs, FieldError{Field: "file", Message: "The selected file is empty"})
	}
	if len(errs) > 0 {
		return nil, &ValidationError{Fields: errs}
	}
	// Every upload is scanned, whatever its type, before anything else
	// looks inside it.
	if sc := s.cfg.Attachments.Scanner; sc != nil {
		found, err := sc.Scan(ctx, bytes.NewReader(in.Data))
		if err != nil {
			s.log.Warn("virus scan failed", "record", id, "err", err)
			return nil, fileErr("The selected file could not be checked for viruses just now, so it was not attached. Try again in a few minutes")
		}
		if found != "" {
			s.log.Warn("virus found in an upload", "record", id, "actor", actor.ID, "found", found)
			if err := s.logActor(ctx, actor, v.Access.Role(), ActVirusRefused, v.Record.StaffID, v.Record.ID, found); err != nil {
				return nil, err
			}
			return nil, fileErr("The selected file contains a virus (" + cleanText(found) + "), so it was not attached")
		}
	}
	ft, msg := DetectFileType(in.Data)
	if msg != "" {
		return nil, fileErr(msg)
	}
	now := s.now()
	a := &Attachment{
		ID: newID(), RecordID: v.Record.ID, Name: in.Name, Description: in.Description,
		ContentType: ft.ContentType, Size: int64(len(in.Data)), SHA256: sha(in.Data),
		UploadedBy: actor.ID, UploadedAt: now,
	}
	a.FileName = safeFileName(in.FileName, in.Name, ft.Ext)
	a.Key = RecordPrefix(v.Record.StaffID, v.Record.Series(), v.Record.Version) + "attachments/" + a.ID + "-" + a.FileName
	if err := s.blobs.Put(ctx, a.Key, in.Data, a.ContentType); err != nil {
		return nil, fmt.Errorf("write attachment: %w", err)
	}
	ev := Event{RecordID: v.Record.ID, At: now, ActorID: actor.ID, Action: "attached a file",
		Detail: fmt.Sprintf("%s (%s, %s, SHA-256 %s)", a.Name, ft.Label, FormatSize(a.Size), a.SHA256)}
	if err := s.store.AddAttachment(ctx, a, s.attachMaxCount(), ev); err != nil {
		s.dropBlob(ctx, a.Key)
		if errors.Is(err, ErrConflict) {
			var de *Error
			if errors.As(err, &de) {
				return nil, fileErr(de.Message)
			}
		}
		return nil, err
	}
	return a, nil
}

// dropBlob deletes an object nothing refers to, where the store allows; an
// object under Object Lock stays until its retention date.
func (s *Records) dropBlob(ctx context.Context, key string) {
	d, ok := s.blobs.(BlobDeleter)
	if !ok {
		return
	}
	if err := d.Delete(context.WithoutCancel(ctx), key); err != nil {
		s.log.Info("could not delete an attachment's object", "key", key, "err", err)
	}
}

// Attachments lists a record's attachments for someone who may read it.
// The read is logged.
func (s *Records) Attachments(ctx context.Context, actor *Staff, id string) (*RecordView, error) {
	v, err := s.load(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := s.logActor(ctx, actor, v.Access.Role(), ActViewRecord, v.Record.StaffID, v.Record.ID, "attachments"); err != nil {
		return nil, err
	}
	return v, nil
}

// OpenAttachment opens an attachment for someone who may read its record.
// The download is logged.
func (s *Records) OpenAttachment(ctx context.Context, actor *Staff, id, attachmentID string) (*DocumentFile, error) {
	v, err := s.load(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	var a *Attachment
	for _, x := range v.Attachments {
		if x.ID == attachmentID {
			a = x
		}
	}
	if a == nil {
		return nil, Errorf(ErrNotFound, "This record has no such attachment")
	}
	if err := s.logActor(ctx, actor, v.Access.Role(), ActDownloadAttachment, v.Record.StaffID, v.Record.ID, a.Key); err != nil {
		return nil, err
	}
	f := &DocumentFile{Name: a.FileName, ContentType: a.ContentType, Size: a.Size, SHA256: a.SHA256}
	if p, ok := s.blobs.(Presigner); ok && s.cfg.PresignTTL > 0 {
		u, err := p.PresignedGet(ctx, a.Key, s.cfg.PresignTTL, a.FileName)
		if err != nil {
			return nil, err
		}
		f.URL = u.String()
		return f, nil
	}
	body, err := s.blobs.Get(ctx, a.Key)
	if err != nil {
		return nil, err
	}
	f.Body = body
	return f, nil
}

// DeleteAttachment removes an attachment from a record that is not signed.
func (s *Records) DeleteAttachment(ctx context.Context, actor *Staff, id, attachmentID string) (*RecordView, error) {
	v, err := s.mayChangeAttachments(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	var a *Attachment
	kept := v.Attachments[:0:0]
	for _, x := range v.Attachments {
		if x.ID == attachmentID {
			a = x
		} else {
			kept = append(kept, x)
		}
	}
	if a == nil {
		return nil, Errorf(ErrNotFound, "This record has no such attachment")
	}
	ev := Event{RecordID: v.Record.ID, At: s.now(), ActorID: actor.ID, Action: "removed an attachment",
		Detail: fmt.Sprintf("%s (SHA-256 %s)", a.Name, a.SHA256)}
	if err := s.store.DeleteAttachment(ctx, v.Record.ID, a.ID, ev); err != nil {
		return nil, err
	}
	s.dropBlob(ctx, a.Key)
	v.Attachments = kept
	v.Events = append(v.Events, &ev)
	return v, nil
}

// CheckAttachmentFile checks the name record.json gives an attachment:
// attachments/<one segment>, so that it cannot point outside its record.
func CheckAttachmentFile(name string) error {
	rest, ok := strings.CutPrefix(name, "attachments/")
	if !ok || rest == "" || strings.ContainsAny(rest, "/\\\x00") || strings.HasPrefix(rest, ".") {
		return Errorf(ErrInvalid, "An attachment must be a file in attachments/")
	}
	return nil
}

// safeFileName makes a download name from the uploaded file's name (or the
// attachment's name), keeping letters, digits, dots, dashes and
// underscores, with the extension of the type found in the content.
func safeFileName(fileName, name, ext string) string {
	base := path.Base(strings.ReplaceAll(fileName, "\\", "/"))
	if i := strings.LastIndexByte(base, '.'); i >= 0 {
		base = base[:i]
	}
	clean := func(s string) string {
		var b strings.Builder
		dash := false
		for _, c := range s {
			ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
			if ok {
				b.WriteRune(c)
				dash = false
			} else if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
			if b.Len() >= 80 {
				break
			}
		}
		return strings.Trim(b.String(), "-")
	}
	out := clean(base)
	if out == "" {
		out = clean(name)
	}
	if out == "" {
		out = "attachment"
	}
	return out + "." + ext
}

// attachmentsSection is what the signed documents print about the
// attachments: each one's name, description, type, size and SHA-256.
func attachmentsOf(list []*Attachment, pr func(string) string) []printout.Attachment {
	var out []printout.Attachment
	for _, a := range list {
		out = append(out, printout.Attachment{Name: pr(a.Name), Description: a.Description, FileName: a.FileName,
			Type: FileTypeLabel(a.ContentType), Size: a.Size, SizeText: FormatSize(a.Size), SHA256: a.SHA256})
	}
	return out
}
