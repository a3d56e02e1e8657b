package hl7_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/vetlink/vetlink/hl7"
)

const labResult = "MSH|^~\\&|IDEXX|VETLAB|VETLINK|RIVERSIDE|20261121093000||ORU^R01^ORU_R01|LAB42|P|2.5.1\r" +
	"PID|1||A-10442^^^RIVERSIDE^PI~840003123456789^^^USDA^AN||Bossie34\r" +
	"OBR|1|ORD-5531||CBC^Complete blood count^L\r" +
	"OBX|1|NM|HCT^Hematocrit^L||21|%|24-46|L|||F\r" +
	"OBX|2|FT|COM^Comment^L||Mild anemia\\.br\\Recheck in 2 weeks \\T\\ retest||||||F\r"

func ExampleParse() {
	m, err := hl7.Parse([]byte(labResult))
	if err != nil {
		fmt.Println(err)
		return
	}
	var ids []string
	for _, s := range m.Segments() {
		ids = append(ids, s.Name())
	}
	fmt.Println(strings.Join(ids, " "))
	fmt.Println(string(m.Bytes()) == labResult)
	// Output:
	// MSH PID OBR OBX OBX
	// true
}

func ExampleMessage_Get() {
	m, _ := hl7.Parse([]byte(labResult))
	for _, path := range []string{"MSH-1", "MSH-9.2", "PID-3[2].1", "PID-3[2].4", "OBX[1]-5", "OBX[1]-8", "OBX[2]-5"} {
		v, _ := m.Get(path)
		fmt.Printf("%-10s %q\n", path, v)
	}
	// Output:
	// MSH-1      "|"
	// MSH-9.2    "R01"
	// PID-3[2].1 "840003123456789"
	// PID-3[2].4 "USDA"
	// OBX[1]-5   "21"
	// OBX[1]-8   "L"
	// OBX[2]-5   "Mild anemia\nRecheck in 2 weeks & retest"
}

func ExampleNewACK() {
	m, _ := hl7.Parse([]byte(labResult))
	ack, err := hl7.NewACK(m, hl7.AE, hl7.ACKOptions{
		ControlID: "ACK1",
		Time:      time.Date(2026, 11, 21, 9, 30, 5, 0, time.UTC),
		Errors: []hl7.AckError{{
			Location: hl7.Location{Segment: "OBX", SegmentSeq: 1, Field: 5},
			Code:     hl7.CodeDataType,
			Text:     "value out of range",
		}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.ReplaceAll(ack.String(), "\r", "\n"))
	// Output:
	// MSH|^~\&|VETLINK|RIVERSIDE|IDEXX|VETLAB|20261121093005+0000||ACK^R01^ACK|ACK1|P|2.5.1
	// MSA|AE|LAB42
	// ERR||OBX^1^5|102^Data type error^HL70357|E||||value out of range
}

func ExampleBuilder() {
	b := hl7.NewBuilder(hl7.Delimiters{}) // the zero value means |^~\&
	b.Segment("MSH").Set("3", "VETLINK").Set("7", "20261121120000").
		SetField(9, "ORU", "R01", "ORU_R01").Set("10", "MSG1").Set("11", "P").Set("12", "2.5.1")
	b.Segment("PID").Set("1", "1").SetField(3, "A-1", "", "", "RIVERSIDE", "PI").SetField(5, "Bossie34")
	b.Segment("OBX").Set("1", "1").Set("2", "ST").SetField(3, "NOTE", "Note", "L").
		Set("5", "pH 6.5 | specific gravity 1.030")
	m, err := b.Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.ReplaceAll(m.String(), "\r", "\n"))
	// Output:
	// MSH|^~\&|VETLINK||||20261121120000||ORU^R01^ORU_R01|MSG1|P|2.5.1
	// PID|1||A-1^^^RIVERSIDE^PI||Bossie34
	// OBX|1|ST|NOTE^Note^L||pH 6.5 \F\ specific gravity 1.030
}

func ExampleReadHeader() {
	h, err := hl7.ReadHeader([]byte(labResult))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(h.SendingApplication.NamespaceID, h.MessageType, h.TriggerEvent, h.ControlID, h.Version)
	// Output: IDEXX ORU R01 LAB42 2.5.1
}

func ExampleProfile_Validate() {
	m, _ := hl7.Parse([]byte(labResult))
	p := &hl7.Profile{
		Name:    "clinic-results",
		Version: "2.5.1",
		Rules: []hl7.Rule{
			{Path: "OBX-3.3", Values: []string{"LN"}, Msg: "results must be LOINC coded"},
		},
	}
	for _, problem := range p.Validate(m) {
		fmt.Println(problem)
	}
	// Output:
	// hl7: OBX-3.3 (byte 219): Table value not found: "L" is not one of LN (results must be LOINC coded)
	// hl7: OBX[2]-3.3 (byte 260): Table value not found: "L" is not one of LN (results must be LOINC coded)
}

func ExampleMatch_Get() {
	m, _ := hl7.Parse([]byte(labResult))
	s, _ := hl7.StructureOf(m)
	mt, problems := s.Match(m)
	fmt.Println(len(problems))
	v, _ := mt.Get("PATIENT_RESULT/ORDER_OBSERVATION/OBSERVATION[2]/OBX-3.2")
	fmt.Println(v)
	fmt.Println(mt.Path(4))
	// Output:
	// 0
	// Comment
	// PATIENT_RESULT[1]/ORDER_OBSERVATION[1]/OBSERVATION[2]/OBX[1]
}

func ExampleReader() {
	stream := "BHS|^~\\&|LAB\r" +
		"MSH|^~\\&|LAB||||20261121||ORU^R01|M1|P|2.5.1\rPID|1||P1\r" +
		"MSH|^~\\&|LAB||||20261121||ORU^R01|M2|P|2.5.1\rPID|1||P2\r" +
		"BTS|2\r"
	r := hl7.NewReader(strings.NewReader(stream), hl7.ReaderOptions{})
	for m, err := range r.All() {
		if err != nil {
			fmt.Println(err)
			return
		}
		id, _ := m.Get("MSH-10")
		pid, _ := m.Get("PID-3")
		fmt.Println(id, pid)
	}
	// Output:
	// M1 P1
	// M2 P2
}

// Read every subcomponent of a segment in one pass, with its position.
func ExampleSegment_Leaves() {
	m, err := hl7.Parse([]byte("MSH|^~\\&|LAB\rOBX|1|NM|718-7^Hemoglobin^LN||13.2|g/dL^^UCUM~x&y\r"))
	if err != nil {
		panic(err)
	}
	obx, _ := m.FindSegment("OBX", 1)
	for p, v := range obx.Leaves() {
		if v.IsEmpty() {
			continue
		}
		fmt.Printf("OBX-%d.%d.%d.%d %s\n", p.Field, p.Rep, p.Component, p.Sub, v)
	}
	// Output:
	// OBX-1.1.1.1 1
	// OBX-2.1.1.1 NM
	// OBX-3.1.1.1 718-7
	// OBX-3.1.2.1 Hemoglobin
	// OBX-3.1.3.1 LN
	// OBX-5.1.1.1 13.2
	// OBX-6.1.1.1 g/dL
	// OBX-6.1.3.1 UCUM
	// OBX-6.2.1.1 x
	// OBX-6.2.1.2 y
}
