package threshold

// DefaultPercent is the regulation's share of residents whose signatures
// support a project (Ipatovo decision No. 26, line 843).
const DefaultPercent = 30

// Required returns ceil(residents × percent / 100) in integer arithmetic.
// It is 0 for no residents or a non-positive percent.
func Required(residents, percent int) int {
	if residents <= 0 || percent <= 0 {
		return 0
	}
	return (residents*percent + 99) / 100
}

// Progress is a project's position against its threshold.
type Progress struct {
	Signatures int `json:"signatures"`
	Required   int `json:"required"`
	Residents  int `json:"residents"`
	// Percent of the threshold reached, rounded down, capped at neither end:
	// 150 means the group collected half again what it needed.
	Percent int  `json:"percent"`
	Reached bool `json:"reached"`
}

// Of returns the progress of signatures counted for a territory of residents.
func Of(signatures, residents, percent int) Progress {
	req := Required(residents, percent)
	p := Progress{Signatures: signatures, Required: req, Residents: residents}
	if req > 0 {
		p.Percent = signatures * 100 / req
		p.Reached = signatures >= req
	}
	return p
}
