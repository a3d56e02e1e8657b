package nahln

import "time"

// Report is one accession to report: the submission a laboratory received
// (PV1-19), who was involved, the owner, the animal, and the specimens
// with their orders and results. Build turns it into an OPU^R25 message.
type Report struct {
	// ControlID is MSH-10, unique per message sent; the ACK echoes it.
	ControlID string
	// Time is MSH-7, when the message was created.
	Time time.Time
	// SendingApplication and SendingFacility are MSH-3 and MSH-4: the
	// laboratory's system and the laboratory, each with its OID.
	SendingApplication, SendingFacility HD
	// ReceivingApplication and ReceivingFacility are MSH-5 and MSH-6; the
	// zero values mean NAHLNApplication and NAHLNFacility.
	ReceivingApplication, ReceivingFacility HD
	// ProcessingID is MSH-11: "P" production (the default), "T" training,
	// "D" debugging.
	ProcessingID string
	// Profile is MSH-21; the zero value means ResultBase.
	Profile Profile

	// Accession is PV1-19, the laboratory's accession (case) number.
	Accession Identifier
	// Roles are the accession-level ROL segments: the premises the
	// animals came from, the submitter, the veterinarian. The v2.6
	// OPU_R25 structure requires at least one ({ROL} after PV1);
	// Profile.Check reports a message without.
	Roles []Role
	// Owner is the NK1 segment (relationship OWN, HL7 table 0063).
	Owner Party
	// Animal is the PID segment.
	Animal Animal
	// Specimens are the SPM segments, each with its orders and results.
	Specimens []Specimen

	// Program is the NAHLN program the report is for; its placer group
	// is ORC-4 of every order. The zero value writes no ORC-4 and makes
	// OBR-31 optional for Profile.Check.
	Program Program
	// Defaults are the values written where the report says nothing; the
	// zero value writes them as NAHLN-O-MATIC does.
	Defaults Defaults
}

// HD is a hierarchic designator: a name and its ISO OID.
type HD struct {
	Name string // HD.1 namespace ID
	OID  string // HD.2 universal ID; HD.3 is then "ISO"
}

// Code is a coded value (CWE): the code, its display text and the coding
// system, named as in HL7 table 0396 ("SCT" SNOMED CT, "LN" LOINC, "UCUM",
// "HL70078", or a local "L" / "99xxx" system).
type Code struct {
	Code, Text, System string
}

// Coding systems of HL7 table 0396 used by NAHLN messages.
const (
	SNOMEDCT = "SCT"
	LOINC    = "LN"
	UCUM     = "UCUM"
)

// Identifier is an identifier with the authority that assigned it (CX).
type Identifier struct {
	ID        string
	Authority HD     // CX.4
	Type      string // CX.5 identifier type code, e.g. "ACSN" for an accession
}

// Address is a postal address (XAD).
type Address struct {
	Street, City, State, Zip, Country string
}

// Person is a person's name with an optional identifier (XCN or XPN).
type Person struct {
	ID, Family, Given string
}

// Role is one ROL segment at the accession level.
type Role struct {
	// Code is ROL-3, the role. NAHLN's role value set is not reproduced
	// here; use the codes of the messaging guide your laboratory follows
	// (for example a premises or a submitter role).
	Code Code
	// Person is ROL-4; for a premises or an organization leave Family and
	// Given empty and set Organization.
	Person Person
	// Organization is written in ROL-4 as the family name when the role
	// is played by an organization (a farm, a clinic).
	Organization string
	// PremisesID is a premises identifier (for example a USDA national
	// premises ID), written in ROL-4.1 when Person.ID is empty.
	PremisesID string
	Address    Address // ROL-11
	Phone      string  // ROL-12, as dialled
}

// Party is the owner (NK1).
type Party struct {
	Person       Person // NK1-2
	Organization string // NK1-13, when the owner is a business
	Address      Address
	Phone        string
}

// Animal is the patient (PID).
type Animal struct {
	// ID is PID-3: an official animal identifier (an 840 RFID tag, a
	// herd tag) with the authority that issued it.
	ID Identifier
	// Name is PID-5; when empty, Defaults.UnnamedAnimal ("NA") is written.
	Name string
	// Sex is PID-8, HL7 table 0001: "F", "M", "U" (unknown), "O", "A", "N".
	Sex       string
	BirthDate time.Time // PID-7, date only; zero when unknown
	// Species is PID-35, a SNOMED CT organism code.
	Species Code
	// Breed is PID-36.
	Breed Code
	// ProductionClass is PID-38, HL7 table 0429 (e.g. "DA" dairy, "MT"
	// meat, "BR" breeding).
	ProductionClass Code
}

// Specimen is one SPM segment and the orders run on it.
type Specimen struct {
	ID        string    // SPM-2, the specimen ID
	Type      Code      // SPM-4, a SNOMED CT specimen type
	Collected time.Time // SPM-17
	Received  time.Time // SPM-18
	Orders    []Order
}

// Order is one OBR segment (a test run on a specimen) and its results.
type Order struct {
	PlacerID, FillerID string // OBR-2, OBR-3
	Test               Code   // OBR-4, a LOINC test or panel
	// Reason is OBR-31, why the test was done (surveillance program,
	// diagnostic, ...). The value set belongs to the NAHLN program the
	// report is for.
	Reason   Code
	Observed time.Time // OBR-7
	// Status is OBR-25, HL7 table 0123; "" means "F" (final).
	Status  string
	Results []Result
}

// Result is one OBX segment. Exactly one of Coded and Numeric is set.
type Result struct {
	Test    Code      // OBX-3, a LOINC observation
	Coded   *Code     // OBX-5 as CWE: a SNOMED CT finding ("Negative", "Detected")
	Numeric *Quantity // OBX-5 as NM with its unit in OBX-6
	// ReferenceRange is OBX-7, e.g. "<40" or "4.0-12.0".
	ReferenceRange string
	// Abnormal is OBX-8, HL7 table 0078: "N", "A", "H", "L", "POS", "NEG".
	Abnormal string
	// Status is OBX-11, HL7 table 0085; "" means "F" (final).
	Status   string
	Observed time.Time // OBX-14
	Method   Code      // OBX-17, the observation method
	Notes    []string  // NTE segments after the result
}

// Quantity is a numeric result with its unit. Value is the decimal as
// reported ("38.2", "-1", "0.005"): a result keeps the precision the
// instrument gave, so it is never a float.
type Quantity struct {
	Value string
	Unit  Code // a UCUM unit, e.g. {Code: "mg/dL", System: UCUM}
}
