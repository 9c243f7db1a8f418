// Package supervision is the domain of Supervision File: staff, supervisory
// relationships, records made from form definitions, their signatures and the
// finalising of a signed record into documents in the supervisee's file.
//
// The server package turns HTTP into calls on the parts of Service (see "How
// Service splits"); they call forms,
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
// # How Service splits
//
// Service is four parts by what they serve, built together by New over a
// shared core; a handler names the part it calls (svc.Records.Sign), so a
// reader finds any behaviour in one hop from cmd/supfile:
//
//   - People (auth.go, the staff half of service.go, EditStaff in
//     staffadmin.go): sign-in, sessions, passwords, adding and changing
//     staff, Names, email preferences; store: PeopleStore (staff,
//     sessions, AuthStore, MailStore).
//   - Records (records.go, finalize.go, pending.go, failures.go, seal.go,
//     living.go, InviteToRecord/RemoveFromRecord in arrange.go): start, save,
//     submit, sign, finalise, documents, verify, versions, withdrawal,
//     disagreements, attachments (attachments.go), the task list
//     (tasklist.go), email notices (notify.go), FinishDocuments and
//     SendNotice for the job queue; store: RecordStore; with the Renderer,
//     Sealer and Blobs.
//   - Files (File in records.go, frontpage.go, export.go, due.go,
//     auditevidence.go (the file's evidence beside a file audit), the reads
//     of accesslog.go, Tasks and FileDisagreements in living.go,
//     NamedRecords/AuditLinks in arrange.go): what is read across a file;
//     store: FileStore, read-only.
//   - Admin (the relationship half of service.go, handover.go, the cover and
//     audit half of arrange.go, reindex.go, purge.go, leavers in
//     staffadmin.go): supervisors, handover, cover, audits, reindex, purge;
//     store: AdminStore.
//
// The core (type core: service.go, access.go, the writing half of
// accesslog.go) is the clock, the organisation, the forms catalogue, the
// logger, who stands where to a file (FileAccess, RecordAccess, HasLeft,
// CurrentSupervisor, a group record's form in group.go), whether email is
// on (MailOn) and the access log; it reads the store through the
// small coreStore. Service itself answers only for the whole: Policy,
// Forms, OrgName, Location, Ping, Ready. Files reads three things from the
// other parts (names, a record's versions, whom the actor covers), and
// Records one (what is due, for the weekly digest), through fields set by
// New.
//
// Store is the union of the four area interfaces, which are made of the
// small ones beside the code that uses them (AccessStore, AccessLogStore,
// AuthStore, FailureStore, HandoverStore, LivingStore, VerifyStore) and
// StaffReader, RecordReader and RelationshipReader; each part holds only
// its own.
package supervision
