#if FUZZING
#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer's per-input callback. Build and run with `scripts/fuzz [SECONDS]`.
@_cdecl("LLVMFuzzerTestOneInput")
public func ingestdFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    FuzzTarget.run(UnsafeBufferPointer(start: data, count: size))
    return 0
}

/// SwiftPM links every executable with `--defsym main=<module>_main` (so tests can link
/// executables), which takes `main` away from libFuzzer's runtime. So the target keeps an
/// `@main` of its own and hands the command line to libFuzzer's driver (`LLVMFuzzerRunDriver`,
/// the documented entry for fuzzers with their own main), looked up by name to call it with
/// the C calling convention.
@main
struct IngestdFuzzMain {
    typealias Callback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    typealias Driver = @convention(c) (UnsafeMutablePointer<CInt>,
                                       UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                                       Callback) -> CInt

    static func main() {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0) /* RTLD_DEFAULT */, "LLVMFuzzerRunDriver") else {
            fatalError("ingestd-fuzz: LLVMFuzzerRunDriver not found; build with -sanitize=fuzzer (scripts/fuzz)")
        }
        let driver = unsafeBitCast(symbol, to: Driver.self)
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(driver(&argc, &argv, ingestdFuzzTestOneInput))
    }
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
