// Package supervision is the domain of Supervision File: staff, supervisory
// relationships, records made from form definitions, their signatures and the
// finalising of a signed record into documents in the supervisee's file.
//
// The server package turns HTTP into calls on Service; Service calls forms,
// render and storage through the small interfaces declared here, so a test can
// swap any of them.
package supervision
