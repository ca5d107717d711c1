package demo

import (
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/station"
	"zoufang/visits"
)

// comments are what residents write on the confirmation page.
var comments = []string{
	"民警很耐心，讲了防诈骗的事，谢谢。", "希望晚上多巡逻一下。", "楼道灯坏了很久了，麻烦反映一下。",
	"老人一个人住，谢谢常来看看。", "电动车乱停在楼道，希望管一管。", "态度很好。", "小区门口路灯不亮。",
	"上次反映的噪音问题已经解决了，感谢！", "希望多讲讲反诈知识。", "快递柜那边晚上有人逗留。",
}

// seedAnswers has residents answer the demo's visits as they would: most
// met visits confirmed on the officer's phone, mostly with five stars, a
// few comments, the odd denial, and the cases the fraud flags exist for
// (DESIGN §7), each once: one phone confirming several households in the
// last week, a confirmation from the officer's own address, a confirmed
// visit that never synced, a wrong phone number.
func seedAnswers(tx core.App, rng *mrand.Rand, vs []*visits.Visit, officers []*core.Record, now time.Time) (int, error) {
	tokens, err := tx.FindCollectionByNameOrId(visits.TokenCollection)
	if err != nil {
		return 0, err
	}
	confirms, err := tx.FindCollectionByNameOrId(visits.ConfirmCollection)
	if err != nil {
		return 0, err
	}
	st, err := station.LoadSettings(tx)
	if err != nil {
		return 0, err
	}
	token := func(id, officer string, issued time.Time) error {
		t := core.NewRecord(tokens)
		t.Id = id
		t.Set("officer", officer)
		t.Set("device", "demo-"+officer)
		t.Set("secret_hash", visits.HashSecret(randomHex(rng, 16)))
		t.Set("issued_at", issued)
		t.Set("expires_at", issued.Add(visits.TokenTTL))
		if err := tx.Save(t); err != nil {
			return fmt.Errorf("token: %w", err)
		}
		return nil
	}
	type answer struct {
		at             time.Time
		rating         int
		comment, check string
		client, ip     string
		denied         bool
	}
	confirm := func(visit string, a answer) error {
		c := core.NewRecord(confirms)
		c.Set("visit", visit)
		c.Set("confirmed_at", a.at)
		c.Set("rating", a.rating)
		c.Set("comment", a.comment)
		c.Set("phone_check", a.check)
		c.Set("client_hash", a.client)
		c.Set("ip_hash", a.ip)
		c.Set("denied", a.denied)
		if err := tx.Save(c); err != nil {
			return fmt.Errorf("confirmation: %w", err)
		}
		return nil
	}
	ratings := []int{5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 3, 3, 2, 0, 0, 0}
	weekAgo := now.AddDate(0, 0, -6)
	var recentOf = map[string][]*visits.Visit{} // officer → met visits of the last week
	n := 0
	for _, v := range vs {
		if v.Outcome != visits.OutcomeMet || rng.IntN(100) >= 62 {
			continue
		}
		if v.VisitedAt.After(weekAgo) {
			recentOf[v.Officer] = append(recentOf[v.Officer], v)
		}
		if err := token(v.ID, v.Officer, v.VisitedAt.Add(-time.Duration(1+rng.IntN(48))*time.Hour)); err != nil {
			return n, err
		}
		a := answer{at: v.VisitedAt.Add(time.Duration(1+rng.IntN(6)) * time.Minute), rating: ratings[rng.IntN(len(ratings))],
			check: "skipped", client: randomHex(rng, 32), ip: randomHex(rng, 32)}
		if rng.IntN(3) == 0 {
			a.check = "matched"
		}
		if rng.IntN(7) == 0 {
			a.comment = comments[rng.IntN(len(comments))]
		}
		if rng.IntN(160) == 0 {
			a = answer{at: a.at.Add(2 * time.Hour), denied: true, check: "skipped", client: a.client, ip: a.ip, comment: "今天家里没有民警来过。"}
		}
		if err := confirm(v.ID, a); err != nil {
			return n, err
		}
		n++
	}
	// The flags' cases, on the first officer's last week.
	o := officers[0].Id
	recent := recentOf[o]
	if len(recent) < 7 {
		return n, nil
	}
	// A confirmation from the address the officer's session used that day.
	own := randomHex(rng, 32)
	last := recent[len(recent)-1]
	if _, err := tx.DB().NewQuery("INSERT OR IGNORE INTO officer_addresses (officer, ip_hash, day) VALUES ({:o}, {:h}, {:d})").
		Bind(dbx.Params{"o": o, "h": own, "d": st.DayString(last.VisitedAt)}).Execute(); err != nil {
		return n, fmt.Errorf("officer address: %w", err)
	}
	amend := func(visit string, fields map[string]any) error {
		c, err := tx.FindFirstRecordByData(visits.ConfirmCollection, "visit", visit)
		if err != nil {
			return fmt.Errorf("confirmation of %s: %w", visit, err)
		}
		for k, v := range fields {
			c.Set(k, v)
		}
		if err := tx.Save(c); err != nil {
			return fmt.Errorf("amend confirmation: %w", err)
		}
		return nil
	}
	if err := amend(last.ID, map[string]any{"ip_hash": own}); err != nil {
		return n, err
	}
	// One phone, one address, four households' visits: the officer's own
	// phone, most likely.
	phone, addr := randomHex(rng, 32), randomHex(rng, 32)
	for _, v := range recent[2:6] {
		if err := amend(v.ID, map[string]any{"client_hash": phone, "ip_hash": addr}); err != nil {
			return n, err
		}
	}
	// A wrong phone number, and a resident who says nobody came.
	if err := amend(recent[0].ID, map[string]any{"phone_check": "mismatched"}); err != nil {
		return n, err
	}
	if err := amend(recent[1].ID, map[string]any{"denied": true, "rating": 0, "comment": "今天家里没有民警来过。"}); err != nil {
		return n, err
	}
	// A visit the resident confirmed four days ago that never reached the
	// server.
	ghost := randomID(rng)
	at := now.AddDate(0, 0, -4)
	if err := token(ghost, o, at.Add(-time.Hour)); err != nil {
		return n, err
	}
	if err := confirm(ghost, answer{at: at, rating: 5, check: "skipped", client: randomHex(rng, 32), ip: randomHex(rng, 32)}); err != nil {
		return n, err
	}
	return n + 1, nil
}

// randomHex is n random bytes in hex, from the seed's dice (the demo is the
// same for a seed).
func randomHex(rng *mrand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.UintN(256))
	}
	return hex.EncodeToString(b)
}

// randomID is a record id from the seed's dice.
func randomID(rng *mrand.Rand) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 15)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}
