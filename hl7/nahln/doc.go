// Package nahln reports veterinary laboratory results to the USDA National
// Animal Health Laboratory Network (NAHLN).
//
// NAHLN receives results as HL7 v2.6 OPU^R25^OPU_R25 messages under the
// result profile NAHLNResultBaseV2.0 (MSH-21
// "NAHLNResultBaseV2.0^^2.16.840.1.113883.3.5.9^ISO"), encoded as v2.xml
// and sent by HTTP POST; the network answers with an XML ACK whose MSA-1 is
// AA when it took the report.
//
// The package has three parts:
//
//   - Report and Build: a typed description of one accession (premises and
//     other roles, owner, animal, specimens with SNOMED CT types, orders with
//     a LOINC test and a reason, results coded in SNOMED CT or numeric with
//     UCUM units) and the OPU^R25 message it becomes.
//   - Profile.Check: the NAHLN conformance rules (required fields, code
//     systems, OIDs under the NAHLN arc 2.16.840.1.113883.3.5.), returning
//     every problem at once with its HL7 location.
//   - Sender: the HTTP client. Authentication is configuration (user name
//     and password headers, a bearer token, a client certificate); the XML
//     ACK becomes a Result.
//
// # As NAHLN-O-MATIC fills it
//
// Where a Report says nothing, Build writes what NAHLN-O-MATIC, NAHLN's own
// reference sender, writes (Defaults; each can be overridden or omitted):
// PV1-2 "C", ROL-2 "UC", PID-5 "NA" for an unnamed animal, PID-30 "N",
// SPM-11 P^Patient^HL70369, and after each OBR an ORC with ORC-1 "SC",
// ORC-4 the placer group of Report.Program and ORC-5 "CM". The source for
// these values is vetlink issue 13, not NAHLN-O-MATIC's code or a NAHLN
// guide read from here. A report built with the defaults gets no problem
// from Profile.Check nor from hl7.Validate.
//
// OBR-31 (reason for study) is required only where the program requires
// it: Profile.Check finds the program by the placer group in ORC-4.1 and
// requires OBR-31 for AI, VND, ASF, CSF and FMD (the surveillance
// programs of Programs), not for DIAG nor for a message naming no known
// program. Which programs require it is this package's reading, not
// confirmed; Profile.Programs replaces the list.
//
// The Sender posts v2.xml whose document element declares no namespace,
// as NAHLN-O-MATIC builds it (NAHLN validates the schema on receipt), with
// Content-Type text/xml; Sender.Namespace and Sender.ContentType change
// both.
//
// # What was checked, and against what
//
// Checked on 2026-11-22 against the NAHLN HL7 message profile page
// published by Virginia Tech's NAHLN terminology service
// (https://vtsl.vetmed.vt.edu/nahln/message.cfm, "Organization: NAHLN,
// HL7 Version: 2.6"):
//
//   - MSH-9 is OPU^R25^OPU_R25 and MSH-12 is 2.6.
//   - MSH-21 (usage RE there) is entity identifier NAHLNResultBaseV2.0
//     ("or other current versions"; historically NAHLNOPU3.0), universal
//     ID 2.16.840.1.113883.3.5.9, universal ID type ISO.
//   - MSH-4 and MSH-6 are required with namespace ID, universal ID and
//     universal ID type; the page's example OIDs (2.16.840.1.113883.3.5.6.1)
//     lie under 2.16.840.1.113883.3.5.
//   - PV1-2 and PV1-19 (the accession) are required.
//
// Not confirmed: that 2.16.840.1.113883.3.5 is the arc NAHLN assigns to
// every laboratory and application (the page only shows examples under
// it, and the HL7 OID registry was not reachable from here), and whether
// NAHLN requires OIDs in MSH-3 and MSH-5 at all. ResultBase therefore
// checks this package's stricter reading (all four HD fields of the
// header under the arc); narrow Profile.OIDFields or change OIDPrefix if
// your NAHLN onboarding documents say otherwise. The v2.6 OPU_R25
// grammar used by Check is documented with its sources in package hl7.
//
// Values this package cannot know for certain — the OIDs and table names a
// given laboratory was assigned, role and reason codes a state program
// uses — are fields of Report and Profile with documented defaults, never
// hidden constants.
package nahln
