package document

import (
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/sbor-project/sbor/shared/calendar"
)

// Person in a signature block.
type Person struct{ FullName string }

// Protocol holds the blanks of Приложение 2, «Протокол об итогах сбора
// подписей граждан в поддержку инициативного проекта».
type Protocol struct {
	ProjectName   string
	TerritoryName string
	Resolution    string // "постановление № 12 от 01.03.2026"
	Residents     int
	Required      int
	Sheets        int
	Signatures    int
	Initiators    []Person      // a signature line for every initiative-group member
	Date          calendar.Date // date of the protocol
	Digest        string        // hex SHA-256 of the counted signature set, printed in the footer
	VerifyURL     string        // QR code in the footer points here (…/verify/{digest}); none when empty
	// ServerSignature is the issuing server's signature of the protocol's
	// facts (base64), printed under the digest; none when empty.
	ServerSignature string
	CreatedAt       time.Time // PDF creation date; fixed in tests for reproducible output
}

// Protocol page geometry (A4 portrait, mm): the wide left margin is the
// binding edge of Russian office paper; the bottom band holds the footer.
const (
	protoLeft   = 25.0
	protoRight  = 15.0
	protoTop    = 18.0
	protoFooter = 40.0 // height reserved for the checksum/QR footer
	protoWidth  = 210 - protoLeft - protoRight
	protoQR     = 24.0
	protoBody   = 12.0 // body font size, pt
	protoLine   = 6.2  // body line height, mm
	pageNoW     = 22.0 // room for «Стр. N из M»
)

func (p Protocol) validate() error {
	switch {
	case clean(p.ProjectName) == "":
		return fmt.Errorf("%w: protocol: project name is empty", ErrInvalid)
	case clean(p.TerritoryName) == "":
		return fmt.Errorf("%w: protocol: territory name is empty", ErrInvalid)
	case p.Residents < 0, p.Required < 0, p.Sheets < 0, p.Signatures < 0:
		return fmt.Errorf("%w: protocol: negative count (residents %d, required %d, sheets %d, signatures %d)",
			ErrInvalid, p.Residents, p.Required, p.Sheets, p.Signatures)
	case !validDate(p.Date):
		return fmt.Errorf("%w: protocol: date %v is not a calendar date", ErrInvalid, p.Date)
	}
	// The checksum is what ties the paper to the stored signatures; a
	// protocol without a well-formed one cannot be verified later.
	if b, err := hex.DecodeString(p.Digest); err != nil || len(b) != 32 {
		return fmt.Errorf("%w: protocol: digest %q is not a hex SHA-256", ErrInvalid, p.Digest)
	}
	if len(p.VerifyURL) > maxURL {
		return fmt.Errorf("%w: protocol: verification URL longer than %d bytes", ErrInvalid, maxURL)
	}
	for i, in := range p.Initiators {
		if clean(in.FullName) == "" {
			return fmt.Errorf("%w: protocol: initiator %d has no name", ErrInvalid, i+1)
		}
	}
	return nil
}

// WriteProtocol writes the protocol of collection results in the wording of
// Приложение 2, with a signature line for every initiator (the regulation
// requires all members of the initiative group to sign) and, on every page,
// a footer with the SHA-256 of the counted signatures and a QR code to the
// page where anyone can check that checksum against the stored set.
func WriteProtocol(w io.Writer, p Protocol) error {
	if err := p.validate(); err != nil {
		return err
	}
	pdf := newPDF("P", p.CreatedAt, "Протокол об итогах сбора подписей: "+p.ProjectName)
	pdf.SetMargins(protoLeft, protoTop, protoRight)
	pdf.SetAutoPageBreak(true, protoFooter)
	if p.VerifyURL != "" {
		if err := registerQR(pdf, "verify-qr", p.VerifyURL); err != nil {
			return err
		}
	}
	pdf.SetFooterFunc(func() { protocolFooter(pdf, p) })
	pdf.SetHeaderFunc(func() {
		// Page numbers go at the top, as on Russian office documents; a
		// continuation page also says what it continues, in case the
		// pages are separated.
		setColor(pdf, grey)
		pdf.SetFont(sans, "", 8)
		pdf.SetXY(protoLeft+protoWidth-pageNoW+cellPad, protoTop-9)
		pdf.CellFormat(pageNoW, 4, pageOf(pdf), "", 0, "R", false, 0, "")
		if pdf.PageNo() > 1 {
			fitText(pdf, protoLeft-cellPad, protoTop-9, protoWidth-pageNoW, 4,
				"Протокол об итогах сбора подписей: "+p.ProjectName+" (продолжение)", "", 8, 6, "L")
		}
		setColor(pdf, black)
		pdf.SetXY(protoLeft, protoTop)
	})
	pdf.AddPage()
	setColor(pdf, black)

	pdf.SetFont(sans, "B", 15)
	pdf.MultiCell(protoWidth, 8, "Протокол", "", "C", false)
	pdf.SetFont(sans, "B", 12)
	pdf.MultiCell(protoWidth, 6.5, "об итогах сбора подписей граждан в поддержку инициативного проекта", "", "C", false)
	y := pdf.GetY() + 4
	y += underlined(pdf, protoLeft, y, protoWidth, p.ProjectName, "B", 12, 9, 4, "C", true)
	y += caption(pdf, protoLeft, y+0.5, protoWidth, "(наименование инициативного проекта)") + 0.5

	pdf.SetFont(sans, "", 11)
	pdf.SetXY(protoLeft, y+4)
	pdf.CellFormat(protoWidth, 6, longDate(p.Date), "", 1, "R", false, 0, "")
	pdf.SetY(pdf.GetY() + 4)

	territory := clean(p.TerritoryName)
	if r := clean(p.Resolution); r != "" {
		territory += " (" + r + ")"
	}
	paragraphs := []string{
		"Территория, на которой осуществлялся сбор подписей, в соответствии с постановлением администрации — " + territory + ".",
		"Общее количество жителей, проживающих на указанной территории" + filled(p.Residents),
		"Количество подписей, которое необходимо для учёта мнения по вопросу поддержки инициативного проекта" + filled(p.Required),
		"Количество подписных листов" + filled(p.Sheets),
		"Количество подписей в подписных листах в поддержку инициативного проекта" + filled(p.Signatures),
	}
	pdf.SetFont(sans, "", protoBody)
	for _, para := range paragraphs {
		pdf.SetX(protoLeft)
		pdf.MultiCell(protoWidth, protoLine, para, "", "J", false)
		pdf.SetY(pdf.GetY() + 2.5)
	}

	pdf.SetY(pdf.GetY() + 4)
	pdf.SetFont(sans, "B", protoBody)
	pdf.SetX(protoLeft)
	pdf.CellFormat(protoWidth, protoLine, "Инициатор проекта", "", 1, "L", false, 0, "")
	pdf.SetY(pdf.GetY() + 3)

	signers := p.Initiators
	if len(signers) == 0 {
		// Nobody named yet: one blank line to be filled in by hand.
		signers = []Person{{}}
	}
	for _, s := range signers {
		signatureLine(pdf, s.FullName)
	}
	return finish(w, pdf, "protocol")
}

// filled is the « — N.» ending of a protocol line. The no-break spaces keep
// the number on the line of the word before it: MultiCell breaks only at
// ASCII spaces, and a lone «325.» on a line reads like a separate item.
func filled(n int) string {
	return "\u00a0—\u00a0" + strconv.Itoa(n) + "."
}

// signatureLine draws one initiator's «(подпись) (фамилия, имя, отчество)
// «__» ____ 20__ г.» row, moving to a new page first if it would be split.
func signatureLine(pdf *fpdf.Fpdf, name string) {
	const (
		rowH  = 8.0
		total = 17.0 // row, captions and spacing
		sigW  = 40.0
		gap   = 6.0
		nameW = 78.0
		dateW = protoWidth - sigW - nameW - 2*gap
	)
	_, pageH := pdf.GetPageSize()
	if pdf.GetY()+total > pageH-protoFooter {
		pdf.AddPage()
	}
	y := pdf.GetY()
	x := protoLeft
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetLineWidth(0.2)
	pdf.Line(x, y+rowH, x+sigW, y+rowH)
	caption(pdf, x, y+rowH+0.5, sigW, "(подпись)")

	x += sigW + gap
	fitText(pdf, x, y, nameW, rowH, name, "", protoBody, 7, "L")
	pdf.Line(x, y+rowH, x+nameW, y+rowH)
	caption(pdf, x, y+rowH+0.5, nameW, "(фамилия, имя, отчество (при наличии))")

	x += nameW + gap
	pdf.SetFont(sans, "", 11)
	pdf.SetXY(x, y)
	pdf.CellFormat(dateW, rowH, blankDate, "", 0, "R", false, 0, "")
	pdf.SetY(y + total)
}

// protocolFooter prints the checksum, the verification QR code and URL and
// the page number on every page, so that each loose page can be checked.
func protocolFooter(pdf *fpdf.Fpdf, p Protocol) {
	_, pageH := pdf.GetPageSize()
	top := pageH - protoFooter + 6
	pdf.SetDrawColor(150, 150, 150)
	pdf.SetLineWidth(0.2)
	pdf.Line(protoLeft, top, protoLeft+protoWidth, top)

	x := protoLeft
	if p.VerifyURL != "" {
		pdf.ImageOptions("verify-qr", x, top+3, protoQR, protoQR, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		x += protoQR + 5
	}
	w := protoLeft + protoWidth - x
	setColor(pdf, grey)
	pdf.SetFont(sans, "", 8)
	pdf.SetXY(x, top+3)
	pdf.MultiCell(w, 4, "Контрольная сумма учтённых подписей (SHA-256):", "", "L", false)
	pdf.SetFont(mono, "", 8)
	pdf.SetX(x)
	pdf.MultiCell(w, 4, p.Digest, "", "L", false)
	if p.ServerSignature != "" {
		pdf.SetFont(sans, "", 7)
		pdf.SetX(x)
		pdf.MultiCell(w, 3.5, "Подпись сервера (Ed25519): "+clean(p.ServerSignature), "", "L", false)
	}
	if p.VerifyURL != "" {
		// Shrunk to stay on one line where possible: a URL broken across
		// lines is hard to retype. maxURL keeps it within two lines.
		line := "Проверить: " + clean(p.VerifyURL)
		pt := 8.0
		pdf.SetFont(sans, "", pt)
		for pt > 5.5 && pdf.GetStringWidth(line) > w-2*cellPad {
			pt -= 0.5
			pdf.SetFont(sans, "", pt)
		}
		pdf.SetX(x)
		pdf.MultiCell(w, 4, line, "", "L", false)
	}
	setColor(pdf, black)
	pdf.SetDrawColor(0, 0, 0)
}
