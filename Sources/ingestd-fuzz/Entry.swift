#if FUZZING

/// libFuzzer's entry point; libFuzzer supplies `main`. Build and run with `scripts/fuzz [SECONDS]`.
@_cdecl("LLVMFuzzerTestOneInput")
public func ingestdFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    FuzzTarget.run(UnsafeBufferPointer(start: data, count: size))
    return 0
}

#else

#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Without `-DFUZZING` (the normal build) this is a replay tool: it runs each file given on the
/// command line through the same code the fuzzer exercises (first byte selects the mode; see
/// FuzzTarget.swift), e.g. to re-check a crash file from `.build-fuzz/crashes` in a plain build.
@main
struct IngestdFuzzMain {
    static func main() {
        let args = Array(CommandLine.arguments.dropFirst())
        if args.isEmpty || args.contains("-h") || args.contains("--help") {
            print("""
            ingestd-fuzz: fuzz target for the normalize stage (bytes → text → article).

            This binary was built without fuzzing. To fuzz (libFuzzer + AddressSanitizer):
                scripts/fuzz [SECONDS]        # default 600; builds into .build-fuzz
            To replay inputs (e.g. crash files) without the fuzzer:
                ingestd-fuzz FILE...
            """)
            return
        }
        for path in args {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("ingestd-fuzz: cannot read \(path)\n".utf8))
                exit(1)
            }
            let bytes = [UInt8](data)
            let start = Date()
            bytes.withUnsafeBufferPointer { FuzzTarget.run($0) }
            print("\(path): \(bytes.count) bytes, mode \(bytes.first.map { Int($0) % FuzzTarget.modes } ?? -1), \(String(format: "%.3f", Date().timeIntervalSince(start))) s, ok")
        }
    }
}

#endif
