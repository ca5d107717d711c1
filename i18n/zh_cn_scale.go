package i18n

// Strings of district scale (issue 13): the book of a whole district in
// parts.
func init() {
	add(map[string]string{
		"book.part": "全部民警的走访本分 %d 部分（共 %d 位民警、%d 次走访），这是第 %[4]d 部分；“下载 Excel”是整月全部。",
	})
}
