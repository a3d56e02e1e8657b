package oru

import "time"

// Report is one ORU^R01 message.
type Report struct {
	ControlID string    // MSH-10
	Time      time.Time // MSH-7
	// SendingApplication ... ReceivingFacility are MSH-3 to MSH-6.
	SendingApplication, SendingFacility     HD
	ReceivingApplication, ReceivingFacility HD
	// ProcessingID is MSH-11; "" means "P".
	ProcessingID string
	// Patients are the PATIENT_RESULT groups, usually one.
	Patients []PatientResult
}

// HD is a hierarchic designator: a name and, when the partner uses one, an
// ISO OID.
type HD struct {
	Name, OID string
}

// Code is a coded value: code, display text and coding system (HL7 table
// 0396: "LN", "SCT", "UCUM", "L" for local codes).
type Code struct {
	Code, Text, System string
}

// Identifier is an identifier with its assigning authority and type (CX).
type Identifier struct {
	ID, Authority, Type string
}

// Person is a person's identifier and name (XCN).
type Person struct {
	ID, Family, Given string
}

// PatientResult is one animal and the orders reported for it.
type PatientResult struct {
	Patient Patient
	// Owner, when set, is written as an NK1 (relationship OWN).
	Owner *Person
	// Visit, when set, is written as PV1.
	Visit  *Visit
	Orders []Order
}

// Patient is the animal (PID).
type Patient struct {
	IDs       []Identifier // PID-3, the practice's patient ID first
	Name      string       // PID-5
	Sex       string       // PID-8, HL7 table 0001
	BirthDate time.Time    // PID-7, date only
	Species   Code         // PID-35
	Breed     Code         // PID-36
}

// Visit is the PV1 segment.
type Visit struct {
	// Class is PV1-2, HL7 table 0004; "" means "O" (outpatient).
	Class string
	// Attending is PV1-7, the veterinarian.
	Attending Person
	// Number is PV1-19, e.g. the lab's accession or the practice's visit.
	Number string
}

// Order is an ORDER_OBSERVATION group: ORC, OBR, and the observations.
type Order struct {
	PlacerID, FillerID string    // ORC-2/OBR-2, ORC-3/OBR-3
	Test               Code      // OBR-4
	Collected          time.Time // OBR-7
	Received           time.Time // OBR-14
	Ordering           Person    // OBR-16
	Reported           time.Time // OBR-22
	// Status is OBR-25, HL7 table 0123; "" means "F" (final).
	Status       string
	Notes        []string // NTE after OBR
	Observations []Observation
}

// Observation is one OBX with its notes. Exactly one of Coded, Numeric,
// Text and Document is set.
type Observation struct {
	Code     Code
	Coded    *Code
	Numeric  *Quantity
	Text     string
	Document *Document
	// ReferenceRange is OBX-7, e.g. "4.0-12.0".
	ReferenceRange string
	// Abnormal is OBX-8, HL7 table 0078 ("N", "H", "L", "A", ...).
	Abnormal string
	// Status is OBX-11, HL7 table 0085; "" means "F".
	Status   string
	Observed time.Time // OBX-14
	Notes    []string  // NTE after the OBX
}

// Quantity is a numeric result: the decimal as reported and its unit.
type Quantity struct {
	Value string
	Unit  Code // OBX-6, preferably UCUM
}

// Document is an encapsulated document (OBX-2 ED): a PDF report, an image.
type Document struct {
	// Type and Subtype are ED-2 and ED-3 (HL7 tables 0191 and 0291), e.g.
	// "AP" and "PDF".
	Type, Subtype string
	Data          []byte // written Base64-encoded
}
