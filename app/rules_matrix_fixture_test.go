package app_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/mediation"
	"zoufang/patrols"
	"zoufang/people"
	"zoufang/station"
	"zoufang/visits"
	"zoufang/watches"
)

// role is who sends a request in the rules matrix.
type role int

const (
	anon  role = iota // no session, no token
	offA              // the community officer of A
	offB              // the community officer of B
	chief             // the deputy chief
	nRoles
)

var roleNames = [nRoles]string{"anonymous", "officer of A", "officer of B", "deputy chief"}

func (r role) String() string { return roleNames[r] }

// roles is a set of roles.
type roles uint8

func (rs roles) has(r role) bool { return rs&(1<<r) != 0 }

func (rs roles) String() string {
	var out []string
	for r := range nRoles {
		if rs.has(r) {
			out = append(out, r.String())
		}
	}
	if len(out) == 0 {
		return "nobody"
	}
	return strings.Join(out, ", ")
}

const (
	nobody    roles = 0
	onlyAnon  roles = 1 << anon
	onlyA     roles = 1 << offA
	onlyB     roles = 1 << offB
	onlyChief roles = 1 << chief
	areaA           = onlyA | onlyChief // A's officer and the deputy chief
	areaB           = onlyB | onlyChief
	signedIn        = onlyA | onlyB | onlyChief
	everyone        = signedIn | onlyAnon
)

// side is one community's seeded records in the matrix's station: every
// collection that has a community has one record of A and one of B.
type side struct {
	name                           string // 甲 for A, 乙 for B
	community, grid                string
	officer                        *core.Record
	household                      *households.Household
	visit                          *visits.Visit
	token                          visits.Token // unused
	confirmation                   string
	watch                          *watches.HolidayWatch
	watchSecret                    string
	alert                          string
	handover                       string
	device                         string
	room, mediator                 string
	dispute                        *mediation.Dispute
	session, event                 string
	team, volunteer, shift, point  string
	report, deed, plan             string
	planImage                      []byte
	planFile                       string
	successor                      *core.Record // took over the side's second community
	householdPhone, volunteerPhone string
	mediatorPhone, partyPhone      string
	watchPhone, openToken          string
}

// mark is the unique text of side s's records, by what they are:
// "矩甲户主" is A's household head, "矩乙户主" B's.
func (s *side) mark(what string) string { return "矩" + s.name + what }

// matrix is the station the rules matrix runs on, with a signed-in client
// per role.
type matrix struct {
	*apptest.Env
	t       *testing.T
	ctx     context.Context
	a, b    *side
	clients [nRoles]*apptest.Client
	rest    [nRoles]*apptest.Client // PocketBase REST tokens
	su      *apptest.Client
	pat     *patrols.Store
	med     *mediation.Store
	day     string // today, station-local
	month   string
	spares  map[string]string // lazily made per-role targets
	n       int

	// conn is the matrix's own connection to the database: SQLite's
	// data_version on it changes whenever another connection commits, so
	// state is digested again only after a write.
	conn    *sql.Conn
	version int64
	digest  string
}

func newMatrix(t *testing.T) *matrix {
	t.Helper()
	env := apptest.New(t)
	m := &matrix{Env: env, t: t, ctx: context.Background(), spares: map[string]string{}}
	m.pat = patrols.NewStore(env.App, env.Server.Households, env.Server.Settings)
	m.med = mediation.NewStore(env.App)
	st := env.Server.Settings()
	now := time.Now()
	m.day = st.DayString(now)

	// The REST API's rate limits (300 requests per 10 s from one address)
	// are pinned by their own tests; the matrix sends more than that.
	s := env.App.Settings()
	s.RateLimits.Enabled = false
	if err := env.App.Save(s); err != nil {
		t.Fatal(err)
	}
	rec, err := env.App.FindFirstRecordByFilter("settings", "id != ''")
	if err != nil {
		t.Fatal(err)
	}
	rec.Set("public_url", matrixPublicURL)
	if err := env.App.Save(rec); err != nil {
		t.Fatal(err)
	}

	m.a = &side{name: "甲", community: env.CommunityA, grid: env.GridA1, officer: env.OfficerA}
	m.b = &side{name: "乙", community: env.CommunityB, grid: env.GridB1, officer: env.OfficerB}
	for i, s := range []*side{m.a, m.b} {
		m.seed(s, i+1)
	}
	m.month = m.a.visit.VisitedAt.In(st.Location()).Format("2006-01") // the visit book's
	m.su = env.Superuser()
	for r, rec := range map[role]*core.Record{offA: env.OfficerA, offB: env.OfficerB, chief: env.Chief} {
		m.clients[r] = env.SignIn(rec)
		m.rest[r] = env.Anonymous().WithToken(env.Token(m.fresh(rec)))
	}
	m.clients[anon] = env.Anonymous()
	m.rest[anon] = env.Anonymous()

	db, err := sql.Open("sqlite", filepath.Join(env.App.DataDir(), "data.db"))
	if err != nil {
		t.Fatal(err)
	}
	m.conn, err = db.Conn(m.ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.conn.Close(); db.Close() })
	return m
}

// matrixPublicURL is the station's public address in the matrix (shown on
// the settings page only).
const matrixPublicURL = "https://matrix-station.example"

// use makes t the test that the matrix's helpers fail, until the
// returned func restores the one before.
func (m *matrix) use(t *testing.T) func() {
	t0 := m.t
	m.t = t
	return func() { m.t = t0 }
}

// fresh re-reads an officer record (a handover changed its communities).
func (m *matrix) fresh(rec *core.Record) *core.Record {
	m.t.Helper()
	r, err := m.App.FindRecordById("officers", rec.Id)
	if err != nil {
		m.t.Fatal(err)
	}
	return r
}

func (m *matrix) officer(rec *core.Record) *station.Officer {
	return apptest.Officer(m.fresh(rec))
}

func (m *matrix) check(err error, what string) {
	m.t.Helper()
	if err != nil {
		m.t.Fatalf("seed %s: %v", what, err)
	}
}

// seed writes side s's records through the features' stores (so their
// hooks run), as its officer or the deputy chief, as the app would.
func (m *matrix) seed(s *side, n int) {
	t, ctx, env := m.t, m.ctx, m.Env
	t.Helper()
	now := time.Now()
	chiefO := apptest.Officer(env.Chief)
	phone := func(k int) string { return fmt.Sprintf("1397777%02d%02d", k, n) }

	// The officer's profile, shown on the people pages.
	off := m.fresh(s.officer)
	off.Set("wechat", s.mark("微信号"))
	m.check(env.App.Save(off), "officer wechat")

	// A second community the officer hands over to a successor: the
	// handovers record of this side.
	community := func(name, code string) *core.Record {
		c := core.NewRecord(mustCollection(t, env, "communities"))
		c.Set("name", name)
		c.Set("code", code)
		m.check(env.App.Save(c), "community "+name)
		return c
	}
	c := community(s.mark("二社区"), fmt.Sprintf("matrix%d", n))
	off = m.fresh(s.officer)
	off.Set("communities", append(off.GetStringSlice("communities"), c.Id))
	m.check(env.App.Save(off), "second community's officer")
	own := community(fmt.Sprintf("矩接任社区%d", n), fmt.Sprintf("successor%d", n))
	s.successor = env.NewOfficer(fmt.Sprintf("10001%d", n), s.mark("接任警员"), station.RoleOfficer, own.Id)
	ho, err := env.Server.People.Hand(ctx, chiefO, people.HandoverInput{From: s.officer.Id, To: s.successor.Id, Communities: []string{c.Id}, Note: s.mark("交接备注")})
	m.check(err, "handover")
	s.handover = ho.ID
	o := m.officer(s.officer)

	// The registry.
	s.householdPhone = phone(1)
	s.household, err = env.Server.Households.Create(ctx, o, households.Input{Community: s.community, Grid: s.grid,
		Building: s.mark("路1号"), HeadName: s.mark("户主"), Phones: []string{s.householdPhone}, Notes: s.mark("住户备注")})
	m.check(err, "household")

	// The token book, a visit with its confirmation, a visit not yet
	// confirmed, and a token still unused.
	toks, err := env.Server.Tokens.Issue(ctx, o, visits.Holding{Device: deviceID(n)}, 3, matrixPublicURL, now)
	m.check(err, "tokens")
	s.visit, _, err = env.Server.Visits.Save(ctx, o, visits.Input{ID: toks[0].VisitID, Household: s.household.ID, VisitedAt: now.Add(-3 * time.Minute),
		Outcome: visits.OutcomeMet, Notes: s.mark("走访记录")}, now)
	m.check(err, "visit")
	conf, err := env.Server.Confirmations.Load(ctx, toks[0].VisitID+"."+toks[0].Secret, now)
	m.check(err, "load confirmation")
	m.check(env.Server.Confirmations.Save(conf, visits.ConfirmInput{Visited: "yes", Rating: "5", Comment: s.mark("居民评价")}, "192.0.2.1", "matrix", now), "confirmation")
	cr, err := env.App.FindFirstRecordByData("confirmations", "visit", toks[0].VisitID)
	m.check(err, "find confirmation")
	s.confirmation = cr.Id
	open, _, err := env.Server.Visits.Save(ctx, o, visits.Input{ID: toks[1].VisitID, Household: s.household.ID, VisitedAt: now.Add(-2 * time.Minute),
		Outcome: visits.OutcomeMet, Notes: s.mark("待确认走访")}, now)
	m.check(err, "open visit")
	s.openToken = open.ID + "." + toks[1].Secret
	s.token = toks[2]

	// A holiday watch with its resident link, and an abnormal check that
	// raised an alert.
	s.watchPhone = phone(2)
	var secret string
	s.watch, secret, err = env.Server.Watches.Create(ctx, o, watches.Input{Household: s.household.ID, From: m.dayOffset(-1), To: m.dayOffset(5),
		ContactName: s.mark("联系人"), ContactPhone: s.watchPhone, KeyHolder: s.mark("钥匙人"), IntervalDays: 2, Notes: s.mark("照看备注")})
	m.check(err, "watch")
	s.watchSecret = secret
	check, _, err := env.Server.Visits.Save(ctx, o, visits.Input{ID: core.GenerateDefaultRandomId(), Household: s.household.ID, VisitedAt: now.Add(-time.Minute),
		Kind: "holiday_check", Outcome: "not_home", Watch: s.watch.ID, CheckResult: "abnormal", Notes: s.mark("异常检查")}, now)
	m.check(err, "abnormal check")
	ar, err := env.App.FindFirstRecordByData(watches.AlertCollection, "visit", check.ID)
	m.check(err, "alert")
	s.alert = ar.Id

	// The officer's phone as the live channel saw it.
	m.check(env.Server.People.SeeDevice(ctx, s.officer.Id, deviceID(n), s.mark("版本"), 0, now), "device")
	dr, err := env.App.FindFirstRecordByData("devices", "device", deviceID(n))
	m.check(err, "find device")
	s.device = dr.Id

	// The mediation log: a room, a mediator, a dispute with a session.
	room, err := m.med.SaveRoom(ctx, chiefO, "", mediation.Room{Name: s.mark("工作室"), Community: s.community})
	m.check(err, "room")
	s.room = room.ID
	s.mediatorPhone = phone(3)
	med, err := m.med.SaveMediator(ctx, chiefO, "", mediation.Mediator{Name: s.mark("调解员"), Kind: mediation.KindVolunteer, Phone: s.mediatorPhone, Rooms: []string{room.ID}, Active: true})
	m.check(err, "mediator")
	s.mediator = med.ID
	s.partyPhone = phone(4)
	s.dispute, err = m.med.Create(ctx, o, mediation.Input{Room: room.ID, Community: s.community, Household: s.household.ID, Category: mediation.CategoryNeighbour,
		Summary: s.mark("纠纷概要"), Source: mediation.SourceWalkIn, Mediators: []string{med.ID},
		Parties: []mediation.Party{{Name: s.mark("申请人"), Phone: s.partyPhone, Role: mediation.RoleApplicant}, {Name: s.mark("被申请人"), Role: mediation.RoleRespondent}}})
	m.check(err, "dispute")
	sess, err := m.med.AddSession(ctx, o, s.dispute.ID, mediation.SessionInput{At: now, Mediators: []string{med.ID}, Notes: s.mark("调解记录"), NextStep: s.mark("下一步")})
	m.check(err, "session")
	s.session = sess.ID
	ev, err := env.App.FindFirstRecordByData(mediation.EventsCollection, "dispute", s.dispute.ID)
	m.check(err, "event")
	s.event = ev.Id

	// Patrols: a team, a volunteer, a shift, a map point, a report, good
	// deeds (one published with consent, one not), the plan image.
	team, err := m.pat.SaveTeam(ctx, o, "", patrols.TeamInput{Community: s.community, Name: s.mark("巡防队"), Grids: []string{s.grid}})
	m.check(err, "team")
	s.team = team.ID
	s.volunteerPhone = phone(5)
	vol, err := m.pat.SaveVolunteer(ctx, o, "", patrols.VolunteerInput{Name: s.mark("队员"), Phone: s.volunteerPhone, Community: s.community, Team: team.ID, Unit: s.mark("单位"), Active: true})
	m.check(err, "volunteer")
	s.volunteer = vol.ID
	sh, _, err := m.pat.SaveShift(ctx, o, patrols.ShiftInput{ID: core.GenerateDefaultRandomId(), Team: team.ID, Grids: []string{s.grid}, Date: m.day, Starts: "00:00", Ends: "00:30",
		Volunteers: []string{vol.ID}, Notes: s.mark("巡逻备注")}, now)
	m.check(err, "shift")
	s.shift = sh.ID
	pt, err := m.pat.AddPoint(ctx, o, patrols.PointInput{Community: s.community, Kind: "hazard", Label: s.mark("标点"), X: 0.5, Y: 0.5})
	m.check(err, "point")
	s.point = pt.ID
	rp, _, err := m.pat.SaveReport(ctx, o, patrols.ReportInput{ID: core.GenerateDefaultRandomId(), ReportedAt: now.Add(-time.Hour), Volunteer: vol.ID, Community: s.community,
		Grid: s.grid, Place: s.mark("巡防地点"), Kind: "fire_hazard", Description: s.mark("巡防发现")}, now)
	m.check(err, "report")
	s.report = rp.ID
	deed, err := m.pat.SaveDeed(ctx, chiefO, "", patrols.DeedInput{Volunteer: vol.ID, Name: s.mark("善者"), Community: s.community, Date: m.day, Kind: "kindness",
		Story: s.mark("拾金事迹"), Consent: true, Published: true})
	m.check(err, "deed")
	s.deed = deed.ID
	_, err = m.pat.SaveDeed(ctx, chiefO, "", patrols.DeedInput{Name: s.mark("匿名者"), Community: s.community, Date: m.day, Kind: "honesty", Story: s.mark("未公开事迹")})
	m.check(err, "unpublished deed")
	s.planImage = pngImage(t, 60+n, 50)
	f, err := filesystem.NewFileFromBytes(s.planImage, "plan.png")
	m.check(err, "plan file")
	plan, err := m.pat.SavePlan(ctx, chiefO, s.community, f)
	m.check(err, "plan")
	s.plan, s.planFile = plan.ID, plan.File
}

func deviceID(n int) string { return fmt.Sprintf("matrixdevice%03d", n) }

// dayOffset is the station-local day d days from today.
func (m *matrix) dayOffset(d int) string {
	st := m.Server.Settings()
	return time.Now().In(st.Location()).AddDate(0, 0, d).Format(time.DateOnly)
}

func pngImage(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 5), uint8(y * 7), uint8(w), 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// state is a digest of everything the app stores: every row of every
// collection and of the tables beside them. A request that changes nothing
// leaves it as it was. officer_addresses is left out: it notes, once a
// day, the address a signed-in officer's request came from, whatever the
// request.
func (m *matrix) state() string {
	m.t.Helper()
	var v int64
	if err := m.conn.QueryRowContext(m.ctx, "PRAGMA data_version").Scan(&v); err != nil {
		m.t.Fatal(err)
	}
	if m.digest == "" || v != m.version {
		m.version, m.digest = v, m.digestAll()
	}
	return m.digest
}

func (m *matrix) digestAll() string {
	var tables []string
	err := m.App.DB().NewQuery("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('_migrations', '_params', 'officer_addresses') ORDER BY name").Column(&tables)
	if err != nil {
		m.t.Fatal(err)
	}
	h := sha256.New()
	for _, name := range tables {
		rows, err := m.App.DB().NewQuery("SELECT * FROM [[" + name + "]]").Rows()
		if err != nil {
			m.t.Fatal(err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]sql.RawBytes, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				m.t.Fatal(err)
			}
			var b strings.Builder
			for _, v := range vals {
				b.Write(v)
				b.WriteByte(0)
			}
			lines = append(lines, b.String())
		}
		rows.Close()
		slices.Sort(lines)
		fmt.Fprintf(h, "%s\x01%s\x01", name, strings.Join(lines, "\x02"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// spare is a target made for one role's request to a route that changes
// it for good (archive, cancel, close, delete), so that each role's
// request meets it as it was; make is called once per key and role.
func (m *matrix) spare(key string, r role, make func(n int) string) string {
	k := key + "|" + r.String()
	if id, ok := m.spares[k]; ok {
		return id
	}
	m.n++
	id := make(m.n)
	m.spares[k] = id
	return id
}

// spareHousehold is a new household in community A.
func (m *matrix) spareHousehold(n int) *households.Household {
	h, err := m.Server.Households.Create(m.ctx, m.officer(m.a.officer), households.Input{Community: m.a.community, Building: fmt.Sprintf("矩备用路%d号", n), HeadName: "矩备用户主"})
	m.check(err, "spare household")
	return h
}

// payload is a request body: a form, JSON or a multipart upload.
type payload struct {
	form  url.Values
	json  any
	file  []byte // multipart: form fields and this file
	field string // the file's form field
	name  string // its file name
}

// send sends method url with body as c.
func send(t *testing.T, c *apptest.Client, method, path string, body payload) (*http.Response, string) {
	t.Helper()
	var r io.Reader
	ctype := ""
	switch {
	case body.file != nil:
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		for k, vs := range body.form {
			for _, v := range vs {
				_ = w.WriteField(k, v)
			}
		}
		part, err := w.CreateFormFile(body.field, body.name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = part.Write(body.file)
		_ = w.Close()
		r, ctype = &buf, w.FormDataContentType()
	case body.json != nil:
		b, err := json.Marshal(body.json)
		if err != nil {
			t.Fatal(err)
		}
		r, ctype = bytes.NewReader(b), "application/json"
	case method != http.MethodGet:
		r, ctype = strings.NewReader(body.form.Encode()), "application/x-www-form-urlencoded"
	}
	req, err := http.NewRequest(method, c.Base+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if body.json != nil {
		req.Header.Set("Accept", "application/json")
	}
	return c.Do(req)
}

// readable is an answer as text to look for markers in: an XLSX (a zip)
// is unpacked, its XML parts read as one text.
func readable(body string) string {
	if !strings.HasPrefix(body, "PK") {
		return body
	}
	zr, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
	if err != nil {
		return body
	}
	var b strings.Builder
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			continue
		}
		x, _ := io.ReadAll(rc)
		rc.Close()
		b.Write(x)
		b.WriteByte('\n')
	}
	return b.String()
}
