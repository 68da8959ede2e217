package consent

import (
	"crypto/sha256"
	"encoding/hex"
)

// Text is the consent wording of the signature sheet form, verbatim
// (Ipatovo decision No. 26, Приложение 1, line 861) — including the
// source's «в соответствии требованиями» without «с»: the form must be
// reproduced as adopted, and a corrected text would be a new version.
const Text = "Даю согласие на обработку моих персональных данных, указанных в настоящем подписном листе, " +
	"в целях рассмотрения инициативного проекта, в соответствии требованиями статьи 9 Федерального " +
	"закона от 27 июля 2006 г. № 152-ФЗ «О персональных данных»"

// Version names Text in stored records: a label plus the first bytes of its
// SHA-256, so an edited wording can never pass for the old one.
var Version = version("sheet-152fz-v1", Text)

func version(label, text string) string {
	sum := sha256.Sum256([]byte(text))
	return label + ":" + hex.EncodeToString(sum[:8])
}
