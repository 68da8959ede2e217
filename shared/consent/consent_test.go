package consent

import (
	"strings"
	"testing"
)

func TestVersionPinsText(t *testing.T) {
	if !strings.HasPrefix(Version, "sheet-152fz-v1:") || len(Version) != len("sheet-152fz-v1:")+16 {
		t.Fatalf("Version = %q", Version)
	}
	if version("sheet-152fz-v1", Text+" ") == Version {
		t.Fatal("a changed text keeps the same version")
	}
	for _, must := range []string{"статьи 9", "№ 152-ФЗ", "«О персональных данных»", "в целях рассмотрения инициативного проекта"} {
		if !strings.Contains(Text, must) {
			t.Errorf("consent text lacks %q", must)
		}
	}
}
