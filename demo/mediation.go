package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/households"
	"zoufang/mediation"
	"zoufang/station"
)

// The mediation room of the demo station, as 长庆派出所's: the 警民联调工作室
// on the ground floor and branch rooms in 吴牙社区 (六心工作室) and
// 浙大御跸社区 (三合工作室); a roster of about fifteen; and a year of about
// one dispute per working day, nearly all settled (the real room reached
// 99 % in 2018).

// rosterSpec is one name on the demo roster; room is "" for the station's
// room, or the index of the community whose branch room they sit in.
type rosterSpec struct {
	name, kind, org string
	landline        bool
	rooms           []int // -1 is the station's room, 0 and 1 the branch rooms
}

var demoRoster = []rosterSpec{
	{"赵智勇", mediation.KindPolice, "长庆派出所 专职调解民警", false, []int{-1, 0, 1}},
	{"孙丽萍", mediation.KindJustice, "长庆街道司法所", true, []int{-1}},
	{"郑海涛", mediation.KindJustice, "长庆街道司法所", true, []int{-1}},
	{"何秀英", mediation.KindCommunity, "吴牙社区居委会", false, []int{0}},
	{"陈美玲", mediation.KindCommunity, "浙大御跸社区居委会", false, []int{1}},
	{"徐建华", mediation.KindCommunity, "青春坊社区居委会", false, []int{-1}},
	{"沈国强", mediation.KindCommunity, "仓河下社区居委会", false, []int{-1}},
	{"潘美华", mediation.KindVolunteer, "浙大御跸社区 金牌调解员", false, []int{1, -1}},
	{"金国庆", mediation.KindVolunteer, "吴牙社区 金牌调解员", false, []int{0}},
	{"钱惠芬", mediation.KindVolunteer, "柳营社区 金牌调解员", false, []int{-1}},
	{"俞根宝", mediation.KindVolunteer, "贡院社区 金牌调解员", false, []int{-1}},
	{"楼雅芬", mediation.KindVolunteer, "青春坊社区 金牌调解员", false, []int{-1}},
	{"方志远", mediation.KindLawyer, "浙江庆春律师事务所", true, []int{-1}},
	{"沈静", mediation.KindLawyer, "浙江庆春律师事务所", true, []int{-1}},
	{"林晓", mediation.KindMedia, "《邻里和事佬》栏目", false, []int{-1}},
}

// categoryWeights: neighbours and rentals most, then families and
// property management, as a city-centre station sees them.
var categoryWeights = []struct {
	category string
	weight   int
}{
	{mediation.CategoryNeighbour, 28}, {mediation.CategoryFamily, 14}, {mediation.CategoryMarriage, 6},
	{mediation.CategoryProperty, 12}, {mediation.CategoryTenancy, 14}, {mediation.CategoryConsumer, 7},
	{mediation.CategoryLabour, 7}, {mediation.CategoryTraffic, 7}, {mediation.CategoryOther, 5},
}

// Summaries and outcomes per category; {a} is the applicant, {r} the
// respondent, {n} an amount of money.
var disputeTexts = map[string]struct{ summaries, outcomes []string }{
	mediation.CategoryNeighbour: {
		[]string{
			"{r}家卫生间漏水，致楼下{a}家天花板发霉脱落，双方对维修和赔偿意见不一。",
			"{a}反映隔壁{r}长期在楼道堆放杂物、养狗扰民，多次沟通未果，双方发生口角。",
			"{r}家装修噪音影响{a}家老人休息，双方争吵并有推搡。",
			"两户因共用楼道灯电费及单元防盗门维修费分摊发生争执。",
		},
		[]string{
			"经调解，{r}同意承担维修费用 {n} 元，三日内请人修复；双方握手言和。",
			"{r}承诺一周内清理楼道杂物、夜间拴好狗；{a}表示谅解。",
			"双方约定装修只在工作日 8:30–12:00、14:00–18:00 进行，{r}当面向{a}道歉。",
			"费用按户均摊，每户 {n} 元，由楼道长统一收取并公示。",
		},
	},
	mediation.CategoryFamily: {
		[]string{
			"{a}与儿子{r}因老人赡养费用和照料分工发生矛盾。",
			"兄妹{a}、{r}因老房拆迁补偿款分配意见不一，关系紧张。",
			"{a}与儿媳{r}因生活琐事长期不和，近日争吵升级，邻居报警。",
		},
		[]string{
			"{r}每月支付赡养费 {n} 元，周末轮流照料老人。",
			"补偿款按协议比例分配，{r}另补偿{a} {n} 元。",
			"双方各自让步，约定分开用餐、互不干涉，社区每月回访。",
		},
	},
	mediation.CategoryMarriage: {
		[]string{
			"{a}与{r}夫妻因家庭开支和子女抚养问题争吵，女方要求分居。",
			"{a}与{r}分手后因共同购买物品及借款归还产生纠纷。",
		},
		[]string{
			"双方约定家庭开支分担办法，暂不分居，三个月后再谈。",
			"{r}分两期归还借款 {n} 元，共同物品归{a}。",
		},
	},
	mediation.CategoryProperty: {
		[]string{
			"{a}认为{r}未及时处理地下车库渗水，拒交物业费，物业催缴引发纠纷。",
			"业主{a}对小区停车位收费调整有异议，与{r}发生冲突。",
		},
		[]string{
			"{r}一个月内完成车库防水维修，{a}补交物业费。",
			"{r}公示收费依据，本年度维持原价；{a}表示接受。",
		},
	},
	mediation.CategoryTenancy: {
		[]string{
			"租客{a}提前退租，房东{r}拒不退还押金 {n} 元。",
			"出租房内热水器损坏，租客{a}与房东{r}对维修费用承担有争议。",
			"房东{r}以群租为由要求租客{a}搬离，双方对合同解除条件各执一词。",
		},
		[]string{
			"{r}扣除一个月房租后退还押金余款，当场付清。",
			"维修费 {n} 元由房东承担，租客承担人工费。",
			"租客一个月内搬离，房东退还押金并免去当月房租。",
		},
	},
	mediation.CategoryConsumer: {
		[]string{
			"{a}在辖区一家美容店办卡后要求退款，{r}只同意退一半。",
			"顾客{a}在{r}经营的餐馆用餐后身体不适，双方就赔偿发生争执。",
		},
		[]string{
			"{r}退还卡内余额 {n} 元，双方再无争议。",
			"{r}承担医药费 {n} 元并致歉。",
		},
	},
	mediation.CategoryLabour: {
		[]string{
			"装修工人{a}称工程完工后尚有 {n} 元工钱未结，业主{r}以质量问题拒付。",
			"家政服务人员{a}与雇主{r}因工资结算和提前辞工发生纠纷。",
		},
		[]string{
			"{r}支付工钱 {n} 元，{a}一周内返修墙面。",
			"按实际工作天数结算工资，{r}当场支付。",
		},
	},
	mediation.CategoryTraffic: {
		[]string{
			"{a}与{r}的电动自行车在庆春路口刮擦，{a}受轻伤，双方对责任和医药费有分歧。",
			"{r}倒车时碰到行人{a}，双方对误工费赔偿数额有争议。",
		},
		[]string{
			"{r}赔偿医药费和误工费共 {n} 元，一次付清。",
			"双方同等责任，各自承担损失；{r}另付{a}营养费 {n} 元。",
		},
	},
	mediation.CategoryOther: {
		[]string{
			"{r}家宠物狗咬伤{a}的孩子，双方对疫苗费用承担有分歧。",
			"社区广场舞音响音量过大，附近居民{a}与舞队负责人{r}发生争执。",
		},
		[]string{
			"{r}承担疫苗和检查费用 {n} 元，以后遛狗牵绳。",
			"舞队改到 19:00–20:30 活动，音量由社区派人监督。",
		},
	},
}

var closingTexts = map[string][]string{
	mediation.StatusFailed: {
		"双方分歧较大，经三次调解未能达成一致，已告知当事人可向人民法院起诉。",
	},
	mediation.StatusReferred: {
		"涉及劳动报酬争议，已引导当事人向劳动人事争议仲裁委员会申请仲裁。",
		"已移交长庆街道人民调解委员会继续调解。",
		"涉及事故责任认定，已移交交警部门处理。",
	},
	mediation.StatusWithdrawn: {
		"双方自行协商解决，申请人撤回调解申请。",
		"申请人表示不再追究，撤回调解申请。",
	},
}

var sessionNotes = []string{
	"双方到场，各自陈述经过。民警讲清相关治安法规，调解员从情理上疏导，双方情绪平复。",
	"司法所工作人员解释相关法律规定，律师分析诉讼成本和时间，双方开始考虑让步。",
	"金牌调解员分别上门做工作，了解双方真实诉求。",
	"双方再次到调解室，就金额和期限逐条协商。",
	"现场查看，拍照留存，请物业一同到场说明情况。",
}

// sessionNote is the notes of the k-th sitting: both sides' accounts
// first, then the others in turn from first.
func sessionNote(k, first int) string {
	if k == 0 {
		return sessionNotes[0]
	}
	return sessionNotes[1+(first+k)%(len(sessionNotes)-1)]
}

var nextSteps = []string{"", "", "下周三再约双方到调解室", "请物业出具维修报价", "等待当事人家属商量后答复", "请律师准备协议文本"}

// seedMediation seeds the demo's mediation room: rooms, the roster, and
// about a year of disputes with sessions, outcomes and follow-ups, each
// written through the mediation store as of its own day, so numbers,
// history and figures are what the app would have recorded. It returns
// how many disputes it wrote.
func seedMediation(tx core.App, rng *rand.Rand, now time.Time, officerRecs []*core.Record, commIDs []string, byCommunity map[string][]*households.Household) (int, error) {
	ctx := context.Background()
	st, err := station.LoadSettings(tx)
	if err != nil {
		return 0, err
	}
	loc := st.Location()
	store := mediation.NewStore(tx)
	chief := &station.Officer{Role: station.RoleDeputyChief}

	stationRoom, err := store.SaveRoom(ctx, chief, "", mediation.Room{Name: "警民联调工作室"})
	if err != nil {
		return 0, fmt.Errorf("station room: %w", err)
	}
	branch := []string{}
	for i, name := range []string{"六心工作室", "三合工作室"} {
		r, err := store.SaveRoom(ctx, chief, "", mediation.Room{Name: name, Community: commIDs[i]})
		if err != nil {
			return 0, fmt.Errorf("room %s: %w", name, err)
		}
		branch = append(branch, r.ID)
	}
	roomOf := func(i int) string {
		if i < 0 {
			return stationRoom.ID
		}
		return branch[i]
	}
	var roster []*mediation.Mediator
	for _, m := range demoRoster {
		phone := ValidPhone(func() string { return Mobile(rng) })
		if m.landline {
			phone = ValidPhone(func() string { return Landline(rng) })
		}
		var rooms []string
		for _, i := range m.rooms {
			rooms = append(rooms, roomOf(i))
		}
		saved, err := store.SaveMediator(ctx, chief, "", mediation.Mediator{Name: m.name, Kind: m.kind, Organisation: m.org, Phone: phone, Rooms: rooms, Active: true})
		if err != nil {
			return 0, fmt.Errorf("mediator %s: %w", m.name, err)
		}
		roster = append(roster, saved)
	}
	byKind := func(kind string) []*mediation.Mediator {
		var out []*mediation.Mediator
		for _, m := range roster {
			if m.Kind == kind {
				out = append(out, m)
			}
		}
		return out
	}

	// Visits that found a dispute (矛盾纠纷) open some cases, as the field
	// app's "登记纠纷" does.
	var found []*core.Record
	if err := tx.RecordQuery("visits").AndWhere(dbx.Like("concerns", "矛盾纠纷")).OrderBy("visited_at ASC", "id ASC").All(&found); err != nil {
		return 0, fmt.Errorf("visits with disputes: %w", err)
	}
	fromVisit := map[string]*core.Record{} // day → a visit of that day
	for _, v := range found {
		if rng.IntN(10) < 6 {
			fromVisit[v.GetDateTime("visited_at").Time().In(loc).Format(time.DateOnly)] = v
		}
	}
	communityOf := map[string]int{}
	for i, c := range commIDs {
		communityOf[c] = i
	}
	officerOf := map[string]*core.Record{}
	for _, o := range officerRecs {
		officerOf[o.Id] = o
	}

	pickCategory := func() string {
		total := 0
		for _, c := range categoryWeights {
			total += c.weight
		}
		n := rng.IntN(total)
		for _, c := range categoryWeights {
			if n < c.weight {
				return c.category
			}
			n -= c.weight
		}
		return mediation.CategoryOther
	}
	person := func() mediation.Party {
		p := mediation.Party{Name: ChineseName(rng)}
		if rng.IntN(100) < 85 {
			p.Phone = ValidPhone(func() string { return Mobile(rng) })
		}
		return p
	}
	fromHousehold := func(h *households.Household) mediation.Party {
		p := mediation.Party{Name: h.HeadName, Household: h.ID}
		if len(h.Phones) > 0 {
			p.Phone = h.Phones[0]
		}
		return p
	}

	today := time.Date(now.In(loc).Year(), now.In(loc).Month(), now.In(loc).Day(), 0, 0, 0, 0, loc)
	written := 0
	for day := today.AddDate(-1, 0, 1); !day.After(today); day = day.AddDate(0, 0, 1) {
		visit := fromVisit[day.Format(time.DateOnly)]
		chance := 88
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			chance = 22
		}
		if visit == nil && rng.IntN(100) >= chance {
			continue
		}
		opened := day.Add(time.Duration(9*60+rng.IntN(8*60)) * time.Minute)
		ci := rng.IntN(len(commIDs))
		var h *households.Household
		if visit != nil {
			for i, c := range commIDs {
				for _, hh := range byCommunity[c] {
					if hh.ID == visit.GetString("household") {
						ci, h = i, hh
					}
				}
			}
			opened = visit.GetDateTime("visited_at").Time().Add(time.Duration(20+rng.IntN(90)) * time.Minute)
		}
		if opened.After(now) {
			continue
		}
		community := commIDs[ci]
		lead := officerRecs[ci]
		if visit != nil {
			if o := officerOf[visit.GetString("officer")]; o != nil {
				lead = o
			}
		}
		category := pickCategory()
		pool := byCommunity[community]
		if h == nil && len(pool) > 0 && rng.IntN(100) < 75 {
			h = pool[rng.IntN(len(pool))]
		}
		applicant := person()
		if h != nil {
			applicant = fromHousehold(h)
		}
		applicant.Role = mediation.RoleApplicant
		respondent := person()
		switch category {
		case mediation.CategoryProperty:
			respondent = mediation.Party{Name: []string{"庆春物业服务有限公司", "贡院物业管理处", "御跸物业服务中心"}[rng.IntN(3)], Phone: Landline(rng)}
		case mediation.CategoryConsumer:
			respondent = mediation.Party{Name: []string{"丽人美容店", "老杭帮菜馆", "青春路便利店"}[rng.IntN(3)] + "店主" + ChineseName(rng), Phone: Landline(rng)}
		case mediation.CategoryNeighbour, mediation.CategoryTenancy:
			if len(pool) > 1 && rng.IntN(2) == 0 {
				if other := pool[rng.IntN(len(pool))]; h == nil || other.ID != h.ID {
					respondent = fromHousehold(other)
				}
			}
		}
		respondent.Role = mediation.RoleRespondent
		parties := []mediation.Party{applicant, respondent}
		if category == mediation.CategoryFamily && rng.IntN(3) == 0 {
			third := person()
			third.Role = mediation.RoleRespondent
			parties = append(parties, third)
		}
		texts := disputeTexts[category]
		amount := (2 + rng.IntN(40)) * 100
		pick := rng.IntN(len(texts.summaries))
		fill := strings.NewReplacer("{a}", applicant.Name, "{r}", respondent.Name, "{n}", fmt.Sprint(amount)).Replace
		summary := fill(texts.summaries[pick])

		room := stationRoom.ID
		if ci < len(branch) && rng.IntN(100) < 70 {
			room = branch[ci]
		}
		mediators := []string{}
		add := func(ms []*mediation.Mediator) {
			if len(ms) > 0 {
				if m := ms[rng.IntN(len(ms))]; !slices.Contains(mediators, m.ID) {
					mediators = append(mediators, m.ID)
				}
			}
		}
		if rng.IntN(100) < 55 {
			add(byKind(mediation.KindPolice))
		}
		switch category {
		case mediation.CategoryFamily, mediation.CategoryMarriage, mediation.CategoryNeighbour:
			add(byKind(mediation.KindVolunteer))
			if rng.IntN(3) == 0 {
				add(byKind(mediation.KindCommunity))
			}
		case mediation.CategoryLabour, mediation.CategoryTenancy, mediation.CategoryTraffic, mediation.CategoryConsumer:
			add(byKind(mediation.KindJustice))
			if rng.IntN(3) == 0 {
				add(byKind(mediation.KindLawyer))
			}
		default:
			add(byKind(mediation.KindCommunity))
		}
		if rng.IntN(40) == 0 {
			add(byKind(mediation.KindMedia))
		}
		if len(mediators) == 0 {
			add(byKind(mediation.KindVolunteer))
		}

		source := []string{mediation.SourceWalkIn, mediation.SourceWalkIn, mediation.SourceWalkIn, mediation.SourceCall, mediation.SourceReferral}[rng.IntN(5)]
		in := mediation.Input{
			Room: room, Community: community, Category: category, Summary: summary, Parties: parties,
			Source: source, Officer: lead.Id, Mediators: mediators, OpenedAt: opened,
		}
		if h != nil {
			in.Household = h.ID
		}
		if visit != nil {
			in.Source, in.Visit = mediation.SourceVisit, visit.Id
		}
		o := station.OfficerFromRecord(lead)
		d, err := store.Create(mediation.AsOf(ctx, opened), o, in)
		if err != nil {
			return written, fmt.Errorf("dispute of %s: %w", day.Format(time.DateOnly), err)
		}
		written++

		// How it ended, and when: most the same day or within days.
		var days int
		switch r := rng.IntN(100); {
		case r < 45:
			days = 0
		case r < 70:
			days = 1 + rng.IntN(2)
		case r < 90:
			days = 3 + rng.IntN(5)
		default:
			days = 8 + rng.IntN(23)
		}
		closed := opened.Add(time.Duration(days)*24*time.Hour + time.Duration(30+rng.IntN(180))*time.Minute)
		status := mediation.StatusSettled
		switch r := rng.IntN(1000); {
		case r < 11:
			status = mediation.StatusFailed
		case r < 45:
			status = mediation.StatusReferred
		case r < 70:
			status = mediation.StatusWithdrawn
		case r < 90:
			status = mediation.StatusOpen // a hard case still going
		}
		if closed.After(now) {
			status = mediation.StatusOpen
		}

		// Sessions between opening and closing (or today).
		end := closed
		if status == mediation.StatusOpen {
			end = now
		}
		sessions := 1
		if days > 0 {
			sessions += rng.IntN(3)
		}
		firstNote := rng.IntN(len(sessionNotes))
		for k := range sessions {
			// The first sitting as the case comes in; later ones on days
			// spread up to the closing, in office hours.
			at := opened.Add(10 * time.Minute)
			if k > 0 {
				d := opened.Add(time.Duration(k) * end.Sub(opened) / time.Duration(sessions)).In(loc)
				at = time.Date(d.Year(), d.Month(), d.Day(), 9+rng.IntN(7), rng.IntN(60), 0, 0, loc)
				if !at.After(opened) {
					at = opened.Add(time.Duration(k) * time.Hour)
				}
			}
			if at.After(now) || (status != mediation.StatusOpen && at.After(closed)) {
				break
			}
			present := mediators
			if len(present) > 1 && rng.IntN(2) == 0 {
				present = present[:1]
			}
			next := ""
			if k < sessions-1 || status == mediation.StatusOpen {
				next = nextSteps[rng.IntN(len(nextSteps))]
			}
			recorded := at.Add(time.Hour)
			if recorded.After(now) {
				recorded = now
			}
			_, err := store.AddSession(mediation.AsOf(ctx, recorded), o, d.ID, mediation.SessionInput{
				At: at, Mediators: present, Notes: sessionNote(k, firstNote), NextStep: next,
			})
			if err != nil {
				return written, fmt.Errorf("session of %s: %w", d.Number, err)
			}
		}
		if status == mediation.StatusOpen {
			continue
		}
		outcome := ""
		if status == mediation.StatusSettled {
			outcome = fill(texts.outcomes[pick%len(texts.outcomes)])
		} else {
			outcome = closingTexts[status][rng.IntN(len(closingTexts[status]))]
		}
		closing := mediation.CloseInput{Status: status, Outcome: outcome, ClosedAt: closed, AgreementSigned: status == mediation.StatusSettled && rng.IntN(100) < 80}
		// A follow-up two weeks after settling for some cases with a
		// household; those of the last weeks are still owed (a few
		// overdue), older ones were made: a follow-up visit to the door.
		followUp := status == mediation.StatusSettled && h != nil && rng.IntN(100) < 40
		if followUp {
			fd := closed.In(loc).AddDate(0, 0, 14)
			closing.FollowUpAt = time.Date(fd.Year(), fd.Month(), fd.Day(), 0, 0, 0, 0, loc)
		}
		if _, err := store.Close(mediation.AsOf(ctx, closed), o, d.ID, closing); err != nil {
			return written, fmt.Errorf("close %s: %w", d.Number, err)
		}
		if followUp && now.Sub(closing.FollowUpAt) > 20*24*time.Hour {
			// On the first visit day from the follow-up's day, in the afternoon.
			fd := closing.FollowUpAt
			for !st.IsVisitDay(fd) {
				fd = fd.AddDate(0, 0, 1)
			}
			at := fd.Add(time.Duration(14*60+rng.IntN(180)) * time.Minute)
			if err := followUpVisit(tx, lead.Id, h.ID, d.ID, at); err != nil {
				return written, fmt.Errorf("follow-up of %s: %w", d.Number, err)
			}
		}
	}
	return written, nil
}

// followUpVisit records the visit of kind follow_up that followed up a
// case; the mediation hooks mark its follow-up made.
func followUpVisit(tx core.App, officer, household, dispute string, at time.Time) error {
	coll, err := tx.FindCachedCollectionByNameOrId("visits")
	if err != nil {
		return err
	}
	v := core.NewRecord(coll)
	v.Set("household", household)
	v.Set("officer", officer)
	v.Set("visited_at", at.UTC())
	v.Set("received_at", at.Add(time.Duration(5+len(household)%40)*time.Minute).UTC())
	v.Set("kind", "follow_up")
	v.Set("outcome", "met")
	v.Set("notes", "回访：协议已履行，双方关系正常。")
	v.Set("dispute", dispute)
	return tx.Save(v)
}
