package main

import (
	"strings"
	"testing"
)

// TestGeneratePassword checks length, alphabet, distinct results, and that
// every character comes up about equally often.
func TestGeneratePassword(t *testing.T) {
	seen := map[string]bool{}
	for _, n := range []int{0, 1, 20, 64} {
		p, err := GeneratePassword(n, Printable)
		if err != nil {
			t.Fatal(err)
		}
		if len(p) != n {
			t.Errorf("GeneratePassword(%d) has %d characters", n, len(p))
		}
		for _, c := range p {
			if !strings.ContainsRune(Printable, c) {
				t.Errorf("GeneratePassword(%d) = %q: %q is not in the alphabet", n, p, c)
			}
		}
		if n >= 20 && seen[p] {
			t.Errorf("GeneratePassword(%d) repeated %q", n, p)
		}
		seen[p] = true
	}

	// 76 characters do not divide 256: without rejection sampling the first
	// 256 % 76 = 28 come up 4/3 as often as the others. With 380,000 draws
	// each character is expected 5,000 times (standard deviation about 70).
	const draws = 380_000
	p, err := GeneratePassword(draws, Printable)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[rune]int{}
	for _, c := range p {
		counts[c]++
	}
	want := draws / len(Printable)
	for _, c := range Printable {
		if got := counts[c]; got < want*9/10 || got > want*11/10 {
			t.Errorf("%q drawn %d times, want about %d", c, got, want)
		}
	}
}

func TestGeneratePasswordAlphabet(t *testing.T) {
	if _, err := GeneratePassword(8, ""); err == nil {
		t.Error("empty alphabet: no error")
	}
	if _, err := GeneratePassword(-1, Printable); err == nil {
		t.Error("negative length: no error")
	}
	p, err := GeneratePassword(50, "x")
	if err != nil || p != strings.Repeat("x", 50) {
		t.Errorf("one-character alphabet: %q, %v", p, err)
	}
}
