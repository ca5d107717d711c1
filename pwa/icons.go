package pwa

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
)

// appIcons are drawn in Go at start-up (a white house on the station's blue)
// so the repository carries no binary image files.
var appIcons = []iconSpec{
	{"icons/icon-192.png", 192, false},
	{"icons/icon-512.png", 512, false},
	{"icons/maskable-512.png", 512, true},
}

// ThemeColor is the station blue of the icons, manifest and header.
const ThemeColor = "#1f4e8c"

type iconSpec struct {
	name     string
	size     int
	maskable bool
}

func (ic iconSpec) draw() []byte {
	return drawIcon(ic.size, ic.maskable)
}

// drawIcon paints a house: a triangular roof and a square body with a door.
// A maskable icon keeps the house inside the central 60% safe zone.
func drawIcon(size int, maskable bool) []byte {
	blue := color.RGBA{0x1f, 0x4e, 0x8c, 0xff}
	white := color.RGBA{0xff, 0xff, 0xff, 0xff}
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	s := float64(size)
	scale, off := 0.8, 0.1
	if maskable {
		scale, off = 0.56, 0.22
	}
	// Coordinates in a unit square, then scaled.
	inRoof := func(x, y float64) bool { // apex (0.5,0.05), base y=0.45 from 0.05 to 0.95
		if y < 0.05 || y > 0.45 {
			return false
		}
		half := (y - 0.05) / 0.40 * 0.45
		return x >= 0.5-half && x <= 0.5+half
	}
	inBody := func(x, y float64) bool { return x >= 0.18 && x <= 0.82 && y >= 0.44 && y <= 0.92 }
	inDoor := func(x, y float64) bool { return x >= 0.42 && x <= 0.58 && y >= 0.62 && y <= 0.92 }
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			x := ((float64(px)+0.5)/s - off) / scale
			y := ((float64(py)+0.5)/s - off) / scale
			c := blue
			if (inRoof(x, y) || inBody(x, y)) && !inDoor(x, y) {
				c = white
			}
			img.SetRGBA(px, py, c)
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}
