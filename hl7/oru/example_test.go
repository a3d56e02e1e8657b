package oru_test

import (
	"fmt"
	"time"

	"github.com/vetlink/vetlink/hl7/oru"
)

func ExampleBuild() {
	m, err := oru.Build(oru.Report{
		ControlID:         "LAB-1",
		Time:              time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC),
		SendingFacility:   oru.HD{Name: "VETLAB"},
		ReceivingFacility: oru.HD{Name: "RIVERSIDE VET"},
		Patients: []oru.PatientResult{{
			Patient: oru.Patient{IDs: []oru.Identifier{{ID: "A-10442", Type: "PI"}}, Name: "Rex"},
			Orders: []oru.Order{{
				FillerID: "LAB-99120",
				Test:     oru.Code{Code: "GLU", Text: "Glucose", System: "L"},
				Observations: []oru.Observation{{
					Code:     oru.Code{Code: "2345-7", Text: "Glucose", System: "LN"},
					Numeric:  &oru.Quantity{Value: "412", Unit: oru.Code{Code: "mg/dL", System: "UCUM"}},
					Abnormal: "H",
				}},
			}},
		}},
	})
	if err != nil {
		panic(err)
	}
	for _, s := range m.Segments() {
		fmt.Println(string(s.Raw()))
	}
	// Output:
	// MSH|^~\&||VETLAB||RIVERSIDE VET|20261121093000+0000||ORU^R01^ORU_R01|LAB-1|P|2.5.1||||||UNICODE UTF-8
	// PID|1||A-10442^^^^PI||Rex
	// ORC|RE||LAB-99120
	// OBR|1||LAB-99120|GLU^Glucose^L|||||||||||||||||||||F
	// OBX|1|NM|2345-7^Glucose^LN||412|mg/dL^^UCUM||H|||F
}
