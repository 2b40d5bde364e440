/// Where one piece of a variable lives at some PC.
public enum LocationPlace: Sendable, Hashable {
    /// In memory at CFA + offset (the frame's canonical frame address: the caller's SP on amd64).
    case frame(Int64)
    /// In a DWARF-numbered register.
    case register(UInt16)
    /// Optimized away here.
    case unavailable
    /// An expression coreview does not evaluate.
    case other
}

/// One piece of a variable's location: `size` bytes (0 means the whole variable) at `place`.
public struct LocationPiece: Sendable, Hashable {
    public var size: UInt32
    public var place: LocationPlace
}

/// A variable's location over the PC range [low, high).
public struct VariableLocation: Sendable {
    public var low: UInt64
    public var high: UInt64
    public var pieces: [LocationPiece]
}

/// A parameter or local variable of a function, as DWARF describes it.
///
/// Invariant: `locations` are the ranges where the variable is available; outside them it is not.
public struct FrameVariable: Sendable {
    public var name: String
    public var type: TypeID?
    public var isParameter: Bool
    /// For variables captured by a closure (Go 1.23+): the byte offset in the closure object.
    public var closureOffset: UInt64?
    public var locations: [VariableLocation]

    /// The pieces of the location at `pc`, if the variable is available there.
    public func pieces(at pc: UInt64) -> [LocationPiece]? {
        locations.first { $0.low <= pc && pc < $0.high }?.pieces
    }
}

/// A function with code (a DW_TAG_subprogram with a PC range) and its variables.
public struct FunctionDebugInfo: Sendable {
    public var name: String
    public var lowPC: UInt64
    public var highPC: UInt64
    public var variables: [FrameVariable]
}

/// A package-level variable with its link-time address.
public struct GlobalVariable: Sendable {
    public var name: String
    public var address: UInt64
    public var type: TypeID?
    public var size: UInt64
}
