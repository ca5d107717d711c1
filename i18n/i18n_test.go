package i18n

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEveryKeyUsedExists scans the Go sources for literal catalogue keys
// (i18n.T("…"), p.Add(field, "code") → field.code) and checks each is in
// the catalogue, so no screen ever shows a raw key.
func TestEveryKeyUsedExists(t *testing.T) {
	tCall := regexp.MustCompile(`i18n\.T\("([a-z0-9_.]+)"`)
	addCall := regexp.MustCompile(`\.Add\("[a-z_]+", "([a-z_]+)"`)
	root := ".."
	var missing []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "pb_data" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range tCall.FindAllStringSubmatch(string(b), -1) {
			if !strings.HasSuffix(m[1], ".") && !strings.HasSuffix(m[1], "_") && !Has(m[1]) {
				missing = append(missing, path+": "+m[1])
			}
		}
		for _, m := range addCall.FindAllStringSubmatch(string(b), -1) {
			if !Has("field." + m[1]) {
				missing = append(missing, path+": field."+m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range missing {
		t.Errorf("missing catalogue key %s", m)
	}
}

// TestJavaScriptKeys checks that every t("…") of the field app's modules is
// in the catalogue and in the part of it handed to the page.
func TestJavaScriptKeys(t *testing.T) {
	call := regexp.MustCompile(`\bt\("([a-z0-9_.]+)"`)
	err := filepath.WalkDir("../pwa/static/js", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".js") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range call.FindAllStringSubmatch(string(b), -1) {
			key := m[1]
			ok := false
			for _, p := range PagePrefixes {
				ok = ok || strings.HasPrefix(key, p)
			}
			if !ok {
				t.Errorf("%s: key %s is not handed to the page", path, key)
			}
			if !strings.HasSuffix(key, ".") && !strings.HasSuffix(key, "_") && !Has(key) {
				t.Errorf("%s: missing catalogue key %s", path, key)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDynamicKeys checks the keys built from codes at run time.
func TestDynamicKeys(t *testing.T) {
	for _, prefix := range []string{"error.title.", "kind.", "outcome."} {
		found := false
		for k := range zhCN {
			if strings.HasPrefix(k, prefix) {
				found = true
			}
		}
		if !found {
			t.Errorf("no keys under %s", prefix)
		}
	}
	for _, code := range []string{"invalid", "not_found", "unauthorized", "forbidden", "conflict", "too_many", "too_large", "unavailable", "internal"} {
		if !Has("error.title." + code) {
			t.Errorf("missing error.title.%s", code)
		}
	}
	for _, k := range []string{"routine", "holiday_check", "follow_up"} {
		if !Has("kind." + k) {
			t.Errorf("missing kind.%s", k)
		}
	}
	for _, k := range []string{"met", "not_home", "refused"} {
		if !Has("outcome." + k) {
			t.Errorf("missing outcome.%s", k)
		}
	}
}
