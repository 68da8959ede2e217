package sheet

// DefaultSize is the number of rows on a sheet unless the project says otherwise.
const DefaultSize = 10

// Position is a row on a numbered sheet, both counted from 1.
type Position struct {
	Sheet int `json:"sheet"`
	Row   int `json:"row"`
}

// Next returns where a collector's next signature goes. last is the
// collector's previous position on this project (nil if none), maxSheet the
// highest sheet number the project has so far among all collectors, size
// the rows per sheet. A full or absent sheet opens sheet maxSheet+1.
func Next(last *Position, maxSheet, size int) Position {
	if size < 1 {
		size = DefaultSize
	}
	if last != nil && last.Row < size {
		return Position{Sheet: last.Sheet, Row: last.Row + 1}
	}
	return Position{Sheet: maxSheet + 1, Row: 1}
}

// Count returns how many sheets n signatures fill when packed size to a sheet.
func Count(n, size int) int {
	if n <= 0 {
		return 0
	}
	if size < 1 {
		size = DefaultSize
	}
	return (n + size - 1) / size
}
