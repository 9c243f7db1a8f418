package supervision

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/supervisionfile/supfile/supervision/printout"
)

// FileSection is one section of a supervisee's file, as the file checklist
// in seed 002 Appendix A lays it out, with the records filed in it.
type FileSection struct {
	Title   string
	Entries []*FileEntry // newest first
}

// fileSections is the structure of 002 Appendix A ("Supervision File
// Checklist/Structure"). A form not named here (a council's own, say) is
// filed under "Any other business", the checklist's last section.
type fileSection struct {
	title string
	forms []string
}

var fileSections = []fileSection{
	{"Worker's details", []string{"workers-details"}},
	{"1. Supervision dates and forward planner", []string{"forward-planner"}},
	{"2. Supervision agreement", []string{"supervision-agreement"}},
	{"3. Supervision records", []string{"supervision-record", "reflective-discussion", "case-supervision", "family-placement-supervision", "group-supervision"}},
	{"4. Practice observation", []string{"practice-observation"}},
	{"5. Feedback", []string{"self-assessment", "file-audit"}},
	{"6. Any other business", nil},
}

// checklistRank orders the forms one may start as the file's checklist
// does, except that the agreement comes first: it is what a supervision
// starts with. Forms the checklist does not name come last.
func checklistRank(formID string) int {
	if formID == "supervision-agreement" {
		return 0
	}
	n := 1
	for _, fs := range fileSections {
		for _, id := range fs.forms {
			if id == formID {
				return n
			}
			n++
		}
	}
	return n
}

// Sections groups a file's records into the file's sections, in the
// checklist's order; every section is there, empty or not.
func (fv *FileView) Sections() []FileSection {
	out := make([]FileSection, len(fileSections))
	for i, fs := range fileSections {
		out[i].Title = fs.title
	}
	for _, e := range fv.Records {
		i := slices.IndexFunc(fileSections, func(fs fileSection) bool {
			return slices.Contains(fs.forms, e.Record.FormID)
		})
		if i < 0 {
			i = len(fileSections) - 1
		}
		out[i].Entries = append(out[i].Entries, e)
	}
	return out
}

// FrontPage builds the file's front page (002 Appendix A): each section
// of the file with every signed record in it, the date it was added and who
// signed it. It is generated from what the file holds, never typed.
func (s *Files) FrontPage(ctx context.Context, actor *Staff, staffID string) (printout.Document, error) {
	fv, err := s.file(ctx, actor, staffID)
	if err != nil {
		return printout.Document{}, err
	}
	if err := s.logActor(ctx, actor, fv.Access.Role(), ActDownloadFrontPage, staffID, "", ""); err != nil {
		return printout.Document{}, err
	}
	names, err := s.people.Names(ctx)
	if err != nil {
		return printout.Document{}, err
	}
	now := s.now().In(s.cfg.Location)
	// A name kept from before names were checked at input prints with "?"
	// for what the fonts lack, rather than make the front page fail.
	pr := func(t string) string { return printout.Printable(t, s.renderer.CanPrint) }
	d := printout.Document{
		OrgName:      s.cfg.OrgName,
		Title:        "Supervision file: front page",
		Subtitle:     fmt.Sprintf("%s (%s)", pr(fv.Staff.Name), pr(fv.Staff.JobTitle)),
		Reference:    fmt.Sprintf("File of %s, generated %s", pr(fv.Staff.Name), now.Format("2 January 2006 at 15:04")),
		Confidential: true,
		Listing:      true,
	}
	if fv.Supervisor != nil {
		d.Subtitle += fmt.Sprintf(", supervised by %s (%s)", pr(fv.Supervisor.Name), pr(fv.Supervisor.JobTitle))
	}
	for _, sec := range fv.Sections() {
		rs := printout.Section{Title: sec.Title}
		var rows [][]string
		for _, e := range sec.Entries {
			if e.Record.Status != StatusSigned || e.Record.SignedAt == nil {
				continue // not in the file until everyone has signed
			}
			var signers []string
			for _, sg := range e.Signatures {
				n := names[sg.SignerID]
				if n == "" {
					n = sg.Name
				}
				signers = append(signers, pr(n))
			}
			rows = append(rows, []string{
				e.Form.Title, fmt.Sprintf("%d", e.Record.Version), strings.Join(signers, ", "),
				e.Record.SignedAt.In(s.cfg.Location).Format("2 January 2006"),
			})
		}
		if len(rows) == 0 {
			rs.Fields = []printout.Field{{Label: "Contents", Value: "Nothing has been added to this section yet."}}
		} else {
			rs.Fields = []printout.Field{{Label: "Contents", Table: &printout.Table{
				Columns: []string{"Item", "Version", "Signed by", "Date added to file"}, Rows: rows}}}
		}
		d.Sections = append(d.Sections, rs)
	}
	return d, nil
}

// FrontPagePDF renders the file's front page as a PDF.
func (s *Files) FrontPagePDF(ctx context.Context, actor *Staff, staffID string) ([]byte, error) {
	d, err := s.FrontPage(ctx, actor, staffID)
	if err != nil {
		return nil, err
	}
	var pdf []byte
	err = guard("making the front page", func() (err error) { pdf, err = s.renderer.PDF(ctx, d); return })
	return pdf, err
}
