// Command genicons draws the kiosk's app icons (a signature sheet with a
// tick on the brand blue) as PNGs for the web app manifest. Its output is
// committed in web-ui/static/icons/; run it again after changing the
// drawing: go generate ./kiosk/internal/web/
package main

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"path/filepath"

	"golang.org/x/image/vector"
)

var (
	brand = color.RGBA{0x0b, 0x2e, 0x59, 0xff}
	paper = color.RGBA{0xff, 0xff, 0xff, 0xff}
	lines = color.RGBA{0x0a, 0x4c, 0x94, 0xff}
	tick  = color.RGBA{0x1b, 0x6e, 0x3c, 0xff}
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: genicons DIR")
		os.Exit(2)
	}
	for _, size := range []int{192, 512} {
		file := filepath.Join(os.Args[1], fmt.Sprintf("icon-%d.png", size))
		if err := write(file, icon(size)); err != nil {
			fmt.Fprintln(os.Stderr, "genicons:", err)
			os.Exit(1)
		}
	}
}

func write(file string, img image.Image) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// icon draws in unit coordinates (0…1) scaled to size. Everything but
// the background stays inside the circle of radius 0.4 around the centre,
// the safe zone of a maskable icon.
func icon(size int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	draw.Draw(img, img.Bounds(), image.NewUniform(brand), image.Point{}, draw.Src)
	s := float32(size)
	fill := func(c color.Color, path func(r *vector.Rasterizer)) {
		r := vector.NewRasterizer(size, size)
		path(r)
		r.Draw(img, img.Bounds(), image.NewUniform(c), image.Point{})
	}
	// The sheet: a rounded rectangle.
	fill(paper, func(r *vector.Rasterizer) { roundRect(r, s, 0.31, 0.22, 0.69, 0.78, 0.035) })
	// Three lines of text on it.
	for _, y := range []float32{0.32, 0.40, 0.48} {
		fill(lines, func(r *vector.Rasterizer) { roundRect(r, s, 0.37, y, 0.63, y+0.028, 0.014) })
	}
	// The tick: a thick polyline with round ends. Each piece is filled on
	// its own: overlapping paths of opposite winding in one rasterizer
	// would cancel out where they meet.
	pts := [][2]float32{{0.39, 0.62}, {0.47, 0.70}, {0.62, 0.55}}
	for i := 1; i < len(pts); i++ {
		fill(tick, func(r *vector.Rasterizer) { segment(r, s, pts[i-1], pts[i], 0.03) })
	}
	for _, p := range pts {
		fill(tick, func(r *vector.Rasterizer) { circle(r, s, p, 0.03) })
	}
	return img
}

func roundRect(r *vector.Rasterizer, s, x0, y0, x1, y1, rad float32) {
	r.MoveTo((x0+rad)*s, y0*s)
	r.LineTo((x1-rad)*s, y0*s)
	r.QuadTo(x1*s, y0*s, x1*s, (y0+rad)*s)
	r.LineTo(x1*s, (y1-rad)*s)
	r.QuadTo(x1*s, y1*s, (x1-rad)*s, y1*s)
	r.LineTo((x0+rad)*s, y1*s)
	r.QuadTo(x0*s, y1*s, x0*s, (y1-rad)*s)
	r.LineTo(x0*s, (y0+rad)*s)
	r.QuadTo(x0*s, y0*s, (x0+rad)*s, y0*s)
	r.ClosePath()
}

// segment adds the rectangle of half-width w around the line a–b.
func segment(r *vector.Rasterizer, s float32, a, b [2]float32, w float32) {
	dx, dy := b[0]-a[0], b[1]-a[1]
	l := float32(math.Hypot(float64(dx), float64(dy)))
	nx, ny := -dy/l*w, dx/l*w
	r.MoveTo((a[0]+nx)*s, (a[1]+ny)*s)
	r.LineTo((b[0]+nx)*s, (b[1]+ny)*s)
	r.LineTo((b[0]-nx)*s, (b[1]-ny)*s)
	r.LineTo((a[0]-nx)*s, (a[1]-ny)*s)
	r.ClosePath()
}

func circle(r *vector.Rasterizer, s float32, c [2]float32, rad float32) {
	const n = 32
	for i := 0; i <= n; i++ {
		a := 2 * math.Pi * float64(i) / n
		x := (c[0] + rad*float32(math.Cos(a))) * s
		y := (c[1] + rad*float32(math.Sin(a))) * s
		if i == 0 {
			r.MoveTo(x, y)
		} else {
			r.LineTo(x, y)
		}
	}
	r.ClosePath()
}
