package nahln

// Omit, given as a value of Defaults, leaves the field empty instead of
// writing the default.
const Omit = "-"

// Defaults are the values Build writes where a Report says nothing. The
// zero value writes them as NAHLN-O-MATIC, NAHLN's own reference sender,
// fills OPU^R25. Source for every default below: vetlink issue 13 ("NAHLN
// as NAHLN fills it"), which lists the values NAHLN-O-MATIC writes; they
// were not checked against NAHLN-O-MATIC's code or a NAHLN guide from
// here. Set a field to override it, or to Omit to leave it empty.
type Defaults struct {
	// PatientClass is PV1-2 (HL7 table 0004); "" means "C", as
	// NAHLN-O-MATIC writes it (issue 13).
	PatientClass string
	// RoleAction is ROL-2 (HL7 table 0287) of every ROL; "" means "UC"
	// (unchanged), as NAHLN-O-MATIC writes it (issue 13).
	RoleAction string
	// UnnamedAnimal is PID-5 for an animal without a name; "" means "NA",
	// as NAHLN-O-MATIC writes it (issue 13). PID-5 is required by HL7, so
	// hl7.Validate and Profile.Check report a message without it.
	UnnamedAnimal string
	// DeathIndicator is PID-30 (HL7 table 0136); "" means "N", as
	// NAHLN-O-MATIC writes it (issue 13).
	DeathIndicator string
	// SpecimenRole is SPM-11 (HL7 table 0369); the zero value means
	// P^Patient^HL70369, as NAHLN-O-MATIC writes it (issue 13). A Code
	// whose Code is Omit leaves SPM-11 empty.
	SpecimenRole Code
	// OrderControl is ORC-1 (HL7 table 0119) of the ORC written after each
	// OBR; "" means "SC", as NAHLN-O-MATIC writes it (issue 13).
	OrderControl string
	// OrderStatus is ORC-5 (HL7 table 0038); "" means "CM", as
	// NAHLN-O-MATIC writes it (issue 13).
	OrderStatus string
	// OmitORC leaves the ORC out (OPU_R25 allows it: ORDER is OBR [ORC]).
	// By default one ORC follows each OBR, with ORC-4 the placer group of
	// Report.Program, as NAHLN-O-MATIC writes it (issue 13).
	OmitORC bool
}

// Program is a NAHLN program a report is made for. Its placer group is
// written in ORC-4 of every order, which is how Profile.Check tells the
// program of a message.
type Program struct {
	// Name is the program's short name.
	Name string
	// PlacerGroup is ORC-4.1, the program's placer group number.
	PlacerGroup string
	// ReasonRequired says whether the program requires OBR-31, the reason
	// for study, in every OBR. Profile.Check requires OBR-31 only for a
	// message whose ORC-4 names a program with ReasonRequired.
	ReasonRequired bool
}

// Programs are the NAHLN programs this package knows; Profile.Programs
// defaults to them. Their placer groups are the programs' short names,
// which is this package's choice, not a value confirmed against NAHLN:
// set Report.Program (and Profile.Programs) to what your NAHLN onboarding
// gives.
//
// OBR-31 (reason for study) is required by the surveillance programs —
// AI, VND, ASF, CSF and FMD — where it tells surveillance testing from a
// diagnostic submission, and not by DIAG, general diagnostic reporting.
// That the requirement depends on the program is stated in issue 13; which
// program requires it is this package's reading and not confirmed.
var Programs = []Program{
	{Name: "AI", PlacerGroup: "AI", ReasonRequired: true},   // avian influenza surveillance
	{Name: "VND", PlacerGroup: "VND", ReasonRequired: true}, // virulent Newcastle disease surveillance
	{Name: "ASF", PlacerGroup: "ASF", ReasonRequired: true}, // African swine fever surveillance
	{Name: "CSF", PlacerGroup: "CSF", ReasonRequired: true}, // classical swine fever surveillance
	{Name: "FMD", PlacerGroup: "FMD", ReasonRequired: true}, // foot-and-mouth disease surveillance
	{Name: "DIAG", PlacerGroup: "DIAG"},                     // general diagnostic reporting
}

// dflt returns v, or def when v is empty, or "" when v is Omit.
func dflt(v, def string) string {
	switch v {
	case "":
		return def
	case Omit:
		return ""
	}
	return v
}
