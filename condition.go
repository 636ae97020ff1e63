package tablemap
