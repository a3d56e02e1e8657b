// Package protocol computes veterinary treatment protocols for food
// animals: how much of a drug an animal gets, when, and when its meat and
// milk may be sold again. It imports only the standard library, so any Go
// program can embed it.
//
// Wrong answers here put drug residues into food, so the package is exact
// where it counts and loud about bad input:
//
//   - Quantities ([Quantity], [Number]) are exact rationals with their unit;
//     2.2 mg/kg × 600 kg at 50 mg/ml is exactly 26.4 ml and 1 lb is exactly
//     0.45359237 kg. Rounding happens only when asked for display
//     ([Number.Round], [Quantity.Format]), with the mode named.
//   - Durations ([Duration]) are ISO-8601 PnDTnHnMnS, parsed exactly; years
//     and months are rejected because their length depends on the
//     calendar.
//   - Every failure caused by input is a [*FieldError] naming the field and
//     the rule, classified by a sentinel ([ErrInvalid], [ErrMissingInput],
//     [ErrOutOfRange], …); validations return all of them as [Problems].
//
// # Wire types
//
// [Protocol], [Treatment], [LabelClaim], [Promise], [Tag] and the
// polymorphic [SizeFunction], [SequenceFunction], [CaseData] and [Remedy]
// round-trip the JSON of the VCPR Protocol Editor API, "_type"
// discriminators included. Documents vetlink writes re-encode byte for
// byte; foreign documents re-encode to an equal document (same members and
// exact values; JSON null and an absent member are the same), and members
// this package does not model are kept in Protocol.Extra and
// Treatment.Extra.
//
// # Planning a case
//
// [Plan] turns a protocol, an initiation time and the case's data
// ([CaseInput]: weight, chosen dose or dose count, animal class, product
// concentrations) into a [CasePlan]: every dose with its size, volume and
// injection sites, every promise task, and the withholds that follow if
// the doses are given on time. [DoseSize] and [Offsets] evaluate single
// functions.
//
// # Withdrawal
//
// [Withdrawal] computes meat and milk release times from the
// administrations actually given. A period counts from the last
// administration of a product; across products the latest release wins,
// and the [Release] names the administration that determines it. Terms can
// count from an event such as [Calving]; until it is recorded the release
// is open. [WithholdOptions] adds a farm's conservative local-calendar-day
// rule and releases milk at the first milking after the end.
//
// # Validation, eligibility and AMDUCA
//
// [Validate] checks a protocol for prescribing and [CheckEligibility] checks
// an animal against it; [DoseText] validates a structured dosage and
// renders its "_dose" text. [Classify] compares each treatment with its
// label claim and the prohibitions of 21 CFR 530.41 and 530.11
// ([Prohibitions], kept as data with citations), returning findings with
// citations and remedies; [AmducaTags] records the result as tags, like the
// VCPR amducatags operation, and [CheckProhibitedUse] resolves age- and
// sex-dependent entries for one animal ([ForAnimal] resolves the whole
// classification). The extended withdrawal helpers
// [EstimateByHalfLife] and [CascadeMinimum] return an [Estimate] that a
// veterinarian must sign off.
//
// # Identifiers
//
// [NDC] is a National Drug Code in its 10-digit configurations and the
// 11-digit billing form (ambiguous padding is reported, not guessed);
// [AppNumber] is an FDA application number (NADA, ANADA, CNADA);
// [ParseSpecies] normalises FDA classes and [ParseRoute] routes.
package protocol
