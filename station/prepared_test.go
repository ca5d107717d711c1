package station_test

import (
	"database/sql"
	"errors"
	"reflect"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"zoufang/app/apptest"
	"zoufang/households"
	"zoufang/station"
)

// TestFindRecordIsFindRecordById: a record read through the transaction's
// prepared statement is the record PocketBase reads (every field type a
// household has: text, json lists, numbers, bools, relations, dates), it
// saves like one, a missing id is sql.ErrNoRows, and one transaction
// prepares a statement once.
func TestFindRecordIsFindRecordById(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h := env.Household(env.OfficerA, households.Input{
		Community: env.CommunityA, Grid: env.GridA1, Address: "吴牙路1号", Building: "3", Unit: "1", Room: "201",
		HeadName: "张秀英", Phones: []string{"13800138000", "0571-87654321"}, Residents: 3,
		Tags: []string{"独居老人"}, Notes: "腿脚不便",
	})

	var inTx *core.Record
	err := env.App.RunInTransaction(func(tx core.App) error {
		want, err := tx.FindRecordById(households.Collection, h.ID)
		if err != nil {
			return err
		}
		got, err := station.FindRecord(tx, households.Collection, h.ID)
		if err != nil {
			return err
		}
		t.Run("it holds what FindRecordById holds, field by field", func(t *testing.T) {
			if !reflect.DeepEqual(got.FieldsData(), want.FieldsData()) {
				t.Fatalf("got  %v\nwant %v", got.FieldsData(), want.FieldsData())
			}
			if !reflect.DeepEqual(got.Original().FieldsData(), want.Original().FieldsData()) || got.IsNew() {
				t.Fatalf("its original state differs (new: %v)", got.IsNew())
			}
		})
		t.Run("a second read in the transaction reuses the statement", func(t *testing.T) {
			sqlText := "SELECT 1"
			if station.Prepared(tx, sqlText) != station.Prepared(tx, sqlText) {
				t.Fatal("the same SQL was prepared twice in one transaction")
			}
		})
		t.Run("a reused statement keeps no parameter of its last run", func(t *testing.T) {
			var got string
			if err := station.Prepared(tx, "SELECT {:a}").Bind(dbx.Params{"a": "上次"}).Row(&got); err != nil || got != "上次" {
				t.Fatalf("first run: %q, %v", got, err)
			}
			if err := station.Prepared(tx, "SELECT {:a}").Row(&got); err == nil {
				t.Fatalf("a run that bound nothing answered %q, the last run's value", got)
			}
		})
		t.Run("an auth record is PocketBase's own", func(t *testing.T) {
			o, err := station.FindRecord(tx, "officers", env.OfficerA.Id)
			if err != nil || !o.ValidatePassword(apptest.Password) {
				t.Fatalf("officer %v, %v", o, err)
			}
		})
		if _, err := station.FindRecord(tx, households.Collection, "nosuchhousehol"); !errors.Is(err, sql.ErrNoRows) {
			t.Errorf("a missing household: err = %v, want sql.ErrNoRows", err)
		}
		got.Set("notes", "改过的备注")
		inTx = got
		return tx.Save(got)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("it saves like a record PocketBase read", func(t *testing.T) {
		after, err := env.App.FindRecordById(households.Collection, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after.GetString("notes") != "改过的备注" || after.GetString("head_name") != "张秀英" {
			t.Fatalf("after the save: notes %q, head %q", after.GetString("notes"), after.GetString("head_name"))
		}
		if inTx.GetString("search") == "" {
			t.Fatal("the registry's hooks did not run on the save")
		}
	})
	t.Run("outside a transaction it is FindRecordById", func(t *testing.T) {
		got, err := station.FindRecord(env.App, households.Collection, h.ID)
		if err != nil || got.Id != h.ID {
			t.Fatalf("got %v, %v", got, err)
		}
	})
}
