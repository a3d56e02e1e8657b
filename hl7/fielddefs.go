package hl7

import (
	"fmt"
	"strconv"
	"strings"
)

// fieldSpec is one row of a segment attribute table of the standard:
// sequence, data type, usage, repeatability, maximum length and table.
type fieldSpec struct {
	seq       int
	typ       string // data type, primitive or composite: "ST", "CX", "TS", ...
	required  bool   // usage R (B, C and O are not enforced)
	repeating bool
	maxLen    int    // per repetition, in characters as sent; 0: no limit
	table     string // the HL7 table an ID or IS value must be taken from
	name      string
}

// The segment attribute tables, one string per field in the form
//
//	"seq type usage[*] length table name"
//
// where usage is R, O, C or B, "*" marks a repeating field, length 0 means
// no limit and table "." means none. They are transcribed from the
// attribute tables of HL7 v2.5.1 chapters 2 (MSH, MSA, ERR, SFT, DSC, UAC),
// 3 (EVN, PID, PD1, NK1, PV1, PV2, AL1, DG1, ROL), 4 (ORC, OBR, TQ1, TQ2,
// CTI, BLG), 6 (FT1, IN1, GT1), 7 (OBX, SPM, CTD), 13 (SAC, INV) and 2.C
// (NTE); cross-checked against the generated HL7 v2.5.1 structures of the
// HAPI project (hapifhir/hapi-hl7v2, hapi-structures-v251), which are
// generated from the HL7 database. Segments with many financial or
// administrative fields (PV2, IN1, GT1, SAC, INV) list only their leading
// fields; the others are complete. OBX-5 has no length limit here: its
// length depends on OBX-2 and an ED value (a PDF) is legitimately large.
var segmentTables251 = map[string][]string{
	"MSH": {
		"1 ST R 1 . Field Separator",
		"2 ST R 4 . Encoding Characters",
		"3 HD O 227 . Sending Application",
		"4 HD O 227 . Sending Facility",
		"5 HD O 227 . Receiving Application",
		"6 HD O 227 . Receiving Facility",
		"7 TS R 26 . Date/Time of Message",
		"8 ST O 40 . Security",
		"9 MSG R 15 . Message Type",
		"10 ST R 20 . Message Control ID",
		"11 PT R 3 . Processing ID",
		"12 VID R 60 . Version ID",
		"13 NM O 15 . Sequence Number",
		"14 ST O 180 . Continuation Pointer",
		"15 ID O 2 0155 Accept Acknowledgment Type",
		"16 ID O 2 0155 Application Acknowledgment Type",
		"17 ID O 3 0399 Country Code",
		"18 ID O* 16 0211 Character Set",
		"19 CE O 250 . Principal Language of Message",
		"20 ID O 20 0356 Alternate Character Set Handling Scheme",
		"21 EI O* 427 . Message Profile Identifier",
	},
	"MSA": {
		"1 ID R 2 0008 Acknowledgment Code",
		"2 ST R 20 . Message Control ID",
		"3 ST B 80 . Text Message",
		"4 NM O 15 . Expected Sequence Number",
		"5 ID B 1 0102 Delayed Acknowledgment Type",
		"6 CE B 250 . Error Condition",
	},
	"ERR": {
		"1 ELD B* 493 . Error Code and Location",
		"2 ERL O* 18 . Error Location",
		"3 CWE R 705 . HL7 Error Code",
		"4 ID R 2 0516 Severity",
		"5 CWE O 705 . Application Error Code",
		"6 ST O* 80 . Application Error Parameter",
		"7 TX O 2048 . Diagnostic Information",
		"8 TX O 250 . User Message",
		"9 IS O* 20 0517 Inform Person Indicator",
		"10 CWE O 705 . Override Type",
		"11 CWE O* 705 . Override Reason Code",
		"12 XTN O* 652 . Help Desk Contact Point",
	},
	"SFT": {
		"1 XON R 567 . Software Vendor Organization",
		"2 ST R 15 . Software Certified Version or Release Number",
		"3 ST R 20 . Software Product Name",
		"4 ST R 20 . Software Binary ID",
		"5 TX O 1024 . Software Product Information",
		"6 TS O 26 . Software Install Date",
	},
	"UAC": {
		"1 CE R 250 . User Authentication Credential Type Code",
		"2 ED R 0 . User Authentication Credential",
	},
	"DSC": {
		"1 ST O 180 . Continuation Pointer",
		"2 ID O 1 0398 Continuation Style",
	},
	"EVN": {
		"1 ID B 3 . Event Type Code",
		"2 TS R 26 . Recorded Date/Time",
		"3 TS O 26 . Date/Time Planned Event",
		"4 IS O 3 0062 Event Reason Code",
		"5 XCN O* 250 . Operator ID",
		"6 TS O 26 . Event Occurred",
		"7 HD O 241 . Event Facility",
	},
	"PID": {
		"1 SI O 4 . Set ID - PID",
		"2 CX B 20 . Patient ID",
		"3 CX R* 250 . Patient Identifier List",
		"4 CX B* 20 . Alternate Patient ID - PID",
		"5 XPN R* 250 . Patient Name",
		"6 XPN O* 250 . Mother's Maiden Name",
		"7 TS O 26 . Date/Time of Birth",
		"8 IS O 1 0001 Administrative Sex",
		"9 XPN B* 250 . Patient Alias",
		"10 CE O* 250 . Race",
		"11 XAD O* 250 . Patient Address",
		"12 IS B 4 0289 County Code",
		"13 XTN O* 250 . Phone Number - Home",
		"14 XTN O* 250 . Phone Number - Business",
		"15 CE O 250 . Primary Language",
		"16 CE O 250 . Marital Status",
		"17 CE O 250 . Religion",
		"18 CX O 250 . Patient Account Number",
		"19 ST B 16 . SSN Number - Patient",
		"20 DLN B 25 . Driver's License Number - Patient",
		"21 CX O* 250 . Mother's Identifier",
		"22 CE O* 250 . Ethnic Group",
		"23 ST O 250 . Birth Place",
		"24 ID O 1 0136 Multiple Birth Indicator",
		"25 NM O 2 . Birth Order",
		"26 CE O* 250 . Citizenship",
		"27 CE O 250 . Veterans Military Status",
		"28 CE B 250 . Nationality",
		"29 TS O 26 . Patient Death Date and Time",
		"30 ID O 1 0136 Patient Death Indicator",
		"31 ID O 1 0136 Identity Unknown Indicator",
		"32 IS O* 20 0445 Identity Reliability Code",
		"33 TS O 26 . Last Update Date/Time",
		"34 HD O 241 . Last Update Facility",
		"35 CE C 250 . Species Code",
		"36 CE C 250 . Breed Code",
		"37 ST O 80 . Strain",
		"38 CE O 250 . Production Class Code",
		"39 CWE O* 250 . Tribal Citizenship",
	},
	"PD1": {
		"1 IS O* 2 0223 Living Dependency",
		"2 IS O 2 0220 Living Arrangement",
		"3 XON O* 250 . Patient Primary Facility",
		"4 XCN B* 250 . Patient Primary Care Provider Name & ID No.",
		"5 IS O 2 0231 Student Indicator",
		"6 IS O 2 0295 Handicap",
		"7 IS O 2 0315 Living Will Code",
		"8 IS O 2 0316 Organ Donor Code",
		"9 ID O 1 0136 Separate Bill",
		"10 CX O* 250 . Duplicate Patient",
		"11 CE O 250 . Publicity Code",
		"12 ID O 1 0136 Protection Indicator",
		"13 DT O 8 . Protection Indicator Effective Date",
		"14 XON O* 250 . Place of Worship",
		"15 CE O* 250 . Advance Directive Code",
		"16 IS O 1 0441 Immunization Registry Status",
		"17 DT O 8 . Immunization Registry Status Effective Date",
		"18 DT O 8 . Publicity Code Effective Date",
		"19 IS O 5 0140 Military Branch",
		"20 IS O 2 0141 Military Rank/Grade",
		"21 IS O 3 0142 Military Status",
	},
	"NK1": {
		"1 SI R 4 . Set ID - NK1",
		"2 XPN O* 250 . Name",
		"3 CE O 250 . Relationship",
		"4 XAD O* 250 . Address",
		"5 XTN O* 250 . Phone Number",
		"6 XTN O* 250 . Business Phone Number",
		"7 CE O 250 . Contact Role",
		"8 DT O 8 . Start Date",
		"9 DT O 8 . End Date",
		"10 ST O 60 . Next of Kin / Associated Parties Job Title",
		"11 JCC O 20 . Next of Kin / Associated Parties Job Code/Class",
		"12 CX O 250 . Next of Kin / Associated Parties Employee Number",
		"13 XON O* 250 . Organization Name - NK1",
		"14 CE O 250 . Marital Status",
		"15 IS O 1 0001 Administrative Sex",
		"16 TS O 26 . Date/Time of Birth",
		"17 IS O* 2 0223 Living Dependency",
		"18 IS O* 2 0009 Ambulatory Status",
		"19 CE O* 250 . Citizenship",
		"20 CE O 250 . Primary Language",
		"21 IS O 2 0220 Living Arrangement",
		"22 CE O 250 . Publicity Code",
		"23 ID O 1 0136 Protection Indicator",
		"24 IS O 2 0231 Student Indicator",
		"25 CE O 250 . Religion",
		"26 XPN O* 250 . Mother's Maiden Name",
		"27 CE O 250 . Nationality",
		"28 CE O* 250 . Ethnic Group",
		"29 CE O* 250 . Contact Reason",
		"30 XPN O* 250 . Contact Person's Name",
		"31 XTN O* 250 . Contact Person's Telephone Number",
		"32 XAD O* 250 . Contact Person's Address",
		"33 CX O* 250 . Next of Kin/Associated Party's Identifiers",
		"34 IS O 2 0311 Job Status",
		"35 CE O* 250 . Race",
		"36 IS O 2 0295 Handicap",
		"37 ST O 16 . Contact Person Social Security Number",
		"38 ST O 250 . Next of Kin Birth Place",
		"39 IS O 2 0099 VIP Indicator",
	},
	"PV1": {
		"1 SI O 4 . Set ID - PV1",
		"2 IS R 1 0004 Patient Class",
		"3 PL O 80 . Assigned Patient Location",
		"4 IS O 2 0007 Admission Type",
		"5 CX O 250 . Preadmit Number",
		"6 PL O 80 . Prior Patient Location",
		"7 XCN O* 250 . Attending Doctor",
		"8 XCN O* 250 . Referring Doctor",
		"9 XCN B* 250 . Consulting Doctor",
		"10 IS O 3 0069 Hospital Service",
		"11 PL O 80 . Temporary Location",
		"12 IS O 2 0087 Preadmit Test Indicator",
		"13 IS O 2 0092 Re-admission Indicator",
		"14 IS O 6 0023 Admit Source",
		"15 IS O* 2 0009 Ambulatory Status",
		"16 IS O 2 0099 VIP Indicator",
		"17 XCN O* 250 . Admitting Doctor",
		"18 IS O 2 0018 Patient Type",
		"19 CX O 250 . Visit Number",
		"20 FC O* 50 . Financial Class",
		"21 IS O 2 0032 Charge Price Indicator",
		"22 IS O 2 0045 Courtesy Code",
		"23 IS O 2 0046 Credit Rating",
		"24 IS O* 2 0044 Contract Code",
		"25 DT O* 8 . Contract Effective Date",
		"26 NM O* 12 . Contract Amount",
		"27 NM O* 3 . Contract Period",
		"28 IS O 2 0073 Interest Code",
		"29 IS O 4 0110 Transfer to Bad Debt Code",
		"30 DT O 8 . Transfer to Bad Debt Date",
		"31 IS O 10 0021 Bad Debt Agency Code",
		"32 NM O 12 . Bad Debt Transfer Amount",
		"33 NM O 12 . Bad Debt Recovery Amount",
		"34 IS O 1 0111 Delete Account Indicator",
		"35 DT O 8 . Delete Account Date",
		"36 IS O 3 0112 Discharge Disposition",
		"37 DLD O 47 . Discharged to Location",
		"38 CE O 250 . Diet Type",
		"39 IS O 2 0115 Servicing Facility",
		"40 IS B 1 0116 Bed Status",
		"41 IS O 2 0117 Account Status",
		"42 PL O 80 . Pending Location",
		"43 PL O 80 . Prior Temporary Location",
		"44 TS O 26 . Admit Date/Time",
		"45 TS O* 26 . Discharge Date/Time",
		"46 NM O 12 . Current Patient Balance",
		"47 NM O 12 . Total Charges",
		"48 NM O 12 . Total Adjustments",
		"49 NM O 12 . Total Payments",
		"50 CX O 250 . Alternate Visit ID",
		"51 IS O 1 0326 Visit Indicator",
		"52 XCN B* 250 . Other Healthcare Provider",
	},
	"PV2": {
		"1 PL C 80 . Prior Pending Location",
		"2 CE O 250 . Accommodation Code",
		"3 CE O 250 . Admit Reason",
		"4 CE O 250 . Transfer Reason",
		"5 ST O* 25 . Patient Valuables",
		"6 ST O 25 . Patient Valuables Location",
		"7 IS O* 2 0130 Visit User Code",
		"8 TS O 26 . Expected Admit Date/Time",
		"9 TS O 26 . Expected Discharge Date/Time",
		"10 NM O 3 . Estimated Length of Inpatient Stay",
		"11 NM O 3 . Actual Length of Inpatient Stay",
		"12 ST O 50 . Visit Description",
		"13 XCN O* 250 . Referral Source Code",
		"14 DT O 8 . Previous Service Date",
		"15 ID O 1 0136 Employment Illness Related Indicator",
	},
	"AL1": {
		"1 SI R 4 . Set ID - AL1",
		"2 CE O 250 . Allergen Type Code",
		"3 CE R 250 . Allergen Code/Mnemonic/Description",
		"4 CE O 250 . Allergy Severity Code",
		"5 ST O* 15 . Allergy Reaction Code",
		"6 DT B 8 . Identification Date",
	},
	"DG1": {
		"1 SI R 4 . Set ID - DG1",
		"2 ID B 2 . Diagnosis Coding Method",
		"3 CE O 250 . Diagnosis Code - DG1",
		"4 ST B 40 . Diagnosis Description",
		"5 TS O 26 . Diagnosis Date/Time",
		"6 IS R 2 0052 Diagnosis Type",
		"7 CE B 250 . Major Diagnostic Category",
		"8 CE B 250 . Diagnostic Related Group",
		"9 ID B 1 0136 DRG Approval Indicator",
		"10 IS B 2 0055 DRG Grouper Review Code",
		"11 CE B 250 . Outlier Type",
		"12 NM B 3 . Outlier Days",
		"13 CP B 12 . Outlier Cost",
		"14 ST B 4 . Grouper Version And Type",
		"15 ID O 2 0359 Diagnosis Priority",
		"16 XCN O* 250 . Diagnosing Clinician",
		"17 IS O 3 0228 Diagnosis Classification",
		"18 ID O 1 0136 Confidential Indicator",
		"19 TS O 26 . Attestation Date/Time",
		"20 EI C 427 . Diagnosis Identifier",
		"21 ID C 1 0206 Diagnosis Action Code",
	},
	"ROL": {
		"1 EI C 60 . Role Instance ID",
		"2 ID R 2 0287 Action Code",
		"3 CE R 250 . Role-ROL",
		"4 XCN R* 250 . Role Person",
		"5 TS O 26 . Role Begin Date/Time",
		"6 TS O 26 . Role End Date/Time",
		"7 CE O 250 . Role Duration",
		"8 CE O 250 . Role Action Reason",
		"9 CE O* 250 . Provider Type",
		"10 CE O 250 . Organization Unit Type",
		"11 XAD O* 250 . Office/Home Address/Birthplace",
		"12 XTN O* 250 . Phone",
	},
	"ORC": {
		"1 ID R 2 0119 Order Control",
		"2 EI C 22 . Placer Order Number",
		"3 EI C 22 . Filler Order Number",
		"4 EI O 22 . Placer Group Number",
		"5 ID O 2 0038 Order Status",
		"6 ID O 1 0121 Response Flag",
		"7 TQ B* 200 . Quantity/Timing",
		"8 EIP O 200 . Parent",
		"9 TS O 26 . Date/Time of Transaction",
		"10 XCN O* 250 . Entered By",
		"11 XCN O* 250 . Verified By",
		"12 XCN O* 250 . Ordering Provider",
		"13 PL O 80 . Enterer's Location",
		"14 XTN O* 250 . Call Back Phone Number",
		"15 TS O 26 . Order Effective Date/Time",
		"16 CE O 250 . Order Control Code Reason",
		"17 CE O 250 . Entering Organization",
		"18 CE O 250 . Entering Device",
		"19 XCN O* 250 . Action By",
		"20 CE O 250 . Advanced Beneficiary Notice Code",
		"21 XON O* 250 . Ordering Facility Name",
		"22 XAD O* 250 . Ordering Facility Address",
		"23 XTN O* 250 . Ordering Facility Phone Number",
		"24 XAD O* 250 . Ordering Provider Address",
		"25 CWE O 250 . Order Status Modifier",
		"26 CWE C 60 . Advanced Beneficiary Notice Override Reason",
		"27 TS O 26 . Filler's Expected Availability Date/Time",
		"28 CWE O 250 . Confidentiality Code",
		"29 CWE O 250 . Order Type",
		"30 CNE O 250 . Enterer Authorization Mode",
		"31 CWE O 250 . Parent Universal Service Identifier",
	},
	"OBR": {
		"1 SI O 4 . Set ID - OBR",
		"2 EI C 22 . Placer Order Number",
		"3 EI C 22 . Filler Order Number",
		"4 CE R 250 . Universal Service Identifier",
		"5 ID B 2 . Priority - OBR",
		"6 TS B 26 . Requested Date/Time",
		"7 TS C 26 . Observation Date/Time",
		"8 TS O 26 . Observation End Date/Time",
		"9 CQ O 20 . Collection Volume",
		"10 XCN O* 250 . Collector Identifier",
		"11 ID O 1 0065 Specimen Action Code",
		"12 CE O 250 . Danger Code",
		"13 ST O 300 . Relevant Clinical Information",
		"14 TS B 26 . Specimen Received Date/Time",
		"15 SPS B 300 . Specimen Source",
		"16 XCN O* 250 . Ordering Provider",
		"17 XTN O* 250 . Order Callback Phone Number",
		"18 ST O 60 . Placer Field 1",
		"19 ST O 60 . Placer Field 2",
		"20 ST O 60 . Filler Field 1",
		"21 ST O 60 . Filler Field 2",
		"22 TS C 26 . Results Rpt/Status Chng - Date/Time",
		"23 MOC O 40 . Charge to Practice",
		"24 ID O 10 0074 Diagnostic Serv Sect ID",
		"25 ID C 1 0123 Result Status",
		"26 PRL O 400 . Parent Result",
		"27 TQ B* 200 . Quantity/Timing",
		"28 XCN O* 250 . Result Copies To",
		"29 EIP O 200 . Parent",
		"30 ID O 20 0124 Transportation Mode",
		"31 CE O* 250 . Reason for Study",
		"32 NDL O 200 . Principal Result Interpreter",
		"33 NDL O* 200 . Assistant Result Interpreter",
		"34 NDL O* 200 . Technician",
		"35 NDL O* 200 . Transcriptionist",
		"36 TS O 26 . Scheduled Date/Time",
		"37 NM O 4 . Number of Sample Containers",
		"38 CE O* 250 . Transport Logistics of Collected Sample",
		"39 CE O* 250 . Collector's Comment",
		"40 CE O 250 . Transport Arrangement Responsibility",
		"41 ID O 30 0224 Transport Arranged",
		"42 ID O 1 0225 Escort Required",
		"43 CE O* 250 . Planned Patient Transport Comment",
		"44 CE O 250 . Procedure Code",
		"45 CE O* 250 . Procedure Code Modifier",
		"46 CE O* 250 . Placer Supplemental Service Information",
		"47 CE O* 250 . Filler Supplemental Service Information",
		"48 CWE C 250 . Medically Necessary Duplicate Procedure Reason",
		"49 IS O 2 0507 Result Handling",
		"50 CWE O 250 . Parent Universal Service Identifier",
	},
	"TQ1": {
		"1 SI O 4 . Set ID - TQ1",
		"2 CQ O 20 . Quantity",
		"3 RPT O* 540 . Repeat Pattern",
		"4 TM O* 20 . Explicit Time",
		"5 CQ O* 20 . Relative Time and Units",
		"6 CQ O 20 . Service Duration",
		"7 TS O 26 . Start Date/Time",
		"8 TS O 26 . End Date/Time",
		"9 CWE O* 250 . Priority",
		"10 TX O 250 . Condition Text",
		"11 TX O 250 . Text Instruction",
		"12 ID C 10 0427 Conjunction",
		"13 CQ O 20 . Occurrence Duration",
		"14 NM O 10 . Total Occurrences",
	},
	"TQ2": {
		"1 SI O 4 . Set ID - TQ2",
		"2 ID R 1 0503 Sequence/Results Flag",
		"3 EI C* 22 . Related Placer Number",
		"4 EI C* 22 . Related Filler Number",
		"5 EI C* 22 . Related Placer Group Number",
		"6 ID C 2 0504 Sequence Condition Code",
		"7 ID C 1 0505 Cyclic Entry/Exit Indicator",
		"8 CQ C 20 . Sequence Condition Time Interval",
		"9 NM O 10 . Cyclic Group Maximum Number of Repeats",
		"10 ID C 1 0506 Special Service Request Relationship",
	},
	"CTI": {
		"1 EI R 60 . Sponsor Study ID",
		"2 CE C 250 . Study Phase Identifier",
		"3 CE O 250 . Study Scheduled Time Point",
	},
	"BLG": {
		"1 CCD O 40 . When to Charge",
		"2 ID O 50 0122 Charge Type",
		"3 CX O 100 . Account ID",
		"4 CWE O 60 . Charge Type Reason",
	},
	"CTD": {
		"1 CE R* 250 . Contact Role",
		"2 XPN O* 250 . Contact Name",
		"3 XAD O* 250 . Contact Address",
		"4 PL O 60 . Contact Location",
		"5 XTN O* 250 . Contact Communication Information",
		"6 ID O 3 0185 Preferred Method of Contact",
		"7 PLN O* 100 . Contact Identifiers",
	},
	"OBX": {
		"1 SI O 4 . Set ID - OBX",
		"2 ID C 3 0125 Value Type", // 2.5.1 prints 2, but table 0125 has CWE, CNE, DTM; v2.6 and the US lab guides use 3
		"3 CE R 250 . Observation Identifier",
		"4 ST C 20 . Observation Sub-ID",
		"5 * C* 0 . Observation Value",
		"6 CE O 250 . Units",
		"7 ST O 60 . References Range",
		"8 IS O* 5 0078 Abnormal Flags",
		"9 NM O 5 . Probability",
		"10 ID O* 2 0080 Nature of Abnormal Test",
		"11 ID R 1 0085 Observation Result Status",
		"12 TS O 26 . Effective Date of Reference Range",
		"13 ST O 20 . User Defined Access Checks",
		"14 TS O 26 . Date/Time of the Observation",
		"15 CE O 250 . Producer's ID",
		"16 XCN O* 250 . Responsible Observer",
		"17 CE O* 250 . Observation Method",
		"18 EI O* 22 . Equipment Instance Identifier",
		"19 TS O 26 . Date/Time of the Analysis",
		"23 XON O 567 . Performing Organization Name",
		"24 XAD O 631 . Performing Organization Address",
		"25 XCN O 3002 . Performing Organization Medical Director",
	},
	"NTE": {
		"1 SI O 4 . Set ID - NTE",
		"2 ID O 8 0105 Source of Comment",
		"3 FT O* 65536 . Comment",
		"4 CE O 250 . Comment Type",
	},
	"SPM": {
		"1 SI O 4 . Set ID - SPM",
		"2 EIP O 80 . Specimen ID",
		"3 EIP O* 80 . Specimen Parent IDs",
		"4 CWE R 250 . Specimen Type",
		"5 CWE O* 250 . Specimen Type Modifier",
		"6 CWE O* 250 . Specimen Additives",
		"7 CWE O 250 . Specimen Collection Method",
		"8 CWE O 250 . Specimen Source Site",
		"9 CWE O* 250 . Specimen Source Site Modifier",
		"10 CWE O 250 . Specimen Collection Site",
		"11 CWE O* 250 . Specimen Role",
		"12 CQ O 20 . Specimen Collection Amount",
		"13 NM C 6 . Grouped Specimen Count",
		"14 ST O* 250 . Specimen Description",
		"15 CWE O* 250 . Specimen Handling Code",
		"16 CWE O* 250 . Specimen Risk Code",
		"17 DR O 26 . Specimen Collection Date/Time",
		"18 TS O 26 . Specimen Received Date/Time",
		"19 TS O 26 . Specimen Expiration Date/Time",
		"20 ID O 1 0136 Specimen Availability",
		"21 CWE O* 250 . Specimen Reject Reason",
		"22 CWE O 250 . Specimen Quality",
		"23 CWE O 250 . Specimen Appropriateness",
		"24 CWE O* 250 . Specimen Condition",
		"25 CQ O 20 . Specimen Current Quantity",
		"26 NM O 4 . Number of Specimen Containers",
		"27 CWE O 250 . Container Type",
		"28 CWE O 250 . Container Condition",
		"29 CWE O 250 . Specimen Child Role",
	},
	"SAC": {
		"1 EI O 80 . External Accession Identifier",
		"2 EI O 80 . Accession Identifier",
		"3 EI C 80 . Container Identifier",
		"4 EI C 80 . Primary (Parent) Container Identifier",
		"5 EI O 80 . Equipment Container Identifier",
		"6 SPS C 300 . Specimen Source",
		"7 TS O 26 . Registration Date/Time",
	},
	"INV": {
		"1 CE R 250 . Substance Identifier",
		"2 CE R* 250 . Substance Status",
		"3 CE O 250 . Substance Type",
		"4 CE O 250 . Inventory Container Identifier",
	},
	// The ORM^O01 insurance and order-detail choice segments (chapters 6
	// and 4), leading fields; not cross-checked against HAPI.
	"IN2": {
		"1 CX O 250 . Insured's Employee ID",
		"2 ST O 11 . Insured's Social Security Number",
		"3 XCN O* 250 . Insured's Employer's Name and ID",
		"4 IS O 1 0139 Employer Information Data",
		"5 IS O* 1 0137 Mail Claim Party",
		"6 ST O 15 . Medicare Health Ins Card Number",
		"7 XPN O* 250 . Medicaid Case Name",
		"8 ST O 15 . Medicaid Case Number",
	},
	"IN3": {
		"1 SI R 4 . Set ID - IN3",
		"2 CX O 250 . Certification Number",
		"3 XCN O* 250 . Certified By",
		"4 ID O 1 0136 Certification Required",
		"5 MOP O 23 . Penalty",
		"6 TS O 26 . Certification Date/Time",
		"7 TS O 26 . Certification Modify Date/Time",
		"8 XCN O* 250 . Operator",
		"9 DT O 8 . Certification Begin Date",
		"10 DT O 8 . Certification End Date",
	},
	"RQD": {
		"1 SI O 4 . Requisition Line Number",
		"2 CE C 250 . Item Code - Internal",
		"3 CE C 250 . Item Code - External",
		"4 CE C 250 . Hospital Item Code",
		"5 NM O 6 . Requisition Quantity",
		"6 CE O 250 . Requisition Unit of Measure",
		"7 IS O 30 0319 Dept. Cost Center",
		"8 IS O 30 0320 Item Natural Account Code",
		"9 CE O 250 . Deliver To ID",
		"10 DT O 8 . Date Needed",
	},
	"RQ1": {
		"1 ST O 10 . Anticipated Price",
		"2 CE C 250 . Manufacturer Identifier",
		"3 ST C 16 . Manufacturer's Catalog",
		"4 CE C 250 . Vendor ID",
		"5 ST C 16 . Vendor Catalog",
		"6 ID O 1 0136 Taxable",
		"7 ID O 1 0136 Substitute Allowed",
	},
	"RXO": {
		"1 CE C 250 . Requested Give Code",
		"2 NM C 20 . Requested Give Amount - Minimum",
		"3 NM O 20 . Requested Give Amount - Maximum",
		"4 CE C 250 . Requested Give Units",
		"5 CE C 250 . Requested Dosage Form",
		"6 CE O* 250 . Provider's Pharmacy/Treatment Instructions",
		"7 CE O* 250 . Provider's Administration Instructions",
		"9 ID O 1 0161 Allow Substitutions",
		"10 CE O 250 . Requested Dispense Code",
		"11 NM O 20 . Requested Dispense Amount",
		"12 CE O 250 . Requested Dispense Units",
		"13 NM O 3 . Number Of Refills",
	},
	"ODS": {
		"1 ID R 1 0159 Type",
		"2 CE O* 250 . Service Period",
		"3 CE R* 250 . Diet, Supplement, or Preference Code",
		"4 ST O* 80 . Text Instruction",
	},
	"ODT": {
		"1 CE R 250 . Tray Type",
		"2 CE O* 250 . Service Period",
		"3 ST O 80 . Text Instruction",
	},
	"FT1": {
		"1 SI O 4 . Set ID - FT1",
		"2 ST O 12 . Transaction ID",
		"3 ST O 10 . Transaction Batch ID",
		"4 DR R 53 . Transaction Date",
		"5 TS O 26 . Transaction Posting Date",
		"6 IS R 8 0017 Transaction Type",
		"7 CE R 250 . Transaction Code",
		"8 ST B 40 . Transaction Description",
		"9 ST B 40 . Transaction Description - Alt",
		"10 NM O 6 . Transaction Quantity",
		"11 CP O 12 . Transaction Amount - Extended",
		"12 CP O 12 . Transaction Amount - Unit",
		"13 CE O 250 . Department Code",
		"14 CE O 250 . Insurance Plan ID",
		"15 CP O 12 . Insurance Amount",
		"16 PL O 80 . Assigned Patient Location",
		"17 IS O 1 0024 Fee Schedule",
		"18 IS O 2 0018 Patient Type",
		"19 CE O* 250 . Diagnosis Code - FT1",
		"20 XCN O* 250 . Performed By Code",
		"21 XCN O* 250 . Ordered By Code",
		"22 CP O 12 . Unit Cost",
		"23 EI O 427 . Filler Order Number",
		"24 XCN O* 250 . Entered By Code",
		"25 CE O 250 . Procedure Code",
		"26 CE O* 250 . Procedure Code Modifier",
	},
	"IN1": {
		"1 SI R 4 . Set ID - IN1",
		"2 CE R 250 . Insurance Plan ID",
		"3 CX R* 250 . Insurance Company ID",
		"4 XON O* 250 . Insurance Company Name",
		"5 XAD O* 250 . Insurance Company Address",
		"6 XPN O* 250 . Insurance Co Contact Person",
		"7 XTN O* 250 . Insurance Co Phone Number",
		"8 ST O 12 . Group Number",
		"9 XON O* 250 . Group Name",
		"10 CX O* 250 . Insured's Group Emp ID",
		"11 XON O* 250 . Insured's Group Emp Name",
		"12 DT O 8 . Plan Effective Date",
		"13 DT O 8 . Plan Expiration Date",
		"14 AUI O 239 . Authorization Information",
		"15 IS O 3 0086 Plan Type",
		"16 XPN O* 250 . Name Of Insured",
		"17 CE O 250 . Insured's Relationship To Patient",
		"18 TS O 26 . Insured's Date Of Birth",
		"19 XAD O* 250 . Insured's Address",
	},
	"GT1": {
		"1 SI R 4 . Set ID - GT1",
		"2 CX O* 250 . Guarantor Number",
		"3 XPN R* 250 . Guarantor Name",
		"4 XPN O* 250 . Guarantor Spouse Name",
		"5 XAD O* 250 . Guarantor Address",
		"6 XTN O* 250 . Guarantor Ph Num - Home",
		"7 XTN O* 250 . Guarantor Ph Num - Business",
		"8 TS O 26 . Guarantor Date/Time Of Birth",
		"9 IS O 1 0001 Guarantor Administrative Sex",
		"10 IS O 2 0068 Guarantor Type",
		"11 CE O 250 . Guarantor Relationship",
		"12 ST O 11 . Guarantor SSN",
		"13 DT O 8 . Guarantor Date - Begin",
		"14 DT O 8 . Guarantor Date - End",
		"15 NM O 2 . Guarantor Priority",
	},
}

// segmentTables231 replaces whole segment tables for v2.3.x and v2.4
// where v2.3.1 differs in a way that matters to a receiver: ERR-1 was the
// only ERR field and required, MSH had 19 fields and MSH-9 was the CM
// type of two or three components, and the lengths of identifiers and
// names were shorter (v2.3.1 chapters 2, 3, 4 and 7). Segments not listed
// use the v2.5.1 table, whose lengths are never shorter than v2.3.1's.
var segmentTables231 = map[string][]string{
	"MSH": {
		"1 ST R 1 . Field Separator",
		"2 ST R 4 . Encoding Characters",
		"3 HD O 180 . Sending Application",
		"4 HD O 180 . Sending Facility",
		"5 HD O 180 . Receiving Application",
		"6 HD O 180 . Receiving Facility",
		"7 TS R 26 . Date/Time of Message",
		"8 ST O 40 . Security",
		"9 CM_MSG R 15 . Message Type", // 7 in the 2.3.1 table, too short for the structure component it added
		"10 ST R 20 . Message Control ID",
		"11 PT R 3 . Processing ID",
		"12 VID R 60 . Version ID",
		"13 NM O 15 . Sequence Number",
		"14 ST O 180 . Continuation Pointer",
		"15 ID O 2 0155 Accept Acknowledgment Type",
		"16 ID O 2 0155 Application Acknowledgment Type",
		"17 ID O 2 . Country Code",
		"18 ID O* 16 0211 Character Set",
		"19 CE O 60 . Principal Language of Message",
	},
	"MSA": {
		"1 ID R 2 0008 Acknowledgment Code",
		"2 ST R 20 . Message Control ID",
		"3 ST O 80 . Text Message",
		"4 NM O 15 . Expected Sequence Number",
		"5 ID O 1 0102 Delayed Acknowledgment Type",
		"6 CE O 100 . Error Condition",
	},
	"ERR": {
		"1 ELD R* 80 . Error Code and Location",
	},
	"PID": {
		"1 SI O 4 . Set ID - PID",
		"2 CX O 20 . Patient ID",
		"3 CX R* 20 . Patient Identifier List",
		"4 CX O* 20 . Alternate Patient ID - PID",
		"5 XPN R* 48 . Patient Name",
		"6 XPN O* 48 . Mother's Maiden Name",
		"7 TS O 26 . Date/Time of Birth",
		"8 IS O 1 0001 Sex",
		"9 XPN O* 48 . Patient Alias",
		"10 CE O* 80 . Race",
		"11 XAD O* 106 . Patient Address",
		"12 IS O 4 0289 County Code",
		"13 XTN O* 40 . Phone Number - Home",
		"14 XTN O* 40 . Phone Number - Business",
		"15 CE O 60 . Primary Language",
		"16 CE O 80 . Marital Status",
		"17 CE O 80 . Religion",
		"18 CX O 20 . Patient Account Number",
		"19 ST O 16 . SSN Number - Patient",
		"20 DLN O 25 . Driver's License Number - Patient",
		"21 CX O* 20 . Mother's Identifier",
		"22 CE O* 80 . Ethnic Group",
		"23 ST O 60 . Birth Place",
		"24 ID O 1 0136 Multiple Birth Indicator",
		"25 NM O 2 . Birth Order",
		"26 CE O* 80 . Citizenship",
		"27 CE O 60 . Veterans Military Status",
		"28 CE O 80 . Nationality",
		"29 TS O 26 . Patient Death Date and Time",
		"30 ID O 1 0136 Patient Death Indicator",
	},
	"ORC": {
		"1 ID R 2 0119 Order Control",
		"2 EI C 75 . Placer Order Number",
		"3 EI C 75 . Filler Order Number",
		"4 EI O 75 . Placer Group Number",
		"5 ID O 2 0038 Order Status",
		"6 ID O 1 0121 Response Flag",
		"7 TQ O 200 . Quantity/Timing",
		"8 CM O 200 . Parent",
		"9 TS O 26 . Date/Time of Transaction",
		"10 XCN O 120 . Entered By",
		"11 XCN O 120 . Verified By",
		"12 XCN O 120 . Ordering Provider",
		"13 PL O 80 . Enterer's Location",
		"14 XTN O* 40 . Call Back Phone Number",
		"15 TS O 26 . Order Effective Date/Time",
		"16 CE O 200 . Order Control Code Reason",
		"17 CE O 60 . Entering Organization",
		"18 CE O 60 . Entering Device",
		"19 XCN O 120 . Action By",
	},
	"OBR": {
		"1 SI C 4 . Set ID - OBR",
		"2 EI C 75 . Placer Order Number",
		"3 EI C 75 . Filler Order Number",
		"4 CE R 200 . Universal Service ID",
		"5 ID O 2 . Priority",
		"6 TS O 26 . Requested Date/Time",
		"7 TS C 26 . Observation Date/Time",
		"8 TS O 26 . Observation End Date/Time",
		"9 CQ O 20 . Collection Volume",
		"10 XCN O* 60 . Collector Identifier",
		"11 ID O 1 0065 Specimen Action Code",
		"12 CE O 60 . Danger Code",
		"13 ST O 300 . Relevant Clinical Info.",
		"14 TS C 26 . Specimen Received Date/Time",
		"15 CM O 300 . Specimen Source",
		"16 XCN O* 80 . Ordering Provider",
		"17 XTN O* 40 . Order Callback Phone Number",
		"18 ST O 60 . Placer Field 1",
		"19 ST O 60 . Placer Field 2",
		"20 ST O 60 . Filler Field 1",
		"21 ST O 60 . Filler Field 2",
		"22 TS C 26 . Results Rpt/Status Chng - Date/Time",
		"23 CM O 40 . Charge to Practice",
		"24 ID O 10 0074 Diagnostic Serv Sect ID",
		"25 ID C 1 0123 Result Status",
		"26 CM O 400 . Parent Result",
		"27 TQ O* 200 . Quantity/Timing",
		"28 XCN O* 150 . Result Copies To",
		"29 CM O 150 . Parent",
		"30 ID O 20 0124 Transportation Mode",
		"31 CE O* 300 . Reason for Study",
	},
	"OBX": {
		"1 SI O 10 . Set ID - OBX",
		"2 ID C 3 0125 Value Type", // 2.5.1 prints 2, but table 0125 has CWE, CNE, DTM; v2.6 and the US lab guides use 3
		"3 CE R 590 . Observation Identifier",
		"4 ST C 20 . Observation Sub-ID",
		"5 * C* 0 . Observation Value",
		"6 CE O 60 . Units",
		"7 ST O 60 . References Range",
		"8 ID O* 5 0078 Abnormal Flags",
		"9 NM O 5 . Probability",
		"10 ID O* 2 0080 Nature of Abnormal Test",
		"11 ID R 1 0085 Observation Result Status",
		"12 TS O 26 . Date Last Obs Normal Values",
		"13 ST O 20 . User Defined Access Checks",
		"14 TS O 26 . Date/Time of the Observation",
		"15 CE O 60 . Producer's ID",
		"16 XCN O* 80 . Responsible Observer",
		"17 CE O* 60 . Observation Method",
	},
	"NK1": {
		"1 SI R 4 . Set ID - NK1",
		"2 XPN O* 48 . Name",
		"3 CE O 60 . Relationship",
		"4 XAD O* 106 . Address",
		"5 XTN O* 40 . Phone Number",
	},
	"PV1": {
		"1 SI O 4 . Set ID - PV1",
		"2 IS R 1 0004 Patient Class",
		"3 PL O 80 . Assigned Patient Location",
		"4 IS O 2 0007 Admission Type",
		"5 CX O 20 . Preadmit Number",
		"6 PL O 80 . Prior Patient Location",
		"7 XCN O* 60 . Attending Doctor",
		"8 XCN O* 60 . Referring Doctor",
		"9 XCN O* 60 . Consulting Doctor",
		"10 IS O 3 0069 Hospital Service",
		"11 PL O 80 . Temporary Location",
		"12 IS O 2 0087 Preadmit Test Indicator",
		"13 IS O 2 0092 Re-admission Indicator",
		"14 IS O 3 0023 Admit Source",
		"15 IS O* 2 0009 Ambulatory Status",
		"16 IS O 2 0099 VIP Indicator",
		"17 XCN O* 60 . Admitting Doctor",
		"18 IS O 2 0018 Patient Type",
		"19 CX O 20 . Visit Number",
	},
}

// segmentTables26 are the v2.6 tables of the segments whose values a
// NAHLN OPU^R25 report carries most (chapters 2, 3, 4 and 7 of v2.6),
// transcribed from the generated HL7 v2.6 structures of the HAPI project
// (hapifhir/hapi-hl7v2, hapi-structures-v26). v2.6 replaced TS by DTM and
// CE by CWE and recomputed most lengths (CWE 705, EI 427, XCN 3220); a
// length of 0 is a field v2.6 keeps only for backward compatibility.
var segmentTables26 = map[string][]string{
	"MSH": {
		"1 ST R 1 . Field Separator",
		"2 ST R 4 . Encoding Characters",
		"3 HD O 227 . Sending Application",
		"4 HD O 227 . Sending Facility",
		"5 HD O 227 . Receiving Application",
		"6 HD O 227 . Receiving Facility",
		"7 DTM R 24 . Date/Time of Message",
		"8 ST O 40 . Security",
		"9 MSG R 15 . Message Type",
		"10 ST R 199 . Message Control ID",
		"11 PT R 3 . Processing ID",
		"12 VID R 60 . Version ID",
		"13 NM O 15 . Sequence Number",
		"14 ST O 180 . Continuation Pointer",
		"15 ID O 2 0155 Accept Acknowledgment Type",
		"16 ID O 2 0155 Application Acknowledgment Type",
		"17 ID O 3 0399 Country Code",
		"18 ID O* 16 0211 Character Set",
		"19 CWE O 250 . Principal Language of Message",
		"20 ID O 20 0356 Alternate Character Set Handling Scheme",
		"21 EI O* 427 . Message Profile Identifier",
		"22 XON O 567 . Sending Responsible Organization",
		"23 XON O 567 . Receiving Responsible Organization",
		"24 HD O 227 . Sending Network Address",
		"25 HD O 227 . Receiving Network Address",
	},
	"PID": {
		"1 SI O 4 . Set ID - PID",
		"2 CX B 0 . Patient ID",
		"3 CX R* 250 . Patient Identifier List",
		"4 CX B* 0 . Alternate Patient ID - PID",
		"5 XPN R* 250 . Patient Name",
		"6 XPN O* 250 . Mother's Maiden Name",
		"7 DTM O 24 . Date/Time of Birth",
		"8 IS O 1 0001 Administrative Sex",
		"9 XPN B* 0 . Patient Alias",
		"10 CWE O* 705 . Race",
		"11 XAD O* 250 . Patient Address",
		"12 IS B 0 0289 County Code",
		"13 XTN O* 250 . Phone Number - Home",
		"14 XTN O* 250 . Phone Number - Business",
		"15 CWE O 705 . Primary Language",
		"16 CWE O 705 . Marital Status",
		"17 CWE O 705 . Religion",
		"18 CX O 250 . Patient Account Number",
		"19 ST B 0 . SSN Number - Patient",
		"20 DLN B 0 . Driver's License Number - Patient",
		"21 CX O* 250 . Mother's Identifier",
		"22 CWE O* 705 . Ethnic Group",
		"23 ST O 250 . Birth Place",
		"24 ID O 1 0136 Multiple Birth Indicator",
		"25 NM O 2 . Birth Order",
		"26 CWE O* 705 . Citizenship",
		"27 CWE O 705 . Veterans Military Status",
		"28 CWE B 0 . Nationality",
		"29 DTM O 24 . Patient Death Date and Time",
		"30 ID O 1 0136 Patient Death Indicator",
		"31 ID O 1 0136 Identity Unknown Indicator",
		"32 IS O* 20 0445 Identity Reliability Code",
		"33 DTM O 24 . Last Update Date/Time",
		"34 HD O 241 . Last Update Facility",
		"35 CWE C 705 . Species Code",
		"36 CWE C 705 . Breed Code",
		"37 ST O 80 . Strain",
		"38 CWE O 705 . Production Class Code",
		"39 CWE O* 705 . Tribal Citizenship",
	},
	"OBR": {
		"1 SI O 4 . Set ID - OBR",
		"2 EI C 427 . Placer Order Number",
		"3 EI C 427 . Filler Order Number",
		"4 CWE R 705 . Universal Service Identifier",
		"5 ID B 0 . Priority",
		"6 DTM B 0 . Requested Date/Time",
		"7 DTM C 24 . Observation Date/Time",
		"8 DTM O 24 . Observation End Date/Time",
		"9 CQ O 722 . Collection Volume",
		"10 XCN O* 3220 . Collector Identifier",
		"11 ID O 1 0065 Specimen Action Code",
		"12 CWE O 705 . Danger Code",
		"13 ST O 300 . Relevant Clinical Information",
		"14 DTM B 24 . Specimen Received Date/Time",
		"15 SPS B 0 . Specimen Source",
		"16 XCN O* 3220 . Ordering Provider",
		"17 XTN O* 2743 . Order Callback Phone Number",
		"18 ST O 199 . Placer Field 1",
		"19 ST O 199 . Placer Field 2",
		"20 ST O 199 . Filler Field 1",
		"21 ST O 199 . Filler Field 2",
		"22 DTM C 24 . Results Rpt/Status Chng - Date/Time",
		"23 MOC O 504 . Charge to Practice",
		"24 ID O 10 0074 Diagnostic Serv Sect ID",
		"25 ID C 1 0123 Result Status",
		"26 PRL O 977 . Parent Result",
		"27 TQ B* 0 . Quantity/Timing",
		"28 XCN O* 3220 . Result Copies To",
		"29 EIP O 855 . Parent",
		"30 ID O 20 0124 Transportation Mode",
		"31 CWE O* 705 . Reason for Study",
		"32 NDL O 0 . Principal Result Interpreter",
		"33 NDL O* 0 . Assistant Result Interpreter",
		"34 NDL O* 0 . Technician",
		"35 NDL O* 0 . Transcriptionist",
		"36 DTM O 24 . Scheduled Date/Time",
		"37 NM O 16 . Number of Sample Containers",
		"38 CWE O* 705 . Transport Logistics of Collected Sample",
		"39 CWE O* 705 . Collector's Comment",
		"40 CWE O 705 . Transport Arrangement Responsibility",
		"41 ID O 30 0224 Transport Arranged",
		"42 ID O 1 0225 Escort Required",
		"43 CWE O* 705 . Planned Patient Transport Comment",
		"44 CNE O 705 . Procedure Code",
		"45 CNE O* 705 . Procedure Code Modifier",
		"46 CWE O* 705 . Placer Supplemental Service Information",
		"47 CWE O* 705 . Filler Supplemental Service Information",
		"48 CWE C 705 . Medically Necessary Duplicate Procedure Reason",
		"49 IS O 2 0507 Result Handling",
		"50 CWE O 705 . Parent Universal Service Identifier",
	},
	"OBX": {
		"1 SI O 4 . Set ID - OBX",
		"2 ID C 3 0125 Value Type",
		"3 CWE R 705 . Observation Identifier",
		"4 ST C 20 . Observation Sub-ID",
		"5 * C* 0 . Observation Value",
		"6 CWE O 705 . Units",
		"7 ST O 60 . References Range",
		"8 IS O* 5 0078 Abnormal Flags",
		"9 NM O 5 . Probability",
		"10 ID O* 2 0080 Nature of Abnormal Test",
		"11 ID R 1 0085 Observation Result Status",
		"12 DTM O 24 . Effective Date of Reference Range",
		"13 ST O 20 . User Defined Access Checks",
		"14 DTM O 24 . Date/Time of the Observation",
		"15 CWE O 705 . Producer's ID",
		"16 XCN O* 3220 . Responsible Observer",
		"17 CWE O* 705 . Observation Method",
		"18 EI O* 427 . Equipment Instance Identifier",
		"19 DTM O 24 . Date/Time of the Analysis",
		"20 CWE O* 705 . Observation Site",
		"21 EI O 427 . Observation Instance Identifier",
		"22 CNE C 705 . Mood Code",
		"23 XON O 570 . Performing Organization Name",
		"24 XAD O 2915 . Performing Organization Address",
		"25 XCN O 3220 . Performing Organization Medical Director",
	},
}

var (
	fieldSpecs251 = compileSegmentTables(segmentTables251)
	fieldSpecs231 = compileSegmentTables(segmentTables231)
	fieldSpecs26  = deriveV26(fieldSpecs251, compileSegmentTables(segmentTables26))
)

// deriveV26 returns the v2.6 tables: those transcribed, and for the other
// segments the v2.5.1 table with v2.6's type renames (CE to CWE, TS to
// DTM) and length checks kept only for coded and numeric primitives
// (ID, IS, SI, NM), since v2.6 recomputed the lengths of composites and
// raised those of several strings, and a v2.5.1 length would reject valid
// v2.6 values.
func deriveV26(v251, v26 map[string][]fieldSpec) map[string][]fieldSpec {
	out := make(map[string][]fieldSpec, len(v251))
	for id, specs := range v251 {
		if t, ok := v26[id]; ok {
			out[id] = t
			continue
		}
		derived := make([]fieldSpec, len(specs))
		for i, f := range specs {
			switch f.typ {
			case "CE":
				f.typ = "CWE"
			case "TS":
				f.typ = "DTM"
			}
			switch f.typ {
			case "ID", "IS", "SI", "NM":
			default:
				f.maxLen = 0
			}
			derived[i] = f
		}
		out[id] = derived
	}
	return out
}

// compileSegmentTables parses the attribute table notation; a malformed
// row is a bug in this file and panics at package initialisation.
func compileSegmentTables(src map[string][]string) map[string][]fieldSpec {
	out := make(map[string][]fieldSpec, len(src))
	for seg, rows := range src {
		specs := make([]fieldSpec, 0, len(rows))
		for _, row := range rows {
			f, err := parseFieldSpec(row)
			if err != nil {
				panic(fmt.Sprintf("hl7: field table %s: %q: %v", seg, row, err))
			}
			specs = append(specs, f)
		}
		out[seg] = specs
	}
	return out
}

func parseFieldSpec(row string) (fieldSpec, error) {
	parts := strings.SplitN(row, " ", 6)
	if len(parts) != 6 {
		return fieldSpec{}, fmt.Errorf("want 6 columns")
	}
	seq, err := strconv.Atoi(parts[0])
	if err != nil || seq < 1 {
		return fieldSpec{}, fmt.Errorf("bad sequence")
	}
	usage := parts[2]
	f := fieldSpec{seq: seq, typ: parts[1], name: parts[5]}
	if strings.HasSuffix(usage, "*") {
		f.repeating = true
		usage = strings.TrimSuffix(usage, "*")
	}
	switch usage {
	case "R":
		f.required = true
	case "O", "C", "B":
	default:
		return fieldSpec{}, fmt.Errorf("bad usage %q", usage)
	}
	if f.maxLen, err = strconv.Atoi(parts[3]); err != nil || f.maxLen < 0 {
		return fieldSpec{}, fmt.Errorf("bad length")
	}
	if parts[4] != "." {
		f.table = parts[4]
	}
	if f.typ != "*" && !knownType(f.typ) {
		return fieldSpec{}, fmt.Errorf("unknown data type %q", f.typ)
	}
	return f, nil
}

// fieldSpecsFor returns the attribute table of segment id for a message
// of the given version (MSH-12): the v2.3.1 table for versions before
// 2.5 where this package has one, the v2.6 tables (see deriveV26) from
// v2.6 on, the v2.5.1 table otherwise.
func fieldSpecsFor(id, version string) []fieldSpec {
	switch {
	case version != "" && !versionAtLeast(version, 2, 5, 0):
		if specs, ok := fieldSpecs231[id]; ok {
			return specs
		}
	case versionAtLeast(version, 2, 6, 0):
		return fieldSpecs26[id]
	}
	return fieldSpecs251[id]
}

// checkedSegments returns the IDs of the segments whose fields Validate
// checks against the standard's attribute tables, in no particular order.
func checkedSegments() []string {
	out := make([]string, 0, len(fieldSpecs251))
	for id := range fieldSpecs251 {
		out = append(out, id)
	}
	return out
}
