package webui

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed templates static i18n
var files embed.FS

// Static is the tree served under /static/.
func Static() fs.FS {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic(err)
	}
	return sub
}

// Languages are the catalogues shipped, the default first.
var Languages = []string{"ru", "en"}

// Messages is one language's catalogue: key → text.
type Messages map[string]string

// T returns the text for key, or the key itself so a missing message is
// visible on screen rather than blank.
func (m Messages) T(key string) string {
	if s, ok := m[key]; ok {
		return s
	}
	return key
}

// Catalog holds the message catalogues of every language.
type Catalog map[string]Messages

// LoadCatalog reads i18n/<lang>/*.json for every language. Every language
// must have exactly the keys Russian has, so a switch never shows a key.
func LoadCatalog() (Catalog, error) {
	c := Catalog{}
	for _, lang := range Languages {
		m := Messages{}
		names, err := fs.Glob(files, path.Join("i18n", lang, "*.json"))
		if err != nil {
			return nil, err
		}
		sort.Strings(names)
		for _, name := range names {
			b, err := files.ReadFile(name)
			if err != nil {
				return nil, err
			}
			var part map[string]string
			if err := json.Unmarshal(b, &part); err != nil {
				return nil, fmt.Errorf("webui: %s: %w", name, err)
			}
			for k, v := range part {
				if _, dup := m[k]; dup {
					return nil, fmt.Errorf("webui: %s: key %q defined twice", name, k)
				}
				m[k] = v
			}
		}
		c[lang] = m
	}
	for _, lang := range Languages[1:] {
		for k := range c[Languages[0]] {
			if _, ok := c[lang][k]; !ok {
				return nil, fmt.Errorf("webui: %s lacks message %q", lang, k)
			}
		}
		for k := range c[lang] {
			if _, ok := c[Languages[0]][k]; !ok {
				return nil, fmt.Errorf("webui: %s has message %q that %s lacks", lang, k, Languages[0])
			}
		}
	}
	return c, nil
}

// Lang returns the catalogue for lang, falling back to Russian.
func (c Catalog) Lang(lang string) Messages {
	if m, ok := c[lang]; ok {
		return m
	}
	return c[Languages[0]]
}

// Prefixed returns the messages whose keys start with prefix, for handing
// to a page's script as JSON.
func (m Messages) Prefixed(prefix string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if strings.HasPrefix(k, prefix) {
			out[k] = v
		}
	}
	return out
}

// ParsePage parses templates/<name>.html with the shared functions; "t" is
// bound per request with Funcs on a clone.
func ParsePage(name string) (*template.Template, error) {
	return template.New(name+".html").Funcs(Funcs()).ParseFS(files, "templates/"+name+".html")
}

// ParseSet parses every page of templates/<dir>/ together with that
// folder's layout.html, keyed by page name ("login" for login.html).
func ParseSet(dir string) (map[string]*template.Template, error) {
	names, err := fs.Glob(files, path.Join("templates", dir, "*.html"))
	if err != nil {
		return nil, err
	}
	layout := path.Join("templates", dir, "layout.html")
	set := map[string]*template.Template{}
	for _, name := range names {
		if name == layout {
			continue
		}
		t, err := template.New("layout.html").Funcs(Funcs()).ParseFS(files, layout, name)
		if err != nil {
			return nil, fmt.Errorf("webui: %s: %w", name, err)
		}
		set[strings.TrimSuffix(path.Base(name), ".html")] = t
	}
	return set, nil
}

// Funcs are the template functions every page may use. "t" is a
// placeholder here, bound to the request's language with Funcs on a clone.
func Funcs() template.FuncMap {
	return template.FuncMap{
		"t":     func(key string) string { return key },
		"min":   func(a, b int) int { return min(a, b) },
		"field": Field,
		"split": strings.Fields,
		// kopecksToRoubles shows a kopeck amount as whole roubles with
		// thousands separated by a thin space, as Russian documents do.
		"kopecksToRoubles": func(k string) string {
			n := "0"
			if len(k) > 2 {
				n = k[:len(k)-2]
			}
			var b strings.Builder
			for i, r := range n {
				if i > 0 && (len(n)-i)%3 == 0 {
					b.WriteRune('\u202f')
				}
				b.WriteRune(r)
			}
			return b.String()
		},
	}
}

// Form is a page with a form whose fields carry their own messages.
type Form interface {
	FieldError(name string) string
	IsNew() bool
}

// FieldView is one form field for the "field" and "area" templates.
type FieldView struct {
	Name, Label, Value, Error string
	New                       bool
}

// Field prepares a form field: its value as text (zero numbers and dates
// as empty, so the form shows blanks, not zeros) and its message.
func Field(f Form, name, label string, value any) FieldView {
	text := fmt.Sprint(value)
	switch v := value.(type) {
	case int:
		if v == 0 {
			text = ""
		}
	case int64:
		if v == 0 {
			text = ""
		}
	case interface{ IsZero() bool }:
		if v.IsZero() {
			text = ""
		}
	}
	return FieldView{Name: name, Label: label, Value: text, Error: f.FieldError(name), New: f.IsNew()}
}
