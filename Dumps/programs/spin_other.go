//go:build !amd64

package main

// spinForever increments *p forever. Portable fallback: unlike the amd64
// assembly version it is preemptible.
//
//go:noinline
func spinForever(p *uint64) {
	for {
		*p++
	}
}
