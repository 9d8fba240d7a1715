package kyb_test

import (
	"errors"
	"testing"

	"github.com/onboardkyb/onboard/internal/kyb"
)

func TestSniffContentType(t *testing.T) {
	tests := []struct {
		content string
		want    string
	}{
		{"%PDF-1.7\n...", "application/pdf"},
		{"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"},
		{"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"},
		{"MZ\x90\x00", ""},      // a Windows executable
		{"\x7fELF\x02\x01", ""}, // a Linux one
		{"PK\x03\x04", ""},      // a zip, or an Office document
		{"<html><body>", ""},    // no sniffing of anything else
		{"%PDF", ""},            // too short to be sure
		{"\x89PNG\r\n\x1a", ""}, // a PNG signature cut short
		{" %PDF-1.7", ""},       // the signature must come first
		{"GIF89a", ""},          // an image of another format
		{"", ""},
	}
	for _, tt := range tests {
		if got := kyb.SniffContentType([]byte(tt.content)); got != tt.want {
			t.Errorf("SniffContentType(%q) = %q, want %q", tt.content, got, tt.want)
		}
	}
}

func TestValidateUpload(t *testing.T) {
	pdf := []byte("%PDF-1.4")
	tests := []struct {
		name     string
		fileType kyb.FileType
		content  []byte
		want     error
		fields   int
	}{
		{"valid", kyb.FileContract, pdf, nil, 0},
		{"exactly the largest size", kyb.FileInvoice, append(pdf, make([]byte, kyb.MaxFileSize-len(pdf))...), nil, 0},
		{"one byte over", kyb.FileInvoice, append(pdf, make([]byte, kyb.MaxFileSize+1-len(pdf))...), kyb.ErrFileTooLarge, 0},
		{"not a document", kyb.FileInvoice, []byte("MZ"), kyb.ErrUnsupportedFileType, 0},
		{"empty", kyb.FileInvoice, nil, kyb.ErrInvalid, 1},
		{"unknown type", "Passport", pdf, kyb.ErrInvalid, 1},
		{"no type and no content", "", nil, kyb.ErrInvalid, 2},
		// Field problems come first, so that all of them are reported.
		{"unknown type and not a document", "Passport", []byte("MZ"), kyb.ErrInvalid, 1},
	}
	for _, tt := range tests {
		err := kyb.ValidateUpload(tt.fileType, tt.content)
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("%s: error = %v, want %v", tt.name, err, tt.want)
			continue
		}
		var e *kyb.Error
		if errors.As(err, &e) && len(e.Fields) != tt.fields {
			t.Errorf("%s: %d field errors (%v), want %d", tt.name, len(e.Fields), e.Fields, tt.fields)
		}
	}
}

func TestFileName(t *testing.T) {
	for contentType, want := range map[string]string{
		"application/pdf": "file_1.pdf",
		"image/jpeg":      "file_1.jpg",
		"image/png":       "file_1.png",
	} {
		if got := (kyb.File{ID: "file_1", ContentType: contentType}).Name(); got != want {
			t.Errorf("Name of a %s = %q, want %q", contentType, got, want)
		}
	}
}
