// Package social is the mobile photo-sharing app and Deep Thoughts on
// tablemap. (Package documentation with the table design: see below, being
// written.)
package social
