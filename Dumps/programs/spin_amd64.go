//go:build amd64

package main

// spinForever increments *p forever (spin_amd64.s).
func spinForever(p *uint64)
