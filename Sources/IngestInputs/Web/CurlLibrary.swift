import CCurl

/// libcurl's process-wide set-up and what this build of it can do. `curl_global_init` must run
/// once before any thread uses libcurl; every user goes through `prepare()`.
public enum CurlLibrary {
    private static let once: Void = { _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public static func prepare() { _ = once }

    /// The libcurl version ("8.1.2") and the protocols and features this build has: `max_document_bytes`
    /// must also bound decompressed bodies, so which encodings (gzip, br) it can decode matters.
    public static var info: (version: String, protocols: [String], brotli: Bool, zlib: Bool) {
        prepare()
        guard let data = ingestd_curl_version_info() else { return ("?", [], false, false) }
        let v = data.pointee
        var protocols: [String] = []
        if var p = v.protocols {
            while let name = p.pointee { protocols.append(String(cString: name)); p = p.advanced(by: 1) }
        }
        let features = v.features
        return (String(cString: v.version), protocols, features & CURL_VERSION_BROTLI != 0, features & CURL_VERSION_LIBZ != 0)
    }

    /// The content encodings this libcurl decodes (and so offers in Accept-Encoding), for the logs.
    public static var decodedEncodings: [String] {
        prepare()
        guard let data = ingestd_curl_version_info() else { return [] }
        let features = data.pointee.features
        var names: [String] = []
        if features & CURL_VERSION_LIBZ != 0 { names += ["gzip", "deflate"] }
        if features & CURL_VERSION_BROTLI != 0 { names.append("br") }
        if features & CURL_VERSION_ZSTD != 0 { names.append("zstd") }
        return names
    }
}
