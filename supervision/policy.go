package supervision

// MinTimesPerYear is the least supervision a year each role category should
// have, from the seed policies' frequencies after any first weeks in post
// (000, 002, 003, 004): weekly for students, fortnightly for newly qualified
// and probation staff in their first months, four-weekly for case holders and
// managers, six-weekly acceptable in residential settings, twelve-weekly for
// staff who are not front line. An agreement below it needs a recorded reason
// and a senior manager's approval (004 §7).
var MinTimesPerYear = map[RoleCategory]int{
	RoleStudent:         52,
	RoleASYE:            26,
	RoleProbation:       26,
	RoleSocialWorker:    13,
	RoleFamilySupport:   13,
	RoleTeamManager:     13,
	RoleSeniorManager:   13,
	RoleResidential:     8,
	RoleBusinessSupport: 4,
}

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
