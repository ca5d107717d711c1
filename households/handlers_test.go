package households_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/station"
	"zoufang/visits"
)

func TestHouseholdScope(t *testing.T) {
	env := apptest.New(t)
	hA := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "吴牙街1号", HeadName: "张三", Phones: []string{"13800000001"}})
	hB := env.Household(env.OfficerB, households.Input{Community: env.CommunityB, Building: "贡院小区3幢", Unit: "1", Room: "301", HeadName: "李四"})
	a := env.SignIn(env.OfficerA)

	t.Run("an officer cannot open a household outside their communities", func(t *testing.T) {
		res, body := a.Get("/households/" + hB.ID)
		if res.StatusCode != http.StatusNotFound {
			t.Fatalf("status = %d, want 404", res.StatusCode)
		}
		if strings.Contains(body, "李四") || strings.Contains(body, "贡院小区3幢") {
			t.Fatal("the 404 page shows the household")
		}
	})
	t.Run("an officer cannot edit or archive a household outside their communities", func(t *testing.T) {
		res, _ := a.PostForm("/households/"+hB.ID, url.Values{"community": {env.CommunityB}, "building": {"改掉"}, "head_name": {"坏人"}})
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("edit: status = %d, want 404", res.StatusCode)
		}
		res, _ = a.PostForm("/households/"+hB.ID+"/archive", url.Values{"archived": {"1"}})
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("archive: status = %d, want 404", res.StatusCode)
		}
		got, err := households.NewStore(env.App).Get(context.Background(), apptest.Officer(env.Chief), hB.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.HeadName != "李四" || got.Archived {
			t.Fatalf("household B changed: %+v", got)
		}
	})
	t.Run("an officer cannot create a household in another community", func(t *testing.T) {
		before, _ := env.App.CountRecords("households")
		res, body := a.PostForm("/households", url.Values{"community": {env.CommunityB}, "building": {"贡院小区9幢"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "不在您的辖区") {
			t.Fatalf("status = %d, want 422 with 不在您的辖区", res.StatusCode)
		}
		if after, _ := env.App.CountRecords("households"); after != before {
			t.Fatalf("households %d → %d", before, after)
		}
	})
	t.Run("an officer's search never returns another area's household", func(t *testing.T) {
		res, err := households.NewStore(env.App).Search(context.Background(), apptest.Officer(env.OfficerA), households.Query{Text: "李四"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 0 {
			t.Fatalf("found %d", res.Total)
		}
		res, _ = households.NewStore(env.App).Search(context.Background(), apptest.Officer(env.OfficerA), households.Query{})
		if res.Total != 1 || res.Items[0].ID != hA.ID {
			t.Fatalf("officer A sees %+v", res.Items)
		}
	})
	t.Run("a deputy chief sees and opens households of every community", func(t *testing.T) {
		chief := env.SignIn(env.Chief)
		res, body := chief.Get("/households")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "张三") || !strings.Contains(body, "李四") {
			t.Fatalf("status %d; list lacks a household", res.StatusCode)
		}
		if res, _ := chief.Get("/households/" + hB.ID); res.StatusCode != http.StatusOK {
			t.Fatalf("detail: %d", res.StatusCode)
		}
	})
}

func TestHouseholdForms(t *testing.T) {
	env := apptest.New(t)
	chief := env.SignIn(env.Chief)
	existing := env.Household(env.Chief, households.Input{Community: env.CommunityA, Building: "贡院小区3幢", Unit: "1", Room: "301", HeadName: "王五", Phones: []string{"139 1234 5678"}})

	t.Run("bad input is refused with a Chinese message on each field and nothing is written", func(t *testing.T) {
		before, _ := env.App.CountRecords("households")
		res, body := chief.PostForm("/households", url.Values{"community": {env.CommunityA}, "building": {""}, "phones": {"12345"}, "residents": {"abc"}, "tags": {"不存在的标签"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status = %d", res.StatusCode)
		}
		for _, want := range []string{"此项为必填", "电话号码“12345”无效", "请填 0 到 99 之间的数字", "没有“不存在的标签”这个标签", `aria-invalid="true"`} {
			if !strings.Contains(body, want) {
				t.Errorf("form lacks %q", want)
			}
		}
		if after, _ := env.App.CountRecords("households"); after != before {
			t.Fatalf("households %d → %d", before, after)
		}
	})
	t.Run("a good form creates the household with normalised phones", func(t *testing.T) {
		res, _ := chief.PostForm("/households", url.Values{"community": {env.CommunityA}, "grid": {env.GridA1}, "building": {"柳营巷12号"}, "head_name": {"赵六"}, "phones": {"０５７１-８７６５ ４３２１ / +86 186-0000-1111"}, "residents": {"3"}, "tags": {"独居老人", "出租房"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status = %d", res.StatusCode)
		}
		id := strings.TrimPrefix(strings.Split(res.Header.Get("Location"), "?")[0], "/households/")
		h, err := households.NewStore(env.App).Get(context.Background(), apptest.Officer(env.Chief), id)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := strings.Join(h.Phones, ","), "+8657187654321,+8618600001111"; got != want {
			t.Errorf("phones = %s, want %s", got, want)
		}
		if h.Address != "柳营巷12号" || h.Residents != 3 || len(h.Tags) != 2 {
			t.Errorf("household = %+v", h)
		}
	})
	t.Run("the same door written differently is refused as a duplicate with a link", func(t *testing.T) {
		res, body := chief.PostForm("/households", url.Values{"community": {env.CommunityA}, "building": {"贡院小区三号楼"}, "unit": {"一单元"}, "room": {"301室"}})
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, "/households/"+existing.ID) || !strings.Contains(body, "已经登记过") {
			t.Fatalf("status = %d, body lacks the link to the existing household", res.StatusCode)
		}
	})
	t.Run("a phone already registered is refused as a duplicate", func(t *testing.T) {
		res, body := chief.PostForm("/households", url.Values{"community": {env.CommunityA}, "building": {"贡院小区5幢"}, "phones": {"+86 139-1234-5678"}})
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, "已登记在另一户") {
			t.Fatalf("status = %d", res.StatusCode)
		}
	})
	t.Run("an edit made on a stale copy is refused and says so", func(t *testing.T) {
		h, _ := households.NewStore(env.App).Get(context.Background(), apptest.Officer(env.Chief), existing.ID)
		form := url.Values{"community": {env.CommunityA}, "building": {h.Building}, "unit": {h.Unit}, "room": {h.Room}, "head_name": {"王五改"}, "base_rev": {h.Rev}}
		// Someone else saves first.
		in := households.InputOf(h)
		in.Notes = "别人改的"
		if _, err := households.NewStore(env.App).Update(context.Background(), apptest.Officer(env.OfficerA), h.ID, in); err != nil {
			t.Fatal(err)
		}
		res, body := chief.PostForm("/households/"+h.ID, form)
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, "刚被别人修改过") {
			t.Fatalf("status = %d", res.StatusCode)
		}
		got, _ := households.NewStore(env.App).Get(context.Background(), apptest.Officer(env.Chief), h.ID)
		if got.HeadName != "王五" || got.Notes != "别人改的" {
			t.Fatalf("household = %+v", got)
		}
	})
}

func TestArchive(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	h := env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "吴牙街8号", HeadName: "钱七", Phones: []string{"13700001111"}})
	now := time.Now()
	v, _, err := visits.NewStore(env.App).Save(ctx, apptest.Officer(env.OfficerA), visits.Input{Household: h.ID, VisitedAt: now, Outcome: visits.OutcomeMet}, now)
	if err != nil {
		t.Fatal(err)
	}
	chief := env.SignIn(env.Chief)
	res, _ := chief.PostForm("/households/"+h.ID+"/archive", url.Values{"archived": {"1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("archive: %d", res.StatusCode)
	}

	t.Run("an archived household is left out of lists", func(t *testing.T) {
		_, body := chief.Get("/households")
		if strings.Contains(body, "钱七") {
			t.Fatal("listed")
		}
		_, body = chief.Get("/households?archived=1")
		if !strings.Contains(body, "钱七") {
			t.Fatal("not in the archive")
		}
	})
	t.Run("an archived household keeps its visits", func(t *testing.T) {
		got, err := visits.NewStore(env.App).ForHousehold(ctx, h.ID, 10)
		if err != nil || len(got) != 1 || got[0].ID != v.ID {
			t.Fatalf("visits = %v, %v", got, err)
		}
		_, body := chief.Get("/households/" + h.ID)
		if !strings.Contains(body, "已注销") || !strings.Contains(body, "见面") {
			t.Fatal("detail lacks the badge or the visit")
		}
	})
	t.Run("an archived household's phone and door are free again", func(t *testing.T) {
		env.Household(env.OfficerA, households.Input{Community: env.CommunityA, Building: "吴牙街8号", HeadName: "新住户", Phones: []string{"13700001111"}})
	})
	t.Run("restoring it is refused while another household holds its door", func(t *testing.T) {
		res, body := chief.PostForm("/households/"+h.ID+"/archive", url.Values{"archived": {"0"}})
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, "已经登记过") {
			t.Fatalf("status = %d", res.StatusCode)
		}
	})
	t.Run("no visit can be recorded for an archived household", func(t *testing.T) {
		_, _, err := visits.NewStore(env.App).Save(ctx, apptest.Officer(env.OfficerA), visits.Input{Household: h.ID, VisitedAt: now, Outcome: visits.OutcomeMet}, now)
		if got := station.FieldsOf(err)["household"].Code; got != "household_archived" {
			t.Fatalf("household problem = %q (err %v), want household_archived", got, err)
		}
	})
}

func TestDuplicateInAnotherArea(t *testing.T) {
	env := apptest.New(t)
	env.Household(env.OfficerB, households.Input{Community: env.CommunityB, Building: "青春坊7幢", HeadName: "秘密户主", Phones: []string{"13912340000"}})
	a := env.SignIn(env.OfficerA)
	res, body := a.PostForm("/households", url.Values{"community": {env.CommunityA}, "building": {"吴牙街2号"}, "phones": {"139 1234 0000"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "其他民警辖区") {
		t.Fatalf("status = %d, want 422 saying the phone is registered elsewhere", res.StatusCode)
	}
	if strings.Contains(body, "青春坊7幢") || strings.Contains(body, "秘密户主") {
		t.Fatal("the refusal reveals a household outside the officer's area")
	}
}

func TestPhoneIndexFollowsEdits(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	chief := apptest.Officer(env.Chief)
	store := households.NewStore(env.App)
	h := env.Household(env.Chief, households.Input{Community: env.CommunityA, Building: "吴牙街20号", Phones: []string{"13811110000"}})
	in := households.InputOf(h)
	in.Phones = []string{"13922220000"}
	if _, err := store.Update(ctx, chief, h.ID, in); err != nil {
		t.Fatal(err)
	}
	t.Run("the old number is free once a household no longer has it", func(t *testing.T) {
		if _, err := store.Create(ctx, chief, households.Input{Community: env.CommunityA, Building: "吴牙街21号", Phones: []string{"138 1111 0000"}}); err != nil {
			t.Fatalf("old number refused: %v", err)
		}
	})
	t.Run("the new number is taken", func(t *testing.T) {
		_, err := store.Create(ctx, chief, households.Input{Community: env.CommunityA, Building: "吴牙街22号", Phones: []string{"139-2222-0000"}})
		if d := households.DuplicateOf(err); d == nil || d.Of.ID != h.ID {
			t.Fatalf("err %v, want a duplicate of %s", err, h.ID)
		}
	})
	t.Run("a save that leaves the phones alone keeps them indexed", func(t *testing.T) {
		cur, _ := store.Get(ctx, chief, h.ID)
		in := households.InputOf(cur)
		in.Notes = "只改备注"
		if _, err := store.Update(ctx, chief, h.ID, in); err != nil {
			t.Fatal(err)
		}
		_, err := store.Create(ctx, chief, households.Input{Community: env.CommunityA, Building: "吴牙街23号", Phones: []string{"13922220000"}})
		if households.DuplicateOf(err) == nil {
			t.Fatalf("err %v, want a duplicate", err)
		}
	})
}
