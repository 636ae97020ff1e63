package engine

// NewScan returns the scan with options o of s's items in the table or the
// index o names, in o.Segments parallel segments (see Scan in the root
// package).
func NewScan(s *Schema, o ReadOptions) (*Read, error) {
	return NewScanIn(&Read{ReadOptions: o}, s)
}

// NewScanIn is NewScan in dst, with dst's options (see NewQueryIn).
func NewScanIn(dst *Read, s *Schema) (*Read, error) {
	r, err := newReadIn(dst, KindScan, s, nil)
	if err != nil {
		return nil, err
	}
	return r, r.finish()
}
