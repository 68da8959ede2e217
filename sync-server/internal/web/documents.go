package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"strconv"
	"time"

	"github.com/sbor-project/sbor/shared/api"
	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/catalog"
	"github.com/sbor-project/sbor/shared/document"
	"github.com/sbor-project/sbor/shared/sheet"
	"github.com/sbor-project/sbor/sync-server/internal/sqlite"
)

// SheetsPerVolume bounds one sheets PDF: fpdf holds a document in memory
// until it is written, so a large project is split into volumes.
const SheetsPerVolume = 200

// sheetCount is how many sheets a project's counted signatures fill: each
// collector certifies their own sheets, sheet_size rows each. The
// protocol and the sheets PDF both count through here.
func sheetCount(counts map[string]int, size int) int {
	n := 0
	for _, c := range counts {
		n += sheet.Count(c, size)
	}
	return n
}

func (s *Server) today() calendar.Date { return calendar.In(time.Now(), s.cfg.Location) }

func writePDF(w http.ResponseWriter, name string, buf *bytes.Buffer) {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// handleProtocol renders Приложение 2 from the database and remembers its
// digest for /verify. A project with no signatures gets a valid protocol
// with zeros.
func (s *Server) handleProtocol(w http.ResponseWriter, r *http.Request) {
	c, p, ok := s.projectFor(w, r)
	if !ok {
		return
	}
	t := c.Territory(p.TerritoryID)
	digest, counted, err := s.db.CountedDigest(r.Context(), p.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	counts, err := s.db.CollectorCounts(r.Context(), p.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	doc := document.Protocol{
		ProjectName: p.Name, TerritoryName: t.Name, Resolution: t.Resolution, Residents: t.Residents,
		Required: p.Required(t), Sheets: sheetCount(counts, p.SheetSize), Signatures: counted,
		Date: s.today(), Digest: digest, VerifyURL: s.publicBase(r) + "/verify/" + digest, CreatedAt: time.Now(),
	}
	for _, m := range p.Members {
		doc.Initiators = append(doc.Initiators, document.Person{FullName: m.FullName})
	}
	issued := sqlite.IssuedProtocol{Digest: digest, ProjectID: p.ID, Date: doc.Date.String(),
		Signatures: counted, Required: doc.Required, Sheets: doc.Sheets}
	if issued.Signature, err = s.db.SignProtocol(r.Context(), issued); err != nil {
		s.fail(w, r, err)
		return
	}
	doc.ServerSignature = issued.Signature
	var buf bytes.Buffer
	if err := document.WriteProtocol(&buf, doc); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.db.RecordProtocol(r.Context(), issued); err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(r, actor(r), "pdf.protocol", "project:"+p.ID, "digest "+digest)
	writePDF(w, "protocol-"+p.ID+".pdf", &buf)
}

// handleSheets renders one volume of Приложение 1 (?volume=N, from 1) and,
// with ?annex=1, the annex of uncounted signatures instead.
func (s *Server) handleSheets(w http.ResponseWriter, r *http.Request) {
	c, p, ok := s.projectFor(w, r)
	if !ok {
		return
	}
	if sess := currentSession(r); sess != nil && sess.User.Role == sqlite.RoleViewer {
		s.forbidden(w, r) // viewers read tallies, not personal data
		return
	}
	counts, err := s.db.CollectorCounts(r.Context(), p.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	total := sheetCount(counts, p.SheetSize)
	annex := r.URL.Query().Get("annex") == "1"
	if total == 0 && !annex {
		// No counted signature yet: nothing to print, and the office should be told so.
		s.fail(w, r, &api.Error{Status: http.StatusNotFound, Code: "no_signatures"})
		return
	}
	volumes := max(1, (total+SheetsPerVolume-1)/SheetsPerVolume)
	volume := 1
	if v := r.URL.Query().Get("volume"); v != "" {
		if volume, err = strconv.Atoi(v); err != nil || volume < 1 || volume > volumes {
			s.fail(w, r, api.Invalid(map[string]string{"volume": "required"}))
			return
		}
	}
	h := document.SheetsHeader{ProjectName: p.Name, TerritoryName: c.Territory(p.TerritoryID).Name,
		Volume: volume, Volumes: volumes, CreatedAt: time.Now()}
	var buf bytes.Buffer
	if annex {
		err = s.writeAnnex(r, &buf, h, p)
	} else {
		err = document.WriteSheets(&buf, h, s.sheets(r, p, volume))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(r, actor(r), "pdf.sheets", "project:"+p.ID, fmt.Sprintf("volume %d of %d annex=%s", volume, volumes, r.URL.Query().Get("annex")))
	w.Header().Set("X-Sbor-Volumes", strconv.Itoa(volumes))
	writePDF(w, fmt.Sprintf("sheets-%s-%d.pdf", p.ID, volume), &buf)
}

var errStop = errors.New("stop")

// sheets streams the counted signatures of one volume as sheets: each
// collector's in signing order, sheet_size to a sheet, numbered through.
func (s *Server) sheets(r *http.Request, p *catalog.Project, volume int) iter.Seq2[document.Sheet, error] {
	first, last := (volume-1)*SheetsPerVolume+1, volume*SheetsPerVolume
	return func(yield func(document.Sheet, error) bool) {
		var cur document.Sheet
		number, collector := 0, ""
		flush := func() bool {
			if len(cur.Rows) == 0 || number < first || number > last {
				return true
			}
			return yield(cur, nil)
		}
		err := s.db.EachCounted(r.Context(), p.ID, func(row sqlite.SignatureRow) error {
			if row.CollectorID != collector || len(cur.Rows) == p.SheetSize {
				if !flush() {
					return errStop
				}
				if number >= last {
					return errStop
				}
				number++
				collector = row.CollectorID
				cur = document.Sheet{Number: number, Collector: collectorOf(p, row.CollectorID)}
			}
			if number < first {
				return nil
			}
			d, err := toRow(row, len(cur.Rows)+1, s)
			if err != nil {
				return err
			}
			cur.Rows = append(cur.Rows, d)
			return nil
		})
		if errors.Is(err, errStop) {
			return
		}
		if err != nil {
			yield(document.Sheet{}, err)
			return
		}
		flush()
	}
}

func collectorOf(p *catalog.Project, id string) document.Collector {
	m := p.Member(id)
	if m == nil {
		return document.Collector{FullName: id} // left the group since; the id still identifies them
	}
	return document.Collector{FullName: m.FullName, BirthDate: m.BirthDate, Document: m.Document, Address: m.Address}
}

func toRow(row sqlite.SignatureRow, n int, s *Server) (document.Row, error) {
	birth, err := calendar.Parse(row.BirthDate)
	if err != nil {
		return document.Row{}, fmt.Errorf("signature %d: %w", row.ID, err)
	}
	var strokes [][][]float64
	if err := json.Unmarshal([]byte(row.Strokes), &strokes); err != nil {
		return document.Row{}, fmt.Errorf("signature %d strokes: %w", row.ID, err)
	}
	return document.Row{N: n, FullName: row.FullName, BirthDate: birth, SignedOn: calendar.In(row.SignedAt, s.cfg.Location), Strokes: strokes}, nil
}

func (s *Server) writeAnnex(r *http.Request, buf *bytes.Buffer, h document.SheetsHeader, p *catalog.Project) error {
	var rows []document.AnnexRow
	reason := s.t(r).T("annex.repeat")
	err := s.db.Uncounted(r.Context(), p.ID, func(row sqlite.SignatureRow) error {
		d, err := toRow(row, len(rows)+1, s)
		if err != nil {
			return err
		}
		rows = append(rows, document.AnnexRow{Row: d, Reason: fmt.Sprintf(reason, row.DuplicateOf)})
		return nil
	})
	if err != nil {
		return err
	}
	return document.WriteAnnex(buf, h, rows)
}

// handlePoster renders an A4 poster with a large QR code to the project page.
func (s *Server) handlePoster(w http.ResponseWriter, r *http.Request) {
	c := s.hub.Catalog()
	id := r.PathValue("id")
	if c == nil || c.Project(id) == nil {
		s.fail(w, r, &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound})
		return
	}
	p := c.Project(id)
	where, err := s.whereToSign(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	err = document.WritePoster(&buf, document.Poster{ProjectName: p.Name, TerritoryName: c.Territory(p.TerritoryID).Name,
		Description: p.Description, CollectFrom: p.CollectFrom, CollectTo: p.CollectTo, Where: where,
		PageURL: s.publicBase(r) + "/p/" + p.ID, CreatedAt: time.Now()})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writePDF(w, "poster-"+p.ID+".pdf", &buf)
}

type verifyPage struct {
	view
	Digest, ProjectName, Date string
	Signatures, Required      int
	Found                     bool
	// SignatureOK: the stored facts still carry the server's signature
	// (someone who changed them in the database could not re-sign them).
	SignatureOK bool
	PublicKey   string
}

// handleVerify shows what an issued protocol certified: project, date and
// counts, never a name.
func (s *Server) handleVerify(w http.ResponseWriter, r *http.Request) {
	digest := r.PathValue("digest")
	page := verifyPage{view: s.view(r), Digest: digest}
	p, found, err := s.db.Protocol(r.Context(), digest)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusNotFound
	if found {
		status = http.StatusOK
		page.Found, page.Signatures, page.Required = true, p.Signatures, p.Required
		page.ProjectName = p.ProjectID
		if c := s.hub.Catalog(); c != nil && c.Project(p.ProjectID) != nil {
			page.ProjectName = c.Project(p.ProjectID).Name
		}
		if d, err := calendar.Parse(p.Date); err == nil {
			page.Date = d.Russian()
		}
		if page.SignatureOK, err = s.db.VerifyProtocol(r.Context(), p); err != nil {
			s.fail(w, r, err)
			return
		}
		if page.PublicKey, err = s.db.ServerPublicKey(r.Context()); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, s.pages.public, "verify", status, page)
}
