package store

// moreRestResources are the collections that serve the objects of the
// webhook events with no collection of their own before (issue 15:
// "webhook, then GET" for every event): the messages lab instruments sent
// (lab_result.received), the NAHLN report queue (nahln_report.sent) and
// the administrators' audit log (admin.changed). None of their rows
// carries a farm or a user whose rights rx defines, so they have no user
// or organisation scope: a user-acting token reads them only as the SAOR,
// an organisation-acting one never.
func moreRestResources() []RestResource {
	// The administrator who made a change is a user; the relation is built
	// as restResources builds its links.
	var userFilters []Field
	for _, f := range restUserFields {
		if f.Filterable() {
			userFilters = append(userFilters, f)
		}
	}
	return []RestResource{
		// Every message the HL7 MLLP listeners stored (migration 0040), as
		// received: the ID is the one lab_result.received carries.
		{Name: "lab_results", From: "hl7_inbound_messages m", Key: "id", Order: []string{"id"},
			Fields: []Field{
				{Name: "id", Column: "m.id", Type: FieldText},
				{Name: "source", Column: "m.source", Type: FieldText},
				{Name: "sending_application", Column: "m.sending_application", Type: FieldText},
				{Name: "sending_facility", Column: "m.sending_facility", Type: FieldText},
				{Name: "control_id", Column: "m.control_id", Type: FieldText},
				{Name: "message_type", Column: "m.message_type", Type: FieldText},
				{Name: "remote_addr", Column: "m.remote_addr", Type: FieldText},
				{Name: "received_at", Column: "m.received_at", Type: FieldTime},
				// The ER7 text as received (segments end in CR). The column
				// is bytes (BYTEA, BLOB), which text methods cannot search
				// on PostgreSQL.
				{Name: "message", Column: "m.data", Type: FieldText, NoFilter: true},
			}},
		// The NAHLN report queue with each report's last outcome
		// (migration 0040): the ID is the one nahln_report.sent carries.
		{Name: "nahln_reports", From: "hl7_nahln_reports n", Key: "id", Order: []string{"id"},
			Fields: []Field{
				{Name: "id", Column: "n.id", Type: FieldText},
				{Name: "status", Column: "n.status", Type: FieldText},
				{Name: "attempts", Column: "n.attempts", Type: FieldInt, Int32: true},
				{Name: "created_at", Column: "n.created_at", Type: FieldTime},
				{Name: "next_attempt_at", Column: "n.next_attempt_at", Type: FieldTime},
				{Name: "last_attempt_at", Column: "n.last_attempt_at", Type: FieldTime},
				{Name: "last_error", Column: "n.last_error", Type: FieldText},
				{Name: "ack_code", Column: "n.ack_code", Type: FieldText},
				{Name: "ack_errors", Column: "n.ack_errors", Type: FieldJSON},
				{Name: "report", Column: "n.report", Type: FieldJSON},
			}},
		// The audit log of the admin API (migration 0080): the ID is the
		// change's number, which admin.changed carries.
		{Name: "admin_changes", From: "admin_audit a", Key: "id", Order: []string{"id"},
			Fields: []Field{
				{Name: "id", Column: "a.id", Type: FieldInt},
				{Name: "at", Column: "a.at", Type: FieldTime},
				{Name: "actor", Column: "a.actor_id", Type: FieldInt},
				{Name: "action", Column: "a.action", Type: FieldText},
				{Name: "target", Column: "a.target", Type: FieldText},
				{Name: "detail", Column: "a.detail", Type: FieldJSON},
			},
			Relations: []Relation{{Name: "actor", Column: "a.actor_id", Resource: "users", From: "rx_users u", Key: "u.id", Fields: userFilters}}},
	}
}
