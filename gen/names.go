package gen

import (
	"fmt"
	"math/rand/v2"
)

// Place-name stems of the kind Hangzhou's city-centre communities, lanes
// and compounds carry. Names are drawn from them without repeats, so that
// a district of any size has plausible, distinct names.
var (
	communityStems = []string{
		"长庆", "吴牙", "贡院", "青春坊", "仓河下", "柳营", "浙大御跸", "湖滨", "小营", "紫阳", "清波", "望江",
		"南星", "采荷", "凯旋", "闸弄口", "笕桥", "彭埠", "九堡", "丁兰", "四季青", "天水", "武林", "朝晖",
		"潮鸣", "文晖", "石桥", "米市巷", "东新", "和睦", "拱宸", "大关", "上塘", "祥符", "康桥", "半山",
		"翠苑", "古荡", "西溪", "蒋村", "文新", "北山", "灵隐", "转塘", "留下", "三墩", "德胜", "新华",
		"打铜巷", "菜市桥", "东园", "王马", "刀茅巷", "建国", "中河", "凤起", "宝善", "环城", "体育场", "河东",
		"杭大", "学院", "文一", "莫干山", "和平", "水墨", "大塘巷", "红石板", "蕙兰", "胜利", "新城", "严家弄",
	}
	communityMarks = []string{"", "东", "西", "南", "北", "新村", "花园", "一", "二", "三"}

	placeStems = []string{
		"广福", "青春", "贡院", "菜市", "御跸", "庆春", "长寿", "太平", "同春", "福寿", "安吉", "仁和",
		"永丰", "兴隆", "德寿", "迎紫", "宝石", "葵巷", "梅花碑", "水亭", "银杏", "桂花", "香樟", "紫荆",
		"丰收", "红旗", "建设", "朝阳", "春江", "望湖", "钱塘", "运河", "西湖", "孩儿", "竹竿", "马市",
		"珠碧", "金鸡", "玉泉", "白塔", "龙井", "凤凰", "新华", "东坡", "耀江", "景芳", "三里亭", "天城",
	}
	compoundKinds = []string{"小区", "新村", "花园", "苑", "公寓", "家园", "里", "坊"}
	laneKinds     = []string{"巷", "弄", "路", "街"}
	buildingMarks = []string{"幢", "栋", "号楼"}
	gridNames     = []string{"第一网格", "第二网格", "第三网格"}
)

// uniqueNames draws names from make until n distinct ones are found; after
// many repeats it numbers them, which keeps a very large district going.
func uniqueNames(n int, draw func() string) []string {
	seen := map[string]bool{}
	out := make([]string, 0, n)
	for tries := 0; len(out) < n; tries++ {
		s := draw()
		if tries > 50*n {
			s = fmt.Sprintf("%s%d", s, len(out)+1)
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func communityName(rng *rand.Rand) string {
	return communityStems[rng.IntN(len(communityStems))] + communityMarks[rng.IntN(len(communityMarks))] + "社区"
}

var (
	keyHolders   = []string{"邻居", "楼下邻居", "物业", "亲戚", "女儿", "儿子", "社区网格员"}
	watchNotes   = []string{"", "", "", "阳台有花草，请留意。", "已断水断电。", "家中有猫，邻居每日喂食。", "已安装摄像头，双方可查看。"}
	checkNotes   = []string{"门窗完好，一切正常。", "门窗完好，一切正常。", "门窗完好，一切正常。", "信箱已清理。", "门口快递已代收。"}
	comments     = []string{"", "", "", "", "民警很耐心，谢谢！", "感谢关心。", "讲解反诈知识很细致。", "态度很好。", "希望多来看看老人。"}
	followUpNote = []string{"回访：问题已处理。", "回访：已联系物业整改。", "回访：居民表示满意。"}
)
