package mediation_test

import (
	"context"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/mediation"
	"zoufang/station"
	"zoufang/visits"
)

// fixture is the apptest station with a mediation room per community, the
// station's own room, a small roster and a household in each community.
type fixture struct {
	*apptest.Env
	Store                     *mediation.Store
	StationRoom, RoomA, RoomB string
	MedPolice, MedVolunteer   string
	HouseA, HouseB            *households.Household
	ctx                       context.Context
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	env := apptest.New(t)
	f := &fixture{Env: env, Store: mediation.NewStore(env.App), ctx: context.Background()}
	chief := apptest.Officer(env.Chief)
	room := func(name, community string) string {
		t.Helper()
		r, err := f.Store.SaveRoom(f.ctx, chief, "", mediation.Room{Name: name, Community: community})
		if err != nil {
			t.Fatalf("room %s: %v", name, err)
		}
		return r.ID
	}
	f.StationRoom = room("警民联调工作室", "")
	f.RoomA = room("六心工作室", env.CommunityA)
	f.RoomB = room("三合工作室", env.CommunityB)
	mediator := func(name, kind, phone string, rooms ...string) string {
		t.Helper()
		m, err := f.Store.SaveMediator(f.ctx, chief, "", mediation.Mediator{Name: name, Kind: kind, Phone: phone, Rooms: rooms, Active: true})
		if err != nil {
			t.Fatalf("mediator %s: %v", name, err)
		}
		return m.ID
	}
	f.MedPolice = mediator("赵智勇", mediation.KindPolice, "139 0000 1111", f.StationRoom)
	f.MedVolunteer = mediator("潘美华", mediation.KindVolunteer, "+86 138-0000-2222", f.RoomA, f.RoomB)
	f.HouseA = env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "吴牙街12号", HeadName: "张德明", Phones: []string{"13800001234"}})
	f.HouseB = env.Household(env.OfficerB, households.Input{Community: env.CommunityB, Building: "贡院小区3幢", Unit: "1", Room: "301", HeadName: "李秀英"})
	return f
}

// input is a valid new dispute in community A.
func (f *fixture) input() mediation.Input {
	return mediation.Input{
		Room: f.RoomA, Community: f.Env.CommunityA, Household: f.HouseA.ID, Category: mediation.CategoryNeighbour,
		Summary: "楼上漏水，楼下天花板受损，双方对赔偿金额有分歧。", Source: mediation.SourceWalkIn,
		Parties: []mediation.Party{
			{Name: "张德明", Phone: "138 0000 1234", Role: mediation.RoleApplicant, Household: f.HouseA.ID},
			{Name: "王小红", Phone: "0571-8765 4321", Role: mediation.RoleRespondent},
		},
		Mediators: []string{f.MedVolunteer},
	}
}

// create opens a dispute as rec, failing the test on error.
func (f *fixture) create(t *testing.T, rec *core.Record, in mediation.Input) *mediation.Dispute {
	t.Helper()
	d, err := f.Store.Create(f.ctx, apptest.Officer(rec), in)
	if err != nil {
		t.Fatalf("create dispute: %v", err)
	}
	return d
}

// visit records a visit as rec through the visit log's store.
func (f *fixture) visit(t *testing.T, rec *core.Record, household string, concerns []string, notes string) *visits.Visit {
	t.Helper()
	now := time.Now()
	v, _, err := visits.NewStore(f.App).Save(f.ctx, apptest.Officer(rec), visits.Input{
		Household: household, VisitedAt: now.Add(-time.Hour), Outcome: visits.OutcomeMet, Concerns: concerns, Notes: notes,
	}, now)
	if err != nil {
		t.Fatalf("visit: %v", err)
	}
	return v
}

func officer(rec *core.Record) *station.Officer { return apptest.Officer(rec) }

// fieldCode returns the code of err's problem with field, "" if none.
func fieldCode(err error, field string) string {
	return station.FieldsOf(err)[field].Code
}
