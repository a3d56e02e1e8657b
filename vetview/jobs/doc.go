// Package jobs holds vetview job kinds that do their work through the
// other vetlink packages. The vetview core imports none of them; a program
// registers the kinds it wants:
//
//	var kinds vetview.Registry
//	vetview.MustRegister(&kinds, jobs.ReminderKind(db.Rx(), &jobs.SMTPSender{
//		Addr: "smtp.example.org:587",
//		From: "vetlink <reminders@clinic.example>",
//		Auth: smtp.PlainAuth("", user, password, "smtp.example.org"),
//	}))
//
// # Kinds
//
//   - "task-reminders" ([ReminderKind]): tells each configured farm which of
//     its rx tasks (doses, promises) are overdue, due, or due soon, through a
//     [Sender]; [SMTPSender] sends e-mail, [SenderFunc] adapts any function.
//   - "hl7-mllp-listener" and "nahln-report" ([MLLPListenerKind],
//     [NAHLNReportKind]): HL7 v2 interfaces over MLLP.
//   - "webhook-maintenance" ([WebhookMaintenanceKind]): recovers stranded webhook deliveries, prunes the log.
//
// Every kind validates its settings when a job is configured, and reads
// the run's scheduled time rather than the clock, so a run repeated after a
// crash does the same work.
package jobs
