package kyb_test

import (
	"bytes"
	"testing"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// magicOf is, for each accepted content type, the bytes every such
// document starts with, written out again here rather than taken from the
// code under test.
var magicOf = map[string][]byte{
	"application/pdf": []byte("%PDF-"),
	"image/jpeg":      {0xff, 0xd8, 0xff},
	"image/png":       {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'},
}

// FuzzSniff checks that sniffing and upload validation never panic and
// never accept content that does not start with the magic bytes of the
// type they name. Its seeds are in testdata/fuzz/FuzzSniff.
func FuzzSniff(f *testing.F) {
	f.Add("Main page", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
	f.Fuzz(func(t *testing.T, fileType string, content []byte) {
		sniffed := kyb.SniffContentType(content)
		if magic, ok := magicOf[sniffed]; sniffed != "" && (!ok || !bytes.HasPrefix(content, magic)) {
			t.Fatalf("SniffContentType(%q) = %q, but the content lacks its magic bytes", head(content), sniffed)
		}
		err := kyb.ValidateUpload(kyb.FileType(fileType), content)
		if err != nil {
			if k := kyb.ErrorKind(err); k != kyb.KindInvalid && k != kyb.KindTooLarge && k != kyb.KindUnsupported {
				t.Fatalf("ValidateUpload(%q, %q) = %v, of kind %s; want invalid, too large or unsupported", fileType, head(content), err, k)
			}
			return
		}
		if sniffed == "" || !kyb.IsFileType(kyb.FileType(fileType)) || len(content) > kyb.MaxFileSize {
			t.Fatalf("ValidateUpload(%q, %q) accepted content sniffed as %q", fileType, head(content), sniffed)
		}
	})
}

// head is the start of content, enough to show in a failure.
func head(content []byte) []byte { return content[:min(len(content), 32)] }
