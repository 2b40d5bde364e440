package main

import "unsafe"

// Big is shared by both Holders, so neither dominates it.
type Big struct {
	ID   int64
	Data []byte // 4 MiB
}

// Private is owned by exactly one Holder.
type Private struct {
	ID   int64
	Data []byte // 10 KiB
}

type Holder struct {
	Name    string
	Private *Private
	Shared  *Big
}

var (
	left, right *Holder
	pendingBig  *Big // temporary, nil once both holders exist
)

const (
	bigSize     = 4 << 20
	privateSize = 10 << 10
)

//go:noinline
func newBig() *Big {
	b := &Big{ID: 1, Data: make([]byte, bigSize)}
	for i := range b.Data {
		b.Data[i] = byte(i >> 4)
	}
	return b
}

//go:noinline
func newHolder(name string, id int, big *Big) *Holder {
	p := &Private{ID: int64(id), Data: make([]byte, privateSize)}
	for i := range p.Data {
		p.Data[i] = byte(id + i)
	}
	h := &Holder{Name: name, Private: p, Shared: big}
	sample(unsafe.Pointer(h))
	sample(unsafe.Pointer(p))
	return h
}

func scenShared() {
	bigR := measure(func() {
		pendingBig = newBig()
		sample(unsafe.Pointer(pendingBig))
	})
	bigSamples, bigN := samples, nsamples
	nsamples = 0

	var hs, ps [maxSamples]uintptr
	leftR := measure(func() { left = newHolder("left", 1, pendingBig) })
	hs[0], ps[0] = samples[0], samples[1]
	nsamples = 0
	rightR := measure(func() { right = newHolder("right", 2, pendingBig) })
	hs[1], ps[1] = samples[0], samples[1]
	nsamples = 0
	pendingBig = nil

	samples[0], nsamples = hs[0], 1
	plant("main.Holder", 1, unsafe.Sizeof(Holder{}), global("main.left"), leftR,
		"retainedBytes = left Holder + its Private (+10 KiB Data); excludes the shared Big")
	samples[0], nsamples = ps[0], 1
	plant("main.Private", 1, unsafe.Sizeof(Private{}), global("main.left"), -1, "")
	samples[0], nsamples = hs[1], 1
	plant("main.Holder", 1, unsafe.Sizeof(Holder{}), global("main.right"), rightR,
		"retainedBytes = right Holder + its Private (+10 KiB Data); excludes the shared Big")
	samples[0], nsamples = ps[1], 1
	plant("main.Private", 1, unsafe.Sizeof(Private{}), global("main.right"), -1, "")

	samples, nsamples = bigSamples, bigN
	plantShared("main.Big", 1, unsafe.Sizeof(Big{}), "main.left", "main.right", bigR,
		"reachable from both roots (via Holder.Shared); retainedBytes = Big + its 4 MiB Data")
}
