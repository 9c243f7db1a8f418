package supervision

import "github.com/supervisionfile/supfile/forms"

// Party says which side of the supervisory relationship a form's signer role
// stands on: the worker whose file it is, or the person supervising them.
func Party(role string) string {
	switch role {
	case "supervisee", "observee", "worker":
		return "supervisee"
	default:
		return "supervisor"
	}
}

// OwnsSection says whether a party ("supervisee" or "supervisor") writes a
// section. A section with no owner belongs to the record's author, who is
// on the supervisor's side.
func OwnsSection(owner, party string) bool {
	if owner == "" {
		return party == "supervisor"
	}
	return Party(owner) == party
}

// Writes says whether a party writes any section of a form: who may start
// and edit a record of it. Nobody writes a generated form (the file
// handover): the service fills it in.
func Writes(def *forms.Definition, party string) bool {
	if def.Generated {
		return false
	}
	for _, sec := range def.Sections {
		if OwnsSection(sec.Owner, party) {
			return true
		}
	}
	return false
}

// Submits says whether a party sends a record of the form for signatures:
// the author's side, the supervisor, unless the form is the supervisee's
// alone (their details, their self-assessment).
func Submits(def *forms.Definition, party string) bool {
	if Writes(def, "supervisor") {
		return party == "supervisor"
	}
	return party == "supervisee"
}

// KeepOthers returns data with every answer in a section the party does not
// write replaced by the stored one: a party cannot change another's part,
// and the page need not post it.
func KeepOthers(def *forms.Definition, party string, data, stored map[string]any) map[string]any {
	return keepUnwritten(def, func(owner string) bool { return OwnsSection(owner, party) }, data, stored)
}

// KeepOthers is KeepOthers for what the actor writes on this record.
func (ra *RecordAccess) KeepOthers(data, stored map[string]any) map[string]any {
	out := keepUnwritten(ra.Form, ra.WritesSection, data, stored)
	if IsGroup(ra.Form) && ra.File.Actor != nil && ra.Holds(PartyAttendee) {
		// Each attendee writes their own row of the learning, and only it.
		// The stored rows are the ones the page showed: one per attendee
		// named, even before anyone has saved the table (else the first
		// attendee's learning would be dropped).
		shown := map[string]any{learningTable: stored[learningTable]}
		syncLearning(shown, ra.Parties)
		if rows := keepOwnLearning(ra.File.Actor.ID, data, shown); rows != nil {
			out[learningTable] = rows
		} else {
			delete(out, learningTable)
		}
	}
	return out
}

func keepUnwritten(def *forms.Definition, writes func(owner string) bool, data, stored map[string]any) map[string]any {
	out := make(map[string]any, len(data))
	for k, v := range data {
		out[k] = v
	}
	for _, sec := range def.Sections {
		if writes(sec.Owner) {
			continue
		}
		for _, f := range sec.Fields {
			if v, ok := stored[f.ID]; ok {
				out[f.ID] = v
			} else {
				delete(out, f.ID)
			}
		}
	}
	return out
}
