package i18n

// Strings of the integrity round: record hooks, per-item push decoding, the
// resident's answer and the token book per device.
func init() {
	add(map[string]string{
		"field.rejected":     "此项不符合要求，请检查。",
		"field.type":         "格式不正确（应为%s）。",
		"field.datetime":     "时间格式不正确，应为 2026-12-01T15:04:05+08:00。",
		"field.op":           "未知的操作，应为 create 或 update。",
		"field.badge_format": "警号应为 3–20 位字母或数字。",
		"field.badge_taken":  "这个警号已被使用。",
		"field.no_community": "社区民警至少要负责一个社区。",
		"error.title.gone":   "已失效",
	})
}

func init() {
	add(map[string]string{
		"sync.item_not_object": "这一条记录不是有效的数据，无法读取。",
		"sync.kind_text":       "文字",
		"sync.kind_bool":       "是/否",
		"sync.kind_int":        "整数",
		"sync.kind_list":       "文字列表",
		"sync.kind_value":      "规定的格式",
		"sync.bad_envelope":    "同步请求的格式不正确：%s 应为列表。",
		"visit.answered":       "居民已对这次走访作出回复，记录不能再修改。",
	})
}

func init() {
	add(map[string]string{
		"book.denied":          "居民否认",
		"confirm.denied_title": "已收到您的反馈，谢谢",
		"confirm.denied":       "您于 %s 反映这位民警没有上门走访。派出所会核实处理。每个二维码只能提交一次。",
	})
}

func init() {
	add(map[string]string{
		"js.answer_confirmed": "居民已扫码确认这次走访。",
		"js.answer_denied":    "居民否认这次走访（称民警没有上门）。",
		"js.save_failed":      "没能保存到手机上，请再点一次保存。",
	})
}

func init() {
	add(map[string]string{
		"household.visited_days":      "最近几天内走访过（见面）",
		"household.sort":              "排序",
		"household.sort.address":      "按地址",
		"household.sort.last_visited": "最久未走访在前",
		"household.sort.recent":       "最近走访在前",
		"household.never":             "从未走访",
		"household.with_wechat":       "已加微信",
		"household.export":            "导出 Excel",
		"household.xlsx.title":        "住户名单",
		"household.xlsx.address":      "地址",
		"household.xlsx.head":         "户主",
		"household.xlsx.phones":       "电话",
		"household.xlsx.community":    "社区",
		"household.xlsx.grid":         "网格",
		"household.xlsx.tags":         "标签",
		"household.xlsx.residents":    "人数",
		"household.xlsx.last":         "最近走访（见面）",
		"household.xlsx.last_by":      "走访民警",
		"household.xlsx.wechat":       "微信联系民警",
	})
}
