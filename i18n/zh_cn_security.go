package i18n

// Strings of the hardening round: PocketBase's doors closed to officers,
// request limits, the probing throttle, a full disk, the public address.
func init() {
	add(map[string]string{
		"auth.rest_signin": "民警请在登录页（/login）登录。",
		"auth.refresh":     "民警的登录凭证不能在这里续期，请重新登录。",
		"auth.realtime":    "民警不能使用这个实时接口，现场应用使用自己的实时通道。",
	})
}

func init() {
	add(map[string]string{
		"field.public_url":          "请填写完整的网址，例如 https://zoufang.example.gov.cn（不含路径）。",
		"settings.public_url":       "对外访问地址",
		"settings.public_url_hint":  "居民扫描二维码打开的网址，即本系统在互联网上的地址。",
		"settings.public_url_unset": "尚未设置对外访问地址：二维码暂时使用民警手机访问本系统时的地址。请填写正式地址。",
	})
}

func init() {
	add(map[string]string{
		"error.body_too_large": "提交的内容太大（超过 %d MB），服务器没有读取。",
		"sync.too_deep":        "同步请求的数据层级太深（最多 %d 层），无法读取。",
	})
}

func init() {
	add(map[string]string{
		"household.probe_limit": "一小时内已多次遇到在其他民警辖区登记的电话号码。为保护居民信息，暂停登记新的电话号码，请 %d 分钟后再试，或联系副所长。",
	})
}

func init() {
	add(map[string]string{
		"import.xlsx_too_large": "这个 Excel 文件解压后太大，无法读取。请只保留住户名册一张表，另存为新文件后再导入。",
	})
}

func init() {
	add(map[string]string{
		"error.disk_full": "服务器存储空间已满，这次提交没有保存。手机上的记录仍在，会稍后自动重试；请通知系统管理员。",
	})
}
