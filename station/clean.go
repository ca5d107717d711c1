package station

import (
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// CleanText drops what text typed by a person never needs and an attacker
// finds useful: C0 and C1 control characters (a NUL that cuts a string
// short in another program, an escape sequence for a terminal reading the
// logs) and the bidirectional overrides and isolates U+202A–U+202E and
// U+2066–U+2069 (which make "文件.exe" read as "文件exe."). In a multi-line
// field line breaks and tabs stay, with "\r\n" and a lone "\r" both
// becoming "\n"; in a single-line field each is a space. It is applied
// where text enters: the stores' normalisers and the record hook that
// guards REST and admin-UI writes (BindCleanText).
func CleanText(s string, multiline bool) string {
	if isClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		switch {
		case r == '\r':
			if multiline && !strings.HasPrefix(s[i+1:], "\n") {
				b.WriteByte('\n')
			} else if !multiline {
				b.WriteByte(' ')
			}
		case r == '\n' || r == '\t':
			if multiline {
				b.WriteRune(r)
			} else {
				b.WriteByte(' ')
			}
		case dropped(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isClean reports whether s holds nothing CleanText would change (the usual
// case, answered without allocating).
func isClean(s string) bool {
	for _, r := range s {
		if r == '\r' || r == '\n' || r == '\t' || dropped(r) {
			return false
		}
	}
	return true
}

// dropped: controls (C0, DEL, C1) and the bidi embeddings, overrides and
// isolates. The invalid-UTF-8 replacement rune is kept: it is visible and
// harmless.
func dropped(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// MultiLineFields are the text fields, by name in any collection, where a
// person writes several lines (notes, a resident's comment, a dispute's
// summary). Every other text field is one line.
var MultiLineFields = map[string]bool{
	"notes": true, "comment": true, "summary": true, "outcome_notes": true, "next_step": true,
	"cancel_reason": true, "description": true, "agreement": true, "details": true,
}

// BindCleanText cleans every text field of every record of zoufang's own
// collections before it is saved, whoever saves it: the REST API and the
// admin UI reach no store, so this hook is their edge. PocketBase's system
// collections (superusers, logs, MFA) are left alone.
func BindCleanText(app core.App) {
	clean := func(e *core.RecordEvent) error {
		CleanRecord(e.Record)
		return e.Next()
	}
	// Before the features' own hooks, so that what they derive (an address
	// key, the search text) is derived from the cleaned text.
	app.OnRecordCreate().Bind(&hook.Handler[*core.RecordEvent]{Id: "zoufang_clean_text", Func: clean, Priority: -1000})
	app.OnRecordUpdate().Bind(&hook.Handler[*core.RecordEvent]{Id: "zoufang_clean_text", Func: clean, Priority: -1000})
}

// CleanRecord cleans the text fields of rec in place (see CleanText).
func CleanRecord(rec *core.Record) {
	c := rec.Collection()
	if c == nil || c.System {
		return
	}
	for _, f := range c.Fields {
		if _, ok := f.(*core.TextField); !ok || f.GetSystem() {
			continue
		}
		name := f.GetName()
		if v, ok := rec.GetRaw(name).(string); ok {
			if cv := CleanText(v, MultiLineFields[name]); cv != v {
				rec.Set(name, cv)
			}
		}
	}
}
