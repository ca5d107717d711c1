package demo

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"

	"zoufang/patrols"
	"zoufang/station"
)

// The demo's patrols (DESIGN §15): a team in each community (15 residents
// in 吴牙社区, in red-and-blue vests), members sent by local businesses, a
// year of daily evening patrols (more than 5,000 person-turns in all),
// about 200 reports in every state of their lifecycle, about 30 good deeds
// and, for 吴牙社区, its plan with points. It runs after the visits, from
// its own random source, so it changes nothing else the demo seeds.

// patrolTeams are each community's team: its name and how many residents
// patrol in it (besides those sent by local businesses).
var patrolTeams = map[string]struct {
	name      string
	residents int
	units     []string
}{
	"wuya":         {"吴牙社区平安巡防队", 15, []string{"联华超市吴牙店", "长庆街道社区卫生服务站", "吴牙街老王修车铺", "广福里物业", "庆春路工商银行", "小何便利店", "吴牙小吃店"}},
	"yubi":         {"御跸社区红袖章巡防队", 10, []string{"浙大御跸小区物业", "庆春路书店", "御跸茶室", "庆春路中国移动营业厅", "庆春路药店", "庆春路美发店", "御跸快递站"}},
	"qingchunfang": {"青春坊巡防队", 9, []string{"青春坊物业", "建国北路华润万家", "青春路面馆", "建国北路眼镜店", "青春路花店", "青春坊幼儿园", "建国北路五金店"}},
	"gongyuan":     {"贡院社区平安志愿队", 9, []string{"贡院小区物业", "贡院前水果店", "杭州高级中学后勤", "贡院前洗衣店", "贡院前理发店", "贡院前文具店"}},
	"canghexia":    {"仓河下巡防队", 9, []string{"菜市桥小区物业", "仓河下菜场", "仓河下烟酒店", "仓河下早餐店", "菜市桥电动车行", "仓河下彩票站"}},
	"liuying":      {"柳营社区银发巡防队", 10, []string{"柳营新村物业", "柳营巷粮油店", "柳营巷茶馆", "柳营巷裁缝铺", "柳营巷五金店", "柳营巷小超市", "柳营社区养老服务站"}},
}

// reportSamples are findings of each kind, as a patrol writes them.
var reportSamples = map[string][]string{
	patrols.KindFireHazard:  {"楼道内堆放纸箱杂物，堵塞消防通道", "灭火器压力不足，已过检验期", "厨房油烟管道积油严重", "电线私拉乱接，插座烧焦"},
	patrols.KindGroupRental: {"一套房内住了十余人，隔成多间", "出租屋内上下铺，疑似群租", "租客频繁更换，未登记"},
	patrols.KindSuspicious:  {"深夜有人在车棚附近徘徊，查看电瓶车", "陌生人挨家敲门推销，形迹可疑", "有人在小区内收购旧电瓶，来源不明"},
	patrols.KindEBike:       {"电瓶车推进楼道充电", "电瓶车在楼梯间飞线充电", "车棚充电桩旁堆放多块旧电瓶"},
	patrols.KindDispute:     {"楼上楼下因漏水发生争吵", "邻里因停车位起纠纷", "租客与房东因押金争执"},
	patrols.KindHelp:        {"独居老人摔倒，需要帮助", "老人迷路，找不到家", "孩子与家人走散"},
	patrols.KindOther:       {"路灯损坏，夜间巷子很暗", "窨井盖松动", "共享单车堆放堵住小巷"},
}

var reportResults = []string{
	"已督促房东清理，复查无问题。", "已联系物业整改，现场复查合格。", "已劝导当事人，并做好登记。",
	"已移出楼道，宣传电瓶车安全充电。", "已转社区网格员跟进，已解决。", "已联系家属，老人安全到家。",
}

var deedStories = map[string][]string{
	"honesty":  {"巡防途中拾到钱包一个，内有现金和证件，当晚交到社区警务室，已归还失主。", "在庆春路拾到手机一部，联系失主后当面归还。"},
	"bravery":  {"发现有人撬盗电瓶车，当场呼喊并协助民警将嫌疑人抓获。", "邻居家中起火，第一时间用灭火器扑灭，避免火势蔓延。"},
	"kindness": {"每周为独居老人买菜送药，坚持两年。", "雨夜背行动不便的老人回家。", "帮助迷路的老人找到家人。"},
	"patrol":   {"一年参加巡防一百余次，发现火灾隐患十余处。", "带领队员排查群租房，协助整改。", "风雨无阻坚持夜间巡防。"},
}

// seedPatrols adds the patrols to the demo station seeded in tx.
func seedPatrols(tx core.App, opt Options) error {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(opt.Seed^0x70a7, opt.Seed+15))
	st, err := station.LoadSettings(tx)
	if err != nil {
		return err
	}
	loc := st.Location()
	// The hooks refuse what lies ahead of the server's clock: a demo
	// seeded "as of" a later moment stops at now.
	if real := time.Now(); opt.Now.After(real) {
		opt.Now = real
	}
	chiefRec, err := tx.FindFirstRecordByData("officers", "badge", chiefBadge)
	if err != nil {
		return fmt.Errorf("demo chief: %w", err)
	}
	chief := station.OfficerFromRecord(chiefRec)
	// The year of patrols ends with yesterday evening's.
	local := opt.Now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	start := today.AddDate(-1, 0, 0)
	apply := func(what string, fn func() (any, string, error)) (any, error) {
		doc, _, err := fn()
		if err != nil {
			return nil, fmt.Errorf("demo %s: %w", what, err)
		}
		return doc, nil
	}

	var wuya string
	for i, cs := range communities {
		comm, err := tx.FindFirstRecordByData("communities", "code", cs.code)
		if err != nil {
			return fmt.Errorf("demo community %s: %w", cs.code, err)
		}
		offRec, err := tx.FindFirstRecordByData("officers", "badge", officers[i].badge)
		if err != nil {
			return fmt.Errorf("demo officer: %w", err)
		}
		o := station.OfficerFromRecord(offRec)
		grids, err := tx.FindRecordsByFilter("grids", "community = {:c}", "name", 0, 0, map[string]any{"c": comm.Id})
		if err != nil {
			return err
		}
		var gridIDs []string
		for _, g := range grids {
			gridIDs = append(gridIDs, g.Id)
		}
		spec := patrolTeams[cs.code]
		teamColl, err := tx.FindCachedCollectionByNameOrId(patrols.TeamsCollection)
		if err != nil {
			return err
		}
		team := core.NewRecord(teamColl)
		team.Set("community", comm.Id)
		team.Set("name", spec.name)
		team.Set("grids", gridIDs)
		team.Set("notes", "每天傍晚巡防，穿红蓝马甲。")
		if err := tx.Save(team); err != nil {
			return fmt.Errorf("demo team %s: %w", spec.name, err)
		}
		volColl, err := tx.FindCachedCollectionByNameOrId(patrols.VolunteersCollection)
		if err != nil {
			return err
		}
		var vols []*core.Record
		addVolunteer := func(name, unit string) error {
			v := core.NewRecord(volColl)
			v.Set("name", name)
			v.Set("phone", ValidPhone(func() string { return Mobile(rng) }))
			v.Set("community", comm.Id)
			v.Set("team", team.Id)
			v.Set("unit", unit)
			v.Set("party_member", rng.IntN(3) == 0)
			v.Set("joined_at", start.AddDate(0, 0, -rng.IntN(900)).Format(time.DateOnly))
			v.Set("active", true)
			if err := tx.Save(v); err != nil {
				if station.FieldsOf(err)["phone"].Code == "volunteer_phone_taken" {
					return nil // the dice drew a number twice: one volunteer fewer
				}
				return fmt.Errorf("demo volunteer %s: %w", name, err)
			}
			vols = append(vols, v)
			return nil
		}
		for range spec.residents {
			if err := addVolunteer(ChineseName(rng), ""); err != nil {
				return err
			}
		}
		for _, unit := range spec.units {
			if err := addVolunteer(ChineseName(rng), unit); err != nil {
				return err
			}
		}
		team.Set("leader", vols[0].Id)
		if err := tx.Save(team); err != nil {
			return fmt.Errorf("demo team leader: %w", err)
		}

		// A year of patrols: every evening (weekend mornings), two to five
		// volunteers, mostly the residents; business members now and then.
		for d := start; d.Before(today); d = d.AddDate(0, 0, 1) {
			n := 2 + rng.IntN(4)
			present := map[string]bool{}
			var ids []string
			for len(ids) < n {
				v := vols[rng.IntN(len(vols))]
				if !present[v.Id] {
					present[v.Id] = true
					ids = append(ids, v.Id)
				}
			}
			starts, ends := "19:00", "21:00"
			if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
				starts, ends = "09:00", "11:00"
			}
			in := patrols.ShiftInput{Team: team.Id, Date: d.Format(time.DateOnly), Starts: starts, Ends: ends, Volunteers: ids}
			if rng.IntN(8) == 0 {
				in.Notes = []string{"检查沿街商铺消防通道。", "提醒居民电瓶车不进楼道。", "夜间重点巡查车棚。", "发放防诈骗宣传单。"}[rng.IntN(4)]
			}
			at := d.Add(22 * time.Hour)
			if _, err := apply("shift", func() (any, string, error) { return patrols.ApplyShift(ctx, tx, o, in, at) }); err != nil {
				return err
			}
		}

		var points []*patrols.Point
		if cs.code == "wuya" {
			wuya = comm.Id
			if points, err = seedPlan(tx, o, chief, comm.Id); err != nil {
				return err
			}
		}
		if err := seedReports(ctx, tx, rng, o, chief, comm.Id, gridIDs, vols, points, start, opt.Now, loc); err != nil {
			return err
		}
		// Good deeds: five or so a community, most on the board; a few
		// of residents who are no volunteers, a few kept back.
		deedColl, err := tx.FindCachedCollectionByNameOrId(patrols.DeedsCollection)
		if err != nil {
			return err
		}
		for k := 0; k < 4+rng.IntN(3); k++ {
			kind := patrols.DeedKinds[rng.IntN(len(patrols.DeedKinds))]
			d := core.NewRecord(deedColl)
			d.Set("community", comm.Id)
			d.Set("kind", kind)
			d.Set("date", start.AddDate(0, 0, rng.IntN(360)).Format(time.DateOnly))
			d.Set("story", deedStories[kind][rng.IntN(len(deedStories[kind]))])
			if rng.IntN(3) == 0 && k > 0 {
				d.Set("name", ChineseName(rng)+"（居民）")
			} else {
				// A few stalwarts are praised again and again.
				d.Set("volunteer", vols[rng.IntN(min(4, len(vols)))].Id) // the hooks take their name
			}
			consent := rng.IntN(6) != 0
			d.Set("consent", consent)
			d.Set("published", consent && rng.IntN(8) != 0)
			if err := tx.Save(d); err != nil {
				return fmt.Errorf("demo deed: %w", err)
			}
		}
	}
	if wuya == "" {
		return fmt.Errorf("demo: no 吴牙社区")
	}
	return nil
}

// seedReports adds a year of one community's patrol findings: most closed
// after a few days, the last fortnight's still open or in hand. Group
// rentals point at a household tagged 群居房 where there is one.
func seedReports(ctx context.Context, tx core.App, rng *rand.Rand, o, chief *station.Officer, comm string, grids []string, vols []*core.Record, points []*patrols.Point, start, now time.Time, loc *time.Location) error {
	rentals, err := tx.FindRecordsByFilter("households", "community = {:c} && tags ~ '群居房' && archived = false", "address", 20, 0, map[string]any{"c": comm})
	if err != nil {
		return err
	}
	var hazards []*patrols.Point
	for _, p := range points {
		if p.Kind == patrols.PointHazard || p.Kind == patrols.PointBusiness || p.Kind == patrols.PointEntrance {
			hazards = append(hazards, p)
		}
	}
	n := 30 + rng.IntN(8)
	for k := 0; k < n; k++ {
		// Spread over the year, a few more in the last weeks.
		var at time.Time
		if k < 4 {
			at = now.Add(-time.Duration(2+rng.IntN(13*24)) * time.Hour)
		} else {
			at = start.Add(time.Duration(rng.IntN(350*24)) * time.Hour)
		}
		at = time.Date(at.Year(), at.Month(), at.Day(), 19+rng.IntN(2), rng.IntN(60), 0, 0, loc)
		if at.After(now) {
			at = now.Add(-time.Hour)
		}
		kind := patrols.ReportKinds[rng.IntN(len(patrols.ReportKinds))]
		if rng.IntN(4) == 0 {
			kind = patrols.KindFireHazard // the commonest finding
		}
		in := patrols.ReportInput{
			ReportedAt: at, Community: comm, Grid: grids[rng.IntN(len(grids))], Kind: kind,
			Description: reportSamples[kind][rng.IntN(len(reportSamples[kind]))],
		}
		if rng.IntN(3) != 0 {
			in.Volunteer = vols[rng.IntN(len(vols))].Id
		}
		switch {
		case kind == patrols.KindGroupRental && len(rentals) > 0:
			h := rentals[rng.IntN(len(rentals))]
			in.Household, in.Grid, in.Place = h.Id, h.GetString("grid"), h.GetString("address")
		case len(hazards) > 0 && rng.IntN(2) == 0:
			p := hazards[rng.IntN(len(hazards))]
			in.Point, in.Place = p.ID, p.Label
		default:
			in.Place = []string{"吴牙街口", "长庆街中段", "车棚", "小区北门", "沿街商铺后巷", "庆春路人行道"}[rng.IntN(6)]
		}
		doc, _, err := patrols.ApplyReport(ctx, tx, o, in, at.Add(10*time.Minute))
		if err != nil {
			return fmt.Errorf("demo report %s: %w", in.Place, err)
		}
		r := doc.(*patrols.Report)
		recent := now.Sub(at) < 14*24*time.Hour
		if recent && rng.IntN(2) == 0 {
			continue // still open: nobody has it yet
		}
		moved := at.Add(time.Duration(2+rng.IntN(20)) * time.Hour)
		taker := o
		if rng.IntN(3) == 0 {
			taker = chief // the deputy chief hands it to the community's officer
		}
		if _, _, err := patrols.ApplyTransition(ctx, tx, taker, patrols.Transition{Report: r.ID, To: patrols.StatusAssigned, AssignedTo: o.ID}, moved); err != nil {
			return fmt.Errorf("demo assign: %w", err)
		}
		if recent {
			continue // in hand
		}
		to, result := patrols.StatusHandled, reportResults[rng.IntN(len(reportResults))]
		if rng.IntN(10) == 0 {
			to, result = patrols.StatusDismissed, "经核实情况不属实。"
		}
		closed := moved.Add(time.Duration(12+rng.IntN(24*6)) * time.Hour)
		if closed.After(now) {
			closed = now.Add(-time.Minute)
		}
		if _, _, err := patrols.ApplyTransition(ctx, tx, o, patrols.Transition{Report: r.ID, To: to, Result: result}, closed); err != nil {
			return fmt.Errorf("demo close: %w", err)
		}
	}
	return nil
}

// The plan of 吴牙社区 drawn by seedPlan, in pixels.
const planW, planH = 1400, 1000

// wuyaPoints are the marks on 吴牙社区's plan: x and y in the plan's
// pixels; buildings name the registry's building.
var wuyaPoints = []struct {
	kind, label, building string
	x, y                  int
}{
	{patrols.PointBuilding, "广福里1幢", "广福里1幢", 390, 505},
	{patrols.PointBuilding, "广福里2幢", "广福里2幢", 650, 505},
	{patrols.PointBuilding, "广福里3幢", "广福里3幢", 910, 505},
	{patrols.PointBuilding, "广福里4幢", "广福里4幢", 390, 615},
	{patrols.PointBuilding, "广福里5幢", "广福里5幢", 650, 615},
	{patrols.PointBuilding, "广福里6幢", "广福里6幢", 910, 615},
	{patrols.PointBuilding, "吴牙街8号", "吴牙街8号", 300, 245},
	{patrols.PointBuilding, "吴牙街21号", "吴牙街21号", 760, 245},
	{patrols.PointBuilding, "吴牙街36号", "吴牙街36号", 1125, 400},
	{patrols.PointBuilding, "长庆街12号", "长庆街12号", 420, 810},
	{patrols.PointBuilding, "长庆街27号", "长庆街27号", 980, 810},
	{patrols.PointEntrance, "广福里北门", "", 650, 445},
	{patrols.PointEntrance, "广福里南门", "", 650, 678},
	{patrols.PointEntrance, "吴牙街西口", "", 40, 330},
	{patrols.PointUnit, "吴牙社区居委会", "", 180, 930},
	{patrols.PointUnit, "社区卫生服务站", "", 1175, 930},
	{patrols.PointBusiness, "联华超市", "", 560, 245},
	{patrols.PointBusiness, "老王修车铺", "", 220, 810},
	{patrols.PointBusiness, "吴牙小吃店", "", 1175, 245},
	{patrols.PointHazard, "车棚电瓶车充电点", "", 1120, 560},
	{patrols.PointHazard, "废品堆放点", "", 140, 620},
	{patrols.PointCamera, "广福里北门监控", "", 760, 415},
	{patrols.PointCamera, "庆春路口监控", "", 480, 105},
	{patrols.PointCamera, "吴牙街口监控", "", 90, 300},
	{patrols.PointCamera, "长庆街口监控", "", 1240, 740},
}

// seedPlan uploads 吴牙社区's plan (drawn here) and places its points.
func seedPlan(tx core.App, o, chief *station.Officer, comm string) ([]*patrols.Point, error) {
	img, err := DrawWuyaPlan()
	if err != nil {
		return nil, err
	}
	f, err := filesystem.NewFileFromBytes(img, "wuya-plan.png")
	if err != nil {
		return nil, err
	}
	coll, err := tx.FindCachedCollectionByNameOrId(patrols.MapsCollection)
	if err != nil {
		return nil, err
	}
	rec := core.NewRecord(coll)
	rec.Set("community", comm)
	rec.Set("image", f)
	rec.Set("uploaded_by", chief.ID)
	if err := tx.Save(rec); err != nil {
		return nil, fmt.Errorf("demo plan: %w", err)
	}
	pcoll, err := tx.FindCachedCollectionByNameOrId(patrols.PointsCollection)
	if err != nil {
		return nil, err
	}
	var out []*patrols.Point
	for _, p := range wuyaPoints {
		r := core.NewRecord(pcoll)
		r.Set("community", comm)
		r.Set("kind", p.kind)
		r.Set("label", p.label)
		r.Set("building", p.building)
		r.Set("x", float64(p.x)/planW)
		r.Set("y", float64(p.y)/planH)
		if err := tx.Save(r); err != nil {
			return nil, fmt.Errorf("demo point %s: %w", p.label, err)
		}
		out = append(out, patrols.PointFromRecord(r))
	}
	return out, nil
}

// DrawWuyaPlan draws a simple plan of 吴牙社区 as a PNG: 吴牙街 along the
// top and 长庆街 along the bottom with their houses, 庆春路 north of them, the 广福里 compound of
// six buildings between them behind its fence, a lane, trees and the
// 中河 canal on the east. No words: the map's points carry the names.
func DrawWuyaPlan() ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, planW, planH))
	fill := func(x0, y0, x1, y1 int, c color.RGBA) {
		for y := max(y0, 0); y < min(y1, planH); y++ {
			for x := max(x0, 0); x < min(x1, planW); x++ {
				img.SetRGBA(x, y, c)
			}
		}
	}
	disc := func(cx, cy, r int, c color.RGBA) {
		for y := cy - r; y <= cy+r; y++ {
			for x := cx - r; x <= cx+r; x++ {
				if (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r && x >= 0 && y >= 0 && x < planW && y < planH {
					img.SetRGBA(x, y, c)
				}
			}
		}
	}
	var (
		paper  = color.RGBA{0xf6, 0xf2, 0xe7, 0xff}
		road   = color.RGBA{0xd5, 0xd2, 0xc8, 0xff}
		dash   = color.RGBA{0xff, 0xff, 0xff, 0xff}
		house  = color.RGBA{0xe2, 0xc9, 0xa6, 0xff}
		edge   = color.RGBA{0xa8, 0x8e, 0x6a, 0xff}
		block  = color.RGBA{0xcf, 0xd8, 0xe6, 0xff}
		bedge  = color.RGBA{0x7d, 0x8f, 0xab, 0xff}
		lawn   = color.RGBA{0xd8, 0xea, 0xcd, 0xff}
		tree   = color.RGBA{0x8d, 0xbf, 0x7a, 0xff}
		water  = color.RGBA{0xa9, 0xd3, 0xee, 0xff}
		fence  = color.RGBA{0x9a, 0x9a, 0x9a, 0xff}
		square = color.RGBA{0xee, 0xe6, 0xd2, 0xff}
	)
	fill(0, 0, planW, planH, paper)
	// 庆春路, the main road along the north, where the praise board hangs.
	fill(0, 60, 1290, 150, road)
	for x := 10; x < 1280; x += 40 {
		fill(x, 103, x+24, 107, dash)
	}
	for x := 30; x < 1280; x += 70 {
		disc(x, 175, 10, tree)
	}
	// 中河 along the east, with its green bank.
	fill(1290, 0, 1400, planH, lawn)
	fill(1320, 0, 1380, planH, water)
	// 吴牙街 (north) and 长庆街 (south), and the lane between them.
	fill(0, 300, 1290, 360, road)
	fill(0, 700, 1290, 760, road)
	fill(1180, 360, 1230, 700, road)
	for x := 10; x < 1280; x += 40 {
		fill(x, 328, x+20, 332, dash)
		fill(x, 728, x+20, 732, dash)
	}
	// Houses along both streets: 吴牙街 north side and 长庆街 south side.
	row := func(y0, y1 int) {
		for x := 20; x+70 < 1270; x += 80 {
			fill(x, y0, x+70, y1, edge)
			fill(x+2, y0+2, x+68, y1-2, house)
		}
	}
	row(200, 290)
	row(770, 860)
	// The street's south side houses toward the compound.
	for x := 20; x+70 < 240; x += 80 {
		fill(x, 370, x+70, 430, edge)
		fill(x+2, 372, x+68, 428, house)
	}
	for x := 1010; x+70 < 1180; x += 80 {
		fill(x, 370, x+70, 430, edge)
		fill(x+2, 372, x+68, 428, house)
	}
	// 广福里: a fenced compound with a lawn and six buildings in two rows,
	// gates to the north and south.
	fill(250, 440, 1150, 680, fence)
	fill(254, 444, 1146, 676, lawn)
	fill(620, 440, 680, 444, lawn)
	fill(620, 676, 680, 680, lawn)
	fill(620, 444, 680, 676, square)
	for _, y := range []int{470, 580} {
		for _, x := range []int{290, 550, 810} {
			fill(x, y, x+200, y+70, bedge)
			fill(x+3, y+3, x+197, y+67, block)
		}
	}
	// The bicycle shed and the small square by the canal.
	fill(1060, 520, 1160, 600, edge)
	fill(1063, 523, 1157, 597, square)
	// Trees along the streets and in the compound.
	for x := 40; x < 1280; x += 90 {
		disc(x, 372, 9, tree)
		disc(x+45, 688, 9, tree)
	}
	for _, p := range [][2]int{{270, 460}, {1130, 460}, {270, 660}, {1130, 660}, {520, 560}, {780, 560}, {1040, 560}} {
		disc(p[0], p[1], 12, tree)
	}
	// The corner lot with the residents' committee.
	fill(60, 880, 300, 980, edge)
	fill(63, 883, 297, 977, block)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
