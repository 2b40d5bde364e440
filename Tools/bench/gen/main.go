// benchgen builds a big heap shaped like a real program's (maps, trees, linked lists, slices of
// pointers, strings, objects shared between owners, goroutines holding data), then parks so that a
// core can be taken. Its size is set by flags; Tools/bench/run drives it.
package main

import (
	"flag"
	"fmt"
	"math/rand"
	"os"
	"runtime"
	"strconv"
	"time"
)

// Block is the type the benchmark asks `retainers` about.
type Block struct {
	ID   int64
	Next *Block
	Peer *Block
	Data [24]byte
}

type Node struct {
	Left, Right *Node
	Shared      *Block
	Key         string
	Value       int64
}

type Session struct {
	ID     int64
	Blocks []*Block
	Buf    []byte
	Attrs  map[string]string
}

var (
	cache    map[int64]*Block
	trees    []*Node
	lists    []*Block
	sessions []*Session
	blobs    [][]byte
)

func main() {
	objects := flag.Int("objects", 20_000_000, "approximate number of heap objects")
	heapBytes := flag.Int64("heap", 2<<30, "approximate heap size in bytes")
	goroutines := flag.Int("goroutines", 64, "goroutines holding sessions on their stacks")
	ready := flag.String("ready", "ready", "file written once the heap is built")
	flag.Parse()
	rng := rand.New(rand.NewSource(1))

	// Budget: about 40% of objects in the map, 30% in trees, 20% in lists, 10% in sessions; the
	// rest of the bytes in large pointer-free blobs.
	perMap := *objects * 2 / 10 // Blocks in the map (each with a key)
	perTree := *objects * 3 / 10
	perList := *objects * 2 / 10
	perSession := *objects / 10

	cache = make(map[int64]*Block, perMap)
	all := make([]*Block, 0, perMap)
	for i := 0; i < perMap; i++ {
		b := &Block{ID: int64(i)}
		if i > 0 && rng.Intn(4) == 0 {
			b.Peer = all[rng.Intn(len(all))] // shared between owners
		}
		cache[int64(i)] = b
		all = append(all, b)
	}
	for made := 0; made < perTree; {
		n := 1000 + rng.Intn(50000)
		trees = append(trees, buildTree(rng, n, all))
		made += n * 2
	}
	for made := 0; made < perList; {
		n := 10000 + rng.Intn(1_000_000)
		var head *Block
		for i := 0; i < n; i++ {
			head = &Block{ID: int64(i), Next: head}
		}
		lists = append(lists, head)
		made += n
	}
	for made := 0; made < perSession; {
		s := &Session{ID: int64(made), Buf: make([]byte, 256+rng.Intn(4096)), Attrs: map[string]string{}}
		for i := 0; i < 16; i++ {
			s.Blocks = append(s.Blocks, all[rng.Intn(len(all))])
		}
		for i := 0; i < 4; i++ {
			s.Attrs["k"+strconv.Itoa(i)] = "v" + strconv.Itoa(made+i)
		}
		sessions = append(sessions, s)
		made += 26
	}
	// Fill the rest of the heap with pointer-free blobs.
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	for int64(ms.HeapAlloc) < *heapBytes {
		for i := 0; i < 64; i++ {
			blobs = append(blobs, make([]byte, 1<<20))
		}
		runtime.ReadMemStats(&ms)
	}
	// Goroutines parked with sessions in a local.
	stop := make(chan struct{})
	for g := 0; g < *goroutines; g++ {
		local := make([]*Session, 0, 1000)
		for i := 0; i < 1000; i++ {
			local = append(local, &Session{ID: int64(i), Blocks: []*Block{all[rng.Intn(len(all))]}})
		}
		go hold(local, stop)
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(os.Stderr, "benchgen: %d objects, %d bytes in use (HeapAlloc), %d in-use span bytes\n",
		ms.HeapObjects, ms.HeapAlloc, ms.HeapInuse)
	os.WriteFile(*ready, []byte(fmt.Sprintf("{\"HeapAlloc\": %d, \"HeapObjects\": %d}\n", ms.HeapAlloc, ms.HeapObjects)), 0o644)
	for {
		time.Sleep(time.Hour)
	}
}

func buildTree(rng *rand.Rand, n int, shared []*Block) *Node {
	nodes := make([]*Node, n)
	for i := range nodes {
		nodes[i] = &Node{Key: "node-" + strconv.Itoa(i), Value: int64(i)}
		if rng.Intn(8) == 0 {
			nodes[i].Shared = shared[rng.Intn(len(shared))]
		}
	}
	for i := 1; i < n; i++ {
		p := nodes[(i-1)/2]
		if i%2 == 1 {
			p.Left = nodes[i]
		} else {
			p.Right = nodes[i]
		}
	}
	return nodes[0]
}

//go:noinline
func hold(local []*Session, stop chan struct{}) {
	<-stop
	runtime.KeepAlive(local)
}
