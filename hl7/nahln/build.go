package nahln

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/vetlink/vetlink/hl7"
)

// The receiver's identity. NAHLN assigns these during on-boarding; the
// values here are placeholders on the arc of the profile OID and are not
// confirmed: the NAHLN v2.6 message profile we checked (see the package
// documentation) shows only example facility OIDs such as
// 2.16.840.1.113883.3.5.6.1, and 2.16.840.1.113883.3.5.9 is the OID it gives
// for the profile (MSH-21), not for an application. A laboratory should set
// Report.ReceivingApplication and Report.ReceivingFacility to what it was
// given.
var (
	NAHLNApplication = HD{Name: "NAHLN", OID: "2.16.840.1.113883.3.5.9"}
	NAHLNFacility    = HD{Name: "USDA", OID: "2.16.840.1.113883.3.5"}
)

// ErrInvalid is wrapped by every *InvalidError.
var ErrInvalid = errors.New("nahln: invalid report")

// InvalidError names the report field that cannot be written and why.
type InvalidError struct {
	Field string // e.g. "Specimens[0].Orders[1].Results[2].Numeric.Value"
	Value string
	Rule  string
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("nahln: %s %q: %s", e.Field, e.Value, e.Rule)
}

// Unwrap returns ErrInvalid.
func (e *InvalidError) Unwrap() error { return ErrInvalid }

var decimal = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$`)

// Build writes r as an HL7 v2.6 OPU^R25^OPU_R25 message. It checks only
// what it needs to write the message (a control ID, one value per result,
// decimal numbers); Profile.Check tells whether the message meets the
// NAHLN profile.
//
// Segments follow the OPU_R25 structure: MSH, PV1 (PV1-19 accession),
// ROL for each role, NK1 (owner), PID (animal), then for each specimen SPM,
// and for each order OBR, ORC and its OBX results with their NTE notes.
// Where the report says nothing, Build writes r.Defaults: PV1-2 "C",
// ROL-2 "UC", PID-5 "NA" for an unnamed animal, PID-30 "N", SPM-11
// P^Patient^HL70369, and an ORC with ORC-1 "SC", ORC-4 the program's
// placer group and ORC-5 "CM", as NAHLN-O-MATIC writes them.
func Build(r Report) (*hl7.Message, error) {
	if r.ControlID == "" {
		return nil, &InvalidError{Field: "ControlID", Rule: "must not be empty"}
	}
	if r.Time.IsZero() {
		return nil, &InvalidError{Field: "Time", Rule: "must be set"}
	}
	b := hl7.NewBuilder(hl7.Delimiters{})
	msh := b.Segment("MSH")
	setHD(msh, 3, r.SendingApplication)
	setHD(msh, 4, r.SendingFacility)
	setHD(msh, 5, orHD(r.ReceivingApplication, NAHLNApplication))
	setHD(msh, 6, orHD(r.ReceivingFacility, NAHLNFacility))
	msh.SetField(7, dtm(r.Time))
	msh.SetField(9, "OPU", "R25", "OPU_R25")
	msh.SetField(10, r.ControlID)
	msh.SetField(11, or(r.ProcessingID, "P"))
	msh.SetField(12, "2.6")
	msh.SetField(15, "AL") // accept acknowledgment: always
	msh.SetField(16, "NE") // application acknowledgment: never (the HTTP answer is the ACK)
	msh.SetField(17, "USA")
	p := r.Profile
	if p.ID == "" {
		p = ResultBase
	}
	msh.SetField(21, p.ID, "", p.OID, "ISO")

	d := r.Defaults
	pv1 := b.Segment("PV1").SetField(1, "1").SetField(2, dflt(d.PatientClass, "C"))
	setCX(pv1, 19, 1, r.Accession)

	for i, role := range r.Roles {
		rol := b.Segment("ROL").SetField(1, strconv.Itoa(i+1)).SetField(2, dflt(d.RoleAction, "UC"))
		setCode(rol, 3, role.Code)
		id := or(role.Person.ID, role.PremisesID)
		family := or(role.Person.Family, role.Organization)
		rol.SetField(4, id, family, role.Person.Given)
		setAddress(rol, 11, role.Address)
		setPhone(rol, 12, role.Phone)
	}

	nk1 := b.Segment("NK1").SetField(1, "1")
	nk1.SetField(2, r.Owner.Person.Family, r.Owner.Person.Given)
	nk1.SetField(3, "OWN", "Owner", "HL70063")
	setAddress(nk1, 4, r.Owner.Address)
	setPhone(nk1, 5, r.Owner.Phone)
	if r.Owner.Organization != "" {
		nk1.SetField(13, r.Owner.Organization)
	}

	a := r.Animal
	pid := b.Segment("PID").SetField(1, "1")
	setCX(pid, 3, 1, a.ID)
	pid.SetField(5, dflt(a.Name, dflt(d.UnnamedAnimal, "NA")))
	if !a.BirthDate.IsZero() {
		pid.SetField(7, a.BirthDate.Format("20060102"))
	}
	pid.SetField(8, a.Sex)
	pid.SetField(30, dflt(d.DeathIndicator, "N"))
	setCode(pid, 35, a.Species)
	setCode(pid, 36, a.Breed)
	setCode(pid, 38, a.ProductionClass)

	for si, s := range r.Specimens {
		spm := b.Segment("SPM").SetField(1, strconv.Itoa(si+1))
		spm.SetField(2, s.ID)
		setCode(spm, 4, s.Type)
		switch role := d.SpecimenRole; {
		case role == (Code{}):
			spm.SetField(11, "P", "Patient", "HL70369")
		case role.Code != Omit:
			setCode(spm, 11, role)
		}
		setTime(spm, 17, s.Collected)
		setTime(spm, 18, s.Received)
		for oi, o := range s.Orders {
			obr := b.Segment("OBR").SetField(1, strconv.Itoa(oi+1))
			obr.SetField(2, o.PlacerID).SetField(3, o.FillerID)
			setCode(obr, 4, o.Test)
			setTime(obr, 7, o.Observed)
			obr.SetField(25, or(o.Status, "F"))
			setCode(obr, 31, o.Reason)
			if !d.OmitORC {
				orc := b.Segment("ORC").SetField(1, dflt(d.OrderControl, "SC"))
				orc.SetField(4, r.Program.PlacerGroup)
				orc.SetField(5, dflt(d.OrderStatus, "CM"))
			}
			for ri, res := range o.Results {
				field := fmt.Sprintf("Specimens[%d].Orders[%d].Results[%d]", si, oi, ri)
				obx := b.Segment("OBX").SetField(1, strconv.Itoa(ri+1))
				switch {
				case res.Coded != nil && res.Numeric != nil:
					return nil, &InvalidError{Field: field, Rule: "set Coded or Numeric, not both"}
				case res.Coded != nil:
					obx.SetField(2, "CWE")
					setCode(obx, 5, *res.Coded)
				case res.Numeric != nil:
					if !decimal.MatchString(res.Numeric.Value) {
						return nil, &InvalidError{Field: field + ".Numeric.Value", Value: res.Numeric.Value, Rule: "must be a decimal number"}
					}
					obx.SetField(2, "NM")
					obx.SetField(5, res.Numeric.Value)
					setCode(obx, 6, res.Numeric.Unit)
				default:
					return nil, &InvalidError{Field: field, Rule: "needs Coded or Numeric"}
				}
				setCode(obx, 3, res.Test)
				obx.SetField(7, res.ReferenceRange)
				obx.SetField(8, res.Abnormal)
				obx.SetField(11, or(res.Status, "F"))
				setTime(obx, 14, res.Observed)
				setCode(obx, 17, res.Method)
				for ni, n := range res.Notes {
					b.Segment("NTE").SetField(1, strconv.Itoa(ni+1)).SetField(3, n)
				}
			}
		}
	}
	return b.Build()
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func orHD(h, def HD) HD {
	if h == (HD{}) {
		return def
	}
	return h
}

// dtm formats t as an HL7 DTM with seconds and the UTC offset.
func dtm(t time.Time) string { return t.Format("20060102150405-0700") }

func setTime(s *hl7.SegmentBuilder, n int, t time.Time) {
	if !t.IsZero() {
		s.SetField(n, dtm(t))
	}
}

func setHD(s *hl7.SegmentBuilder, n int, h HD) {
	if h.OID != "" {
		s.SetField(n, h.Name, h.OID, "ISO")
	} else {
		s.SetField(n, h.Name)
	}
}

func setCode(s *hl7.SegmentBuilder, n int, c Code) {
	if c != (Code{}) {
		s.SetField(n, c.Code, c.Text, c.System)
	}
}

// setCX writes an identifier at component offset 1 of field n: ID, then
// the assigning authority as HD subcomponents in CX.4, the type in CX.5.
func setCX(s *hl7.SegmentBuilder, n, rep int, id Identifier) {
	if id == (Identifier{}) {
		return
	}
	path := strconv.Itoa(n) + "[" + strconv.Itoa(rep) + "]"
	s.Set(path+".1", id.ID)
	if id.Authority.Name != "" || id.Authority.OID != "" {
		s.Set(path+".4.1", id.Authority.Name)
		if id.Authority.OID != "" {
			s.Set(path+".4.2", id.Authority.OID)
			s.Set(path+".4.3", "ISO")
		}
	}
	s.Set(path+".5", id.Type)
}

func setAddress(s *hl7.SegmentBuilder, n int, a Address) {
	if a != (Address{}) {
		s.SetField(n, a.Street, "", a.City, a.State, a.Zip, a.Country)
	}
}

// setPhone writes a telephone number as XTN-1 with use code PRN
// (primary residence) and equipment type PH.
func setPhone(s *hl7.SegmentBuilder, n int, phone string) {
	if phone != "" {
		s.SetField(n, phone, "PRN", "PH")
	}
}
