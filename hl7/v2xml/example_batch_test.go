package v2xml_test

import (
	"fmt"
	"strings"

	"github.com/vetlink/vetlink/hl7/v2xml"
)

func ExampleMarshalBatch() {
	er7 := "BHS|^~\\&|LAB|VETLAB\r" +
		"MSH|^~\\&|LAB|VETLAB|PMS|CLINIC|20261121140000||ACK^R01^ACK|B1|P|2.5.1\rMSA|AA|M1\r" +
		"BTS|1\r"
	x, err := v2xml.EncodeOptions{Indent: " "}.MarshalBatch([]byte(er7))
	if err != nil {
		panic(err)
	}
	for _, line := range strings.Split(string(x), "\n") {
		if !strings.HasPrefix(line, "  ") {
			fmt.Println(line) // the wrapper and its children, not their insides
		}
	}
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <BATCH xmlns="urn:hl7-org:v2xml">
	//  <BHS>
	//  </BHS>
	//  <ACK>
	//  </ACK>
	//  <BTS>
	//  </BTS>
	// </BATCH>
	//
}

func ExampleUnmarshalBatch() {
	doc := `<FILE xmlns="urn:hl7-org:v2xml">
  <FHS><FHS.1>|</FHS.1><FHS.2>^~\&amp;</FHS.2><FHS.9>F1</FHS.9></FHS>
  <BATCH>
    <ACK><MSH><MSH.1>|</MSH.1><MSH.2>^~\&amp;</MSH.2><MSH.9><MSG.1>ACK</MSG.1></MSH.9><MSH.10>A1</MSH.10></MSH><MSA><MSA.1>AA</MSA.1></MSA></ACK>
    <BTS><BTS.1>1</BTS.1></BTS>
  </BATCH>
  <FTS><FTS.1>1</FTS.1></FTS>
</FILE>`
	er7, err := v2xml.UnmarshalBatch([]byte(doc))
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.ReplaceAll(string(er7), "\r", "\n"))
	// Output:
	// FHS|^~\&|||||||F1
	// MSH|^~\&|||||||ACK|A1
	// MSA|AA
	// BTS|1
	// FTS|1
}
