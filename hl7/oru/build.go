package oru

import (
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/vetlink/vetlink/hl7"
)

// ErrInvalid is wrapped by every *InvalidError.
var ErrInvalid = errors.New("oru: invalid report")

// InvalidError names the report field that cannot be written and why.
type InvalidError struct {
	Field string // e.g. "Patients[0].Orders[1].Observations[2]"
	Value string
	Rule  string
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("oru: %s %q: %s", e.Field, e.Value, e.Rule)
}

// Unwrap returns ErrInvalid.
func (e *InvalidError) Unwrap() error { return ErrInvalid }

var decimal = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$`)

// Build writes r as an HL7 v2.5.1 ORU^R01^ORU_R01 message.
func Build(r Report) (*hl7.Message, error) {
	if r.ControlID == "" {
		return nil, &InvalidError{Field: "ControlID", Rule: "must not be empty"}
	}
	if r.Time.IsZero() {
		return nil, &InvalidError{Field: "Time", Rule: "must be set"}
	}
	if len(r.Patients) == 0 {
		return nil, &InvalidError{Field: "Patients", Rule: "must hold at least one patient"}
	}
	b := hl7.NewBuilder(hl7.Delimiters{})
	msh := b.Segment("MSH")
	setHD(msh, 3, r.SendingApplication)
	setHD(msh, 4, r.SendingFacility)
	setHD(msh, 5, r.ReceivingApplication)
	setHD(msh, 6, r.ReceivingFacility)
	msh.SetField(7, dtm(r.Time))
	msh.SetField(9, "ORU", "R01", "ORU_R01")
	msh.SetField(10, r.ControlID)
	msh.SetField(11, or(r.ProcessingID, "P"))
	msh.SetField(12, "2.5.1")
	msh.SetField(18, "UNICODE UTF-8")

	for pi, pr := range r.Patients {
		p := pr.Patient
		pid := b.Segment("PID").SetField(1, strconv.Itoa(pi+1))
		for _, id := range p.IDs {
			pid.AddRepetition(3, id.ID, "", "", id.Authority, id.Type)
		}
		if p.Name != "" {
			pid.SetField(5, p.Name)
		}
		if !p.BirthDate.IsZero() {
			pid.SetField(7, p.BirthDate.Format("20060102"))
		}
		pid.SetField(8, p.Sex)
		setCode(pid, 35, p.Species)
		setCode(pid, 36, p.Breed)
		if pr.Owner != nil {
			b.Segment("NK1").SetField(1, "1").SetField(2, pr.Owner.Family, pr.Owner.Given).SetField(3, "OWN", "Owner", "HL70063")
		}
		if v := pr.Visit; v != nil {
			pv1 := b.Segment("PV1").SetField(1, "1").SetField(2, or(v.Class, "O"))
			setPerson(pv1, 7, v.Attending)
			pv1.SetField(19, v.Number)
		}
		for oi, o := range pr.Orders {
			b.Segment("ORC").SetField(1, "RE").SetField(2, o.PlacerID).SetField(3, o.FillerID)
			obr := b.Segment("OBR").SetField(1, strconv.Itoa(oi+1))
			obr.SetField(2, o.PlacerID).SetField(3, o.FillerID)
			setCode(obr, 4, o.Test)
			setTime(obr, 7, o.Collected)
			setTime(obr, 14, o.Received)
			setPerson(obr, 16, o.Ordering)
			setTime(obr, 22, o.Reported)
			obr.SetField(25, or(o.Status, "F"))
			notes(b, o.Notes)
			for xi, x := range o.Observations {
				field := fmt.Sprintf("Patients[%d].Orders[%d].Observations[%d]", pi, oi, xi)
				obx := b.Segment("OBX").SetField(1, strconv.Itoa(xi+1))
				if err := setValue(obx, x, field); err != nil {
					return nil, err
				}
				setCode(obx, 3, x.Code)
				obx.SetField(7, x.ReferenceRange)
				obx.SetField(8, x.Abnormal)
				obx.SetField(11, or(x.Status, "F"))
				setTime(obx, 14, x.Observed)
				notes(b, x.Notes)
			}
		}
	}
	return b.Build()
}

// setValue writes OBX-2, OBX-5 and OBX-6 from the one value x holds.
func setValue(obx *hl7.SegmentBuilder, x Observation, field string) error {
	n := 0
	for _, set := range []bool{x.Coded != nil, x.Numeric != nil, x.Text != "", x.Document != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return &InvalidError{Field: field, Value: strconv.Itoa(n) + " values", Rule: "set exactly one of Coded, Numeric, Text and Document"}
	}
	switch {
	case x.Coded != nil:
		obx.SetField(2, "CWE")
		setCode(obx, 5, *x.Coded)
	case x.Numeric != nil:
		if !decimal.MatchString(x.Numeric.Value) {
			return &InvalidError{Field: field + ".Numeric.Value", Value: x.Numeric.Value, Rule: "must be a decimal number"}
		}
		obx.SetField(2, "NM")
		obx.SetField(5, x.Numeric.Value)
		setCode(obx, 6, x.Numeric.Unit)
	case x.Text != "":
		obx.SetField(2, "ST")
		obx.SetField(5, x.Text)
	default:
		d := x.Document
		if d.Type == "" || d.Subtype == "" {
			return &InvalidError{Field: field + ".Document", Rule: "Type and Subtype are required"}
		}
		obx.SetField(2, "ED")
		obx.SetField(5, "", d.Type, d.Subtype, "Base64", base64.StdEncoding.EncodeToString(d.Data))
	}
	return nil
}

func notes(b *hl7.Builder, ns []string) {
	for i, n := range ns {
		b.Segment("NTE").SetField(1, strconv.Itoa(i+1)).SetField(3, n)
	}
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func dtm(t time.Time) string { return t.Format("20060102150405-0700") }

func setTime(s *hl7.SegmentBuilder, n int, t time.Time) {
	if !t.IsZero() {
		s.SetField(n, dtm(t))
	}
}

func setHD(s *hl7.SegmentBuilder, n int, h HD) {
	if h.OID != "" {
		s.SetField(n, h.Name, h.OID, "ISO")
	} else if h.Name != "" {
		s.SetField(n, h.Name)
	}
}

func setCode(s *hl7.SegmentBuilder, n int, c Code) {
	if c != (Code{}) {
		s.SetField(n, c.Code, c.Text, c.System)
	}
}

func setPerson(s *hl7.SegmentBuilder, n int, p Person) {
	if p != (Person{}) {
		s.SetField(n, p.ID, p.Family, p.Given)
	}
}
