package main

import (
	"runtime"
	"sync/atomic"
	"unsafe"
)

// Work is used by a goroutine that is running (not parked) at crash time.
type Work struct {
	ID    int64
	Iter  uint64
	Data  []byte   // 64 KiB
	Table []uint64 // 512 KiB
}

const (
	numSpinners = 4
	workData    = 64 << 10
	workTable   = 64 << 10 // entries
)

// spinGo releases the spinners. They are already running (spinning on it)
// before the measurement starts, so the threads (Ms) they need are created
// before, not during, the measurement.
var (
	spinGo      atomic.Bool
	spinStarted atomic.Int32
	spinFreeze  atomic.Bool  // set once truth.json is written
	spinFrozen  atomic.Int32 // spinners that entered spinForever
	workAddr    [numSpinners]uintptr
)

//go:noinline
func newWork(id int) *Work {
	w := &Work{ID: int64(id), Data: make([]byte, workData), Table: make([]uint64, workTable)}
	for i := range w.Table {
		w.Table[i] = uint64(i * id)
	}
	return w
}

// spin never parks: it keeps touching its Work in a CPU-bound loop.
//
//go:noinline
func spin(id int) {
	spinStarted.Add(1)
	for !spinGo.Load() {
	}
	work := newWork(id)
	workAddr[id] = uintptr(unsafe.Pointer(work))
	plantedWG.Done()
	// Sweep over the buffers, incrementing counters (keeps the core
	// compressible, unlike random data).
	for i := 0; ; i++ {
		j := i & (workData - 1)
		work.Data[j]++
		work.Table[j] += uint64(id)
		work.Iter++
		if id >= numSpinners/2 && spinFreeze.Load() {
			// Upper half: continue in an assembly loop, which the runtime
			// cannot preempt (no async safe points in assembly), so
			// these goroutines are still running on their threads when
			// the core is written.
			spinFrozen.Add(1)
			spinForever(&work.Iter)
			break
		}
	}
	runtime.KeepAlive(work)
}

func scenBusy() {
	runtime.GOMAXPROCS(8)
	beforeReady = func() {
		spinFreeze.Store(true)
		for spinFrozen.Load() < numSpinners-numSpinners/2 {
			runtime.Gosched()
		}
	}
	for i := 0; i < numSpinners; i++ {
		go spin(i)
	}
	for spinStarted.Load() < numSpinners {
		runtime.Gosched()
	}
	// Let a few GC cycles run with all Ps busy so the threads (Ms, heap
	// allocated) that GC workers need exist before the measurement.
	for i := 0; i < 4; i++ {
		heapNow()
	}
	plantedWG.Add(numSpinners)
	r := measure(func() {
		spinGo.Store(true)
		plantedWG.Wait()
	})
	samples[0], samples[1], nsamples = workAddr[0], workAddr[numSpinners-1], 2
	plant("main.Work", numSpinners, unsafe.Sizeof(Work{}), stack("main.spin", "work", numSpinners), r,
		"CPU-bound goroutines, never parked. spin(0), spin(1) loop in Go: the crash handler's freezetheworld async-preempts them (traceback shows runtime.asyncPreempt above main.spin, registers saved in the asyncPreempt frame). spin(2), spin(3) loop in assembly (main.spinForever(&work.Iter), called from main.spin): they are still running on their threads when the core is written (state running, main.spin frame and the thread registers at the signal are the only context). retainedBytes includes the 64 KiB Data and 512 KiB Table of all 4; samples: Work of spin(0) and spin(3)")
}
