// Package hclcheck holds only a test: it parses the Terraform that package
// design writes with HashiCorp's HCL parser and checks that hclwrite
// formats it unchanged, as terraform fmt would. It is a module of its own
// so that tablemap itself does not depend on the HCL packages; run it with
// `cd design/hclcheck && go test ./...` (scripts/test does).
package hclcheck
