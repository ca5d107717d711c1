// Package demo seeds a demo station a user recognises from the field:
// 长庆派出所 in Hangzhou's 上城区, six city-centre communities with their
// grids, lanes and compounds, six community officers and a deputy chief, a
// few thousand households and weeks of Tuesday and Thursday visits. The
// data is deterministic for a seed and relative to the day it is seeded.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"zoufang/households"
	"zoufang/station"
	"zoufang/visits"
)

// Password is every demo login's password.
const Password = "zoufang2026"

// Options tune the seed.
type Options struct {
	Seed       uint64    // default 20261201
	Households int       // default 3000
	Weeks      int       // weeks of visit history, default 8
	Now        time.Time // default time.Now()
}

// Result says what was seeded and how to sign in.
type Result struct {
	Seeded      bool
	Station     string
	Communities int
	Households  int
	Visits      int
	Watches     int
	Answers     int // residents' confirmations and denials
	Disputes    int
	Logins      []Login
}

// Login is one demo account.
type Login struct {
	Badge, Password, Name, Role string
}

type communitySpec struct {
	name, code string
	grids      []string
	places     []place
}

// place is a compound (buildings with units and rooms) or a lane (numbered
// houses).
type place struct {
	name      string
	compound  bool
	buildings int
}

var communities = []communitySpec{
	{"吴牙社区", "wuya", []string{"第一网格", "第二网格", "第三网格"}, []place{{"吴牙街", false, 60}, {"长庆街", false, 50}, {"广福里", true, 6}}},
	{"浙大御跸社区", "yubi", []string{"第一网格", "第二网格"}, []place{{"浙大御跸小区", true, 12}, {"庆春路", false, 40}}},
	{"青春坊社区", "qingchunfang", []string{"第一网格", "第二网格", "第三网格"}, []place{{"青春坊", true, 10}, {"青春路", false, 30}, {"建国北路", false, 30}}},
	{"贡院社区", "gongyuan", []string{"第一网格", "第二网格"}, []place{{"贡院小区", true, 14}, {"贡院前", false, 30}}},
	{"仓河下社区", "canghexia", []string{"第一网格", "第二网格"}, []place{{"仓河下", false, 80}, {"菜市桥小区", true, 8}}},
	{"柳营社区", "liuying", []string{"第一网格", "第二网格", "第三网格"}, []place{{"柳营巷", false, 90}, {"柳营新村", true, 9}}},
}

var officers = []struct{ badge, name string }{
	{"330101", "李卫东"}, {"330102", "陈晓峰"}, {"330103", "张丽华"},
	{"330104", "刘志强"}, {"330105", "赵敏"}, {"330106", "周永杰"},
}

const chiefBadge, chiefName = "330100", "王建国"

// The officer who handed 柳营社区 over halfway through the demo's history.
const formerBadge, formerName = "330107", "孙海涛"

// Seed fills an empty database with the demo station. A database that
// already holds officers, communities or households is left alone.
func Seed(app core.App, opt Options) (Result, error) {
	if opt.Seed == 0 {
		opt.Seed = 20261201
	}
	if opt.Households == 0 {
		opt.Households = 3000
	}
	if opt.Weeks == 0 {
		opt.Weeks = 8
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	res := Result{Station: "长庆派出所"}
	res.Logins = append(res.Logins, Login{chiefBadge, Password, chiefName, "副所长 deputy chief"})
	for _, o := range officers {
		res.Logins = append(res.Logins, Login{o.badge, Password, o.name, "社区民警 officer"})
	}
	res.Logins = append(res.Logins, Login{formerBadge, Password, formerName, "已交接辖区 handed over his community"})
	for _, c := range []string{"officers", "communities", "households"} {
		n, err := app.CountRecords(c)
		if err != nil {
			return res, fmt.Errorf("count %s: %w", c, err)
		}
		if n > 0 {
			if _, err := app.FindFirstRecordByData("officers", "badge", chiefBadge); err != nil {
				res.Logins = nil // not our data: do not advertise logins that do not exist
			}
			return res, nil
		}
	}
	rng := rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15))
	err := app.RunInTransaction(func(tx core.App) error {
		return seed(tx, rng, opt, &res)
	})
	if err != nil {
		return res, err
	}
	res.Seeded = true
	return res, nil
}

func seed(tx core.App, rng *rand.Rand, opt Options, res *Result) error {
	ctx := context.Background()
	if err := setStation(tx, res.Station); err != nil {
		return err
	}
	commColl, err := tx.FindCollectionByNameOrId("communities")
	if err != nil {
		return err
	}
	gridColl, err := tx.FindCollectionByNameOrId("grids")
	if err != nil {
		return err
	}
	var commIDs []string
	gridIDs := map[string][]string{}
	for _, cs := range communities {
		c := core.NewRecord(commColl)
		c.Set("name", cs.name)
		c.Set("code", cs.code)
		c.Set("station", res.Station)
		if err := tx.Save(c); err != nil {
			return fmt.Errorf("community %s: %w", cs.name, err)
		}
		commIDs = append(commIDs, c.Id)
		for _, gname := range cs.grids {
			g := core.NewRecord(gridColl)
			g.Set("community", c.Id)
			g.Set("name", gname)
			if err := tx.Save(g); err != nil {
				return fmt.Errorf("grid %s: %w", gname, err)
			}
			gridIDs[c.Id] = append(gridIDs[c.Id], g.Id)
		}
	}
	res.Communities = len(commIDs)

	offColl, err := tx.FindCollectionByNameOrId("officers")
	if err != nil {
		return err
	}
	newOfficer := func(badge, name, role string, comms []string) (*core.Record, error) {
		r := core.NewRecord(offColl)
		r.Set("badge", badge)
		r.Set("name", name)
		r.Set("role", role)
		r.Set("communities", comms)
		r.Set("email", badge+"@changqing.police.example")
		r.Set("wechat", "cq_"+badge)
		r.Set("phone", fmt.Sprintf("+86139%08d", rng.IntN(1e8)))
		r.Set("active", true)
		r.SetPassword(Password)
		r.SetVerified(true)
		return r, tx.Save(r)
	}
	chief, err := newOfficer(chiefBadge, chiefName, station.RoleDeputyChief, commIDs)
	if err != nil {
		return fmt.Errorf("deputy chief: %w", err)
	}
	var officerRecs []*core.Record
	for i, o := range officers {
		r, err := newOfficer(o.badge, o.name, station.RoleOfficer, []string{commIDs[i]})
		if err != nil {
			return fmt.Errorf("officer %s: %w", o.name, err)
		}
		officerRecs = append(officerRecs, r)
	}
	// The last community changed hands halfway through the history: its
	// former officer walked it until then, and handed it (with the
	// residents' WeChat contacts) to the officer who has it now.
	last := len(officers) - 1
	former, err := newOfficer(formerBadge, formerName, station.RoleOfficer, []string{commIDs[last]})
	if err != nil {
		return fmt.Errorf("former officer: %w", err)
	}
	handedAt := time.Date(opt.Now.Year(), opt.Now.Month(), opt.Now.Day(), 1, 0, 0, 0, time.UTC).AddDate(0, 0, -7*opt.Weeks/2)

	// Households, spread over the communities.
	chiefO := station.OfficerFromRecord(chief)
	byCommunity := map[string][]*households.Household{}
	per := opt.Households / len(communities)
	for ci, cs := range communities {
		made := 0
		for attempt := 0; made < per && attempt < per*4; attempt++ {
			in := household(rng, cs, commIDs[ci], gridIDs[commIDs[ci]])
			h, err := households.Create(ctx, tx, chiefO, in)
			if err != nil {
				if households.DuplicateOf(err) != nil {
					continue // the dice picked a door twice; pick again
				}
				return fmt.Errorf("household %s: %w", in.Address, err)
			}
			byCommunity[commIDs[ci]] = append(byCommunity[commIDs[ci]], h)
			made++
		}
		res.Households += made
	}

	// Visit history: every Tuesday and Thursday afternoon of the last weeks,
	// each officer visits 6 to 13 households of their community.
	st, err := station.LoadSettings(tx)
	if err != nil {
		return err
	}
	loc := st.Location()
	today := opt.Now.In(loc)
	day := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, -7*opt.Weeks)
	var saved []*visits.Visit
	for ; day.Before(opt.Now); day = day.AddDate(0, 0, 1) {
		if !st.IsVisitDay(day) {
			continue
		}
		for i, orec := range officerRecs {
			if i == last && day.Before(handedAt) {
				orec = former
			}
			o := station.OfficerFromRecord(orec)
			pool := byCommunity[commIDs[i]]
			n := 6 + rng.IntN(8)
			at := day.Add(14*time.Hour + time.Duration(rng.IntN(20))*time.Minute)
			for k := 0; k < n; k++ {
				at = at.Add(time.Duration(8+rng.IntN(14)) * time.Minute)
				if at.After(opt.Now) {
					break
				}
				h := pool[rng.IntN(len(pool))]
				in := Visit(rng, h.ID, h.WeChatContact != "", at)
				v, _, err := visits.Save(ctx, tx, o, in, at.Add(time.Duration(1+rng.IntN(90))*time.Minute))
				if err != nil {
					return fmt.Errorf("visit %s: %w", h.Address, err)
				}
				if v.WeChatNew {
					h.WeChatContact = o.ID
				}
				saved = append(saved, v)
				res.Visits++
			}
		}
	}
	if err := handOver(tx, former, officerRecs[last], commIDs[last], chief, handedAt); err != nil {
		return err
	}
	if res.Answers, err = seedAnswers(tx, rng, saved, officerRecs, opt.Now); err != nil {
		return fmt.Errorf("answers: %w", err)
	}
	n, err := seedWatches(tx, rng, officerRecs, byCommunity, commIDs)
	if err != nil {
		return err
	}
	res.Watches = n
	disputes, err := seedMediation(tx, rng, opt.Now, officerRecs, commIDs, byCommunity)
	if err != nil {
		return fmt.Errorf("mediation room: %w", err)
	}
	res.Disputes = disputes
	return seedPatrols(tx, opt)
}

// handOver records the demo's past handover (the people hooks perform it).
func handOver(tx core.App, from, to *core.Record, community string, by *core.Record, at time.Time) error {
	coll, err := tx.FindCollectionByNameOrId("handovers")
	if err != nil {
		return err
	}
	h := core.NewRecord(coll)
	h.Set("from", from.Id)
	h.Set("to", to.Id)
	h.Set("communities", []string{community})
	h.Set("move_wechat_id", true)
	h.Set("by", by.Id)
	h.Set("at", at)
	h.Set("note", "孙海涛调任巡特警大队，柳营社区及工作微信交周永杰。")
	if err := tx.Save(h); err != nil {
		return fmt.Errorf("handover: %w", err)
	}
	return nil
}

func setStation(tx core.App, name string) error {
	recs, err := tx.FindRecordsByFilter(station.SettingsCollection, "", "created", 1, 0)
	if err != nil || len(recs) == 0 {
		return fmt.Errorf("settings row: %w", err)
	}
	recs[0].Set("station_name", name)
	return tx.Save(recs[0])
}
