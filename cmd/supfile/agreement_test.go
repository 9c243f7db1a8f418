package main

// validAgreement is a complete supervision agreement that passes every rule,
// with one 20,000-character answer and Welsh letters. Every text answer is
// distinct, so the document checks can find each one.
func validAgreement(long string) map[string]any {
	return map[string]any{
		"supervisee_name":               "Siân Gwŷnedd-Jones",
		"supervisee_job_title":          "Social Worker",
		"supervisor_name":               "Ahmed Khan",
		"supervisor_job_title":          "Team Manager",
		"agreement_date":                "2026-11-20",
		"supervisee_aims":               long,
		"supervisor_aims":               "To hold the worker to account for casework and support reflective practice; ŵ ŷ ẁ ỳ.",
		"times_per_year":                13.0,
		"every_weeks":                   4.0,
		"session_hours":                 1.5,
		"location":                      "Meeting room 2, Tŷ Hywel, with the door closed.",
		"booking_arrangements":          "Booked twelve months ahead in both Outlook calendars.",
		"interruptions":                 "Phones on silent; only emergencies about a child's safety interrupt.",
		"recorded_by":                   "supervisor",
		"copy_to_supervisee":            "yes",
		"copy_within_days":              2.0,
		"case_recording":                "Case discussions are recorded on the child's file within two working days.",
		"content":                       []any{"casework", "caseload", "career", "care"},
		"cpd_time":                      "Protected CPD time is agreed at each session & logged <in the CPD record>.",
		"supervisor_responsibilities":   "Prepare, keep to time, record accurately and share the record.",
		"supervisee_responsibilities":   "Bring an agenda, prepare cases and reflect honestly.",
		"organisation_responsibilities": "Provide time, a private room and training for supervisors.",
		"equality_diversity_power":      "We will talk openly about power, identity and difference in the relationship.",
		"confidentiality":               "Supervision is confidential except where a child or adult is at risk of harm.",
		"feedback":                      "We review how supervision is working every third session.",
		"disagreements":                 "Disagreements are recorded and, if unresolved, taken to the service manager.",
		"review_arrangements":           "Reviewed at twelve months and whenever the supervisor changes.",
		"review_date":                   "2027-11-01",
	}
}
