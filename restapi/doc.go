// Package restapi is the integration API of a vetlink server: the REST
// API at /api/0.1/ through which a partner's system, holding an OAuth 2.0
// token from package oauth, reads the server's data. A partner gets a
// webhook ("case_id=123") and then reads GET /api/0.1/cases/123/.
//
// # Collections and permissions
//
// Each collection is a list GET /api/0.1/<name>/ and an object
// GET /api/0.1/<name>/<id>/, read with the permission named beside it
// (a token scope of the same name; see oauth.Permission). A token without
// it gets a 403 problem naming the permission.
//
//	organisations          organisations.read   CLINIC and FARM accounts
//	departments            organisations.read   members of an organisation
//	users                  users.read           every account
//	farms                  farms.read           farm managers' (MOR) accounts
//	animals                animals.read         the animals a farm's cases name;
//	                                            an animal is /api/0.1/farms/<farm>/animals/<animal_id>/
//	protocols              protocols.read       the protocol library
//	prescriptions          prescriptions.read
//	cases                  cases.read
//	tasks                  tasks.read
//	withholds              withholds.read
//	webhook_subscriptions  webhooks.read        never their signing secrets
//	webhook_deliveries     webhooks.read
//	integrations           integrations.read    the integration catalogue
//	lab_results            lab_results.read     HL7 messages from lab instruments, as received
//	nahln_reports          nahln_reports.read   the NAHLN report queue and its outcomes
//	admin_changes          audit.read           the admin API's audit log
//
// GET /api/0.1/ serves this table with every field, its type and filter
// methods and the exposable fields ([Endpoints]), and the URL each webhook
// event names ([EventLinks]); GET /api/0.1/openapi.yaml the OpenAPI
// document (restapi.yaml, generated from the same table by [OpenAPI]).
//
// # Objects and lists
//
// Every object carries its own "url"; a field linking another object
// ("prescription" of a case) holds that object's URL, and related lists
// ("tasks" of a case) are URLs of filtered lists. expose_<field>=true
// puts the linked object itself in place of its URL (and needs the
// permission of its collection too). A list is
// {"count", "next", "previous", "results"}: count is the number of
// matches on all pages; limit (1-500, default 25) and offset page it.
//
// # Filters
//
// Any other query parameter of a list is a filter, compiled by
// store.CompileFilters into parameterised SQL (never by concatenating a
// value): field__method=value, or related.field__method=value to reach a
// field of a linked object (cases?prescription.status=ACTIVE). The methods
// are is/eq, is_not/not_eq/neq, lt, lte, gt, gte, range, not_in_range,
// contains, contains_not, icontains, icontains_not, in, not_in and is_null;
// a bare field means eq. Times are written "2026-03-01 06:00+01:00"
// (the + escaped as %2B in a URL; an unescaped one arrives as a space and
// is read as +). in, not_in, range and not_in_range take comma-separated
// values. An unknown field or method, or a value of the wrong type, is a
// 400 problem whose errors[0].field names the parameter. The negated
// methods keep the objects without a value (NULL), and through a related
// object they mean "no related object matches".
//
// # Browsable
//
// A browser (Accept: text/html before any JSON type, or format=html) gets
// each endpoint as an HTML page: the JSON, the links in it to follow, the
// fields with their filter methods and the exposable fields. The page has
// no script and is served with a Content-Security-Policy that allows only
// its own style sheet.
//
// # Whose rows
//
// A token acting for a vetlink user (authorization_code) reads only the
// rows rx lets that user read (store.RestQuery.ActingUser): a farm its own
// cases, tasks and withholds, a TOR those of its employer, a VOR its
// prescriptions and its clients' farms, the SAOR everything; webhooks and
// integrations are the SAOR's.
//
// An integration's own token (client_credentials of an integration an
// organisation added from the catalogue: oauth.Principal.Organisation
// set, User zero) reads only the rows of that organisation
// (store.RestQuery.ActingOrganisation). The organisation is a CLINIC or
// FARM account, named by its decimal ID; it reads what its active members
// (a clinic's VORs, a farm's MORs; not removed or pending ones) may read
// by the same rules, taken together; among organisations and users it
// reads itself too, among departments its own memberships, among
// integrations those it registered, and no webhook collection. An
// organisation that is not a decimal ID, or not a CLINIC or FARM, reads
// nothing: its lists are empty.
//
// Either way an object the token may not read is a 404, as if it did not
// exist, and expose_<field> inlines only objects it may read (otherwise
// the field keeps its URL).
//
// A token with neither a user nor an organisation, of a client the
// operator made outside the catalogue, reads every row of the collections
// its permissions name: such a client is the operator's own.
package restapi
