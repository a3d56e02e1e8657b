package restapi

import (
	"slices"
	"strings"

	"github.com/vetlink/vetlink/oauth"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/webhook"
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
		{Name: "lab_results", Title: "Lab results: every HL7 message a lab instrument sent, as received (lab_result.received).", Permission: oauth.ReadLabResults},
		{Name: "nahln_reports", Title: "NAHLN reports: the reports queued for NAHLN and how their sending went (nahln_report.sent).", Permission: oauth.ReadNAHLNReports},
		{Name: "admin_changes", Title: "Administrators' changes: the audit log of the admin API (admin.changed).", Permission: oauth.ReadAudit},
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

// eventNotes qualify the path of some events.
var eventNotes = map[webhook.EventType]string{
	"protocol.deleted":              "the protocol stays, with status DEPRECATED",
	"user.deactivated":              "the user stays, with type REMOVED",
	"webhook.subscription_disabled": "the subscription, inactive, with why in disabled_reason",
	"webhook.test":                  "the subscription the test was sent to",
}

// EventLinks lists, for every event of webhook.DefaultCatalogue that
// names its collection (webhook.EventKind.Resource), the URL that reads
// the object it names: a subscriber is told "case_id=123" and GETs
// /api/0.1/cases/123/. It adds product.created_or_updated, whose Green
// Book drug is read elsewhere, and is ordered by event. The other
// practice-management events are the embedding application's, whose own
// API serves their objects.
func EventLinks() []EventLink {
	var out []EventLink
	for _, k := range webhook.DefaultCatalogue().Kinds() {
		if k.Resource == "" {
			continue
		}
		out = append(out, EventLink{Event: string(k.Type), Param: k.Param, Path: Prefix + k.Resource + "/{id}/", Note: eventNotes[k.Type]})
	}
	out = append(out, EventLink{Event: "product.created_or_updated", Param: "product_id", Path: "/api/spl/{id}",
		Note: "a Green Book drug, by NDC: its label link in the VCPR API (openapi/vetlink.yaml); drugs are not a collection of /api/0.1/"})
	slices.SortFunc(out, func(a, b EventLink) int { return strings.Compare(a.Event, b.Event) })
	return out
}
