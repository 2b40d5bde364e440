#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory. Nothing is copied: reads go straight to the page cache.
///
/// Invariant: `bytes` points at `size` readable bytes for the life of the object (a zero-length file maps
/// nothing and `bytes` points at a static empty buffer). Reading past `size` is the caller's bug, so every
/// accessor here bounds-checks.
public final class MappedFile: @unchecked Sendable {
    public let path: String
    public let size: Int
    public let bytes: UnsafeRawPointer
    /// The open descriptor (kept for libelf, which reads headers through it).
    public let descriptor: Int32
    private let mapped: Bool

    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            throw CoreviewError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        var st = stat()
        if fstat(fd, &st) != 0 {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw CoreviewError.cannotOpen(path: path, reason: reason)
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw CoreviewError.cannotOpen(path: path, reason: "it is a directory")
        }
        let size = Int(st.st_size)
        self.size = size
        self.descriptor = fd
        if size == 0 {
            self.bytes = UnsafeRawPointer(MappedFile.empty)
            self.mapped = false
            return
        }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw CoreviewError.cannotOpen(path: path, reason: "mmap failed: \(reason)")
        }
        self.bytes = UnsafeRawPointer(p)
        self.mapped = true
    }

    deinit {
        if mapped { munmap(UnsafeMutableRawPointer(mutating: bytes), size) }
        close(descriptor)
    }

    nonisolated(unsafe) private static let empty = UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8)

    /// A pointer to `count` bytes at `offset`, or nil if the range is not wholly inside the file.
    @inlinable
    public func pointer(at offset: Int, count: Int) -> UnsafeRawPointer? {
        guard offset >= 0, count >= 0, offset <= size, count <= size - offset else { return nil }
        return bytes + offset
    }

    /// A little-endian integer at `offset`, or nil past the end of the file.
    @inlinable
    public func load<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T? {
        guard let p = pointer(at: offset, count: MemoryLayout<T>.size) else { return nil }
        return T(littleEndian: p.loadUnaligned(as: T.self))
    }

    /// The bytes of a NUL-terminated string starting at `offset`, at most `limit` bytes long.
    public func cString(at offset: Int, limit: Int = 4096) -> String? {
        guard offset >= 0, offset < size else { return nil }
        let end = min(size, offset + limit)
        var i = offset
        while i < end, bytes.load(fromByteOffset: i, as: UInt8.self) != 0 { i += 1 }
        let buffer = UnsafeRawBufferPointer(start: bytes + offset, count: i - offset)
        return String(decoding: buffer, as: UTF8.self)
    }
}
