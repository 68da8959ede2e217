package document

import (
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/sbor-project/sbor/shared/calendar"
)

// MeetingItem is one agenda item of a meeting and the vote on it.
type MeetingItem struct {
	ProjectName             string
	For, Against, Abstained int
	Supported               bool // the decision: supported or not
}

// MeetingProtocol holds what the protocol of a сход, собрание or
// конференция граждан records: where and when it was held, how many took
// part, the agenda (one initiative project per item) and the vote and
// decision on each item.
type MeetingProtocol struct {
	Kind             string // "gathering" | "assembly" | "conference"
	Date             calendar.Date
	Place            string
	TerritoryName    string
	Residents        int // residents of the territory
	Present          int // registered attendance
	Items            []MeetingItem
	Chair, Secretary string
	CreatedAt        time.Time // PDF creation date; fixed in tests for reproducible output
}

// meetingKinds names the kinds of meeting of the regulation (сход,
// собрание, конференция граждан): in the genitive, as they follow the word
// «протокол», and in the prepositional, after «участвуют в».
var meetingKinds = map[string]struct{ of, in string }{
	"gathering":  {"схода граждан", "сходе граждан"},
	"assembly":   {"собрания граждан", "собрании граждан"},
	"conference": {"конференции граждан (собрания делегатов)", "конференции граждан"},
}

// Geometry of the meeting protocol and the survey results: the margins of
// the signature-collection protocol (wide binding edge on the left), with
// no footer band.
const (
	docBottom = 20.0 // bottom margin, mm
	docBody   = 12.0 // body font size, pt
	docLine   = 6.0  // body line height, mm
	docIndent = 8.0  // hanging indent of numbered lists, mm
)

func (p MeetingProtocol) validate() error {
	if _, ok := meetingKinds[p.Kind]; !ok {
		return fmt.Errorf("%w: meeting protocol: kind %q is not gathering, assembly or conference", ErrInvalid, p.Kind)
	}
	switch {
	case !validDate(p.Date):
		return fmt.Errorf("%w: meeting protocol: date %v is not a calendar date", ErrInvalid, p.Date)
	case clean(p.Place) == "":
		return fmt.Errorf("%w: meeting protocol: place is empty", ErrInvalid)
	case clean(p.TerritoryName) == "":
		return fmt.Errorf("%w: meeting protocol: territory name is empty", ErrInvalid)
	case p.Residents < 0, p.Present < 0:
		return fmt.Errorf("%w: meeting protocol: negative count (residents %d, present %d)", ErrInvalid, p.Residents, p.Present)
	case clean(p.Chair) == "":
		return fmt.Errorf("%w: meeting protocol: chair is not named", ErrInvalid)
	case clean(p.Secretary) == "":
		return fmt.Errorf("%w: meeting protocol: secretary is not named", ErrInvalid)
	case len(p.Items) == 0:
		return fmt.Errorf("%w: meeting protocol: the agenda is empty", ErrInvalid)
	}
	for i, it := range p.Items {
		switch {
		case clean(it.ProjectName) == "":
			return fmt.Errorf("%w: meeting protocol: item %d: project name is empty", ErrInvalid, i+1)
		case it.For < 0, it.Against < 0, it.Abstained < 0:
			return fmt.Errorf("%w: meeting protocol: item %d: negative vote count (%d, %d, %d)",
				ErrInvalid, i+1, it.For, it.Against, it.Abstained)
		// Compared one by one, so that no sum can overflow.
		case it.For > p.Present, it.Against > p.Present-it.For, it.Abstained > p.Present-it.For-it.Against:
			return fmt.Errorf("%w: meeting protocol: item %d: %d + %d + %d votes, more than the %d present",
				ErrInvalid, i+1, it.For, it.Against, it.Abstained, p.Present)
		}
	}
	return nil
}

// WriteMeetingProtocol writes the protocol of a meeting of citizens that
// considered initiative projects: title, territory, date and place, the
// number of residents and of those present with their share, chair and
// secretary, the agenda with one item per project, then for every item what
// was heard, the vote and the decision, and the signature lines of the
// chair and the secretary. An item and the signature block are never split
// across pages.
func WriteMeetingProtocol(w io.Writer, p MeetingProtocol) error {
	if err := p.validate(); err != nil {
		return err
	}
	kind := meetingKinds[p.Kind].of
	pdf := officialDoc(p.CreatedAt, "Протокол "+kind+" от "+p.Date.Russian(),
		"Протокол "+kind+" от "+longDate(p.Date)+" (продолжение)")
	pdf.AddPage()

	pdf.SetFont(sans, "B", 15)
	pdf.MultiCell(protoWidth, 8, "ПРОТОКОЛ", "", "C", false)
	pdf.SetFont(sans, "B", 12.5)
	pdf.MultiCell(protoWidth, 6.5, kind, "", "C", false)
	subject := "по вопросу о поддержке инициативного проекта"
	if len(p.Items) > 1 {
		subject = "по вопросу о поддержке инициативных проектов"
	}
	pdf.SetFont(sans, "", 11)
	pdf.MultiCell(protoWidth, 5.5, subject, "", "C", false)
	y := pdf.GetY() + 4
	y += underlined(pdf, protoLeft, y, protoWidth, p.TerritoryName, "B", 12, 9, 3, "C", true)
	y += caption(pdf, protoLeft, y+0.5, protoWidth, "(территория, жители которой участвуют в "+
		meetingKinds[p.Kind].in+")") + 0.5

	pdf.SetFont(sans, "", 11)
	pdf.SetXY(protoLeft, y+4)
	pdf.CellFormat(protoWidth, 6, longDate(p.Date), "", 1, "R", false, 0, "")
	pdf.SetY(pdf.GetY() + 3)

	// The share is left out when the resident count is unknown (zero).
	present := strconv.Itoa(p.Present) + "\u00a0" + people(p.Present)
	if p.Residents > 0 {
		present += " (" + percentOf(p.Present, p.Residents) + "\u00a0% от числа жителей)"
	}
	labelled(pdf, "Место проведения:", sentence(p.Place))
	labelled(pdf, "", "Общее количество жителей, проживающих на территории"+filled(p.Residents))
	labelled(pdf, "Присутствовали:", present+".")
	labelled(pdf, "Председатель:", sentence(p.Chair))
	labelled(pdf, "Секретарь:", sentence(p.Secretary))

	// The agenda heading stays with its first item.
	pdf.SetY(pdf.GetY() + 4)
	indent := listIndent(pdf, len(p.Items), "", docBody)
	keep(pdf, docLine+numberedHeight(pdf, agendaItem(p.Items[0]), "", docBody, indent))
	pdf.SetFont(sans, "B", docBody)
	pdf.SetX(protoLeft)
	pdf.CellFormat(protoWidth, docLine, "ПОВЕСТКА ДНЯ:", "", 1, "L", false, 0, "")
	for i, it := range p.Items {
		numbered(pdf, i+1, agendaItem(it), "", docBody, indent)
	}

	for i, it := range p.Items {
		name := "«" + clean(it.ProjectName) + "»"
		heard := "информацию об инициативном проекте " + name + "."
		vote := fmt.Sprintf("«за»\u00a0—\u00a0%d, «против»\u00a0—\u00a0%d, «воздержались»\u00a0—\u00a0%d.",
			it.For, it.Against, it.Abstained)
		decided := "не поддерживать инициативный проект " + name + "."
		if it.Supported {
			decided = "поддержать инициативный проект " + name + "."
		}
		pdf.SetY(pdf.GetY() + 4)
		keep(pdf, labelledHeight(pdf, strconv.Itoa(i+1)+". СЛУШАЛИ:", heard)+
			labelledHeight(pdf, "ГОЛОСОВАЛИ:", vote)+labelledHeight(pdf, "РЕШИЛИ:", decided))
		labelled(pdf, strconv.Itoa(i+1)+". СЛУШАЛИ:", heard)
		labelled(pdf, "ГОЛОСОВАЛИ:", vote)
		labelled(pdf, "РЕШИЛИ:", decided)
	}

	pdf.SetY(pdf.GetY() + 10)
	keep(pdf, 2*signerH)
	signer(pdf, "Председатель", p.Chair)
	signer(pdf, "Секретарь", p.Secretary)
	return finish(w, pdf, "meeting protocol")
}

// agendaItem is the wording of one question of the agenda.
func agendaItem(it MeetingItem) string {
	return "О поддержке инициативного проекта «" + clean(it.ProjectName) + "»."
}

// sentence is cleaned input ending with one full stop: a place typed as
// «ул. Мира, д. 3.» does not get a second one.
func sentence(s string) string {
	s = clean(s)
	if strings.HasSuffix(s, ".") || strings.HasSuffix(s, "…") {
		return s
	}
	return s + "."
}

// people is the form of «человек» after n: 2, 3, 4 (but not 12–14)
// человека; otherwise человек.
func people(n int) string {
	if d := n % 10; d >= 2 && d <= 4 && (n%100 < 12 || n%100 > 14) {
		return "человека"
	}
	return "человек"
}

// percentOf is n as a percentage of d with one decimal and a decimal comma,
// rounded half up: 1 of 3 is «33,3», 2 of 3 «66,7». The arithmetic is exact
// in integers of any size; a zero d gives «0,0».
func percentOf(n, d int) string {
	if d <= 0 || n <= 0 {
		return "0,0"
	}
	// round(n·1000/d) = ⌊(2000·n + d) / 2d⌋ tenths of a per cent.
	num := new(big.Int).Mul(big.NewInt(int64(n)), big.NewInt(2000))
	num.Add(num, big.NewInt(int64(d)))
	den := new(big.Int).Mul(big.NewInt(int64(d)), big.NewInt(2))
	s := num.Quo(num, den).String()
	if len(s) == 1 {
		s = "0" + s
	}
	return s[:len(s)-1] + "," + s[len(s)-1:]
}

// officialDoc starts a portrait document with the margins of the
// signature-collection protocol, automatic page breaks, and a header with
// «Стр. N из M» on every page and, from the second page on, the line cont
// saying what the page continues, in case pages are separated.
func officialDoc(createdAt time.Time, title, cont string) *fpdf.Fpdf {
	pdf := newPDF("P", createdAt, title)
	pdf.SetMargins(protoLeft, protoTop, protoRight)
	pdf.SetAutoPageBreak(true, docBottom)
	pdf.SetHeaderFunc(func() {
		setColor(pdf, grey)
		pdf.SetFont(sans, "", 8)
		pdf.SetXY(protoLeft+protoWidth-pageNoW+cellPad, protoTop-9)
		pdf.CellFormat(pageNoW, 4, pageOf(pdf), "", 0, "R", false, 0, "")
		if pdf.PageNo() > 1 {
			fitText(pdf, protoLeft-cellPad, protoTop-9, protoWidth-pageNoW, 4, cont, "", 8, 6, "L")
		}
		setColor(pdf, black)
		pdf.SetXY(protoLeft, protoTop)
	})
	return pdf
}

// keep starts a new page unless a block of height h fits on this one: an
// agenda item, a table row or the signatures are not split.
func keep(pdf *fpdf.Fpdf, h float64) {
	_, pageH := pdf.GetPageSize()
	if pdf.GetY()+h > pageH-docBottom && pdf.GetY() > protoTop+1 {
		pdf.AddPage()
	}
}

// labelled writes a paragraph that starts with a bold label («РЕШИЛИ:»)
// and runs on in the regular face, wrapped to the text width, as the lines
// of a protocol are typed. An empty label writes a plain paragraph. The
// caller cleans what came from input: the no-break spaces of the fixed
// wording (« — 37») must survive.
func labelled(pdf *fpdf.Fpdf, label, text string) {
	pdf.SetX(protoLeft)
	if label != "" {
		pdf.SetFont(sans, "B", docBody)
		pdf.Write(docLine, label+" ")
	}
	pdf.SetFont(sans, "", docBody)
	pdf.Write(docLine, text)
	pdf.Ln(docLine + 1.5)
}

// labelledHeight measures what labelled writes, a little generously: the
// whole paragraph is measured in the bold face.
func labelledHeight(pdf *fpdf.Fpdf, label, text string) float64 {
	pdf.SetFont(sans, "B", docBody)
	return float64(len(pdf.SplitText(label+" "+text, protoWidth)))*docLine + 1.5
}

// numbered writes one entry of a numbered list with a hanging indent: the
// number in a column of width indent (see listIndent), the text (cleaned
// by the caller) wrapped beside it. An entry is not split across pages
// unless it is longer than a page.
func numbered(pdf *fpdf.Fpdf, n int, text, style string, pt, indent float64) {
	lh := lineH(pt) + 0.4
	keep(pdf, numberedHeight(pdf, text, style, pt, indent))
	pdf.SetFont(sans, style, pt)
	pdf.SetX(protoLeft)
	pdf.CellFormat(indent, lh, strconv.Itoa(n)+".", "", 0, "L", false, 0, "")
	pdf.MultiCell(protoWidth-indent, lh, text, "", "L", false)
	pdf.SetY(pdf.GetY() + 0.8)
}

// numberedHeight measures what numbered writes.
func numberedHeight(pdf *fpdf.Fpdf, text, style string, pt, indent float64) float64 {
	pdf.SetFont(sans, style, pt)
	lines := len(pdf.SplitText(text, protoWidth-indent))
	return float64(max(1, lines))*(lineH(pt)+0.4) + 0.8
}

// listIndent is the hanging indent of a list numbered up to last: room
// for its widest number, and never less than docIndent.
func listIndent(pdf *fpdf.Fpdf, last int, style string, pt float64) float64 {
	pdf.SetFont(sans, style, pt)
	return max(docIndent, pdf.GetStringWidth(strconv.Itoa(last)+".")+2*cellPad+1.5)
}

// signerH is the height of one signature row of signer.
const signerH = 17.0

// signer draws «Председатель ______ И. И. Иванов» with «(подпись)» under
// the line, as a protocol is signed.
func signer(pdf *fpdf.Fpdf, role, name string) {
	const (
		roleW = 38.0
		signW = 50.0
		gap   = 6.0
		rowH  = 8.0
	)
	y := pdf.GetY()
	x := protoLeft
	pdf.SetFont(sans, "", docBody)
	pdf.SetXY(x, y)
	pdf.CellFormat(roleW, rowH, role, "", 0, "L", false, 0, "")
	x += roleW
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetLineWidth(0.2)
	pdf.Line(x, y+rowH, x+signW, y+rowH)
	caption(pdf, x, y+rowH+0.5, signW, "(подпись)")
	x += signW + gap
	nameW := protoLeft + protoWidth - x
	fitText(pdf, x, y, nameW, rowH, name, "", docBody, 7, "L")
	pdf.Line(x, y+rowH, x+nameW, y+rowH)
	caption(pdf, x, y+rowH+0.5, nameW, "(фамилия, имя, отчество (при наличии))")
	pdf.SetXY(protoLeft, y+signerH)
}
