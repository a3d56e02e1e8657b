package v2xml_test

import (
	"fmt"

	"github.com/vetlink/vetlink/hl7"
	"github.com/vetlink/vetlink/hl7/v2xml"
)

func ExampleMarshal() {
	m, err := hl7.Parse([]byte("MSH|^~\\&|NAHLN|USDA|LIMS|VDL|20261121||ACK^R25^ACK|A1|P|2.6\rMSA|AA|VDL-7\r"))
	if err != nil {
		panic(err)
	}
	x, err := v2xml.EncodeOptions{Indent: "  "}.Marshal(m)
	if err != nil {
		panic(err)
	}
	fmt.Print(string(x))
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <ACK xmlns="urn:hl7-org:v2xml">
	//   <MSH>
	//     <MSH.1>|</MSH.1>
	//     <MSH.2>^~\&amp;</MSH.2>
	//     <MSH.3><HD.1>NAHLN</HD.1></MSH.3>
	//     <MSH.4><HD.1>USDA</HD.1></MSH.4>
	//     <MSH.5><HD.1>LIMS</HD.1></MSH.5>
	//     <MSH.6><HD.1>VDL</HD.1></MSH.6>
	//     <MSH.7><TS.1>20261121</TS.1></MSH.7>
	//     <MSH.9><MSG.1>ACK</MSG.1><MSG.2>R25</MSG.2><MSG.3>ACK</MSG.3></MSH.9>
	//     <MSH.10>A1</MSH.10>
	//     <MSH.11><PT.1>P</PT.1></MSH.11>
	//     <MSH.12><VID.1>2.6</VID.1></MSH.12>
	//   </MSH>
	//   <MSA>
	//     <MSA.1>AA</MSA.1>
	//     <MSA.2>VDL-7</MSA.2>
	//   </MSA>
	// </ACK>
}

func ExampleUnmarshal() {
	doc := `<ACK xmlns="urn:hl7-org:v2xml">
  <MSH><MSH.1>|</MSH.1><MSH.2>^~\&amp;</MSH.2><MSH.9><MSG.1>ACK</MSG.1></MSH.9><MSH.12><VID.1>2.6</VID.1></MSH.12></MSH>
  <MSA><MSA.1>AE</MSA.1><MSA.2>VDL-7</MSA.2><MSA.3>species A|B<escape V=".br"/>unknown</MSA.3></MSA>
</ACK>`
	m, err := v2xml.Unmarshal([]byte(doc))
	if err != nil {
		panic(err)
	}
	code, _ := m.Get("MSA-1")
	text, _ := m.Get("MSA-3")
	fmt.Printf("%s %q\n%q\n", code, text, m.String())
	// Output:
	// AE "species A|B\nunknown"
	// "MSH|^~\\&|||||||ACK|||2.6\rMSA|AE|VDL-7|species A\\F\\B\\.br\\unknown\r"
}
