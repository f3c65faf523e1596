import Foundation

/// The form of a URL under which two links to the same story compare equal: scheme and host
/// lower-cased, default ports, fragments, tracking parameters (`utm_*`, `fbclid`, `gclid`, …)
/// and trailing slashes dropped, the remaining query parameters sorted.
enum URLCanonicalizer {
    static let trackingParameters: Set<String> = [
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid", "_ga", "_gl",
        "ref", "ref_src", "ref_url", "cmpid", "ncid", "sr_share", "smid", "ito", "spm", "share", "s_cid", "cid",
        "ocid", "icid", "outputtype", "amp", "utm", "rss", "partner", "taid",
    ]

    static func canonical(_ raw: String) -> String? {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard var parts = URLComponents(string: trimmed),
              let scheme = parts.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = parts.host?.lowercased(), !host.isEmpty else { return nil }
        parts.scheme = scheme
        parts.host = host.hasPrefix("www.") ? String(host.dropFirst(4)) : host
        if (scheme == "http" && parts.port == 80) || (scheme == "https" && parts.port == 443) { parts.port = nil }
        parts.fragment = nil
        parts.user = nil
        parts.password = nil
        var path = parts.percentEncodedPath
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        if path.isEmpty { path = "/" }
        parts.percentEncodedPath = path
        let kept = (parts.queryItems ?? []).filter { item in
            let name = item.name.lowercased()
            return !name.hasPrefix("utm_") && !trackingParameters.contains(name)
        }.sorted { ($0.name, $0.value ?? "") < ($1.name, $1.value ?? "") }
        parts.queryItems = kept.isEmpty ? nil : kept
        // http and https are the same story: the key ignores the scheme.
        guard let string = parts.string else { return nil }
        return string.replacingOccurrences(of: "^https?://", with: "//", options: .regularExpression)
    }
}
