package patrols_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"zoufang/households"
	"zoufang/patrols"
)

// TestPraiseBoard: the public board shows only published deeds whose
// person consented, with nothing of them but the name, and needs no
// account and no script.
func TestPraiseBoard(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	hh := f.Household(f.OfficerA, households.Input{Community: f.CommunityA, Building: "广福里3幢", Unit: "1", Room: "101", HeadName: "张秀英", Phones: []string{"138 0013 8001"}})
	vol := f.vols[0] // 张阿姨, +8613800138001
	for _, d := range []patrols.DeedInput{
		{Volunteer: vol.ID, Community: f.CommunityA, Date: "2026-03-05", Kind: "honesty", Story: "拾到钱包一个，当晚交还失主。", Consent: true, Published: true},
		{Volunteer: vol.ID, Community: f.CommunityA, Date: "2026-05-01", Kind: "patrol", Story: "巡防中发现楼道堆物，及时清理。", Consent: true, Published: true},
		{Volunteer: vol.ID, Community: f.CommunityA, Date: "2026-06-01", Kind: "kindness", Story: "SECRET-unpublished", Consent: true},
		{Name: "王大爷", Community: f.CommunityA, Date: "2026-04-01", Kind: "bravery", Story: "SECRET-unconsented"},
		{Name: "王大爷", Community: f.CommunityB, Date: "2026-04-02", Kind: "bravery", Story: "勇救落水儿童。", Consent: true, Published: true},
	} {
		if _, err := f.store.SaveDeed(ctx, f.ch, "", d); err != nil {
			t.Fatalf("deed %s: %v", d.Story, err)
		}
	}
	res, body := f.Anonymous().Get("/praise")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	main := body[strings.Index(body, "<main"):]

	t.Run("it shows the published, consented deeds with name, community, deed and date", func(t *testing.T) {
		for _, want := range []string{"张阿姨", "吴牙社区", "拾金不昧", "拾到钱包一个，当晚交还失主。", "2026年3月5日", "巡防中发现楼道堆物", "王大爷", "贡院社区", "勇救落水儿童。"} {
			if !strings.Contains(main, want) {
				t.Errorf("board lacks %q", want)
			}
		}
	})
	t.Run("it never shows an unpublished or unconsented deed", func(t *testing.T) {
		if strings.Contains(body, "SECRET") {
			t.Fatal("a deed that is not on the board shows")
		}
	})
	t.Run("it counts a person's praises on the board only", func(t *testing.T) {
		if strings.Count(main, "累计受表扬 2 次") != 2 || strings.Count(main, "累计受表扬 1 次") != 1 {
			t.Fatalf("counts: %d × 2, %d × 1", strings.Count(main, "累计受表扬 2 次"), strings.Count(main, "累计受表扬 1 次"))
		}
	})
	t.Run("no phone, address, household or volunteer id ever appears", func(t *testing.T) {
		for _, leak := range []string{"8613800138001", "138 0013 8001", "13800138001", vol.ID, hh.ID, hh.Address, "广福里", "张秀英", f.vols[1].Phone} {
			if leak != "" && strings.Contains(body, leak) {
				t.Errorf("the board shows %q", leak)
			}
		}
	})
	t.Run("it needs no script", func(t *testing.T) {
		if strings.Contains(body, "<script") {
			t.Fatal("the board carries a script")
		}
	})
	t.Run("it prints as an A3 poster when asked", func(t *testing.T) {
		_, a3 := f.Anonymous().Get("/praise?paper=a3")
		if !strings.Contains(a3, `class="praise-poster a3"`) {
			t.Fatal("no A3 poster class")
		}
	})
	t.Run("it is rate-limited like the resident pages", func(t *testing.T) {
		c := f.Anonymous()
		var last int
		for range 70 {
			res, _ := c.Get("/praise")
			last = res.StatusCode
			if last == http.StatusTooManyRequests {
				break
			}
		}
		if last != http.StatusTooManyRequests {
			t.Fatalf("70 requests a minute: last status %d", last)
		}
	})
}
