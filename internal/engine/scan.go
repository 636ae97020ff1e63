package engine

// NewScan returns the scan of s's items in the table or the index o names,
// in o.Segments parallel segments (see Scan in the root package).
func NewScan(s *Schema, o ReadOptions) (*Read, error) {
	r, err := newRead("Scan", s.Name, s, nil, o)
	if err != nil {
		return nil, err
	}
	return r, r.finish()
}
