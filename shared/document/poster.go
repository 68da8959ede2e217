package document

import (
	"fmt"
	"io"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/sbor-project/sbor/shared/calendar"
)

// Poster is a printable A4 announcement of a signature collection.
type Poster struct {
	ProjectName, TerritoryName, Description string
	CollectFrom, CollectTo                  calendar.Date
	Where                                   string // where to sign, free text
	PageURL                                 string // large QR code to the project page
	CreatedAt                               time.Time
}

// Poster geometry (A4 portrait, mm).
const (
	posterMargin = 18.0
	posterWidth  = 210 - 2*posterMargin
	posterQR     = 62.0
	posterBand   = 30.0 // coloured band at the top
)

// accent is the poster's one colour; dark enough to stay legible when the
// poster is copied in black and white.
var accent = [3]int{0, 98, 65}

func (p Poster) validate() error {
	switch {
	case clean(p.ProjectName) == "":
		return fmt.Errorf("%w: poster: project name is empty", ErrInvalid)
	case clean(p.TerritoryName) == "":
		return fmt.Errorf("%w: poster: territory name is empty", ErrInvalid)
	case !validDate(p.CollectFrom), !validDate(p.CollectTo):
		return fmt.Errorf("%w: poster: collection window %v – %v", ErrInvalid, p.CollectFrom, p.CollectTo)
	case p.CollectTo.Before(p.CollectFrom):
		return fmt.Errorf("%w: poster: collection ends %s before it starts %s", ErrInvalid,
			p.CollectTo.Russian(), p.CollectFrom.Russian())
	case clean(p.PageURL) == "":
		return fmt.Errorf("%w: poster: page URL is empty", ErrInvalid)
	case len(p.PageURL) > maxURL:
		return fmt.Errorf("%w: poster: page URL longer than %d bytes", ErrInvalid, maxURL)
	}
	return nil
}

// WritePoster writes a one-page A4 poster: the call to sign, the project
// name in large type, the collection dates, where to sign, and a large QR
// code to the project page with its URL printed for those without a camera.
// Long names and descriptions are shrunk, and a description that still does
// not fit is cut, so that the poster always stays one page.
func WritePoster(w io.Writer, p Poster) error {
	if err := p.validate(); err != nil {
		return err
	}
	pdf := newPDF("P", p.CreatedAt, "Поддержите проект: "+p.ProjectName)
	pdf.SetMargins(posterMargin, posterMargin, posterMargin)
	pdf.SetAutoPageBreak(false, 0)
	if err := registerQR(pdf, "page-qr", p.PageURL); err != nil {
		return err
	}
	pdf.AddPage()

	// Band: what this is about and where.
	pdf.SetFillColor(accent[0], accent[1], accent[2])
	pdf.Rect(0, 0, 210, posterBand, "F")
	pdf.SetTextColor(255, 255, 255)
	fitText(pdf, posterMargin-cellPad, 6, posterWidth+2*cellPad, 9, "Инициативное бюджетирование", "B", 18, 12, "L")
	fitText(pdf, posterMargin-cellPad, 15, posterWidth+2*cellPad, 10, p.TerritoryName, "", 13, 8, "L")
	setColor(pdf, black)

	x := posterMargin - cellPad
	tw := posterWidth + 2*cellPad
	y := posterBand + 10
	pdf.SetTextColor(accent[0], accent[1], accent[2])
	fitText(pdf, x, y, tw, 11, "Поддержите проект своей подписью", "B", 22, 14, "L")
	setColor(pdf, black)
	y += 17

	// The bottom part is fixed: details box, QR code, URL, footnote. The
	// name and the description flow down from the top into the room left.
	const (
		qrTop  = 297 - 24 - 8 - posterQR // above the URL line and the footnote
		boxH   = 32.0
		boxGap = 8.0
	)
	boxTop := qrTop - boxGap - boxH
	y += fitBlock(pdf, x, y, tw, 48, p.ProjectName, "B", 30, 16, "L") + 7
	if d := clean(p.Description); d != "" && boxTop-6-y > lineH(9) {
		fitBlock(pdf, x, y, tw, boxTop-6-y, d, "", 13, 9, "L")
	}

	pdf.SetFillColor(236, 244, 240)
	pdf.Rect(posterMargin-3, boxTop, posterWidth+6, boxH, "F")
	pdf.SetFillColor(accent[0], accent[1], accent[2])
	pdf.Rect(posterMargin-3, boxTop, 1.5, boxH, "F")
	detail(pdf, boxTop+4, 7, "Сбор подписей:", "с "+p.CollectFrom.Russian()+" по "+p.CollectTo.Russian())
	where := clean(p.Where)
	if where == "" {
		where = "у инициативной группы проекта"
	}
	detail(pdf, boxTop+13, boxH-15, "Где подписать:", where)

	qrX := (210 - posterQR) / 2
	pdf.ImageOptions("page-qr", qrX, qrTop, posterQR, posterQR, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	fitText(pdf, x, qrTop+posterQR+2, tw, 6, p.PageURL, "", 11, 6, "C")
	setColor(pdf, grey)
	fitText(pdf, x, qrTop+posterQR+8, tw, 5, "Наведите камеру телефона на код, чтобы открыть страницу проекта", "", 9, 7, "C")
	fitText(pdf, x, 297-14, tw, 8,
		"Подпись в поддержку проекта ставится один раз. Понадобятся фамилия, имя, отчество и дата рождения.", "", 9, 7, "C")
	setColor(pdf, black)
	return finish(w, pdf, "poster")
}

// detail writes one «label: value» entry of the details box; the value
// wraps within height h.
func detail(pdf *fpdf.Fpdf, y, h float64, label, value string) {
	const labelW = 42.0
	pdf.SetFont(sans, "B", 13)
	pdf.SetXY(posterMargin, y)
	pdf.CellFormat(labelW, lineH(13), label, "", 0, "L", false, 0, "")
	fitBlock(pdf, posterMargin+labelW, y, posterWidth-labelW-2, h, value, "", 13, 8, "L")
}
