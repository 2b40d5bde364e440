/// Field numbers of google/pprof `proto/profile.proto` used by this encoder.
///
/// Holds constants only; each nested enum mirrors one message. Values must
/// match the upstream schema exactly (they are the wire format).
enum ProfileProto {
    enum Profile {
        static let sampleType = 1, sample = 2, mapping = 3, location = 4, function = 5
        static let stringTable = 6, dropFrames = 7, keepFrames = 8, timeNanos = 9
        static let durationNanos = 10, periodType = 11, period = 12, comment = 13
        static let defaultSampleType = 14
    }
    enum ValueType {
        static let type = 1, unit = 2
    }
    enum Sample {
        static let locationID = 1, value = 2, label = 3
    }
    enum Label {
        static let key = 1, str = 2, num = 3, numUnit = 4
    }
    enum Mapping {
        static let id = 1, memoryStart = 2, memoryLimit = 3, fileOffset = 4, filename = 5
        static let buildID = 6, hasFunctions = 7, hasFilenames = 8, hasLineNumbers = 9
        static let hasInlineFrames = 10
    }
    enum Location {
        static let id = 1, mappingID = 2, address = 3, line = 4, isFolded = 5
    }
    enum Line {
        static let functionID = 1, line = 2
    }
    enum Function {
        static let id = 1, name = 2, systemName = 3, filename = 4, startLine = 5
    }
}
