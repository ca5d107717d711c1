package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"zoufang/households"
	"zoufang/station"
	"zoufang/visits"
)

var surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢姜钟陆汪范金俞楼方应钱裘虞")

var givenChars = []rune("建国伟芳秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥林文辉志鹏海燕晓东宇浩婷雪梅佳怡子涵欣然一鸣俊杰振华德兴")

var foreigners = []struct{ name, phone string }{
	{"Kim Min-jun", "+82 10-%04d-%04d"},
	{"Tanaka Yuki", "+81 90-3%03d-%04d"},
	{"John Miller", "+1 415-555-%04d"},
	{"Emma Wilson", "+44 7912 %06d"},
	{"Nguyen Van An", "+84 912 %03d %03d"},
	{"Olga Ivanova", "+7 916 %03d-%02d-%02d"},
}

var mobilePrefixes = []string{"130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "156", "157", "158", "159", "166", "173", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189", "191", "198", "199"}

// ChineseName is a plausible Chinese name: a common surname and one or two
// given characters.
func ChineseName(rng *rand.Rand) string {
	n := 1 + rng.IntN(2)
	var b strings.Builder
	b.WriteRune(surnames[rng.IntN(len(surnames))])
	for i := 0; i < n; i++ {
		b.WriteRune(givenChars[rng.IntN(len(givenChars))])
	}
	return b.String()
}

// Mobile is a mainland mobile number in one of the shapes people write.
func Mobile(rng *rand.Rand) string {
	p := mobilePrefixes[rng.IntN(len(mobilePrefixes))]
	a, b := rng.IntN(10000), rng.IntN(10000)
	switch rng.IntN(4) {
	case 0:
		return fmt.Sprintf("%s %04d %04d", p, a, b)
	case 1:
		return fmt.Sprintf("+86 %s-%04d-%04d", p, a, b)
	default:
		return fmt.Sprintf("%s%04d%04d", p, a, b)
	}
}

// Landline is a Hangzhou fixed-line number (0571 and eight digits).
func Landline(rng *rand.Rand) string {
	return fmt.Sprintf("0571-8%d%06d", 5+rng.IntN(5), rng.IntN(1e6))
}

func foreignPhone(rng *rand.Rand, f string) string {
	switch strings.Count(f, "%") {
	case 1:
		if strings.Contains(f, "%06d") {
			return fmt.Sprintf(f, rng.IntN(1e6))
		}
		return fmt.Sprintf(f, rng.IntN(10000))
	case 2:
		return fmt.Sprintf(f, rng.IntN(1000), rng.IntN(1000))
	default:
		return fmt.Sprintf(f, rng.IntN(1000), rng.IntN(100), rng.IntN(100))
	}
}

// ValidPhone draws numbers until one is a real, allocated number: number
// plans have holes (a UK mobile range may be unassigned) and the registry
// refuses those, as it should.
func ValidPhone(draw func() string) string {
	for range 1000 {
		s := draw()
		if _, problem := station.NormalizePhone(s); problem == "" {
			return s
		}
	}
	panic("demo: a phone generator draws no valid numbers")
}

// household invents one household of community cs.
func household(rng *rand.Rand, cs communitySpec, communityID string, grids []string) households.Input {
	pl := cs.places[rng.IntN(len(cs.places))]
	in := households.Input{Community: communityID, Grid: grids[rng.IntN(len(grids))]}
	if pl.compound {
		in.Building = fmt.Sprintf("%s%d幢", pl.name, 1+rng.IntN(pl.buildings))
		in.Unit = fmt.Sprintf("%d", 1+rng.IntN(3))
		in.Room = fmt.Sprintf("%d%02d", 1+rng.IntN(7), 1+rng.IntN(4))
	} else {
		in.Building = fmt.Sprintf("%s%d号", pl.name, 1+rng.IntN(pl.buildings))
		if rng.IntN(3) == 0 {
			in.Room = fmt.Sprintf("%d", 101+rng.IntN(3)*100+rng.IntN(2))
		}
	}
	in.Address = households.DisplayAddress("", in.Building, in.Unit, in.Room)
	Occupant(rng, &in)
	return in
}

// Occupant invents who lives at a door: the head of household (about 3 in
// 100 foreign, with their own country's number), phones (a mainland mobile,
// a quarter also a Hangzhou fixed line), how many live there, tags (about a
// fifth rental, elderly living alone, group rentals, shops …) and now and
// then a note.
func Occupant(rng *rand.Rand, in *households.Input) {
	roll := rng.IntN(100)
	switch {
	case roll < 3: // foreign residents
		f := foreigners[rng.IntN(len(foreigners))]
		in.HeadName = f.name
		in.Phones = []string{ValidPhone(func() string { return foreignPhone(rng, f.phone) })}
		in.Tags = append(in.Tags, "外籍人员", "出租房")
		in.Residents = 1 + rng.IntN(2)
	default:
		in.HeadName = ChineseName(rng)
		in.Phones = []string{ValidPhone(func() string { return Mobile(rng) })}
		if rng.IntN(4) == 0 {
			in.Phones = append(in.Phones, ValidPhone(func() string { return Landline(rng) }))
		}
		in.Residents = 1 + rng.IntN(5)
	}
	switch r := rng.IntN(100); {
	case r < 18:
		in.Tags = append(in.Tags, "出租房")
	case r < 25:
		in.Tags = append(in.Tags, "独居老人")
		in.Residents = 1
	case r < 27:
		in.Tags = append(in.Tags, "群居房", "出租房")
		in.Residents = 5 + rng.IntN(5)
	case r < 30:
		in.Tags = append(in.Tags, "重点关注")
	case r < 33:
		in.Tags = append(in.Tags, "商铺单位")
	}
	if rng.IntN(10) == 0 {
		in.Notes = []string{"子女在外地，每周来探望一次。", "电动车在楼道充电，已提醒。", "租客流动频繁，需定期核对。", "老人听力不好，请大声敲门。", "白天上班，傍晚在家。"}[rng.IntN(5)]
	}
}

// Visit invents a routine visit of household id at time at: mostly met,
// some not at home or refused; a met resident without a WeChat contact yet
// (hasWeChat false) is usually added; now and then a concern and a note.
func Visit(rng *rand.Rand, id string, hasWeChat bool, at time.Time) visits.Input {
	in := visits.Input{Household: id, VisitedAt: at, Kind: visits.KindRoutine}
	switch r := rng.IntN(100); {
	case r < 74:
		in.Outcome = visits.OutcomeMet
	case r < 95:
		in.Outcome = visits.OutcomeNotHome
	default:
		in.Outcome = visits.OutcomeRefused
	}
	if in.Outcome == visits.OutcomeMet {
		in.WeChatAdded = !hasWeChat && rng.IntN(100) < 70
		if rng.IntN(6) == 0 {
			in.Concerns = []string{visits.Concerns[rng.IntN(len(visits.Concerns))]}
		}
		in.Notes = []string{"", "", "家中一切正常。", "已宣传反诈知识，发放警民联系卡。", "提醒注意用电安全。", "居民反映楼道堆物，已联系物业。", "独居老人身体尚可，留下联系方式。"}[rng.IntN(7)]
	}
	if in.Outcome == visits.OutcomeNotHome {
		in.Notes = "门上留了警民联系卡。"
	}
	return in
}
