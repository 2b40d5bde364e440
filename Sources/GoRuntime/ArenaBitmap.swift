import CoreFile

/// The per-arena heap bitmaps of Go 1.19-1.21 (`heapArena.bitmap`), located through
/// `mheap_.arenas[0][arenaIndex]`.
///
/// Go 1.19 (mbitmap.go): one byte per 4 words; bits 0-3 pointer bits, bits 4-7 scan ("more pointers")
/// bits. Go 1.20/1.21: one bit per word in uint64 words. Invariant: `bitmap(forArena:)` returns a
/// pointer into the core for the arena's whole bitmap, or nil if it is not in the core.
final class ArenaBitmap: @unchecked Sendable {
    let memory: AddressSpace
    let l2: UInt64
    let bitmapOffset: UInt64
    let bitmapBytes: Int
    let twoBit: Bool
    private var cache: [UInt64: UnsafeRawPointer?] = [:]

    static let arenaBaseOffset: UInt64 = 0xffff_8000_0000_0000
    static let heapArenaBytes: UInt64 = 1 << 26

    init(process: GoProcess, twoBit: Bool) throws {
        memory = process.memory
        let mheap = try process.requireAddress(of: "runtime.mheap_")
        let heapLayout = try process.layout("runtime.mheap")
        l2 = try process.word(mheap + (try heapLayout.require("arenas")), "runtime.mheap_.arenas[0]")
        let arena = try process.layout("runtime.heapArena")
        bitmapOffset = try arena.offset(of: "bitmap") ?? arena.require("heapArenaPtrScalar.bitmap")
        self.twoBit = twoBit
        // 1.19: 64 MiB / 32 bytes per bitmap byte; 1.20+: 64 MiB / 64 bytes per bitmap byte.
        bitmapBytes = Int(ArenaBitmap.heapArenaBytes / (twoBit ? 32 : 64))
    }

    func bitmap(forArena index: UInt64) -> UnsafeRawPointer? {
        if let c = cache[index] { return c }
        var result: UnsafeRawPointer?
        if let arena = memory.u64(l2 + index * 8), arena != 0 {
            result = memory.pointer(at: arena + bitmapOffset, count: bitmapBytes)
        }
        cache[index] = result
        return result
    }

    @inline(__always)
    static func arenaIndex(_ address: UInt64) -> UInt64 {
        (address &- arenaBaseOffset) / heapArenaBytes
    }

    /// Calls `body(wordIndex)` for each pointer word of the object [base, base + size).
    func forEachPointerWord(base: UInt64, size: UInt64, _ body: (Int) -> Void) -> Bool {
        let words = Int(size / 8)
        var i = 0
        var currentArena = UInt64.max
        var bitmap: UnsafeRawPointer?
        while i < words {
            let w = base + UInt64(i) * 8
            let ai = ArenaBitmap.arenaIndex(w)
            if ai != currentArena {
                currentArena = ai
                bitmap = self.bitmap(forArena: ai)
                if bitmap == nil { return false }
            }
            let wordInArena = Int((w / 8) % (ArenaBitmap.heapArenaBytes / 8))
            if twoBit {
                let b = bitmap!.load(fromByteOffset: wordInArena / 4, as: UInt8.self)
                let shift = UInt8(wordInArena & 3)
                if (b >> (shift + 4)) & 1 == 0 { break }  // no more pointers in this object
                if (b >> shift) & 1 != 0 { body(i) }
                i += 1
            } else {
                let word = bitmap!.loadUnaligned(fromByteOffset: (wordInArena / 64) * 8, as: UInt64.self)
                let bit = wordInArena % 64
                var bits = word >> UInt64(bit)
                let n = min(64 - bit, words - i)
                if n < 64 { bits &= (1 << UInt64(n)) - 1 }
                while bits != 0 {
                    body(i + bits.trailingZeroBitCount)
                    bits &= bits - 1
                }
                i += n
            }
        }
        return true
    }
}
