package document

import (
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/consent"
)

// Collector is the initiative-group member who certifies a sheet
// («Подписи заверяю»).
type Collector struct {
	FullName  string
	BirthDate calendar.Date
	Document  string // identity document, e.g. "паспорт 0712 345678, выдан …"
	Address   string // address of residence
}

// Row is one signature on a sheet.
type Row struct {
	N         int // № п/п on the sheet
	FullName  string
	BirthDate calendar.Date
	SignedOn  calendar.Date
	Strokes   [][][]float64 // drawn signature: strokes of [x, y] points in pad pixels (any scale)
}

// Sheet is one signature sheet (подписной лист), certified by one collector.
type Sheet struct {
	Number      int
	Collector   Collector
	Rows        []Row
	CertifiedOn calendar.Date // zero leaves the date blank for the collector to write
}

// SheetsHeader is what every page of a volume of sheets shares.
type SheetsHeader struct {
	ProjectName, TerritoryName string
	Volume, Volumes            int // "Том 2 из 3" is printed when Volumes > 1
	CreatedAt                  time.Time
}

// AnnexRow is a signature that was not counted, with the reason why.
type AnnexRow struct {
	Row
	Reason string
}

// Landscape A4 geometry of the sheets and the annex, in mm.
const (
	sheetLeft   = 10.0
	sheetTop    = 9.0
	sheetWidth  = 297 - 2*sheetLeft
	sheetBottom = 210 - 13.0 // below: the page footer
	rowH        = 9.5
)

// Column widths of the signature table; they add up to sheetWidth.
var sheetCols = [6]float64{10, 68, 23, 23, 52, sheetWidth - 10 - 68 - 23 - 23 - 52}

// Column headers of Приложение 1, verbatim.
var sheetHeads = [6]string{
	"№ п/п",
	"Фамилия, имя, отчество (при наличии)",
	"Дата рождения",
	"Дата подписания",
	"Подпись",
	consent.Text + "\n(Дата, подпись)",
}

// electronicNote explains on every page why the signatures are printed
// rather than written in ink: they were drawn on a kiosk screen, and the
// consent was given there too.
const electronicNote = "Подписи и согласия на обработку персональных данных получены в электронной форме " +
	"на устройстве сбора подписей; изображения подписей воспроизведены по записи с сенсорного экрана."

func (h SheetsHeader) validate() error {
	switch {
	case clean(h.ProjectName) == "":
		return fmt.Errorf("%w: sheets: project name is empty", ErrInvalid)
	case clean(h.TerritoryName) == "":
		return fmt.Errorf("%w: sheets: territory name is empty", ErrInvalid)
	case h.Volumes < 0, h.Volumes > 1 && (h.Volume < 1 || h.Volume > h.Volumes):
		return fmt.Errorf("%w: sheets: volume %d of %d", ErrInvalid, h.Volume, h.Volumes)
	}
	return nil
}

// volume is the "Том 2 из 3" label, empty for a single volume.
func (h SheetsHeader) volume() string {
	if h.Volumes > 1 {
		return fmt.Sprintf("Том %d из %d", h.Volume, h.Volumes)
	}
	return ""
}

func (r Row) validate() error {
	switch {
	case clean(r.FullName) == "":
		return fmt.Errorf("%w: row %d: full name is empty", ErrInvalid, r.N)
	case !validDate(r.BirthDate):
		return fmt.Errorf("%w: row %d: birth date %v is not a calendar date", ErrInvalid, r.N, r.BirthDate)
	case !validDate(r.SignedOn):
		return fmt.Errorf("%w: row %d: signing date %v is not a calendar date", ErrInvalid, r.N, r.SignedOn)
	}
	if err := validStrokes(r.Strokes); err != nil {
		return fmt.Errorf("row %d: %w", r.N, err)
	}
	return nil
}

func (s Sheet) validate() error {
	switch {
	case s.Number < 1:
		return fmt.Errorf("%w: sheet number %d", ErrInvalid, s.Number)
	case clean(s.Collector.FullName) == "":
		return fmt.Errorf("%w: sheet %d: collector has no name", ErrInvalid, s.Number)
	case !s.Collector.BirthDate.IsZero() && !validDate(s.Collector.BirthDate):
		return fmt.Errorf("%w: sheet %d: collector birth date %v", ErrInvalid, s.Number, s.Collector.BirthDate)
	case !s.CertifiedOn.IsZero() && !validDate(s.CertifiedOn):
		return fmt.Errorf("%w: sheet %d: certification date %v", ErrInvalid, s.Number, s.CertifiedOn)
	}
	for _, r := range s.Rows {
		if err := r.validate(); err != nil {
			return fmt.Errorf("sheet %d: %w", s.Number, err)
		}
	}
	return nil
}

// landscape starts a landscape volume with the page footer shared by the
// sheets and the annex.
func landscape(h SheetsHeader, title string) *fpdf.Fpdf {
	pdf := newPDF("L", h.CreatedAt, title+": "+h.ProjectName)
	pdf.SetMargins(sheetLeft, sheetTop, sheetLeft)
	// Pages are broken by hand, row by row, so that a row is never split
	// and the certification block stays with the last row.
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetFooterFunc(func() {
		setColor(pdf, grey)
		pdf.SetFont(sans, "", 6.5)
		pdf.SetXY(sheetLeft, sheetBottom+3)
		pdf.MultiCell(sheetWidth-30, 3, electronicNote, "", "L", false)
		pdf.SetFont(sans, "", 8)
		pdf.SetXY(sheetLeft+sheetWidth-22+cellPad, sheetBottom+3)
		pdf.CellFormat(22, 4, pageOf(pdf), "", 0, "R", false, 0, "")
		setColor(pdf, black)
	})
	return pdf
}

// serviceLine is the grey line at the top of each page that says which
// sheet, volume and document the loose page belongs to.
func serviceLine(pdf *fpdf.Fpdf, left, right string) {
	setColor(pdf, grey)
	pdf.SetFont(sans, "", 8)
	pdf.SetXY(sheetLeft, sheetTop)
	pdf.CellFormat(sheetWidth/2, 4, left, "", 0, "L", false, 0, "")
	pdf.CellFormat(sheetWidth/2, 4, right, "", 0, "R", false, 0, "")
	setColor(pdf, black)
	pdf.SetY(sheetTop + 6)
}

// WriteSheets writes one volume of signature sheets in the wording of
// Приложение 1: every sheet starts on a new page and continues on further
// pages if its rows do not fit, with the table header repeated; the
// certification block («Подписи заверяю») follows the last row. Sheets come
// from an iterator so that a caller can read a large volume from storage
// sheet by sheet; the first error it yields stops the rendering.
func WriteSheets(w io.Writer, h SheetsHeader, sheets iter.Seq2[Sheet, error]) error {
	if err := h.validate(); err != nil {
		return err
	}
	pdf := landscape(h, "Подписные листы")
	n := 0
	for s, err := range sheets {
		if err != nil {
			return fmt.Errorf("document: sheet after %d read: %w", n, err)
		}
		if err := s.validate(); err != nil {
			return err
		}
		writeSheet(pdf, h, s)
		if err := pdf.Error(); err != nil {
			return fmt.Errorf("document: render sheet %d: %w", s.Number, err)
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("%w: sheets: the volume has no sheets", ErrInvalid)
	}
	return finish(w, pdf, "sheets")
}

func writeSheet(pdf *fpdf.Fpdf, h SheetsHeader, s Sheet) {
	page := 1
	label := func() string {
		if page == 1 {
			return fmt.Sprintf("Лист № %d", s.Number)
		}
		return fmt.Sprintf("Лист № %d (продолжение, стр. %d)", s.Number, page)
	}
	pdf.AddPage()
	serviceLine(pdf, label(), h.volume())

	pdf.SetFont(sans, "B", 14)
	pdf.SetX(sheetLeft)
	pdf.CellFormat(sheetWidth, 7, "Подписной лист", "", 1, "C", false, 0, "")
	pdf.SetY(pdf.GetY() + 1)
	y := pdf.GetY()
	y += fitBlock(pdf, sheetLeft-cellPad, y, sheetWidth+2*cellPad, 3*lineH(10), "Мы, нижеподписавшиеся жители "+
		h.TerritoryName+", поддерживаем инициативный проект", "", 10, 8, "L") + 0.5
	y += underlined(pdf, sheetLeft, y, sheetWidth, h.ProjectName, "B", 10.5, 8, 3, "C", true)
	y += caption(pdf, sheetLeft, y+0.3, sheetWidth, "(наименование инициативного проекта)") + 2
	y = tableHeader(pdf, y, sheetCols, sheetHeads)

	certH := certBlock(pdf, s, 0, false)
	for i, r := range s.Rows {
		need := rowH
		if i == len(s.Rows)-1 {
			need += certH
		}
		if y+need > sheetBottom {
			page++
			pdf.AddPage()
			serviceLine(pdf, label(), h.volume())
			y = tableHeader(pdf, pdf.GetY(), sheetCols, sheetHeads)
		}
		signatureRow(pdf, y, r)
		y += rowH
	}
	if y+certH > sheetBottom {
		page++
		pdf.AddPage()
		serviceLine(pdf, label(), h.volume())
		y = pdf.GetY()
	}
	certBlock(pdf, s, y, true)
}

// tableHeader draws the header row with every title wrapped to its column
// and returns the y below it. The row is as tall as the longest title.
func tableHeader(pdf *fpdf.Fpdf, y float64, cols [6]float64, heads [6]string) float64 {
	const pt = 7.5
	hh := 0.0
	for i, head := range heads {
		hh = max(hh, headHeight(pdf, head, pt, cols[i]))
	}
	hh += 2
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetLineWidth(0.25)
	x := sheetLeft
	for i, head := range heads {
		pdf.Rect(x, y, cols[i], hh, "D")
		pdf.SetFont(sans, "", pt)
		var lines []string
		for _, part := range strings.Split(head, "\n") {
			lines = append(lines, pdf.SplitText(part, cols[i])...)
		}
		drawLines(pdf, x, y, cols[i], hh, lines, pt, "C")
		x += cols[i]
	}
	return y + hh
}

// headHeight measures a header title that may hold explicit line breaks.
func headHeight(pdf *fpdf.Fpdf, head string, pt, w float64) float64 {
	h := 0.0
	for _, part := range strings.Split(head, "\n") {
		h += textHeight(pdf, part, "", pt, w)
	}
	return h
}

// signatureRow draws one resident's row. The consent column shows the date
// and a small copy of the same signature: on paper the resident dates and
// signs the consent separately; at the kiosk one signature covers both, and
// the copy makes that visible on the printed form.
func signatureRow(pdf *fpdf.Fpdf, y float64, r Row) {
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetLineWidth(0.25)
	x := sheetLeft
	for _, w := range sheetCols {
		pdf.Rect(x, y, w, rowH, "D")
		x += w
	}
	x = sheetLeft
	fitText(pdf, x, y, sheetCols[0], rowH, strconv.Itoa(r.N), "", 9, 6, "C")
	x += sheetCols[0]
	fitText(pdf, x, y, sheetCols[1], rowH, r.FullName, "", 10, 6.5, "L")
	x += sheetCols[1]
	fitText(pdf, x, y, sheetCols[2], rowH, r.BirthDate.Russian(), "", 9.5, 6, "C")
	x += sheetCols[2]
	fitText(pdf, x, y, sheetCols[3], rowH, r.SignedOn.Russian(), "", 9.5, 6, "C")
	x += sheetCols[3]
	// One path, placed twice: in the signature cell and as the copy below.
	sig := newStrokePath(r.Strokes, sheetCols[4]-4, rowH-1.6)
	sig.draw(pdf, x+2, y+0.8, sheetCols[4]-4, rowH-1.6, 0.3)
	x += sheetCols[4]

	// Date and signature copy, centred as one group in the consent cell.
	const dateW, gap, copyW = 22.0, 4.0, 28.0
	gx := x + (sheetCols[5]-dateW-gap-copyW)/2
	fitText(pdf, gx, y, dateW, rowH, r.SignedOn.Russian(), "", 9.5, 6, "C")
	sig.draw(pdf, gx+dateW+gap, y+1.5, copyW, rowH-3, 0.2)
}

// certBlock draws (or, with draw false, only measures) the «Подписи
// заверяю» block of the collector and returns its height.
func certBlock(pdf *fpdf.Fpdf, s Sheet, y float64, draw bool) float64 {
	const (
		pt     = 9.5
		labelW = 33.0
		signW  = 50.0
	)
	c := s.Collector
	who := clean(c.FullName)
	if !c.BirthDate.IsZero() {
		who += ", " + c.BirthDate.Russian()
	}
	if d := clean(c.Document); d != "" {
		who += ", " + d
	}
	fieldW := sheetWidth - labelW
	y0 := y
	y += 3
	if draw {
		pdf.SetFont(sans, "B", pt)
		pdf.SetXY(sheetLeft, y)
		pdf.CellFormat(labelW, lineH(pt)+0.6, "Подписи заверяю:", "", 0, "L", false, 0, "")
	}
	y += underlined(pdf, sheetLeft+labelW, y, fieldW, who, "", pt, 7, 2, "L", draw)
	if draw {
		caption(pdf, sheetLeft+labelW, y+0.2, fieldW,
			"(Ф.И.О.(при наличии), дата рождения, данные документа, удостоверяющего личность)")
	}
	y += lineH(7) + 1
	y += underlined(pdf, sheetLeft, y, sheetWidth, c.Address, "", pt, 7, 2, "L", draw)
	if draw {
		caption(pdf, sheetLeft, y+0.2, sheetWidth, "(адрес места жительства лица, осуществляющего сбор подписей)")
	}
	y += lineH(7) + 2
	if draw {
		pdf.SetFont(sans, "", pt)
		pdf.SetXY(sheetLeft, y)
		pdf.CellFormat(60, 7, longDate(s.CertifiedOn), "", 0, "L", false, 0, "")
		sx := sheetLeft + sheetWidth - signW
		pdf.SetLineWidth(0.2)
		pdf.Line(sx, y+6, sx+signW, y+6)
		caption(pdf, sx, y+6.2, signW, "(подпись)")
	}
	return y + 7 + lineH(7) - y0
}

// WriteAnnex writes the annex listing the signatures that were not counted
// because the same citizen had already signed, each with its reason, so the
// office can see what was excluded from the protocol's figures and why.
func WriteAnnex(w io.Writer, h SheetsHeader, rows []AnnexRow) error {
	if err := h.validate(); err != nil {
		return err
	}
	for _, r := range rows {
		if err := r.validate(); err != nil {
			return fmt.Errorf("annex: %w", err)
		}
	}
	cols := [6]float64{10, 68, 23, 23, 52, sheetWidth - 10 - 68 - 23 - 23 - 52}
	heads := [6]string{"№ п/п", "Фамилия, имя, отчество (при наличии)", "Дата рождения",
		"Дата подписания", "Подпись", "Причина, по которой подпись не учтена"}

	pdf := landscape(h, "Приложение: подписи, не учтённые как повторные")
	page := 1
	label := func() string {
		if page == 1 {
			return "Приложение к подписным листам"
		}
		return fmt.Sprintf("Приложение к подписным листам (продолжение, стр. %d)", page)
	}
	pdf.AddPage()
	serviceLine(pdf, label(), h.volume())
	pdf.SetFont(sans, "B", 13)
	pdf.SetX(sheetLeft)
	pdf.MultiCell(sheetWidth, 6.5, "Приложение: подписи, не учтённые как повторные", "", "C", false)
	pdf.SetY(pdf.GetY() + 1)
	y := pdf.GetY()
	y += fitBlock(pdf, sheetLeft-cellPad, y, sheetWidth+2*cellPad, 3*lineH(10), "Инициативный проект: "+h.ProjectName, "", 10, 8, "L")
	y += fitBlock(pdf, sheetLeft-cellPad, y, sheetWidth+2*cellPad, 2*lineH(10), "Территория: "+h.TerritoryName, "", 10, 8, "L")
	y += 3

	if len(rows) == 0 {
		pdf.SetFont(sans, "", 11)
		pdf.SetXY(sheetLeft, y)
		pdf.CellFormat(sheetWidth, 7, "Повторных подписей нет.", "", 1, "L", false, 0, "")
		return finish(w, pdf, "annex")
	}
	y = tableHeader(pdf, y, cols, heads)
	for _, r := range rows {
		if y+rowH > sheetBottom {
			page++
			pdf.AddPage()
			serviceLine(pdf, label(), h.volume())
			y = tableHeader(pdf, pdf.GetY(), cols, heads)
		}
		x := sheetLeft
		pdf.SetDrawColor(0, 0, 0)
		pdf.SetLineWidth(0.25)
		for _, w := range cols {
			pdf.Rect(x, y, w, rowH, "D")
			x += w
		}
		x = sheetLeft
		fitText(pdf, x, y, cols[0], rowH, strconv.Itoa(r.N), "", 9, 6, "C")
		x += cols[0]
		fitText(pdf, x, y, cols[1], rowH, r.FullName, "", 10, 6.5, "L")
		x += cols[1]
		fitText(pdf, x, y, cols[2], rowH, r.BirthDate.Russian(), "", 9.5, 6, "C")
		x += cols[2]
		fitText(pdf, x, y, cols[3], rowH, r.SignedOn.Russian(), "", 9.5, 6, "C")
		x += cols[3]
		drawStrokes(pdf, r.Strokes, x+2, y+0.8, cols[4]-4, rowH-1.6, 0.3)
		x += cols[4]
		fitWrapped(pdf, x, y, cols[5], rowH, r.Reason, "", 9, 6, "L")
		y += rowH
	}
	return finish(w, pdf, "annex")
}
