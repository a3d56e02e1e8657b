// Package rxdoc makes the documents a prescription produces on paper: the
// prescription a farm keeps, with the labeling 21 CFR 530.12 requires for
// an extra-label use, and the treatment records of 21 CFR 530.5 an
// inspector asks for.
//
// The PDFs are made with github.com/go-pdf/fpdf, the maintained fork of
// jung-kurt/gofpdf: pure Go (no cgo, nothing to install on a server), and
// its core fonts (Helvetica) need no font files. Core fonts are
// Windows-1252: text outside it (rare in names and drug names) is written
// as "?". rxdoc imports rx and protocol only; the caller gathers the
// parties, findings and animals from its store.
package rxdoc
