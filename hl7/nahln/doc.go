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
// Values this package cannot know for certain — the OIDs and table names a
// given laboratory was assigned, role and reason codes a state program
// uses — are fields of Report and Profile with documented defaults, never
// hidden constants.
package nahln
