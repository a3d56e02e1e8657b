package nahln_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/vetlink/vetlink/hl7"
	"github.com/vetlink/vetlink/hl7/nahln"
	"github.com/vetlink/vetlink/hl7/v2xml"
)

func ExampleBuild() {
	m, err := nahln.Build(nahln.Report{
		ControlID:          "VDL-1",
		Time:               time.Date(2026, 11, 21, 14, 30, 0, 0, time.UTC),
		SendingApplication: nahln.HD{Name: "LIMS", OID: "2.16.840.1.113883.3.5.7.40.1"},
		SendingFacility:    nahln.HD{Name: "VDL", OID: "2.16.840.1.113883.3.5.7.40"},
		Accession:          nahln.Identifier{ID: "A-77"},
		Roles: []nahln.Role{{
			Code:         nahln.Code{Code: "PREM", Text: "Premises", System: "L"},
			Organization: "Hillside Dairy",
		}},
		Owner: nahln.Party{Person: nahln.Person{Family: "Jensen", Given: "Karl"}},
		Animal: nahln.Animal{
			ID:      nahln.Identifier{ID: "840003123456789"},
			Species: nahln.Code{Code: "9913008", Text: "Bos taurus", System: nahln.SNOMEDCT},
		},
		Specimens: []nahln.Specimen{{
			ID:   "S1",
			Type: nahln.Code{Code: "119297000", Text: "Blood specimen", System: nahln.SNOMEDCT},
			Orders: []nahln.Order{{
				Test:   nahln.Code{Code: "5196-1", Text: "Brucella Ab", System: nahln.LOINC},
				Reason: nahln.Code{Code: "SURV", System: "L"},
				Results: []nahln.Result{{
					Test:  nahln.Code{Code: "5196-1", Text: "Brucella Ab", System: nahln.LOINC},
					Coded: &nahln.Code{Code: "260385009", Text: "Negative", System: nahln.SNOMEDCT},
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
	fmt.Println(len(nahln.ResultBase.Check(m)), "problems")
	// Output:
	// MSH|^~\&|LIMS^2.16.840.1.113883.3.5.7.40.1^ISO|VDL^2.16.840.1.113883.3.5.7.40^ISO|NAHLN^2.16.840.1.113883.3.5.9^ISO|USDA^2.16.840.1.113883.3.5^ISO|20261121143000+0000||OPU^R25^OPU_R25|VDL-1|P|2.6|||AL|NE|USA||||NAHLNResultBaseV2.0^^2.16.840.1.113883.3.5.9^ISO
	// PV1|1|C|||||||||||||||||A-77
	// ROL|1|UC|PREM^Premises^L|^Hillside Dairy
	// NK1|1|Jensen^Karl|OWN^Owner^HL70063
	// PID|1||840003123456789||NA|||||||||||||||||||||||||N|||||9913008^Bos taurus^SCT
	// SPM|1|S1||119297000^Blood specimen^SCT|||||||P^Patient^HL70369
	// OBR|1|||5196-1^Brucella Ab^LN|||||||||||||||||||||F||||||SURV^^L
	// ORC|SC||||CM
	// OBX|1|CWE|5196-1^Brucella Ab^LN||260385009^Negative^SCT||||||F
	// 0 problems
}

func ExampleProfile_Check() {
	m, _ := hl7.Parse([]byte("MSH|^~\\&|LIMS^1.2.3^ISO|VDL^2.16.840.1.113883.3.5.7.40^ISO|NAHLN^2.16.840.1.113883.3.5.9^ISO|USDA^2.16.840.1.113883.3.5^ISO|20261121||OPU^R25^OPU_R25|1|P|2.6|||||||||NAHLNResultBaseV2.0^^2.16.840.1.113883.3.5.9^ISO\r" +
		"PV1|1|N\rNK1|1|Jensen|OWN\rPID|1||840003123456789||Daisy||||||||||||||||||||||||||||||BOV^^L\rSPM|1|S1||119297000^^SCT\r" +
		"OBR|1|||5196-1^^LN\rORC|SC|||AI|CM\rOBX|1|NM|5196-1^^LN||positive||||||F\r"))
	for _, p := range nahln.ResultBase.Check(m) {
		fmt.Println(p.Location, int(p.Code), p.Msg)
	}
	// Output:
	// MSH-3.2 103 OID 1.2.3 is not under 2.16.840.1.113883.3.5.
	// ROL 100 required segment ROL missing in OPU_R25
	// PV1-19.1 101 required by the NAHLN profile
	// PID-35.3 103 coding system is "L", must be SCT
	// OBR-31.1 101 required by the NAHLN profile
	// OBX-5 102 NM value must be a decimal number
	// OBX-6.1 101 a UCUM code is required
}

func ExampleSender_Send() {
	// A stand-in for the NAHLN receiver: it answers AA to what it gets.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		m, err := v2xml.Unmarshal(body)
		if err != nil || r.Header.Get("Authorization") != "Bearer t0ken" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		ack, _ := hl7.NewACK(m, hl7.AA, hl7.ACKOptions{ControlID: "ACK-1"})
		x, _ := v2xml.Marshal(ack)
		_, _ = w.Write(x)
	}))
	defer srv.Close()

	m, err := nahln.Build(sampleReport())
	if err != nil {
		panic(err)
	}
	s := &nahln.Sender{URL: srv.URL, Auth: nahln.Auth{BearerToken: "t0ken"}}
	ack, err := s.Send(context.Background(), m)
	if err != nil {
		panic(err) // unknown whether NAHLN took it: send again later
	}
	fmt.Println(ack.Accepted(), ack.Code, ack.ControlID)
	// Output:
	// true AA WVDL-20261121-0007
}
