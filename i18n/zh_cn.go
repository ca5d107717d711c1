package i18n

// zhCN is the Simplified Chinese catalogue. Keys: app.*, nav.*, login.*,
// error.* (whole-request errors), field.* (one field's problem, by stable
// code), and one prefix per screen. Keys starting with js., field., sync.,
// outcome., kind., concern. and tag. are also handed to the field app.
var zhCN = map[string]string{
	"app.name":        "走访 · 社区民警入户走访",
	"app.short_name":  "走访",
	"app.description": "社区民警入户走访记录、居民扫码确认、长假照看与走访覆盖统计。",

	"nav.label":      "主导航",
	"nav.today":      "今日",
	"nav.households": "住户",
	"nav.book":       "走访本",
	"nav.watches":    "照看",
	"nav.coverage":   "覆盖",
	"nav.board":      "看板",
	"nav.settings":   "设置",
	"nav.logout":     "退出",

	"label.badge_short": "警号 ",

	"login.title":    "民警登录",
	"login.lead":     "请用警号或工作邮箱登录。",
	"login.identity": "警号或邮箱",
	"login.password": "密码",
	"login.submit":   "登录",
	"login.wrong":    "警号/邮箱或密码不正确，请重新输入。",

	"today.title":     "今日走访",
	"today.greeting":  "%s，您好。",
	"today.homes":     "已走访户数",
	"today.wechat":    "新增微信",
	"today.visit_day": "今天是走访日",

	"error.internal":           "服务器内部错误，请稍后再试。",
	"error.invalid":            "提交的内容有误：%s",
	"error.bad_request":        "请求格式不正确。",
	"error.not_found":          "没有找到这个页面或记录。",
	"error.unauthorized":       "请先登录。",
	"error.forbidden":          "您没有权限进行此操作。",
	"error.chief_only":         "此页面仅限副所长使用。",
	"error.too_large":          "提交的内容太大，请分批提交。",
	"error.too_many":           "请求过于频繁，请稍后再试。",
	"error.too_many_wait":      "尝试次数过多，请 %d 分钟后再试。",
	"error.cross_site":         "请求来源不明，已拒绝。请从本系统页面重新操作。",
	"error.home":               "返回首页",
	"error.title.invalid":      "内容有误",
	"error.title.not_found":    "未找到",
	"error.title.unauthorized": "需要登录",
	"error.title.forbidden":    "无权访问",
	"error.title.conflict":     "内容冲突",
	"error.title.too_many":     "请求过于频繁",
	"error.title.too_large":    "内容过大",
	"error.title.unavailable":  "暂不可用",
	"error.title.internal":     "出错了",

	"field.required": "此项为必填。",
	"field.too_long": "最多 %d 个字。",
}
