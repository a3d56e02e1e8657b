package restapi

import (
	"github.com/vetlink/vetlink/oauth"
	"github.com/vetlink/vetlink/store"
)

// Prefix is the path every endpoint of the integration API starts with.
const Prefix = "/api/0.1/"

// Collection is one collection of the API: where it lives, the permission
// reading it needs, and the lists related to each of its objects.
type Collection struct {
	// Name is the collection's path segment and its name in the store
	// ("cases": /api/0.1/cases/).
	Name string
	// Title is a one-line description for the documents.
	Title string
	// Permission is what a token needs to read the collection, and to
	// expose its objects inline in another.
	Permission oauth.Permission
	// Related are lists about each object, linked from it by URL: the
	// member name and the list's filter, whose value is the object's field
	// of the given name ("tasks" of a case are tasks/?case=<id>).
	Related []RelatedList
}

// RelatedList links an object to a filtered list of another collection.
type RelatedList struct {
	Member     string
	Collection string
	// Filters maps a filter parameter of the list to the field of the
	// object whose value it takes.
	Filters [][2]string
}

// Collections lists the collections of the API in the order the index
// shows them. Each list is GET /api/0.1/<name>/ and each object GET
// /api/0.1/<name>/<id>/, except animals, which have no key of their own:
// an animal is GET /api/0.1/farms/<farm>/animals/<animal_id>/.
func Collections() []Collection {
	return []Collection{
		{Name: "organisations", Title: "Organisations: the CLINIC and FARM accounts that group veterinarians and farms.", Permission: oauth.ReadOrganisations,
			Related: []RelatedList{{"departments", "departments", [][2]string{{"organisation", "id"}}}}},
		{Name: "departments", Title: "Departments: the members of an organisation (a clinic's veterinarians, a farm group's farms), one record per membership.", Permission: oauth.ReadOrganisations},
		{Name: "users", Title: "Users: every account, of every type.", Permission: oauth.ReadUsers},
		{Name: "farms", Title: "Farms: the farm managers' (MOR) accounts, whose animals, cases and withholds follow.", Permission: oauth.ReadFarms,
			Related: []RelatedList{
				{"animals", "animals", [][2]string{{"farm", "id"}}},
				{"prescriptions", "prescriptions", [][2]string{{"farm", "id"}}},
				{"cases", "cases", [][2]string{{"farm", "id"}}},
				{"withholds", "withholds", [][2]string{{"farm", "id"}}},
			}},
		{Name: "animals", Title: "Animals: the distinct animals a farm's cases name, with how many cases and when.", Permission: oauth.ReadAnimals,
			Related: []RelatedList{
				{"cases", "cases", [][2]string{{"farm", "farm"}, {"animal_id", "animal_id"}}},
				{"withholds", "withholds", [][2]string{{"farm", "farm"}, {"animal_id", "animal_id"}}},
			}},
		{Name: "protocols", Title: "Protocols: the treatment protocols of the library, each whole as written.", Permission: oauth.ReadProtocols},
		{Name: "prescriptions", Title: "Prescriptions: what a veterinarian prescribed to a farm, with the protocol as it was when prescribed.", Permission: oauth.ReadPrescriptions,
			Related: []RelatedList{
				{"cases", "cases", [][2]string{{"prescription", "id"}}},
				{"tasks", "tasks", [][2]string{{"prescription", "id"}}},
			}},
		{Name: "cases", Title: "Cases: an animal (or a group) enrolled on a prescription.", Permission: oauth.ReadCases,
			Related: []RelatedList{
				{"tasks", "tasks", [][2]string{{"case", "id"}}},
				{"withholds", "withholds", [][2]string{{"case", "id"}}},
			}},
		{Name: "tasks", Title: "Tasks: the doses and checks of a case; status as stored (REQUIRED, EXECUTED, CANCELLED, RECALLED).", Permission: oauth.ReadTasks},
		{Name: "withholds", Title: "Withholds: when an animal's meat and milk may enter the food chain again.", Permission: oauth.ReadWithholds},
		{Name: "webhook_subscriptions", Title: "Webhook subscriptions: where events are posted (never their signing secrets).", Permission: oauth.ReadWebhooks,
			Related: []RelatedList{{"deliveries", "webhook_deliveries", [][2]string{{"subscription", "id"}}}}},
		{Name: "webhook_deliveries", Title: "Webhook deliveries: each event's delivery to a subscription, and how it went.", Permission: oauth.ReadWebhooks},
		{Name: "integrations", Title: "Integrations: the catalogue of integrations an organisation may add (package oauth).", Permission: oauth.ReadIntegrations},
	}
}

// collections indexes Collections and their store side by name, built
// once: objects look their collection up for every record.
var collections = func() map[string]struct {
	c   Collection
	res store.RestResource
} {
	out := map[string]struct {
		c   Collection
		res store.RestResource
	}{}
	for _, c := range Collections() {
		r, ok := store.RestResourceNamed(c.Name)
		if !ok {
			panic("restapi: collection " + c.Name + " has no store.RestResource")
		}
		out[c.Name] = struct {
			c   Collection
			res store.RestResource
		}{c, r}
	}
	return out
}()

// collection returns the collection of that name with its store side.
func collection(name string) (Collection, store.RestResource, bool) {
	e, ok := collections[name]
	return e.c, e.res, ok
}

// EventLink says where the object a webhook event names is read: the
// event's identifying parameter and the object's path, with {id} standing
// for its value. Path is empty for an event whose data is the whole
// object.
type EventLink struct {
	Event, Param, Path string
	// Note qualifies a path that does not give the object itself.
	Note string
}

// EventLinks lists, for every event the reference server publishes
// (openapi/events.go), the URL that reads the object it names: a
// subscriber is told "case_id=123" and GETs /api/0.1/cases/123/.
func EventLinks() []EventLink {
	return []EventLink{
		{"protocol.created", "protocol_id", Prefix + "protocols/{id}/", ""},
		{"protocol.updated", "protocol_id", Prefix + "protocols/{id}/", ""},
		{"protocol.deleted", "protocol_id", Prefix + "protocols/{id}/", "the protocol stays, with status DEPRECATED"},
		{"product.created_or_updated", "product_id", "/api/spl/{id}", "a Green Book drug, by NDC: its label link in the VCPR API (openapi/vetlink.yaml); drugs are not a collection of /api/0.1/"},
		{"prescription.created", "prescription_id", Prefix + "prescriptions/{id}/", ""},
		{"prescription.updated", "prescription_id", Prefix + "prescriptions/{id}/", ""},
		{"prescription.cancelled", "prescription_id", Prefix + "prescriptions/{id}/", ""},
		{"case.created", "case_id", Prefix + "cases/{id}/", ""},
		{"task.completed", "task_id", Prefix + "tasks/{id}/", ""},
		{"task.skipped", "task_id", Prefix + "tasks/{id}/", ""},
		{"withhold.started", "withhold_id", Prefix + "withholds/{id}/", ""},
		{"withhold.updated", "withhold_id", Prefix + "withholds/{id}/", ""},
		{"user.created_or_updated", "user_id", Prefix + "users/{id}/", ""},
		{"user.deactivated", "user_id", Prefix + "users/{id}/", "the user stays, with type REMOVED"},
		{"admin.changed", "admin_change_id", "", "the event's data is the whole change (the audit-log entry); administrators' changes are not a collection of /api/0.1/"},
	}
}
