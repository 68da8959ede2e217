package document

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/go-pdf/fpdf"
	"github.com/skip2/go-qrcode"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/sbor-project/sbor/shared/calendar"
)

// ErrInvalid is wrapped by every error about input that cannot be rendered
// as a valid document (a missing name, a negative count, a bad digest).
var ErrInvalid = errors.New("document: invalid input")

const (
	sans = "gosans"
	mono = "gomono"

	// mmPerPt converts font sizes (points) to the millimetres fpdf lays out in.
	mmPerPt = 25.4 / 72

	// cellPad is the horizontal text padding inside table cells.
	cellPad = 1.0

	// blankDate is the hand-fill date line of the forms, used where the
	// date is written by hand on the printed paper.
	blankDate = "«__» ________ 20__ г."

	// maxURL bounds the URLs put in QR codes: a phone camera reads a dense
	// code badly, and the printed URL must fit its line on the page.
	maxURL = 256
)

// Colours: black text for the form, grey for service lines that are not part
// of the official wording, dark blue "ink" for the residents' signatures.
var (
	black = [3]int{0, 0, 0}
	grey  = [3]int{90, 90, 90}
	ink   = [3]int{15, 35, 120}
)

// epoch stands in for a zero CreatedAt: fpdf would otherwise use the current
// time and two renderings of the same input would differ.
var epoch = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

// newPDF returns an A4 document with the embedded fonts and every piece of
// metadata fixed from the input, so that output is reproducible.
func newPDF(orientation string, createdAt time.Time, title string) *fpdf.Fpdf {
	pdf := fpdf.New(orientation, "mm", "A4", "")
	// fpdf writes into the font bytes it is given while subsetting (its
	// getMetrics appends to a slice of the 'hmtx' table in place), which
	// would corrupt the shared gofont slices and make the next document
	// differ from the first; each document gets its own copy.
	pdf.AddUTF8FontFromBytes(sans, "", bytes.Clone(goregular.TTF))
	pdf.AddUTF8FontFromBytes(sans, "B", bytes.Clone(gobold.TTF))
	pdf.AddUTF8FontFromBytes(mono, "", bytes.Clone(gomono.TTF))
	// Resource dictionaries are Go maps inside fpdf; sorting them is what
	// makes two runs byte-identical.
	pdf.SetCatalogSort(true)
	t := createdAt.UTC()
	if createdAt.IsZero() {
		t = epoch
	}
	pdf.SetCreationDate(t)
	pdf.SetModificationDate(t)
	pdf.SetTitle(clean(title), true)
	pdf.SetCreator("Сбор", true)
	pdf.SetProducer("Сбор (github.com/sbor-project/sbor)", true)
	pdf.SetLang("ru")
	pdf.SetCellMargin(cellPad)
	pdf.AliasNbPages("")
	pdf.SetLineCapStyle("butt")
	return pdf
}

// finish reports any error fpdf accumulated while drawing and writes the file.
func finish(w io.Writer, pdf *fpdf.Fpdf, what string) error {
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("document: render %s: %w", what, err)
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("document: write %s: %w", what, err)
	}
	return nil
}

func setColor(pdf *fpdf.Fpdf, c [3]int) { pdf.SetTextColor(c[0], c[1], c[2]) }

// pageOf is the «Стр. 2 из 3» label; fpdf puts the page count in for the
// alias when the document is closed. Right-aligned, it is off by the width
// difference between "{nb}" and the count, about a millimetre.
func pageOf(pdf *fpdf.Fpdf) string {
	return fmt.Sprintf("Стр. %d из {nb}", pdf.PageNo())
}

// lineH is the line height for a font size, in millimetres.
func lineH(pt float64) float64 { return pt * mmPerPt * 1.2 }

// clean makes caller text safe for fpdf and fit for one line of a form: its
// UTF-8 width tables stop at the Basic Multilingual Plane (a rune past it
// panics inside fpdf), control characters and invalid UTF-8 (decoded as
// U+FFFD, which the Go fonts lack) would print as missing glyphs, and
// line breaks and runs of spaces inside a name or address mean nothing.
func clean(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			r = ' '
		case r > 0xFFFF || unicode.IsControl(r) || r == unicode.ReplacementChar:
			r = '?'
		}
		if r == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}

// fitText draws text inside the box so that it never leaves it, preferring
// one line: at the largest size from maxPt down to minPt that fits on one
// line, else as fitWrapped does. For table cells, where a name on one line
// reads better than a bigger one broken in two. The text is centred
// vertically; align is "L", "C" or "R".
func fitText(pdf *fpdf.Fpdf, x, y, w, h float64, text, style string, maxPt, minPt float64, align string) {
	text = clean(text)
	if text == "" {
		return
	}
	for pt := maxPt; pt >= minPt; pt -= 0.5 {
		pdf.SetFont(sans, style, pt)
		if pdf.GetStringWidth(text) <= w-2*cellPad && lineH(pt) <= h {
			drawLines(pdf, x, y, w, h, []string{text}, pt, align)
			return
		}
	}
	fitWrapped(pdf, x, y, w, h, text, style, maxPt, minPt, align)
}

// fitWrapped draws text wrapped at the largest size whose lines fit the
// box, centred vertically, for longer text such as a reason.
func fitWrapped(pdf *fpdf.Fpdf, x, y, w, h float64, text, style string, maxPt, minPt float64, align string) {
	lines, pt := wrapInto(pdf, clean(text), style, w, h, maxPt, minPt)
	drawLines(pdf, x, y, w, h, lines, pt, align)
}

// fitBlock is fitWrapped aligned to the top of the box, for headings and
// paragraphs that flow down a page; it returns the height used.
func fitBlock(pdf *fpdf.Fpdf, x, y, w, h float64, text, style string, maxPt, minPt float64, align string) float64 {
	text = clean(text)
	if text == "" {
		return 0
	}
	lines, pt := wrapInto(pdf, text, style, w, h, maxPt, minPt)
	used := float64(len(lines)) * lineH(pt)
	drawLines(pdf, x, y, w, used, lines, pt, align)
	return used
}

// wrapInto splits text into lines at the largest size from maxPt down to
// minPt whose lines fit height h in width w; at minPt, what does not fit is
// cut and marked with "…", so no input can leave its box.
func wrapInto(pdf *fpdf.Fpdf, text, style string, w, h, maxPt, minPt float64) ([]string, float64) {
	for pt := maxPt; pt >= minPt; pt -= 0.5 {
		pdf.SetFont(sans, style, pt)
		if lines := pdf.SplitText(text, w); float64(len(lines))*lineH(pt) <= h {
			return lines, pt
		}
	}
	pdf.SetFont(sans, style, minPt)
	lines := pdf.SplitText(text, w)
	if n := max(1, int(h/lineH(minPt))); n < len(lines) {
		lines = lines[:n]
		lines[n-1] = ellipsis(pdf, lines[n-1], w-2*cellPad)
	}
	return lines, minPt
}

// drawLines writes already split lines centred vertically in the box.
func drawLines(pdf *fpdf.Fpdf, x, y, w, h float64, lines []string, pt float64, align string) {
	lh := lineH(pt)
	top := y + (h-float64(len(lines))*lh)/2
	for i, line := range lines {
		pdf.SetXY(x, top+float64(i)*lh)
		pdf.CellFormat(w, lh, line, "", 0, align, false, 0, "")
	}
}

// textHeight is the height of text wrapped at pt to width w.
func textHeight(pdf *fpdf.Fpdf, text, style string, pt, w float64) float64 {
	pdf.SetFont(sans, style, pt)
	return float64(len(pdf.SplitText(clean(text), w))) * lineH(pt)
}

// underlined writes text wrapped to width w with a rule under every line,
// the way a typed-in blank of a paper form looks, and returns the height
// used. The text takes at most maxLines lines: the size goes down from pt
// to minPt to fit, and what still does not fit is cut with "…", so that no
// input can push a form off its page. With draw false it only measures.
func underlined(pdf *fpdf.Fpdf, x, y, w float64, text, style string, pt, minPt float64, maxLines int, align string, draw bool) float64 {
	text = clean(text)
	var lines []string
	for ; ; pt -= 0.5 {
		pdf.SetFont(sans, style, pt)
		lines = pdf.SplitText(text, w)
		if len(lines) <= maxLines || pt-0.5 < minPt {
			break
		}
	}
	if len(lines) == 0 {
		lines = []string{""}
	}
	if len(lines) > maxLines {
		lines = lines[:maxLines]
		lines[maxLines-1] = ellipsis(pdf, lines[maxLines-1], w-2*cellPad)
	}
	lh := lineH(pt) + 0.6
	if !draw {
		return float64(len(lines)) * lh
	}
	pdf.SetLineWidth(0.2)
	pdf.SetDrawColor(0, 0, 0)
	for i, line := range lines {
		ly := y + float64(i)*lh
		pdf.SetXY(x, ly)
		pdf.CellFormat(w, lh, line, "", 0, align, false, 0, "")
		pdf.Line(x, ly+lh, x+w, ly+lh)
	}
	return float64(len(lines)) * lh
}

// ellipsis shortens line until it fits width w with "…" appended.
func ellipsis(pdf *fpdf.Fpdf, line string, w float64) string {
	r := []rune(line)
	for len(r) > 0 && pdf.GetStringWidth(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return strings.TrimRight(string(r), " ") + "…"
}

// caption writes the small explanatory text printed under a blank of the form.
func caption(pdf *fpdf.Fpdf, x, y, w float64, text string) float64 {
	pdf.SetFont(sans, "", 7)
	lines := pdf.SplitText(text, w)
	lh := lineH(7)
	for i, line := range lines {
		pdf.SetXY(x, y+float64(i)*lh)
		pdf.CellFormat(w, lh, line, "", 0, "C", false, 0, "")
	}
	return float64(len(lines)) * lh
}

// validStrokes rejects what would corrupt the drawing (NaN, ±Inf, points
// that are not [x, y]); an empty signature is allowed and leaves the cell blank.
func validStrokes(strokes [][][]float64) error {
	for i, s := range strokes {
		for j, p := range s {
			if len(p) != 2 {
				return fmt.Errorf("%w: signature stroke %d point %d has %d coordinates, want 2", ErrInvalid, i, j, len(p))
			}
			for _, v := range p {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("%w: signature stroke %d point %d is not a finite number", ErrInvalid, i, j)
				}
			}
		}
	}
	return nil
}

// drawStrokes draws a signature as vector polylines fitted into the box with
// its aspect ratio kept and centred, so it scales cleanly in print. Pad
// coordinates grow downwards, as the page's do.
func drawStrokes(pdf *fpdf.Fpdf, strokes [][][]float64, x, y, w, h, width float64) {
	newStrokePath(strokes, w, h).draw(pdf, x, y, w, h, width)
}

// strokePath is a drawn signature as PDF path operators in coordinates of
// its own, tenths of a pad pixel from the drawing's corner (the kiosk's
// pad records tenths), built once and placed, scaled into its box, for
// each copy on the page. A sheet is mostly signatures: writing each point
// once as two short integers, rather than each copy's points through
// fpdf in page coordinates, halves the bytes a page takes to compress.
type strokePath struct {
	ops    []byte
	bw, bh float64 // the drawing's extent in pad pixels
}

// fitScale is the scale that fits a bw×bh drawing into a w×h box.
func fitScale(bw, bh, w, h float64) float64 {
	scale := math.Inf(1)
	if bw > 0 {
		scale = w / bw
	}
	if bh > 0 {
		scale = math.Min(scale, h/bh)
	}
	if math.IsInf(scale, 0) { // a single dot
		scale = 0
	}
	return scale
}

// newStrokePath prepares strokes for boxes up to w×h, the largest copy.
func newStrokePath(strokes [][][]float64, w, h float64) strokePath {
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, s := range strokes {
		for _, p := range s {
			minX, maxX = math.Min(minX, p[0]), math.Max(maxX, p[0])
			minY, maxY = math.Min(minY, p[1]), math.Max(maxY, p[1])
		}
	}
	if math.IsInf(minX, 0) || w <= 0 || h <= 0 {
		return strokePath{}
	}
	p := strokePath{bw: maxX - minX, bh: maxY - minY}
	scale := fitScale(p.bw, p.bh, w, h)
	// Points closer than minStep on paper, or off the line through their
	// neighbours by less than maxDev, add bytes but nothing visible: the
	// lines are 0.2–0.3 mm wide and a 600 dpi printer's dot is 0.04 mm.
	const minStep, maxDev = 0.15, 0.02
	point := func(q []float64, op byte) {
		p.ops = strconv.AppendInt(p.ops, int64(math.Round((q[0]-minX)*10)), 10)
		p.ops = append(p.ops, ' ')
		p.ops = strconv.AppendInt(p.ops, int64(math.Round((q[1]-minY)*10)), 10)
		p.ops = append(p.ops, ' ', op, '\n')
	}
	var kept [][]float64
	for _, s := range strokes {
		if len(s) == 0 {
			continue
		}
		kept = append(kept[:0], s[0])
		for i, q := range s[1:] {
			last := kept[len(kept)-1]
			dx, dy := (q[0]-last[0])*scale, (q[1]-last[1])*scale
			if dx*dx+dy*dy < minStep*minStep && i != len(s)-2 {
				continue
			}
			kept = append(kept, q)
		}
		if scale > 0 {
			kept = simplify(kept, maxDev/scale)
		}
		point(kept[0], 'm')
		for _, q := range kept[1:] {
			point(q, 'l')
		}
		if len(kept) == 1 { // a tap: a zero-length segment with round caps is a dot
			point(kept[0], 'l')
		}
	}
	p.ops = append(p.ops, 'S')
	return p
}

// simplify drops the points of a polyline that lie within tol of the
// line through the points kept around them (Douglas–Peucker), keeping
// both ends. It reuses pts.
func simplify(pts [][]float64, tol float64) [][]float64 {
	if len(pts) < 3 {
		return pts
	}
	keep := make([]bool, len(pts))
	keep[0], keep[len(pts)-1] = true, true
	type span struct{ a, b int }
	stack := []span{{0, len(pts) - 1}}
	for len(stack) > 0 {
		sp := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		ax, ay := pts[sp.a][0], pts[sp.a][1]
		dx, dy := pts[sp.b][0]-ax, pts[sp.b][1]-ay
		length := math.Hypot(dx, dy)
		far, farDist := -1, tol
		for i := sp.a + 1; i < sp.b; i++ {
			var d float64
			if length == 0 {
				d = math.Hypot(pts[i][0]-ax, pts[i][1]-ay)
			} else {
				d = math.Abs(dx*(pts[i][1]-ay)-dy*(pts[i][0]-ax)) / length
			}
			if d > farDist {
				far, farDist = i, d
			}
		}
		if far >= 0 {
			keep[far] = true
			stack = append(stack, span{sp.a, far}, span{far, sp.b})
		}
	}
	out := pts[:0]
	for i, q := range pts {
		if keep[i] {
			out = append(out, q)
		}
	}
	return out
}

// draw places the drawing in the box, centred, with lines width mm wide.
func (p strokePath) draw(pdf *fpdf.Fpdf, x, y, w, h, width float64) {
	if len(p.ops) == 0 || w <= 0 || h <= 0 {
		return
	}
	scale := fitScale(p.bw, p.bh, w, h)
	ox := x + (w-p.bw*scale)/2
	oy := y + (h-p.bh*scale)/2
	k := pdf.GetConversionRatio()
	_, pageH := pdf.GetPageSize()
	unit := scale * k / 10 // points per tenth of a pad pixel
	if unit == 0 {
		unit = 1e-3 // a single dot: every point is at the origin
	}
	pdf.SetDrawColor(ink[0], ink[1], ink[2])
	pdf.SetLineCapStyle("round")
	pdf.SetLineJoinStyle("round")
	// Within q … Q the drawing's own coordinates apply (y flipped: the
	// pad's grows downwards), the line width among them.
	b := make([]byte, 0, len(p.ops)+96)
	b = append(b, "q "...)
	b = strconv.AppendFloat(b, unit, 'f', 8, 64)
	b = append(b, " 0 0 "...)
	b = strconv.AppendFloat(b, -unit, 'f', 8, 64)
	b = append(b, ' ')
	b = strconv.AppendFloat(b, ox*k, 'f', 2, 64)
	b = append(b, ' ')
	b = strconv.AppendFloat(b, (pageH-oy)*k, 'f', 2, 64)
	b = append(b, " cm "...)
	b = strconv.AppendFloat(b, width*k/unit, 'f', 2, 64)
	b = append(b, " w\n"...)
	b = append(b, p.ops...)
	b = append(b, "\nQ"...)
	pdf.RawWriteStr(string(b))
	pdf.SetLineCapStyle("butt")
	pdf.SetLineJoinStyle("miter")
	pdf.SetDrawColor(0, 0, 0)
}

// registerQR adds a QR code image for url to the document under name. The
// quiet zone is left to the page layout, which keeps white space around it.
func registerQR(pdf *fpdf.Fpdf, name, url string) error {
	q, err := qrcode.New(url, qrcode.Medium)
	if err != nil {
		return fmt.Errorf("document: QR code for %q: %w", url, err)
	}
	q.DisableBorder = true
	png, err := q.PNG(-8) // 8 px per module: sharp at any print size
	if err != nil {
		return fmt.Errorf("document: QR code for %q: %w", url, err)
	}
	pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("document: QR code image: %w", err)
	}
	return nil
}

var monthsGenitive = [...]string{"января", "февраля", "марта", "апреля", "мая", "июня",
	"июля", "августа", "сентября", "октября", "ноября", "декабря"}

// longDate formats d the way dates are written in the blanks of Russian
// official forms: «05» марта 2026 г.
func longDate(d calendar.Date) string {
	if d.IsZero() || d.Month < time.January || d.Month > time.December {
		return blankDate
	}
	return fmt.Sprintf("«%02d» %s %d г.", d.Day, monthsGenitive[d.Month-1], d.Year)
}

// validDate accepts a date that exists in the calendar.
func validDate(d calendar.Date) bool {
	if d.IsZero() {
		return false
	}
	_, err := calendar.Parse(d.String())
	return err == nil
}
