// Package webui embeds the browser side of Sbor: html/template pages, the
// CSS and plain JavaScript they load, and the message catalogues (one per
// language, Russian first) every screen and API error message comes from.
// Nothing here is built: the files are served as they are.
package webui
