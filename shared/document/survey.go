package document

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/sbor-project/sbor/shared/calendar"
)

// OptionCount is one answer option of a question and how many chose it.
type OptionCount struct {
	Text  string
	Count int
}

// QuestionResult is the tally of one question of an opinion survey.
type QuestionResult struct {
	Text     string
	Kind     string        // "single" | "multiple" | "text"
	Options  []OptionCount // for single/multiple
	Answered int           // respondents who answered this question
	Texts    []string      // free-text answers (may be empty; printed as a numbered list when given)
}

// SurveyResults is what the results of an opinion survey (опрос граждан)
// report: what was asked, about which projects and where, how many took
// part, and the answers to every question.
type SurveyResults struct {
	Title       string
	Projects    []string // project names the survey is about
	Territory   string
	Respondents int
	From, To    calendar.Date // first and last answer dates, zero when none
	Questions   []QuestionResult
	CreatedAt   time.Time // PDF creation date; fixed in tests for reproducible output
}

// Column widths of a question's table; they add up to protoWidth.
var surveyCols = [3]float64{protoWidth - 30 - 38, 30, 38}

var surveyHeads = [3]string{"Вариант ответа", "Число ответов", "% от числа участников опроса"}

func (r SurveyResults) validate() error {
	switch {
	case clean(r.Title) == "":
		return fmt.Errorf("%w: survey: title is empty", ErrInvalid)
	case clean(r.Territory) == "":
		return fmt.Errorf("%w: survey: territory is empty", ErrInvalid)
	case r.Respondents < 0:
		return fmt.Errorf("%w: survey: negative number of respondents %d", ErrInvalid, r.Respondents)
	case r.From.IsZero() != r.To.IsZero():
		return fmt.Errorf("%w: survey: answer period %v – %v has one end only", ErrInvalid, r.From, r.To)
	case !r.From.IsZero() && (!validDate(r.From) || !validDate(r.To)):
		return fmt.Errorf("%w: survey: answer period %v – %v is not calendar dates", ErrInvalid, r.From, r.To)
	case r.To.Before(r.From):
		return fmt.Errorf("%w: survey: last answer %s before the first %s", ErrInvalid, r.To.Russian(), r.From.Russian())
	case len(r.Questions) == 0:
		return fmt.Errorf("%w: survey: no questions", ErrInvalid)
	}
	for i, p := range r.Projects {
		if clean(p) == "" {
			return fmt.Errorf("%w: survey: project %d has no name", ErrInvalid, i+1)
		}
	}
	for i, q := range r.Questions {
		if err := q.validate(r.Respondents); err != nil {
			return fmt.Errorf("%w: survey: question %d: %v", ErrInvalid, i+1, err)
		}
	}
	return nil
}

// validate checks a question against the number of respondents: nobody
// answers twice, so no count exceeds those who answered the question, and
// those exceed no one who took part.
func (q QuestionResult) validate(respondents int) error {
	switch {
	case clean(q.Text) == "":
		return fmt.Errorf("text is empty")
	case q.Answered < 0 || q.Answered > respondents:
		return fmt.Errorf("%d answered, of %d respondents", q.Answered, respondents)
	}
	switch q.Kind {
	case "single", "multiple":
		if len(q.Options) == 0 {
			return fmt.Errorf("no answer options")
		}
		sum := 0
		for j, o := range q.Options {
			switch {
			case clean(o.Text) == "":
				return fmt.Errorf("option %d has no text", j+1)
			case o.Count < 0 || o.Count > q.Answered:
				return fmt.Errorf("option %d chosen %d times, by %d who answered", j+1, o.Count, q.Answered)
			}
			sum += o.Count // bounded: every count is at most Answered
			if q.Kind == "single" && sum > q.Answered {
				return fmt.Errorf("options chosen %d times in all, by %d who could choose one each", sum, q.Answered)
			}
		}
	case "text":
		if n := len(answers(q.Texts)); n > q.Answered {
			return fmt.Errorf("%d text answers, by %d who answered", n, q.Answered)
		}
	default:
		return fmt.Errorf("kind %q is not single, multiple or text", q.Kind)
	}
	return nil
}

// answers is the cleaned, non-blank free-text answers.
func answers(texts []string) []string {
	var out []string
	for _, t := range texts {
		if t = clean(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// WriteSurveyResults writes the results of an opinion survey: the survey,
// the projects it is about, the territory, the number of respondents and
// the period in which answers came, then for every question a table of its
// options with the number of answers and their share of the respondents,
// or, for a free-text question, the number of answers and the answers
// themselves. A survey nobody answered is still a document, with zeros.
func WriteSurveyResults(w io.Writer, r SurveyResults) error {
	if err := r.validate(); err != nil {
		return err
	}
	pdf := officialDoc(r.CreatedAt, "Результаты опроса граждан: "+r.Title,
		"Результаты опроса граждан: "+r.Title+" (продолжение)")
	pdf.AddPage()

	pdf.SetFont(sans, "B", 15)
	pdf.MultiCell(protoWidth, 8, "Результаты опроса граждан", "", "C", false)
	pdf.SetY(pdf.GetY() + 1)
	pdf.SetFont(sans, "B", 12.5)
	pdf.MultiCell(protoWidth, 6.5, clean(r.Title), "", "C", false)
	pdf.SetY(pdf.GetY() + 6)

	switch len(r.Projects) {
	case 0:
	case 1:
		labelled(pdf, "Инициативный проект:", "«"+clean(r.Projects[0])+"».")
	default:
		labelled(pdf, "Инициативные проекты:", "")
		pdf.SetY(pdf.GetY() - 1.5)
		indent := listIndent(pdf, len(r.Projects), "", docBody)
		for i, p := range r.Projects {
			numbered(pdf, i+1, "«"+clean(p)+"».", "", docBody, indent)
		}
		pdf.SetY(pdf.GetY() + 1.5)
	}
	labelled(pdf, "Территория:", sentence(r.Territory))
	switch {
	case r.From.IsZero():
		labelled(pdf, "Период опроса:", "ответов не поступало.")
	case r.From == r.To:
		labelled(pdf, "Период опроса:", "ответы получены "+r.From.Russian()+".")
	default:
		labelled(pdf, "Период опроса:", "ответы получены с "+r.From.Russian()+" по "+r.To.Russian()+".")
	}
	labelled(pdf, "", "Число участников опроса"+filled(r.Respondents))

	for i, q := range r.Questions {
		pdf.SetY(pdf.GetY() + 5)
		question(pdf, i+1, q, r.Respondents)
	}
	return finish(w, pdf, "survey results")
}

// question writes one question: its wording, a note on how it was
// answered, and its table or its free-text answers. The wording is kept on
// a page with the table header and first row, or the first answer.
func question(pdf *fpdf.Fpdf, n int, q QuestionResult, respondents int) {
	const notePt = 9.5
	head := "Вопрос " + strconv.Itoa(n) + ". " + clean(q.Text)
	var note string
	switch q.Kind {
	case "single":
		note = "Можно было выбрать один ответ."
	case "multiple":
		note = "Можно было выбрать несколько ответов, поэтому сумма процентов может превышать 100\u00a0%."
	case "text":
		note = "Ответ в свободной форме."
	}
	headH := textHeight(pdf, head, "B", docBody, protoWidth) + textHeight(pdf, note, "", notePt, protoWidth) + 2
	var first float64
	if q.Kind == "text" {
		first = 2 * docLine
	} else {
		first = tableHeadHeight(pdf) + optionHeight(pdf, q.Options[0].Text)
	}
	keep(pdf, headH+first)

	pdf.SetFont(sans, "B", docBody)
	pdf.SetX(protoLeft)
	pdf.MultiCell(protoWidth, lineH(docBody), head, "", "L", false)
	setColor(pdf, grey)
	pdf.SetFont(sans, "", notePt)
	pdf.SetX(protoLeft)
	pdf.MultiCell(protoWidth, lineH(notePt), note, "", "L", false)
	setColor(pdf, black)
	pdf.SetY(pdf.GetY() + 2)

	if q.Kind == "text" {
		labelled(pdf, "", fmt.Sprintf("Число ответов\u00a0—\u00a0%d (%s\u00a0%% от числа участников опроса).",
			q.Answered, percentOf(q.Answered, respondents)))
		if texts := answers(q.Texts); len(texts) > 0 {
			pdf.SetFont(sans, "B", docBody)
			pdf.SetX(protoLeft)
			pdf.CellFormat(protoWidth, docLine, "Ответы:", "", 1, "L", false, 0, "")
			indent := listIndent(pdf, len(texts), "", 11)
			for j, t := range texts {
				numbered(pdf, j+1, t, "", 11, indent)
			}
		}
		return
	}

	tableHead(pdf)
	const total = "Ответили на вопрос"
	for j, o := range q.Options {
		var next float64
		if j == len(q.Options)-1 {
			next = optionHeight(pdf, total) // the total row is not left alone
		}
		optionRow(pdf, o.Text, o.Count, respondents, "", next)
	}
	optionRow(pdf, total, q.Answered, respondents, "B", 0)
}

// tableHeadHeight is the height of a question table's header row.
func tableHeadHeight(pdf *fpdf.Fpdf) float64 {
	h := 0.0
	for i, head := range surveyHeads {
		h = max(h, textHeight(pdf, head, "B", 9, surveyCols[i]))
	}
	return h + 2
}

// tableHead draws the header row of a question table at the current
// position and moves below it.
func tableHead(pdf *fpdf.Fpdf) {
	hh := tableHeadHeight(pdf)
	y := pdf.GetY()
	x := protoLeft
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetLineWidth(0.25)
	pdf.SetFillColor(235, 235, 235)
	for i, head := range surveyHeads {
		pdf.Rect(x, y, surveyCols[i], hh, "FD")
		fitWrapped(pdf, x, y, surveyCols[i], hh, head, "B", 9, 7, "C")
		x += surveyCols[i]
	}
	pdf.SetXY(protoLeft, y+hh)
}

// optionHeight is the height of a table row: the option wraps in its
// cell, which grows up to maxOptionH; longer text is shrunk and then cut
// with "…" (see fitWrapped), so that a row always fits a page.
func optionHeight(pdf *fpdf.Fpdf, text string) float64 {
	return min(maxOptionH, max(7, textHeight(pdf, text, "", 10.5, surveyCols[0])+2))
}

const maxOptionH = 60.0

// optionRow draws one row of a question table, on a new page with the
// header repeated when it does not fit together with the next rows'
// height next.
func optionRow(pdf *fpdf.Fpdf, text string, count, respondents int, style string, next float64) {
	h := optionHeight(pdf, text)
	_, pageH := pdf.GetPageSize()
	if pdf.GetY()+h+next > pageH-docBottom {
		pdf.AddPage()
		tableHead(pdf)
	}
	y := pdf.GetY()
	x := protoLeft
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetLineWidth(0.25)
	for _, w := range surveyCols {
		pdf.Rect(x, y, w, h, "D")
		x += w
	}
	x = protoLeft
	fitWrapped(pdf, x, y, surveyCols[0], h, text, style, 10.5, 7, "L")
	x += surveyCols[0]
	fitText(pdf, x, y, surveyCols[1], h, strconv.Itoa(count), style, 10.5, 7, "C")
	x += surveyCols[1]
	fitText(pdf, x, y, surveyCols[2], h, percentOf(count, respondents)+"\u00a0%", style, 10.5, 7, "C")
	pdf.SetXY(protoLeft, y+h)
}
