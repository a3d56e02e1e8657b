// Package oru builds HL7 v2.5.1 ORU^R01^ORU_R01 messages: a laboratory
// reporting results back to the practice that ordered them.
//
// A Report holds one or more patients (animals), each with its orders
// (OBR, with ORC) and their observations (OBX). Observations are coded
// (CWE), numeric with a unit (NM), text (ST) or an encapsulated document
// such as a PDF report (ED, Base64). Build writes the message with package
// hl7's builder, so every value is escaped with the message's delimiters;
// the segments follow the ORU_R01 structure of v2.5.1 (PATIENT_RESULT >
// PATIENT, VISIT, ORDER_OBSERVATION > OBSERVATION), which package v2xml
// uses for its XML form.
package oru
