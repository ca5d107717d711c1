package households

import "testing"

// door is one way of writing building, unit and room.
type door struct{ building, unit, room string }

func TestAddressKeySameDoor(t *testing.T) {
	tests := []struct {
		name string
		a, b door
	}{
		// Buildings.
		{"幢 and 栋 are the same building", door{"3幢", "1单元", "301"}, door{"3栋", "1单元", "301"}},
		{"幢 and 号楼 are the same building", door{"3幢", "1", "301"}, door{"3号楼", "1", "301"}},
		{"幢 and 座 are the same building", door{"3幢", "1", "301"}, door{"3座", "1", "301"}},
		{"幢 and 号 are the same building", door{"3幢", "1", "301"}, door{"3号", "1", "301"}},
		{"幢 and # are the same building", door{"3幢", "1", "301"}, door{"3#", "1", "301"}},
		{"#楼 and 幢 are the same building", door{"3#楼", "1", "301"}, door{"3幢", "1", "301"}},
		{"a bare number is the building with 幢", door{"3", "1", "301"}, door{"3幢", "1", "301"}},
		{"三号楼 is 3幢", door{"三号楼", "1", "301"}, door{"3幢", "1", "301"}},
		{"二十幢 is 20幢", door{"二十幢", "1", "301"}, door{"20幢", "1", "301"}},
		{"三十一栋 is 31幢", door{"三十一栋", "1", "301"}, door{"31幢", "1", "301"}},
		{"full-width ３号楼 is 3幢", door{"３号楼", "1", "301"}, door{"3幢", "1", "301"}},
		{"a leading zero 03幢 is 3幢", door{"03幢", "1", "301"}, door{"3幢", "1", "301"}},
		{"a space before the suffix does not matter", door{"3 幢", "1", "301"}, door{"3幢", "1", "301"}},
		{"spaces around the building do not matter", door{"  3幢 ", "1", "301"}, door{"3幢", "1", "301"}},
		{"a dash before the suffix does not matter", door{"3-幢", "1", "301"}, door{"3幢", "1", "301"}},
		{"upper and lower case letters are the same building", door{"B座", "1", "301"}, door{"b座", "1", "301"}},
		{"full-width Ｂ is B", door{"Ｂ座", "1", "301"}, door{"B座", "1", "301"}},
		{"B座 and B栋 are the same building", door{"B座", "1", "301"}, door{"B栋", "1", "301"}},
		{"a dash between letter and number does not matter", door{"B-3幢", "1", "301"}, door{"B3幢", "1", "301"}},
		{"the compound name with 三幢 is the same as with 3幢", door{"贡院小区三幢", "1", "301"}, door{"贡院小区3幢", "1", "301"}},
		{"a lane house with spaces is the same house", door{"柳营巷12号", "", ""}, door{"柳营巷 12 号", "", ""}},
		{"a lane house in Chinese numerals is the same house", door{"柳营巷十二号", "", ""}, door{"柳营巷12号", "", ""}},
		{"a lane house without 号 is the same house", door{"柳营巷12", "", ""}, door{"柳营巷12号", "", ""}},

		// Units.
		{"1单元 and 一单元 are the same unit", door{"3幢", "1单元", "301"}, door{"3幢", "一单元", "301"}},
		{"1单元 and a bare 1 are the same unit", door{"3幢", "1单元", "301"}, door{"3幢", "1", "301"}},
		{"1单 is 1单元", door{"3幢", "1单", "301"}, door{"3幢", "1单元", "301"}},
		{"full-width １ is unit 1", door{"3幢", "１单元", "301"}, door{"3幢", "1", "301"}},
		{"unit 01 is unit 1", door{"3幢", "01", "301"}, door{"3幢", "1", "301"}},
		{"a space inside 1 单元 does not matter", door{"3幢", " 1 单元 ", "301"}, door{"3幢", "1", "301"}},

		// Rooms.
		{"301室 and 301 are the same room", door{"3幢", "1", "301室"}, door{"3幢", "1", "301"}},
		{"三〇一 is 301", door{"3幢", "1", "三〇一"}, door{"3幢", "1", "301"}},
		{"三零一 is 301", door{"3幢", "1", "三零一"}, door{"3幢", "1", "301"}},
		{"三百零一 is 301", door{"3幢", "1", "三百零一"}, door{"3幢", "1", "301"}},
		{"301房 is 301", door{"3幢", "1", "301房"}, door{"3幢", "1", "301"}},
		{"301号 is 301", door{"3幢", "1", "301号"}, door{"3幢", "1", "301"}},
		{"full-width ３０１室 is 301", door{"3幢", "1", "３０１室"}, door{"3幢", "1", "301"}},
		{"a leading zero 0301 is 301", door{"3幢", "1", "0301"}, door{"3幢", "1", "301"}},
		{"a space before 室 does not matter", door{"3幢", "1", "301 室"}, door{"3幢", "1", "301"}},
		{"a full stop typed after the room does not matter", door{"3幢", "1", "301。"}, door{"3幢", "1", "301"}},
		{"a subdivided room 301-1 is 301 - 1", door{"3幢", "1", "301-1"}, door{"3幢", "1", "301 - 1"}},
		{"a subdivided room 301-01 is 301-1", door{"3幢", "1", "301-01"}, door{"3幢", "1", "301-1"}},
		{"room B is room b", door{"3幢", "1", "B室"}, door{"3幢", "1", "b"}},

		// All at once.
		{"a registry's 三号楼一单元三〇一 is an officer's 3幢1单元301室", door{"三号楼", "一单元", "三〇一"}, door{"3幢", "1单元", "301室"}},
		{"full-width and leading zeros everywhere", door{"０３栋", "０１", "０３０１"}, door{"3幢", "1", "301"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ka := AddressKey("c1", tt.a.building, tt.a.unit, tt.a.room)
			kb := AddressKey("c1", tt.b.building, tt.b.unit, tt.b.room)
			if ka != kb {
				t.Errorf("AddressKey(%q) = %q, AddressKey(%q) = %q, want the same", tt.a, ka, tt.b, kb)
			}
		})
	}
}

func TestAddressKeyDifferentDoors(t *testing.T) {
	tests := []struct {
		name       string
		communityA string
		a          door
		communityB string
		b          door
	}{
		{"the same door in another community is another household", "c1", door{"3幢", "1单元", "301"}, "c2", door{"3幢", "1单元", "301"}},
		{"another building", "c1", door{"3幢", "1", "301"}, "c1", door{"4幢", "1", "301"}},
		{"building 3 is not building 13", "c1", door{"3幢", "1", "301"}, "c1", door{"13幢", "1", "301"}},
		{"building 3 is not building 30", "c1", door{"三幢", "1", "301"}, "c1", door{"三十幢", "1", "301"}},
		{"building A is not building B", "c1", door{"A座", "1", "301"}, "c1", door{"B座", "1", "301"}},
		{"another unit", "c1", door{"3幢", "1单元", "301"}, "c1", door{"3幢", "2单元", "301"}},
		{"unit 1 is not unit 11", "c1", door{"3幢", "1", "301"}, "c1", door{"3幢", "11", "301"}},
		{"a door with a unit is not the door without", "c1", door{"3幢", "1", "301"}, "c1", door{"3幢", "", "301"}},
		{"another room", "c1", door{"3幢", "1", "301"}, "c1", door{"3幢", "1", "302"}},
		{"room 301 is not room 3001", "c1", door{"3幢", "1", "301"}, "c1", door{"3幢", "1", "3001"}},
		{"room 101 is not room 1001", "c1", door{"3幢", "1", "101"}, "c1", door{"3幢", "1", "1001"}},
		{"building 31 room 1 is not building 3 unit 1 room 1", "c1", door{"31幢", "", "1"}, "c1", door{"3幢", "1", "1"}},
		{"building 1-23 is not building 12-3", "c1", door{"1-23幢", "", ""}, "c1", door{"12-3幢", "", ""}},
		{"subdivided room 301-1 is not room 3011", "c1", door{"3幢", "1", "301-1"}, "c1", door{"3幢", "1", "3011"}},
		{"room 1-301 (unit written in the room) is not room 1301", "c1", door{"3幢", "", "1-301"}, "c1", door{"3幢", "", "1301"}},
		{"another lane house", "c1", door{"柳营巷12号", "", ""}, "c1", door{"柳营巷14号", "", ""}},
		{"the same number in another lane", "c1", door{"柳营巷12号", "", ""}, "c1", door{"马市街12号", "", ""}},
		{"a lane house is not a room in it", "c1", door{"柳营巷12号", "", ""}, "c1", door{"柳营巷12号", "", "201"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ka := AddressKey(tt.communityA, tt.a.building, tt.a.unit, tt.a.room)
			kb := AddressKey(tt.communityB, tt.b.building, tt.b.unit, tt.b.room)
			if ka == kb {
				t.Errorf("AddressKey(%q, %q) = AddressKey(%q, %q) = %q, want different", tt.communityA, tt.a, tt.communityB, tt.b, ka)
			}
		})
	}
}

func TestAddressKeyShape(t *testing.T) {
	tests := []struct {
		name                            string
		community, building, unit, room string
		want                            string
	}{
		{"a compound door is community|building|unit|room", "c1", "3幢", "1单元", "301室", "c1|3|1|301"},
		{"a Chinese-numeral door has the same digits", "c1", "三号楼", "一单元", "三〇一", "c1|3|1|301"},
		{"a lane house keeps its lane and drops 号", "c1", "柳营巷 12 号", "", "", "c1|柳营巷12||"},
		{"a letter building is lower-cased", "c1", "Ｂ座", "", "301", "c1|b||301"},
		{"a dash between numbers is kept as one dash", "c1", "1 - 23幢", "", "301-01", "c1|1-23||301-1"},
		{"a lone suffix is not stripped to nothing", "c1", "幢", "单元", "室", "c1|幢|单元|室"},
		{"an empty door is the community alone", "c1", "", "", "", "c1|||"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AddressKey(tt.community, tt.building, tt.unit, tt.room); got != tt.want {
				t.Errorf("AddressKey(%q, %q, %q, %q) = %q, want %q", tt.community, tt.building, tt.unit, tt.room, got, tt.want)
			}
		})
	}
}

func TestChineseNumber(t *testing.T) {
	tests := []struct {
		name   string
		s      string
		want   int
		wantOK bool
	}{
		{"三 is 3", "三", 3, true},
		{"两 is 2", "两", 2, true},
		{"十 is 10", "十", 10, true},
		{"十二 is 12", "十二", 12, true},
		{"二十 is 20", "二十", 20, true},
		{"二十五 is 25", "二十五", 25, true},
		{"一百 is 100", "一百", 100, true},
		{"一百零五 is 105", "一百零五", 105, true},
		{"一百一十 is 110", "一百一十", 110, true},
		{"三百零一 is 301", "三百零一", 301, true},
		{"九百九十九 is 999", "九百九十九", 999, true},
		{"两百 is 200", "两百", 200, true},
		{"三〇一 is read digit by digit as 301", "三〇一", 301, true},
		{"三零一 is read digit by digit as 301", "三零一", 301, true},
		{"一〇〇一 is read digit by digit as 1001", "一〇〇一", 1001, true},
		{"〇 is 0", "〇", 0, true},
		{"an empty string is not a number", "", 0, false},
		{"a numeral with a letter is not a number", "三x", 0, false},
		{"letters are not a number", "abc", 0, false},
		{"a Chinese word is not a number", "柳营巷", 0, false},
		{"千 is beyond what it reads", "一千", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := chineseNumber(tt.s)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("chineseNumber(%q) = (%d, %v), want (%d, %v)", tt.s, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestDisplayAddress(t *testing.T) {
	tests := []struct {
		name                         string
		street, building, unit, room string
		want                         string
	}{
		{"bare numbers get 幢, 单元 and 室", "贡院小区", "3", "1", "301", "贡院小区 3幢1单元301室"},
		{"parts with their suffix are kept as written", "贡院小区", "3号楼", "1单元", "301室", "贡院小区 3号楼1单元301室"},
		{"栋 and 房 are kept", "", "3栋", "2单元", "502房", "3栋2单元502房"},
		{"without a street there is no leading space", "", "3", "1", "301", "3幢1单元301室"},
		{"a lane house keeps its 号 and has no unit or room", "柳营巷", "12号", "", "", "柳营巷 12号"},
		{"a lane house with a room", "", "柳营巷12号", "", "201", "柳营巷12号201室"},
		{"a door without a unit", "", "5幢", "", "101", "5幢101室"},
		{"Chinese numerals get their suffix too", "", "三", "一", "三〇一", "三幢一单元三〇一室"},
		{"a letter building and room get their suffix", "", "B", "1", "B", "B幢1单元B室"},
		{"a letter building with 座 is kept", "", "B座", "1", "301", "B座1单元301室"},
		{"full-width digits get their suffix", "", "３", "１", "３０１", "３幢１单元３０１室"},
		{"spaces around parts are trimmed", " 贡院小区 ", " 3 ", " 1 ", " 301 ", "贡院小区 3幢1单元301室"},
		{"a blank building leaves no trailing space", "贡院小区", "  ", "", "", "贡院小区"},
		{"a street with a unit but no building is still spaced", "贡院小区", "", "1", "301", "贡院小区 1单元301室"},
		{"nothing gives nothing", "", "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DisplayAddress(tt.street, tt.building, tt.unit, tt.room); got != tt.want {
				t.Errorf("DisplayAddress(%q, %q, %q, %q) = %q, want %q", tt.street, tt.building, tt.unit, tt.room, got, tt.want)
			}
		})
	}
}
