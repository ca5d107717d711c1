package households_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"zoufang/app/apptest"
)

func upload(t *testing.T, c *apptest.Client, name, content string) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, _ := w.CreateFormFile("file", name)
	fw.Write([]byte(content))
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, c.Base+"/households/import", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.Do(req)
}

var tokenRe = regexp.MustCompile(`name="token" value="([0-9a-f]+)"`)

func TestImportPage(t *testing.T) {
	env := apptest.New(t)
	chief := env.SignIn(env.Chief)
	csv := "社区,网格,楼幢,单元,室,户主,电话,人数,标签,备注\n" +
		"吴牙社区,第一网格,吴牙街3号,,,孙一,13811112222,2,独居老人,\n" +
		"贡院社区,第一网格,贡院小区2幢,1,101,周二,0571-87651234,3,,\n" +
		"吴牙社区,第一网格,吴牙街4号,,,吴三,12345,1,,\n"

	t.Run("an officer may not import", func(t *testing.T) {
		res, _ := upload(t, env.SignIn(env.OfficerA), "r.csv", csv)
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("status = %d, want 403", res.StatusCode)
		}
	})

	before, _ := env.App.CountRecords("households")
	res, body := upload(t, chief, "名册.csv", csv)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("check: status %d", res.StatusCode)
	}
	t.Run("the dry run shows every row's fate and writes nothing", func(t *testing.T) {
		for _, want := range []string{"新增 2 户", "有误 1 行", "电话号码“12345”无效", "孙一", "周二"} {
			if !strings.Contains(body, want) {
				t.Errorf("report lacks %q", want)
			}
		}
		if after, _ := env.App.CountRecords("households"); after != before {
			t.Fatalf("the dry run wrote %d households", after-before)
		}
	})
	m := tokenRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no token in the report")
	}
	t.Run("committing everything is refused while a row is invalid", func(t *testing.T) {
		res, body := chief.PostForm("/households/import/commit", url.Values{"token": {m[1]}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "未导入任何住户") {
			t.Fatalf("status %d", res.StatusCode)
		}
		if after, _ := env.App.CountRecords("households"); after != before {
			t.Fatal("something was written")
		}
		m = tokenRe.FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no token to retry with")
		}
	})
	t.Run("skipping the problems imports exactly the new rows", func(t *testing.T) {
		res, body := chief.PostForm("/households/import/commit", url.Values{"token": {m[1]}, "skip": {"1"}})
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "新增 2 户") {
			t.Fatalf("status %d", res.StatusCode)
		}
		if after, _ := env.App.CountRecords("households"); after != before+2 {
			t.Fatalf("households %d → %d, want +2", before, after)
		}
	})
	t.Run("a used or unknown token is refused plainly", func(t *testing.T) {
		res, body := chief.PostForm("/households/import/commit", url.Values{"token": {m[1]}, "skip": {"1"}})
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, "重新上传") {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
}
