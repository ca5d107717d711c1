package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"zoufang/station"
	"zoufang/watches"
)

// TestRulesMatrix asks for every collection through PocketBase's REST API
// (list, view, create, update, delete) and every route zoufang's Echo
// serves (GET and POST), as each role: anonymous, the officer of community
// A, the officer of B, the deputy chief. It checks what comes back, not
// the status: which records a list or view answers with, whether a write
// changed what the app stores (read back from the database), which of the
// station's data a page shows. The collections and routes are read from
// the running app; one without a row here fails the test by name.
func TestRulesMatrix(t *testing.T) {
	m := newMatrix(t)

	t.Run("every collection has a row", func(t *testing.T) {
		colls, err := m.App.FindAllCollections()
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, c := range colls {
			seen[c.Name] = true
			_, row := collectionRows[c.Name]
			_, sys := systemCollections[c.Name]
			if !row && !sys {
				t.Errorf("collection %s has no row in the rules matrix (collectionRows): say what each role may read and write", c.Name)
			}
		}
		for name := range collectionRows {
			if !seen[name] {
				t.Errorf("the rules matrix has a row for %s, which the app no longer has", name)
			}
		}
	})

	t.Run("every table beside the collections is the server's alone", func(t *testing.T) {
		var tables []string
		if err := m.App.DB().NewQuery("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").Column(&tables); err != nil {
			t.Fatal(err)
		}
		for _, name := range tables {
			if _, err := m.App.FindCollectionByNameOrId(name); err == nil {
				continue
			}
			if _, ok := serverTables[name]; !ok {
				t.Errorf("table %s is neither a collection nor listed in serverTables: say who reads it", name)
				continue
			}
			for r := range nRoles {
				var ans listAnswer
				m.rest[r].GetJSON("/api/collections/"+name+"/records", &ans)
				if len(ans.Items) > 0 {
					t.Errorf("%s: %s listed %d rows through the REST API", name, r, len(ans.Items))
				}
			}
		}
	})

	t.Run("PocketBase's own collections give officers nothing", func(t *testing.T) {
		for name := range systemCollections {
			for r := range nRoles {
				var ans listAnswer
				m.rest[r].GetJSON("/api/collections/"+name+"/records?perPage=500", &ans)
				if len(ans.Items) > 0 {
					t.Errorf("%s: %s listed %d records", name, r, len(ans.Items))
				}
			}
		}
	})

	t.Run("PocketBase's other endpoints", func(t *testing.T) {
		m.pocketBaseEndpoints(t)
	})

	t.Run("the resident pages open only with their link", func(t *testing.T) {
		forged := strings.Repeat("0", 32)
		visitID, _, _ := strings.Cut(m.a.openToken, ".")
		for name, path := range map[string]string{
			"a confirmation link with a forged secret": "/c/" + visitID + "." + forged,
			"a confirmation link of no visit":          "/c/" + core.GenerateDefaultRandomId() + "." + forged,
			"a watch link with a forged secret":        watches.SummaryPath(m.a.watch.ID, forged),
			"a watch link with a token's secret":       watches.SummaryPath(m.a.watch.ID, m.a.token.Secret),
			"a watch link of no watch":                 watches.SummaryPath(core.GenerateDefaultRandomId(), m.a.watchSecret),
			"a watch link cut short":                   watches.SummaryPath(m.a.watch.ID, m.a.watchSecret[:31]),
		} {
			before := m.state()
			_, body := m.Anonymous().Get(path)
			for _, leak := range []string{"李卫东", "100001", m.a.mark("路1号"), m.a.mark("联系人")} {
				if strings.Contains(body, leak) {
					t.Errorf("%s shows %q", name, leak)
				}
			}
			if m.state() != before {
				t.Errorf("%s changed what the app stores", name)
			}
		}
	})

	for _, name := range sortedKeys(collectionRows) {
		row := collectionRows[name]
		t.Run("collection "+name, func(t *testing.T) { m.collection(t, name, row) })
	}

	registered := map[string]bool{}
	paths := map[string][]string{}
	for _, rt := range m.Server.Echo.Routes() {
		registered[rt.Method+" "+rt.Path] = true
		paths[rt.Path] = append(paths[rt.Path], rt.Method)
	}
	t.Run("every route has a row", func(t *testing.T) {
		for key := range registered {
			if _, ok := routeRows[key]; !ok {
				t.Errorf("route %s has no row in the rules matrix (routeRows): say what each role sees and changes there", key)
			}
		}
		for key := range routeRows {
			if !registered[key] {
				t.Errorf("the rules matrix has a row for %s, which the app no longer serves", key)
			}
		}
	})
	for _, key := range sortedKeys(routeRows) {
		if !registered[key] {
			continue
		}
		row := routeRows[key]
		method, path, _ := strings.Cut(key, " ")
		t.Run("route "+key, func(t *testing.T) { m.route(t, method, path, row) })
	}
	// The other method of each path (a POST to a page, a GET of a form's
	// target) is answered without anything of the station's data, and
	// changes nothing.
	for _, path := range sortedKeys(paths) {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			if slices.Contains(paths[path], method) {
				continue
			}
			other := routeRows[paths[path][0]+" "+path]
			if other.url == nil {
				other.url = at(path)
			}
			row := routeRow{url: other.url}
			t.Run("route "+method+" "+path+" (not served)", func(t *testing.T) { m.route(t, method, path, row) })
		}
	}
}

// pocketBaseEndpoints: PocketBase's own routes beside the records API.
// Its health answers everyone; its admin endpoints (collection schemas,
// settings, logs, backups, crons) no role but a superuser; the plan image
// (a protected file) only those who may view its record, with a file
// token.
func (m *matrix) pocketBaseEndpoints(t *testing.T) {
	for r := range nRoles {
		if _, body := m.rest[r].Get("/api/health"); !strings.Contains(body, "API is healthy") {
			t.Errorf("%s: health answered %.80s", r, body)
		}
		for _, path := range []string{"/api/collections", "/api/settings", "/api/logs", "/api/backups", "/api/crons"} {
			_, body := m.rest[r].Get(path)
			var ans map[string]any
			_ = json.Unmarshal([]byte(body), &ans)
			if data, _ := ans["data"].(map[string]any); ans["message"] == nil || len(data) > 0 || len(ans) > 3 {
				t.Errorf("%s %s answered more than a refusal: %.120s", r, path, body)
			}
		}
	}
	if _, body := m.su.Get("/api/collections?perPage=100"); !strings.Contains(body, `"name":"households"`) {
		t.Errorf("the superuser's schemas lack households: %.120s", body)
	}
	file := "/api/files/patrol_maps/" + m.a.plan + "/" + m.a.planFile
	for r := range nRoles {
		var tok struct{ Token string }
		m.rest[r].PostJSON("/api/files/token", nil, &tok)
		_, body := m.rest[r].Get(file + "?token=" + url.QueryEscape(tok.Token))
		if got, want := body == string(m.a.planImage), areaA.has(r); got != want {
			t.Errorf("%s fetched A's plan image: %v, want %v", r, got, want)
		}
	}
}

// systemCollections are PocketBase's own. zoufang writes nothing to them:
// officers sign in through /login, never PocketBase's auth endpoints
// (password auth is off for officers), so they hold no OTPs, MFA records,
// external auths or auth origins of officers; _superusers are the station
// admins. Their rules are PocketBase's (owner only, or superusers only);
// the matrix checks only that no role lists anything from them.
var systemCollections = map[string]string{
	core.CollectionNameSuperusers:    "station admins; superusers only",
	core.CollectionNameOTPs:          "one-time passwords of PocketBase's auth; unused",
	core.CollectionNameMFAs:          "multi-factor records of PocketBase's auth; unused",
	core.CollectionNameAuthOrigins:   "devices that signed in through PocketBase's auth; unused",
	core.CollectionNameExternalAuths: "OAuth2 links; unused",
}

// serverTables are tables that are not collections: only the server's
// stores read them, and PocketBase's REST API does not know them.
var serverTables = map[string]string{
	"_migrations":       "PocketBase's applied migrations",
	"_params":           "PocketBase's settings",
	"_collections":      "PocketBase's collection schemas",
	"household_phones":  "the registry's phone index (households store)",
	"visit_days":        "the running coverage figures (visits hooks)",
	"officer_addresses": "hashed addresses of officers' sessions, for a fraud flag (visits)",
	"dispute_counters":  "the yearly dispute numbers (mediation hooks)",
	"revoked_sessions":  "signed-out session ids (auth)",
}

// collectionRow is what each role may do with a collection through
// PocketBase's REST API.
type collectionRow struct {
	// ids are the seeded records of community A and of B ("" when the
	// collection has one row for the whole station).
	ids func(m *matrix) (a, b string)
	// read is which of them each role finds in a list and may view, in
	// role order (anonymous, officer of A, officer of B, deputy chief):
	// "", "A", "B" or "AB".
	read [nRoles]string
	// write is whose create, update and delete take effect.
	write writes
}

type writes struct{ create, update, del roles }

// superuserWrites: no role's write takes effect. Every collection's
// create, update and delete rules are nil: through REST only a superuser
// (the station admin, in /_/) writes, and the record hooks keep the rules
// on that path too. zoufang's own pages and the sync push write through
// the stores.
var superuserWrites = writes{create: nobody, update: nobody, del: nobody}

var (
	areaRead     = [nRoles]string{"", "A", "B", "AB"}   // an officer reads their communities', the deputy chief all
	officersRead = [nRoles]string{"", "AB", "AB", "AB"} // every officer reads all
	chiefRead    = [nRoles]string{"", "", "", "AB"}     // the deputy chief only
	noRead       = [nRoles]string{"", "", "", ""}       // only the server
)

func pair(f func(s *side) string) func(m *matrix) (string, string) {
	return func(m *matrix) (string, string) { return f(m.a), f(m.b) }
}

var collectionRows = map[string]collectionRow{
	"communities": {ids: pair(func(s *side) string { return s.community }), read: officersRead, write: superuserWrites},
	"grids":       {ids: pair(func(s *side) string { return s.grid }), read: officersRead, write: superuserWrites},
	// An officer reads their own record; the deputy chief the station's.
	"officers":        {ids: pair(func(s *side) string { return s.officer.Id }), read: areaRead, write: superuserWrites},
	"households":      {ids: pair(func(s *side) string { return s.household.ID }), read: areaRead, write: superuserWrites},
	"visits":          {ids: pair(func(s *side) string { return s.visit.ID }), read: areaRead, write: superuserWrites},
	"visit_tokens":    {ids: pair(func(s *side) string { return s.token.VisitID }), read: noRead, write: superuserWrites},
	"confirmations":   {ids: pair(func(s *side) string { return s.confirmation }), read: chiefRead, write: superuserWrites},
	"holiday_watches": {ids: pair(func(s *side) string { return s.watch.ID }), read: areaRead, write: superuserWrites},
	"watch_alerts":    {ids: pair(func(s *side) string { return s.alert }), read: chiefRead, write: superuserWrites},
	"settings": {ids: func(m *matrix) (string, string) {
		rec, err := m.App.FindFirstRecordByFilter("settings", "id != ''")
		if err != nil {
			m.t.Fatal(err)
		}
		return rec.Id, ""
	}, read: [nRoles]string{"", "A", "A", "A"}, write: superuserWrites},
	// A handover is read by both its officers and the deputy chief.
	"handovers":       {ids: pair(func(s *side) string { return s.handover }), read: areaRead, write: superuserWrites},
	"devices":         {ids: pair(func(s *side) string { return s.device }), read: chiefRead, write: superuserWrites},
	"mediation_rooms": {ids: pair(func(s *side) string { return s.room }), read: officersRead, write: superuserWrites},
	// The roster on the wall: every officer reads it.
	"mediators":        {ids: pair(func(s *side) string { return s.mediator }), read: officersRead, write: superuserWrites},
	"disputes":         {ids: pair(func(s *side) string { return s.dispute.ID }), read: areaRead, write: superuserWrites},
	"dispute_sessions": {ids: pair(func(s *side) string { return s.session }), read: areaRead, write: superuserWrites},
	"dispute_events":   {ids: pair(func(s *side) string { return s.event }), read: areaRead, write: superuserWrites},
	"patrol_teams":     {ids: pair(func(s *side) string { return s.team }), read: areaRead, write: superuserWrites},
	"volunteers":       {ids: pair(func(s *side) string { return s.volunteer }), read: areaRead, write: superuserWrites},
	"patrol_shifts":    {ids: pair(func(s *side) string { return s.shift }), read: areaRead, write: superuserWrites},
	"map_points":       {ids: pair(func(s *side) string { return s.point }), read: areaRead, write: superuserWrites},
	"patrol_reports":   {ids: pair(func(s *side) string { return s.report }), read: areaRead, write: superuserWrites},
	"good_deeds":       {ids: pair(func(s *side) string { return s.deed }), read: officersRead, write: superuserWrites},
	"patrol_maps":      {ids: pair(func(s *side) string { return s.plan }), read: areaRead, write: superuserWrites},
}

type listAnswerItems struct {
	Items []map[string]any `json:"items"`
}

// collection runs one collection's row for every role.
func (m *matrix) collection(t *testing.T, name string, row collectionRow) {
	defer m.use(t)()
	coll, err := m.App.FindCollectionByNameOrId(name)
	if err != nil {
		t.Fatal(err)
	}
	idA, idB := row.ids(m)
	var hidden []string
	for _, f := range coll.Fields {
		if f.GetHidden() {
			hidden = append(hidden, f.GetName())
		}
	}
	base := "/api/collections/" + name + "/records"
	for r := range nRoles {
		c := m.rest[r]
		may := row.read[r]
		t.Run(r.String()+" lists and views", func(t *testing.T) {
			defer m.use(t)()
			var list listAnswerItems
			c.GetJSON(base+"?perPage=500", &list)
			got := map[string]bool{}
			for _, it := range list.Items {
				id, _ := it["id"].(string)
				got[id] = true
				for _, f := range hidden {
					if _, ok := it[f]; ok {
						t.Errorf("the list shows hidden field %s of %s", f, id)
					}
				}
				// Nothing of the other community, seeded or not.
				if comm, _ := it["community"].(string); comm != "" {
					if (comm == m.b.community && !strings.Contains(may, "B")) || (comm == m.a.community && !strings.Contains(may, "A")) {
						t.Errorf("the list has %s of community %s", id, comm)
					}
				}
			}
			if may == "" && len(list.Items) > 0 {
				t.Errorf("the list has %d records, want none", len(list.Items))
			}
			for _, s := range []struct {
				letter, id string
			}{{"A", idA}, {"B", idB}} {
				if s.id == "" {
					continue
				}
				want := strings.Contains(may, s.letter)
				if got[s.id] != want {
					t.Errorf("%s's record %s in the list: %v, want %v", s.letter, s.id, got[s.id], want)
				}
				var one map[string]any
				res := c.GetJSON(base+"/"+s.id, &one)
				if seen := one["id"] == s.id; seen != want {
					t.Errorf("viewing %s's record %s: got it %v (status %d), want %v", s.letter, s.id, seen, res.StatusCode, want)
				}
				for _, f := range hidden {
					if _, ok := one[f]; ok {
						t.Errorf("viewing %s shows hidden field %s", s.id, f)
					}
				}
			}
		})

		t.Run(r.String()+" creates", func(t *testing.T) {
			defer m.use(t)()
			src, err := m.App.FindRecordById(name, idA)
			if err != nil {
				t.Fatal(err)
			}
			body := map[string]any{}
			for k, v := range src.FieldsData() {
				body[k] = v
			}
			newID := core.GenerateDefaultRandomId()
			body["id"] = newID
			delete(body, "created")
			delete(body, "updated")
			before := m.state()
			c.PostJSON(base, body, nil)
			_, err = m.App.FindRecordById(name, newID)
			created := err == nil
			if want := row.write.create.has(r); created != want || (m.state() != before) != want {
				t.Errorf("created: %v, want %v", created, want)
			}
		})

		t.Run(r.String()+" updates", func(t *testing.T) {
			defer m.use(t)()
			field, value := updateOf(coll)
			before := m.state()
			c.Send(http.MethodPatch, base+"/"+idA, map[string]any{field: value}, nil)
			if changed, want := m.state() != before, row.write.update.has(r); changed != want {
				t.Errorf("updating %s: something changed %v, want %v", field, changed, want)
			}
		})

		t.Run(r.String()+" deletes", func(t *testing.T) {
			defer m.use(t)()
			before := m.state()
			c.Send(http.MethodDelete, base+"/"+idA, nil, nil)
			_, err := m.App.FindRecordById(name, idA)
			if gone, want := err != nil, row.write.del.has(r); gone != want || (m.state() != before) != want {
				t.Errorf("deleted: %v, want %v", gone, want)
			}
		})
	}
}

// updateOf picks a field of coll to change and a value for it: a text
// field if there is one, else a date, else a number or bool.
func updateOf(coll *core.Collection) (string, any) {
	for _, f := range coll.Fields {
		if _, ok := f.(*core.TextField); ok && !f.GetSystem() {
			return f.GetName(), "矩阵改动"
		}
	}
	for _, f := range coll.Fields {
		switch f.(type) {
		case *core.DateField:
			return f.GetName(), "2030-01-01 00:00:00.000Z"
		case *core.NumberField:
			return f.GetName(), 7
		case *core.BoolField:
			return f.GetName(), true
		}
	}
	return "id", core.GenerateDefaultRandomId()
}

// routeRow is what each role sees and changes at one route.
type routeRow struct {
	// url is the path and query to ask for as role r (nil: the route's
	// own path).
	url func(m *matrix, r role) string
	// body is what a POST sends as role r.
	body func(m *matrix, r role) payload
	// shows is which roles find each of the station's data in the answer.
	// Every marker of the station's data not listed here must be absent
	// from every role's answer.
	shows []shown
	// changes is whose request changes what the app stores.
	changes roles
	// check, when set, replaces the generic request and its assertions.
	check func(t *testing.T, m *matrix, r role)
}

// shown is a marker of the station's data and who may find it.
type shown struct {
	side byte   // 'A' or 'B', or 0 for a text
	key  string // a marker key (markerKeys), or the text itself
	to   roles
}

// see: side's marker key is shown to to.
func see(side byte, key string, to roles) shown { return shown{side: side, key: key, to: to} }

// seeText: a text that is no marker of the station's data (a page's own
// words) is shown to to.
func seeText(text string, to roles) shown { return shown{key: text, to: to} }

// seeArea: A's marker key is shown to A's officer and the deputy chief,
// B's to B's officer and the deputy chief.
func seeArea(key string) []shown {
	return []shown{see('A', key, areaA), see('B', key, areaB)}
}

// seeAll: both communities' marker key is shown to to.
func seeAll(key string, to roles) []shown {
	return []shown{see('A', key, to), see('B', key, to)}
}

func at(path string) func(*matrix, role) string {
	return func(*matrix, role) string { return path }
}

func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// markerKeys are the station's data, by key, as a side's texts that show
// it (any of them counts: a phone shows as E.164, national or spaced).
var markerKeys = map[string]func(m *matrix, s *side) []string{
	"head":           mk("户主"),
	"address":        mk("路1号"),
	"householdNotes": mk("住户备注"),
	"householdPhone": phoneMk(func(s *side) string { return s.householdPhone }),
	"visitNotes":     mk("走访记录"),
	"openVisitNotes": mk("待确认走访"),
	"comment":        mk("居民评价"),
	"watchContact":   mk("联系人"),
	"watchPhone":     phoneMk(func(s *side) string { return s.watchPhone }),
	"keyHolder":      mk("钥匙人"),
	"watchNotes":     mk("照看备注"),
	"checkNotes":     mk("异常检查"),
	"wechat":         mk("微信号"),
	"handoverNote":   mk("交接备注"),
	"appVersion":     mk("版本"),
	"room":           mk("工作室"),
	"mediator":       mk("调解员"),
	"mediatorPhone":  phoneMk(func(s *side) string { return s.mediatorPhone }),
	"summary":        mk("纠纷概要"),
	"applicant":      mk("申请人"),
	"respondent":     mk("被申请人"),
	"partyPhone":     phoneMk(func(s *side) string { return s.partyPhone }),
	"sessionNotes":   mk("调解记录"),
	"nextStep":       mk("下一步"),
	"team":           mk("巡防队"),
	"volunteer":      mk("队员"),
	"volunteerPhone": phoneMk(func(s *side) string { return s.volunteerPhone }),
	"unit":           mk("单位"),
	"shiftNotes":     mk("巡逻备注"),
	"point":          mk("标点"),
	"place":          mk("巡防地点"),
	"finding":        mk("巡防发现"),
	"deedName":       mk("善者"),
	"deedStory":      mk("拾金事迹"),
	"hiddenName":     mk("匿名者"),
	"hiddenStory":    mk("未公开事迹"),
	"plan":           func(m *matrix, s *side) []string { return []string{string(s.planImage)} },
	// Secrets: a token's and a watch link's leave the server once, in the
	// answer that made them.
	"tokenSecret": func(m *matrix, s *side) []string { return []string{s.token.Secret} },
	"watchSecret": func(m *matrix, s *side) []string { return []string{s.watchSecret} },
}

// vocabulary are markers of the station's shared words rather than its
// data: every officer reads the mediation rooms and the roster (the
// forms offer them), so pages may show them to any officer; rows that
// list them still check who sees them.
var vocabulary = map[string]bool{"room": true, "mediator": true}

func mk(what string) func(m *matrix, s *side) []string {
	return func(m *matrix, s *side) []string { return []string{s.mark(what)} }
}

func phoneMk(f func(s *side) string) func(m *matrix, s *side) []string {
	return func(m *matrix, s *side) []string {
		p := f(s)
		e164, _, _ := station.NormalizePhones([]string{p})
		out := []string{p, station.DisplayPhone(e164[0]), e164[0]}
		return out
	}
}

// found reports whether any text of marker sh is in body.
func (m *matrix) texts(sh shown) []string {
	if sh.side == 0 {
		return []string{sh.key}
	}
	f, ok := markerKeys[sh.key]
	if !ok {
		m.t.Fatalf("no marker %q", sh.key)
	}
	s := m.a
	if sh.side == 'B' {
		s = m.b
	}
	return f(m, s)
}

func containsAny(body string, texts []string) bool {
	for _, x := range texts {
		if x != "" && strings.Contains(body, x) {
			return true
		}
	}
	return false
}

// route runs one route's row for every role and reports, per marker of
// the station's data, who found it against who should have.
func (m *matrix) route(t *testing.T, method, path string, row routeRow) {
	if row.check != nil {
		for r := range nRoles {
			t.Run(r.String(), func(t *testing.T) {
				defer m.use(t)()
				row.check(t, m, r)
			})
		}
		return
	}
	defer m.use(t)()
	var changed roles
	found := map[shown]roles{} // markers found, by who
	var statuses []string
	for r := range nRoles {
		u := path
		if row.url != nil {
			u = row.url(m, r)
		}
		var body payload
		if row.body != nil {
			body = row.body(m, r)
		}
		before := m.state()
		res, text := send(t, m.clients[r], method, u, body)
		if m.state() != before {
			changed |= 1 << r
		}
		statuses = append(statuses, fmt.Sprintf("%s %d", r, res.StatusCode))
		text = readable(text)
		for _, sh := range row.shows {
			if containsAny(text, m.texts(sh)) {
				found[shown{side: sh.side, key: sh.key}] |= 1 << r
			}
		}
		for key := range markerKeys {
			if vocabulary[key] {
				continue
			}
			for _, side := range []byte{'A', 'B'} {
				sh := shown{side: side, key: key}
				if !containsAny(u, m.texts(sh)) && containsAny(text, m.texts(sh)) {
					found[sh] |= 1 << r
				}
			}
		}
	}
	answered := strings.Join(statuses, ", ")
	if changed != row.changes {
		t.Errorf("%s %s changed what the app stores for %s, want %s (answered %s)", method, path, changed, row.changes, answered)
	}
	want := map[shown]roles{}
	for _, sh := range row.shows {
		want[shown{side: sh.side, key: sh.key}] |= sh.to
	}
	keys := map[shown]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range found {
		keys[k] = true
	}
	for k := range keys {
		if found[k] != want[k] {
			what := k.key
			if k.side != 0 {
				what = fmt.Sprintf("%c's %s", k.side, k.key)
			}
			t.Errorf("%s %s shows %s to %s, want %s (answered %s)", method, path, what, found[k], want[k], answered)
		}
	}
}

func sortedKeys[V any](mp map[string]V) []string {
	out := make([]string, 0, len(mp))
	for k := range mp {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// shellMark is in the field app's shell: a field screen's answer to an
// officer.
const shellMark = `id="screen-today"`

// shell: the field app's shell, served to the community officers (the
// deputy chief gets the office page).
var shell = seeText(shellMark, onlyA|onlyB)
