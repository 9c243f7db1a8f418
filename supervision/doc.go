// Package supervision is the domain of Supervision File: staff, supervisory
// relationships, records made from form definitions, their signatures and the
// finalising of a signed record into documents in the supervisee's file.
//
// The server package turns HTTP into calls on Service; Service calls forms,
// storage, the renderer and the sealer through the small interfaces declared
// here (Store, Blobs, Renderer, Sealer), so a test can swap any of them. The
// adapters point inward: storage, render and seal import this package (render
// through its document model, package printout); this package imports none of
// them, and cmd/supfile wires them together.
//
// # A record's path
//
// Reads never make documents: Record (and every page or API read) only loads
// the record (and notes the read in the access log); it never renders, seals
// or writes anything to the file. The
// commands StartRecord, SaveDraft/SaveDraftPost, Submit and Sign each load the
// record once (load), check what the actor may do, write, and return the
// RecordView the page shows, updated in memory rather than read again. The
// last signature finalises in Sign (finalize: render, seal, write the objects,
// then the row). If that fails, the record is "signed, documents pending" and
// the one other way to finish it is a finish job: Sign hands the record to the
// durable queue (Jobs, implemented on River by package jobs), whose worker,
// on any instance, calls FinishDocuments, retried with capped back-off (a
// second, doubling, at most a minute; after a crash in the renderer or the
// sealer, the failure's own back-off of 30 seconds doubling to an hour). A
// periodic sweep queues any pending record the queue does not hold.
//
// # How Service would split
//
// Service has grown to some thirty exported methods. It is meant to split
// along what it serves, each part with its own slice of Store, so that a
// reader finds any behaviour in one hop from cmd/supfile:
//
//   - People and sign-in (auth.go, the staff half of service.go): Login,
//     Authenticate, Logout, SetPassword, CreateStaff, EnsureAdmin, ListStaff,
//     StaffMember, Names; store: staff and sessions.
//   - Records (records.go, finalize.go, pending.go, seal.go): StartRecord,
//     Record, SaveDraft, SaveDraftPost, Submit, Sign, OpenDocument, Verify,
//     FinishDocuments, PendingDocuments, FinalizePending; store: records, signatures,
//     events, documents; with the Renderer, Sealer and Blobs.
//   - The file (records.go File, frontpage.go, export.go): File, FrontPage,
//     FrontPagePDF, Export; store: record listings, read-only.
//   - Administration (the relationship half of service.go, reindex.go):
//     SetSupervisor, CurrentSupervisor, Supervisees, SupervisorHistory,
//     Reindex; store: relationships, ImportRecord.
//
// Each part would be its own type (People, Records, File, Admin) sharing a
// small core (clock, organisation, forms catalogue, logger, the access rule
// of who stands where to a file), built together by one constructor, and
// Store would become PeopleStore, RecordStore, FileStore and AdminStore
// embedded in Store for the implementations. The split waits until the
// parallel work on access, sign-in and the access log has landed, since it
// moves every method they touch.
package supervision
