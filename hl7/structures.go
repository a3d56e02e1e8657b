package hl7

import "strings"

// The message structures this package knows, in the bracket notation of
// ParseStructure, transcribed from the abstract message syntax tables of
// the HL7 v2 chapters (ACK: 2.13; ORM^O01: 4.4 of v2.3.1; ORU^R01: 7.3.1;
// OPU^R25: 7.3.10 of v2.6, checked as noted on opuR25V26).
var (
	ackV231 = MustParseStructure("ACK", "2.3.1", `MSH MSA [ERR]`)
	ackV25  = MustParseStructure("ACK", "2.5.1", `MSH [{SFT}] MSA [{ERR}]`)
	ackV26  = MustParseStructure("ACK", "2.6", `MSH [{SFT}] [UAC] MSA [{ERR}]`)

	ormO01V231 = MustParseStructure("ORM_O01", "2.3.1", `
		MSH [{NTE}]
		[PATIENT< PID [PD1] [{NTE}]
			[PATIENT_VISIT< PV1 [PV2] >]
			[{INSURANCE< IN1 [IN2] [IN3] >}]
			[GT1] [{AL1}] >]
		{ORDER< ORC
			[ORDER_DETAIL< (OBR|RQD|RQ1|RXO|ODS|ODT) [{NTE}] [{DG1}]
				[{OBSERVATION< OBX [{NTE}] >}] >]
			[{FT1}] [{CTI}] [BLG] >}`)

	oruR01V231 = MustParseStructure("ORU_R01", "2.3.1", `
		MSH
		{PATIENT_RESULT<
			[PATIENT< PID [PD1] [{NK1}] [{NTE}] [VISIT< PV1 [PV2] >] >]
			{ORDER_OBSERVATION< [ORC] OBR [{NTE}]
				{OBSERVATION< [OBX] [{NTE}] >}
				[{CTI}] >} >}
		[DSC]`)

	oruR01V251 = MustParseStructure("ORU_R01", "2.5.1", `
		MSH [{SFT}]
		{PATIENT_RESULT<
			[PATIENT< PID [PD1] [{NTE}] [{NK1}] [VISIT< PV1 [PV2] >] >]
			{ORDER_OBSERVATION< [ORC] OBR [{NTE}]
				[{TIMING_QTY< TQ1 [{TQ2}] >}]
				[CTD]
				[{OBSERVATION< OBX [{NTE}] >}]
				[{FT1}] [{CTI}]
				[{SPECIMEN< SPM [{OBX}] >}] >} >}
		[DSC]`)

	// OPU_R25 as in HL7 v2.6 section 7.3.10 (chapter 7, "Unsolicited
	// Population/Location-Based Laboratory Observation"). The standard's
	// text is not freely available; this grammar was checked on 2026-11-22
	// against three independent transcriptions of the v2.6 HL7 database:
	// HAPI (hapifhir/hapi-hl7v2, hapi-structures-v26 message/OPU_R25.java
	// and group/OPU_R25_*.java), Machete (HL7Schema.V26 OPU_R25Map) and a
	// Go struct set generated from Caristix's v2.6 definitions. All three
	// agree: after PV1/PV2 come a bare [{OBX}] [{NTE}] (the
	// PATIENT_VISIT_OBSERVATION group only appears in v2.7, with PRT) and
	// a required {ROL}; ACCESSION_DETAIL starts with a repeating {NK1}; the
	// specimen observations are SPECIMEN_OBSERVATION groups of OBX and
	// NTE; RESULT is OBX [{NTE}] with no ROL.
	opuR25V26 = MustParseStructure("OPU_R25", "2.6", `
		MSH [{SFT}] [UAC] [NTE]
		PV1 [PV2]
		[{OBX}] [{NTE}]
		{ROL}
		{ACCESSION_DETAIL< {NK1}
			[PATIENT< PID [PD1] [{PATIENT_OBSERVATION< OBX [{NTE}] >}] >]
			{SPECIMEN< SPM [{SPECIMEN_OBSERVATION< OBX [{NTE}] >}]
				[{CONTAINER< SAC [INV] >}]
				{ORDER< OBR [ORC] [{NTE}] [{ROL}]
					[{TIMING_QTY< TQ1 [{TQ2}] >}]
					{RESULT< OBX [{NTE}] >} >} >} >}`)
)

// LookupStructure returns the structure for a message structure name
// (MSH-9.3, for example "ORU_R01") and version (MSH-12). Versions map to
// the nearest structure this package knows: ORU_R01 2.3.1 serves 2.3.x
// and 2.4, 2.5.1 serves 2.5 to 2.6; ORM_O01 2.3.1 serves 2.3 to 2.5.1;
// OPU_R25 2.6 serves 2.6 and later.
func LookupStructure(name, version string) (*Structure, bool) {
	v25 := versionAtLeast(version, 2, 5, 0)
	switch strings.ToUpper(name) {
	case "ACK":
		switch {
		case versionAtLeast(version, 2, 6, 0):
			return ackV26, true
		case v25:
			return ackV25, true
		}
		return ackV231, true
	case "ORM_O01":
		return ormO01V231, true
	case "ORU_R01":
		if v25 {
			return oruR01V251, true
		}
		return oruR01V231, true
	case "OPU_R25":
		if versionAtLeast(version, 2, 6, 0) {
			return opuR25V26, true
		}
	}
	return nil, false
}

// StructureOf returns the structure for m's MSH-9 and MSH-12. When MSH-9.3
// is empty (allowed before v2.3.1) it is derived from MSH-9.1 and MSH-9.2
// ("ORU" and "R01" give "ORU_R01"; an ACK is "ACK" whatever its event).
func StructureOf(m *Message) (*Structure, bool) {
	h := m.Header()
	name := h.MessageStructure
	if name == "" {
		name = h.MessageType
		if h.MessageType != "ACK" && h.TriggerEvent != "" {
			name += "_" + h.TriggerEvent
		}
	}
	return LookupStructure(name, h.Version)
}
