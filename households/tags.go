package households

// tagTones colour the tags that need an officer's eye: people who need care
// ("warn") and a household in conflict ("bad"). The office pages and the
// field app (through /sync/me) use the same table.
var tagTones = map[string]string{"独居老人": "warn", "重点关注": "warn", "孤寡残疾": "warn", "留守儿童": "warn", "矛盾纠纷户": "bad"}

// TagTones maps a tag to its tone ("warn", "bad"); tags not listed are plain.
func TagTones() map[string]string {
	out := make(map[string]string, len(tagTones))
	for k, v := range tagTones {
		out[k] = v
	}
	return out
}

// TagClass is the CSS class of a tag's label.
func TagClass(tag string) string {
	if tone := tagTones[tag]; tone != "" {
		return "tag " + tone
	}
	return "tag"
}

// PriorityTags make a household count as twice as overdue in the field
// app's "who to visit next".
var PriorityTags = []string{"独居老人", "重点关注", "孤寡残疾"}
