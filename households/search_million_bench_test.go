package households

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"zoufang/station"
)

// The shapes the district generator (zoufang gen district) and the demo
// draw households from: compounds and lanes of Hangzhou's city centre,
// common surnames, mainland mobiles and Hangzhou landlines.
var (
	benchPlaceStems = []string{
		"广福", "青春", "贡院", "菜市", "御跸", "庆春", "长寿", "太平", "同春", "福寿", "安吉", "仁和",
		"永丰", "兴隆", "德寿", "迎紫", "宝石", "葵巷", "梅花碑", "水亭", "银杏", "桂花", "香樟", "紫荆",
		"丰收", "红旗", "建设", "朝阳", "春江", "望湖", "钱塘", "运河", "西湖", "孩儿", "竹竿", "马市",
		"珠碧", "金鸡", "玉泉", "白塔", "龙井", "凤凰", "新华", "东坡", "耀江", "景芳", "三里亭", "天城",
	}
	benchCompoundKinds = []string{"小区", "新村", "花园", "苑", "公寓", "家园", "里", "坊"}
	benchLaneKinds     = []string{"巷", "弄", "路", "街"}
	benchBuildingMarks = []string{"幢", "栋", "号楼"}
	benchSurnames      = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢姜钟陆汪范金俞楼方应钱裘虞")
	benchGiven         = []rune("建国伟芳秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥林文辉志鹏海燕晓东宇浩婷雪梅佳怡子涵欣然一鸣俊杰振华德兴")
	benchMobiles       = []string{"130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "156", "157", "158", "159", "166", "173", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189", "191", "198", "199"}
)

// benchRows draws n households as the index reads them, about 1,700 to a
// community of three grids. The search text is composed as
// Household.searchText composes it (checked against Derive for the first
// few), without parsing each phone, which would take a minute and a half.
func benchRows(tb testing.TB, n int) (rows []indexRow, communities []string) {
	rng := rand.New(rand.NewPCG(13, 1))
	id := func() string {
		const abc = "abcdefghijklmnopqrstuvwxyz0123456789"
		var b [15]byte
		for i := range b {
			b[i] = abc[rng.IntN(len(abc))]
		}
		return string(b[:])
	}
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	var comm string
	var grids []string
	rows = make([]indexRow, 0, n)
	for len(rows) < n {
		if len(rows) >= 1700*len(communities) {
			comm, grids = id(), []string{id(), id(), id()}
			communities = append(communities, comm)
		}
		// One compound (or lane) of buildings, units, floors and flats.
		stem := benchPlaceStems[rng.IntN(len(benchPlaceStems))]
		compound := rng.IntN(10) < 7
		name := stem + benchLaneKinds[rng.IntN(len(benchLaneKinds))]
		if compound {
			name = stem + benchCompoundKinds[rng.IntN(len(benchCompoundKinds))]
		}
		var doors [][3]string
		if compound {
			mark := benchBuildingMarks[rng.IntN(len(benchBuildingMarks))]
			buildings, units, floors, flats := 4+rng.IntN(14), 1+rng.IntN(3), 5+rng.IntN(3), 2+rng.IntN(2)
			for b := 1; b <= buildings; b++ {
				for u := 1; u <= units; u++ {
					for f := 1; f <= floors; f++ {
						for r := 1; r <= flats; r++ {
							unit := ""
							if units > 1 {
								unit = fmt.Sprint(u)
							}
							doors = append(doors, [3]string{fmt.Sprintf("%s%d%s", name, b, mark), unit, fmt.Sprintf("%d%02d", f, r)})
						}
					}
				}
			}
		} else {
			for k := range 20 + rng.IntN(60) {
				doors = append(doors, [3]string{fmt.Sprintf("%s%d号", name, k+1), "", ""})
			}
		}
		grid := grids[rng.IntN(len(grids))]
		for _, d := range doors {
			if len(rows) == n {
				break
			}
			h := &Household{Community: comm, Grid: grid, Building: d[0], Unit: d[1], Room: d[2],
				HeadName: string(benchSurnames[rng.IntN(len(benchSurnames))])}
			for range 1 + rng.IntN(2) {
				h.HeadName += string(benchGiven[rng.IntN(len(benchGiven))])
			}
			h.Address = DisplayAddress("", h.Building, h.Unit, h.Room)
			mobile := fmt.Sprintf("%s%04d%04d", benchMobiles[rng.IntN(len(benchMobiles))], rng.IntN(10000), rng.IntN(10000))
			h.Phones = []string{"+86" + mobile}
			forms := []string{"86" + mobile, mobile}
			if rng.IntN(4) == 0 {
				line := fmt.Sprintf("8%d%06d", 5+rng.IntN(5), rng.IntN(1e6))
				h.Phones = append(h.Phones, "+86571"+line)
				forms = append(forms, "86571"+line, "0571"+line)
			}
			b, u, r := normBuilding(h.Building), normPart(h.Unit, unitSuffixes), normPart(h.Room, roomSuffixes)
			search := strings.ToLower(strings.Join(append([]string{h.Address, h.HeadName, b + "-" + u + "-" + r, b + u + r}, forms...), " "))
			if len(rows) < 50 && search != h.searchText() {
				tb.Fatalf("the bench's search text %q is not the app's %q", search, h.searchText())
			}
			row := indexRow{ID: id(), Community: comm, Grid: grid, Address: h.Address, Search: search, Tags: "[]", Updated: station.DBTime(now)}
			switch t := rng.IntN(100); {
			case t < 18:
				row.Tags = `["出租房"]`
			case t < 25:
				row.Tags = `["独居老人"]`
			}
			if rng.IntN(10) < 8 {
				row.LastVisited = station.DBTime(now.Add(-time.Duration(rng.Int64N(int64(730 * 24 * time.Hour)))))
			}
			row.WeChat = []string{"", "", "officer"}[rng.IntN(3)]
			row.Archived = rng.IntN(100) == 0
			rows = append(rows, row)
		}
	}
	return rows, communities
}

// indexOf builds an index of rows as build does from the table.
func indexOf(rows []indexRow) *indexState {
	st := newIndexState()
	for _, r := range rows {
		st.add(r)
	}
	st.seal()
	return st
}

// heapAfterGC is the live heap.
func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// postingBytes is what the gram lists take.
func (g *grams) postingBytes() (n int) {
	for _, p := range g.lists {
		n += int(unsafe.Sizeof(p)) + 2*cap(p.lo) + 4*cap(p.ends) + 8*cap(p.bits)
	}
	return n + 16*len(g.ids)
}

// BenchmarkSearchIndexBuild builds the index of 100,000 and of 1,000,000
// households from rows already read, and reports the heap it holds (the
// entries with their texts, the address order and the gram lists) and the
// gram lists alone. Run it once: -benchtime 1x.
func BenchmarkSearchIndexBuild(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			var heap uint64
			var lists int
			for b.Loop() {
				b.StopTimer()
				before := heapAfterGC()
				rows, _ := benchRows(b, n)
				b.StartTimer()
				st := indexOf(rows)
				b.StopTimer()
				rows = nil
				heap = heapAfterGC() - before
				lists = st.grams.postingBytes()
				runtime.KeepAlive(st)
				b.StartTimer()
			}
			b.ReportMetric(float64(heap)/(1<<20), "heap-MB")
			b.ReportMetric(float64(lists)/(1<<20), "lists-MB")
		})
	}
}

var million struct {
	once  sync.Once
	st    *indexState
	comms []string
}

// BenchmarkSearch1M times typical registry searches over 1,000,000
// households, as the index answers them (a search adds a stamp query and
// loading the page's 50 records). Target: under 50 ms each.
func BenchmarkSearch1M(b *testing.B) {
	million.once.Do(func() {
		rows, comms := benchRows(b, 1_000_000)
		million.st, million.comms = indexOf(rows), comms
	})
	st, comms := million.st, million.comms
	chief := &station.Officer{ID: "chief", Role: station.RoleDeputyChief}
	officer := &station.Officer{ID: "off", Role: station.RoleOfficer, Communities: comms[:1]}
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		o    *station.Officer
		q    Query
	}{
		{"chief/surname 王", chief, Query{Text: "王"}},
		{"chief/name 建国", chief, Query{Text: "建国"}},
		{"chief/full name 王建国", chief, Query{Text: "王建国"}},
		{"chief/phone fragment 5678", chief, Query{Text: "5678"}},
		{"chief/phone start 138001", chief, Query{Text: "138001"}},
		{"chief/building 广福小区3幢", chief, Query{Text: "广福小区3幢"}},
		{"chief/compound and room 贡院 301", chief, Query{Text: "贡院 301"}},
		{"chief/short form 3-1-301", chief, Query{Text: "3-1-301"}},
		{"chief/no match", chief, Query{Text: "不存在的地址"}},
		{"chief/surname, not visited 30 days, by last visit", chief, Query{Text: "李", NotVisitedDays: 30, Sort: SortLastVisited}},
		{"chief/community not visited 30 days (no text)", chief, Query{Community: comms[2], NotVisitedDays: 30, Sort: SortLastVisited}},
		{"chief/everything first page (no text)", chief, Query{}},
		{"officer/surname 李", officer, Query{Text: "李"}},
		{"officer/phone fragment 1391", officer, Query{Text: "1391"}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			tc.q.Limit, tc.q.Now = 50, now
			var total int
			for b.Loop() {
				_, total = st.match(newFilter(tc.o, tc.q))
			}
			b.ReportMetric(float64(total), "hits")
		})
	}
}
