/// A minimal protobuf wire-format decoder for checking encoder output.
///
/// Holds nothing; `fields(of:)` splits one message body into its fields in
/// wire order. Supports wire types 0 (varint), 1 (fixed64), 2 (length-
/// delimited) and 5 (fixed32); anything else is a `DecodeError`.
enum ProtobufDecoder {
    struct DecodeError: Error, CustomStringConvertible {
        let description: String
    }

    /// One field as found on the wire: `varint` for wire types 0/1/5,
    /// `bytes` for wire type 2 (exactly one of them is non-nil).
    struct Field {
        let number: Int
        let wireType: Int
        let varint: UInt64?
        let bytes: ArraySlice<UInt8>?
    }

    static func fields(of message: ArraySlice<UInt8>) throws -> [Field] {
        var i = message.startIndex
        var result: [Field] = []
        while i < message.endIndex {
            let tag = try varint(message, &i)
            let number = Int(tag >> 3), type = Int(tag & 7)
            guard number > 0 else { throw DecodeError(description: "field number 0") }
            switch type {
            case 0:
                result.append(Field(number: number, wireType: 0, varint: try varint(message, &i), bytes: nil))
            case 1, 5:
                let size = type == 1 ? 8 : 4
                guard message.endIndex - i >= size else { throw DecodeError(description: "truncated fixed") }
                var v: UInt64 = 0
                for k in 0 ..< size { v |= UInt64(message[i + k]) << (8 * k) }
                i += size
                result.append(Field(number: number, wireType: type, varint: v, bytes: nil))
            case 2:
                let length = Int(try varint(message, &i))
                guard message.endIndex - i >= length else { throw DecodeError(description: "truncated bytes") }
                result.append(Field(number: number, wireType: 2, varint: nil, bytes: message[i ..< i + length]))
                i += length
            default:
                throw DecodeError(description: "unsupported wire type \(type)")
            }
        }
        return result
    }

    static func fields(of message: [UInt8]) throws -> [Field] {
        try fields(of: message[...])
    }

    /// Decodes a packed run of varints.
    static func packed(_ bytes: ArraySlice<UInt8>) throws -> [UInt64] {
        var i = bytes.startIndex
        var result: [UInt64] = []
        while i < bytes.endIndex { result.append(try varint(bytes, &i)) }
        return result
    }

    static func varint(_ bytes: ArraySlice<UInt8>, _ i: inout Int) throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard i < bytes.endIndex, shift < 64 else { throw DecodeError(description: "bad varint") }
            let b = bytes[i]
            i += 1
            value |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return value }
            shift += 7
        }
    }
}

extension ProtobufDecoder.Field {
    /// The values of a repeated varint field, whether packed or not.
    func repeatedVarints() throws -> [UInt64] {
        if let bytes { return try ProtobufDecoder.packed(bytes) }
        return [varint!]
    }
}
