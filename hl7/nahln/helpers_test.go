package nahln_test

import (
	"time"

	"github.com/vetlink/vetlink/hl7/nahln"
)

// sampleReport is one accession of a state veterinary diagnostic
// laboratory: a dairy cow's nasal swab tested by PCR and a blood sample
// tested for Brucella antibodies.
func sampleReport() nahln.Report {
	cst := time.FixedZone("CST", -6*3600)
	return nahln.Report{
		ControlID:          "WVDL-20261121-0007",
		Time:               time.Date(2026, 11, 21, 14, 30, 0, 0, cst),
		SendingApplication: nahln.HD{Name: "VETLINK", OID: "2.16.840.1.113883.3.5.7.40.1"},
		SendingFacility:    nahln.HD{Name: "WVDL", OID: "2.16.840.1.113883.3.5.7.40"},
		Accession:          nahln.Identifier{ID: "2026-WVDL-4410", Authority: nahln.HD{Name: "WVDL"}, Type: "ACSN"},
		Roles: []nahln.Role{
			{Code: nahln.Code{Code: "PREM", Text: "Premises", System: "L"}, PremisesID: "00K7PQR", Organization: "Hillside Dairy LLC",
				Address: nahln.Address{Street: "1 Farm Rd", City: "Dairyville", State: "WI", Zip: "53001", Country: "USA"}},
			{Code: nahln.Code{Code: "SUB", Text: "Submitter", System: "L"}, Person: nahln.Person{ID: "VET042", Family: "Herriot", Given: "James"}, Phone: "608-555-0142"},
		},
		Owner: nahln.Party{Person: nahln.Person{Family: "Jensen", Given: "Karl"}, Phone: "608-555-0111",
			Address: nahln.Address{Street: "1 Farm Rd", City: "Dairyville", State: "WI", Zip: "53001", Country: "USA"}},
		Animal: nahln.Animal{
			ID:              nahln.Identifier{ID: "840003123456789", Authority: nahln.HD{Name: "USDA", OID: "2.16.840.1.113883.3.5.6"}, Type: "AIN"},
			Name:            "Bossie34",
			Sex:             "F",
			BirthDate:       time.Date(2022, 3, 15, 0, 0, 0, 0, time.UTC),
			Species:         nahln.Code{Code: "9913008", Text: "Bos taurus", System: nahln.SNOMEDCT},
			ProductionClass: nahln.Code{Code: "DA", Text: "Dairy", System: "HL70429"},
		},
		Specimens: []nahln.Specimen{{
			ID:        "SPEC-4410-1",
			Type:      nahln.Code{Code: "258500001", Text: "Nasopharyngeal swab", System: nahln.SNOMEDCT},
			Collected: time.Date(2026, 11, 19, 9, 0, 0, 0, cst),
			Received:  time.Date(2026, 11, 20, 8, 15, 0, 0, cst),
			Orders: []nahln.Order{{
				PlacerID: "ORD-4410", FillerID: "FIL-4410",
				Test:   nahln.Code{Code: "94531-1", Text: "SARS-CoV-2 RNA panel", System: nahln.LOINC},
				Reason: nahln.Code{Code: "SURV", Text: "Active surveillance", System: "L"},
				Results: []nahln.Result{{
					Test:     nahln.Code{Code: "94500-6", Text: "SARS-CoV-2 RNA", System: nahln.LOINC},
					Coded:    &nahln.Code{Code: "260385009", Text: "Negative", System: nahln.SNOMEDCT},
					Abnormal: "N",
					Observed: time.Date(2026, 11, 20, 16, 0, 0, 0, cst),
					Method:   nahln.Code{Code: "PCR", Text: "Real-time PCR", System: "L"},
					Notes:    []string{"All controls within limits"},
				}, {
					Test:           nahln.Code{Code: "94309-2", Text: "SARS-CoV-2 Ct", System: nahln.LOINC},
					Numeric:        &nahln.Quantity{Value: "38.2", Unit: nahln.Code{Code: "{Ct}", Text: "cycle threshold", System: nahln.UCUM}},
					ReferenceRange: "<40",
					Abnormal:       "N",
				}},
			}},
		}, {
			ID:   "SPEC-4410-2",
			Type: nahln.Code{Code: "119297000", Text: "Blood specimen", System: nahln.SNOMEDCT},
			Orders: []nahln.Order{{
				PlacerID: "ORD-4411",
				Test:     nahln.Code{Code: "5196-1", Text: "Brucella Ab", System: nahln.LOINC},
				Reason:   nahln.Code{Code: "SURV", Text: "Active surveillance", System: "L"},
				Results: []nahln.Result{{
					Test:     nahln.Code{Code: "5196-1", Text: "Brucella Ab", System: nahln.LOINC},
					Coded:    &nahln.Code{Code: "10828004", Text: "Positive", System: nahln.SNOMEDCT},
					Abnormal: "A",
				}},
			}},
		}},
	}
}
