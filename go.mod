module github.com/sbor-project/sbor

go 1.26.8

require (
	github.com/gorilla/websocket v1.5.3
	github.com/mattn/go-sqlite3 v1.14.53
	github.com/skip2/go-qrcode v0.0.0-20200617195104-da1b6568686e
	golang.org/x/crypto v0.58.0
	golang.org/x/text v0.43.0
)

require github.com/go-pdf/fpdf v0.9.0 // indirect
