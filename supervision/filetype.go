package supervision

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
)

// FileType is a type of file that may be attached.
type FileType struct {
	ContentType string
	Ext         string // without the dot
	Label       string // as people name it: "PDF", "Word document (DOCX)"
}

// The types that may be attached.
var (
	TypePDF  = FileType{"application/pdf", "pdf", "PDF"}
	TypeDOCX = FileType{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "Word document (DOCX)"}
	TypeODT  = FileType{"application/vnd.oasis.opendocument.text", "odt", "OpenDocument text (ODT)"}
	TypePNG  = FileType{"image/png", "png", "PNG image"}
	TypeJPEG = FileType{"image/jpeg", "jpg", "JPEG image"}
)

// AttachableTypes lists the types that may be attached.
var AttachableTypes = []FileType{TypePDF, TypeDOCX, TypeODT, TypePNG, TypeJPEG}

// FileTypeLabel names a content type as people know it.
func FileTypeLabel(contentType string) string {
	for _, t := range AttachableTypes {
		if t.ContentType == contentType {
			return t.Label
		}
	}
	return contentType
}

const wrongType = "The selected file must be a PDF, Word document (DOCX), OpenDocument text (ODT), PNG or JPEG"

// DetectFileType decides a file's type from its content, never from its
// name: the magic bytes, and for DOCX and ODT (both zip files) the zip's
// mimetype entry or [Content_Types].xml. It returns a message saying why a
// file cannot be attached, or "".
func DetectFileType(data []byte) (FileType, string) {
	switch {
	case len(data) == 0:
		return FileType{}, "The selected file is empty"
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return TypePDF, ""
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return TypePNG, ""
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		return TypeJPEG, ""
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return detectZip(data)
	case isExecutable(data):
		return FileType{}, "The selected file is a program, which cannot be attached. " + wrongType
	case isArchive(data):
		return FileType{}, "The selected file is a compressed archive, which cannot be attached. " + wrongType
	}
	return FileType{}, wrongType
}

func isExecutable(b []byte) bool {
	for _, magic := range []string{
		"MZ",               // Windows (PE, DOS)
		"\x7fELF",          // Linux
		"\xfe\xed\xfa\xce", // Mach-O
		"\xfe\xed\xfa\xcf",
		"\xce\xfa\xed\xfe",
		"\xcf\xfa\xed\xfe",
		"\xca\xfe\xba\xbe", // Mach-O universal, Java class
		"#!",               // scripts
		"\x00asm",          // WebAssembly
	} {
		if bytes.HasPrefix(b, []byte(magic)) {
			return true
		}
	}
	return false
}

func isArchive(b []byte) bool {
	for _, magic := range []string{
		"PK\x05\x06", "PK\x07\x08", // zip (empty, spanned)
		"\x1f\x8b",                         // gzip
		"BZh",                              // bzip2
		"\xfd7zXZ\x00",                     // xz
		"7z\xbc\xaf\x27\x1c",               // 7-Zip
		"Rar!\x1a\x07",                     // RAR
		"\x28\xb5\x2f\xfd",                 // zstd
		"MSCF",                             // cabinet
		"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", // OLE (old Word with macros, MSI)
	} {
		if bytes.HasPrefix(b, []byte(magic)) {
			return true
		}
	}
	return len(b) > 262 && string(b[257:262]) == "ustar" // tar
}

// detectZip tells a Word document or OpenDocument text from any other zip
// file, which is refused as an archive. Documents that carry macros or
// programs are refused too.
func detectZip(data []byte) (FileType, string) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return FileType{}, "The selected file is damaged: it looks like a Word or OpenDocument file but cannot be read. " + wrongType
	}
	var found FileType
	entries := map[string]*zip.File{}
	for _, f := range zr.File {
		entries[f.Name] = f
	}
	if f := entries["mimetype"]; f != nil {
		if b, ok := readSmall(f, 200); ok && strings.TrimSpace(string(b)) == TypeODT.ContentType {
			found = TypeODT
		}
	}
	if f := entries["[Content_Types].xml"]; f != nil && found == (FileType{}) {
		b, ok := readSmall(f, 1<<20)
		if ok && bytes.Contains(b, []byte("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")) &&
			entries["word/document.xml"] != nil {
			found = TypeDOCX
		}
		if ok && bytes.Contains(b, []byte("macroEnabled")) {
			return FileType{}, "The selected Word document contains macros, which cannot be attached. Save it as a Word document (DOCX) without macros"
		}
	}
	if found == (FileType{}) {
		return FileType{}, "The selected file is a compressed archive, which cannot be attached. " + wrongType
	}
	for name := range entries {
		lower := strings.ToLower(name)
		if strings.HasSuffix(lower, "vbaproject.bin") || found == TypeODT && (strings.HasPrefix(lower, "basic/") || strings.HasPrefix(lower, "scripts/")) {
			return FileType{}, "The selected document contains macros, which cannot be attached. Save it without macros"
		}
		for _, ext := range []string{".exe", ".dll", ".bat", ".cmd", ".com", ".scr", ".msi", ".jar", ".js", ".vbs", ".ps1", ".zip", ".7z", ".rar"} {
			if strings.HasSuffix(lower, ext) {
				return FileType{}, "The selected document contains a program or an archive, which cannot be attached"
			}
		}
	}
	return found, ""
}

func readSmall(f *zip.File, max int64) ([]byte, bool) {
	if f.UncompressedSize64 > uint64(max) {
		return nil, false
	}
	rc, err := f.Open()
	if err != nil {
		return nil, false
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, max+1))
	if err != nil || int64(len(b)) > max {
		return nil, false
	}
	return b, true
}
