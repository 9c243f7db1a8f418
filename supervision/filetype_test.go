package supervision_test

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"github.com/supervisionfile/supfile/supervision"
)

func zipOf(t *testing.T, files ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := 0; i < len(files); i += 2 {
		w, err := zw.Create(files[i])
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(files[i+1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const docxTypes = `<?xml version="1.0"?><Types><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`

// TestDetectFileType: the type comes from the content, never the name, and
// anything not on the list is refused with a message saying why.
func TestDetectFileType(t *testing.T) {
	for name, tc := range map[string]struct {
		data    []byte
		want    supervision.FileType
		refusal string // part of the message when refused
	}{
		"PDF":         {data: []byte("%PDF-1.7\n1 0 obj"), want: supervision.TypePDF},
		"PNG":         {data: []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), want: supervision.TypePNG},
		"JPEG":        {data: []byte("\xff\xd8\xff\xe0\x00\x10JFIF"), want: supervision.TypeJPEG},
		"DOCX":        {data: zipOf(t, "[Content_Types].xml", docxTypes, "word/document.xml", "<w:document/>"), want: supervision.TypeDOCX},
		"ODT":         {data: zipOf(t, "mimetype", "application/vnd.oasis.opendocument.text", "content.xml", "<office:document-content/>"), want: supervision.TypeODT},
		"empty":       {data: nil, refusal: "empty"},
		"exe":         {data: append([]byte("MZ\x90\x00"), make([]byte, 100)...), refusal: "is a program"},
		"ELF":         {data: []byte("\x7fELF\x02\x01\x01"), refusal: "is a program"},
		"script":      {data: []byte("#!/bin/sh\nrm -rf /\n"), refusal: "is a program"},
		"zip":         {data: zipOf(t, "a.txt", "hello"), refusal: "compressed archive"},
		"gzip":        {data: []byte("\x1f\x8b\x08\x00"), refusal: "compressed archive"},
		"ODS":         {data: zipOf(t, "mimetype", "application/vnd.oasis.opendocument.spreadsheet"), refusal: "compressed archive"},
		"DOCM":        {data: zipOf(t, "[Content_Types].xml", strings.Replace(docxTypes, "document.main+xml", "document.macroEnabled.main+xml", 1), "word/document.xml", "x"), refusal: "macros"},
		"DOCX macros": {data: zipOf(t, "[Content_Types].xml", docxTypes, "word/document.xml", "x", "word/vbaProject.bin", "x"), refusal: "macros"},
		"DOCX exe":    {data: zipOf(t, "[Content_Types].xml", docxTypes, "word/document.xml", "x", "word/embeddings/setup.exe", "MZ"), refusal: "program"},
		"broken zip":  {data: []byte("PK\x03\x04 not really"), refusal: "damaged"},
		"text":        {data: []byte("just some words"), refusal: "must be a PDF"},
		"HTML":        {data: []byte("<html><script>alert(1)</script>"), refusal: "must be a PDF"},
	} {
		got, msg := supervision.DetectFileType(tc.data)
		switch {
		case tc.refusal == "" && (msg != "" || got != tc.want):
			t.Errorf("%s: got %v, %q; want %v", name, got, msg, tc.want)
		case tc.refusal != "" && !strings.Contains(msg, tc.refusal):
			t.Errorf("%s: got %v, %q; want a refusal saying %q", name, got, msg, tc.refusal)
		}
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0 bytes", 999: "999 bytes", 1500: "1 KB", 20 << 20: "20 MB", 4_404_019: "4.2 MB"} {
		if got := supervision.FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}
