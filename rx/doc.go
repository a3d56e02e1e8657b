// Package rx turns a veterinary protocol into work on a farm: the
// veterinarian–client–patient relationship (VCPR) between users, the
// prescriptions a veterinarian writes to a client, the cases a farm enrolls
// under them, the dose and promise tasks of each case, and the meat and milk
// withholds that follow. Its types round-trip the VCPR JSON (User,
// Prescription, Case, CaseHx, DoseTask, PTask, PData, Withhold); the
// protocol itself, and all dosing and withdrawal arithmetic, come from
// package protocol.
//
// # Parties
//
// A [User] has a [UserType]: SAOR (administrator), VOR (veterinarian), MOR
// (farm manager), TOR (farm technician), FARM and CLINIC (accounts that
// aggregate others), the pending types, and REMOVED. A [Relation] joins two
// users: CLIENT (MOR client of a VOR), EMPLOYEE (TOR employed by an MOR),
// MEMBER (VOR of a CLINIC, MOR of a FARM). An [Actor] is the acting user with
// their relations; every authorization decision is a pure function of it —
// [MayPrescribe], [MayRead], [MayReadFarm], [MayEnroll], [MayExecute],
// [MayRecall], [MayDecline], [MayRequestRenewal], [MayApprove],
// [MayRelate], [MayReadUser], [MayRecordEvent] — which the [Service]
// calls and an HTTP layer may call too. A veterinarian prescribes only to a
// CLIENT; a TOR acts only for the MOR employing them.
//
// # Prescriptions
//
// [Service.Prescribe] stores a snapshot of a validated protocol under a
// random 16-character ID ([NewID]). Only its metadata may change afterwards.
// Its [Status] moves by the transitions [CheckTransition] allows; RECALLED
// (by the veterinarian) and DECLINED (by the client) are final, and turn
// every task still to do into RECALLED.
//
// Drugs whose extra-label use in food animals federal law prohibits
// (21 CFR 530.41, protocol.Classify against [Service.Labels]) are refused
// at prescribing with [ErrProhibited]; a prohibition that depends on the
// animal — phenylbutazone in female dairy cattle 20 months of age or older —
// is resolved for each animal at enrollment and refuses that case. A
// product the drug dictionary cannot identify is refused for food animals
// with [ErrUnidentified] until the prescription records the veterinarian's
// confirmation of its active ingredient ([Prescription.Confirmations]).
//
// The refill rule: a prescription allows [Prescription.Fills] = 1 + Refills
// cases; each enrolled case, of one animal or a group, uses one fill.
// Expiry and exhaustion are not statuses but facts checked at enrollment
// ([Prescription.Usable]). When either is near, the client asks for a
// renewal ([Service.RequestRenewal]): a new REQUESTED prescription that
// the veterinarian approves ([Service.Approve]).
//
// # Cases, tasks and withholds
//
// [Service.Enroll] checks the actor, the prescription, the protocol's case
// definition and the animal's eligibility, plans the case with
// protocol.Plan, and writes the case, its DoseTasks and PTasks and its
// [Withhold] in one transaction, using one fill. An enrollment carrying an
// idempotency key is safe to retry: the same key returns the same case. An
// animal already in an open case of the prescription is refused unless the
// request starts a new course, and a group case lists its animals, each
// checked for eligibility on its own. [Service.Execute] records a
// task done (who, when, promise data) and recomputes the withhold from the
// doses actually given, refusing a dose recorded out of order with the
// doses of its treatment already given; [Service.Skip] records one not done;
// [Service.RecordEvent] records a calving, which resolves releases that
// count from it (a dry-cow product's milk term). A task's status
// is REQUIRED, EXECUTED, CANCELLED or RECALLED as stored, and DUE or OVERDUE
// as derived from the clock when read ([Task.StatusAt]).
//
// A farm's morning: [Service.Today] (tasks to do today, overdue included),
// [Service.Withholds] (animals under withhold now or later), [Service.Clear]
// ("may cow 34 go to slaughter, or her milk into the tank, at T — if not,
// until when and why"), [Service.HerdClearance] (the same for every animal
// of the farm, in one query), [Service.CaseHx] and [Service.Records] with
// [WriteCSV] for the treatment records of 21 CFR 530.5.
//
// # The protocol library and the directory
//
// A [Library] keeps the protocols veterinarians write before they prescribe
// them (owned by a VOR, shared with other VORs or with all, deprecated
// rather than deleted) and the reference data protocols are built from:
// tags, diagnoses, eligibilities, promises, the cited label claims that
// classification checks against, and Green Book drugs. Its rules are pure
// too ([MayReadProtocol], [MayWriteProtocol], [MayShareProtocol],
// [MayCurate]); [Library.Seed] loads the reference data a new server needs.
// The directory calls of [Service] (Users, UpdateUser, SignUp,
// ConfirmEmail, ConfirmVOR) keep the accounts behind the VCPR user API.
//
// # Storage and transactions
//
// rx declares the [Store] and [LibraryStore] it needs and imports no SQL; package store
// implements it on SQLite and PostgreSQL, and rxtest holds its conformance
// suite. Every Service write is one transaction; bad input returns an
// [*Error] wrapping a sentinel ([ErrInvalid], [ErrNotFound],
// [ErrForbidden], [ErrConflict], [ErrExpired], [ErrUsedUp], [ErrRecalled],
// [ErrDeclined], [ErrNotActive]) and changes nothing. To publish a webhook
// with a change, run the Service call inside the store's InTx together
// with the outbox write (see [Service]).
package rx
