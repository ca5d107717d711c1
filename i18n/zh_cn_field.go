package i18n

// The field app's words for the features above the visit log: the
// patrols on Today, the shift and finding forms, dispute follow-ups.
func init() {
	add(map[string]string{
		"nav.patrols":              "巡防",
		"nav.disputes":             "调解",
		"js.patrols_today":         "巡防",
		"js.shifts_today":          "今天已记录 %d 次巡防",
		"js.shift_no_team":         "你负责的社区还没有巡防队：请先在「巡防」页面建队、登记队员。",
		"js.reports_due":           "交给我处理的巡防发现",
		"js.saved_shift":           "巡防记录已保存，有信号时自动上传。",
		"js.saved_report":          "巡防发现已保存，有信号时自动上传。",
		"js.report_about":          "涉及住户：%s",
		"js.no_grid":               "（不指定网格）",
		"js.reporter_me":           "民警本人发现",
		"js.reporter_volunteer":    "巡防队员 %s",
		"js.household_report":      "记录巡防发现",
		"js.attention_shift":       "%s %s 的巡防记录",
		"js.attention_report":      "巡防发现：%s（%s）",
		"js.attention_watch":       "%s 的长假照看",
		"js.followups_due":         "到期的纠纷回访",
		"js.followup_of":           "这是以下纠纷的回访：",
		"js.followup_today":        "今天该回访",
		"js.followup_overdue":      "%s 到期，已逾期",
		"js.open_dispute":          "登记纠纷",
		"js.dispute_after_sync":    "这次走访发现了矛盾纠纷：走访上传到服务器后，可在这里登记纠纷。",
		"js.household_no_disputes": "这户没有登记过纠纷。",
		"js.concern_dispute":       "矛盾纠纷",
	})
}
