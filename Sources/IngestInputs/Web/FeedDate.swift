import Foundation

/// The date of a feed item: RSS's `pubDate` (RFC 822, as feeds really write it) or Atom's and
/// Dublin Core's RFC 3339 dates. Only read for per-source health (how fresh a feed is), so a
/// date that parses in no known form is simply absent.
enum FeedDate {
    private static let rfc822: [DateFormatter] = ["EEE, d MMM yyyy HH:mm:ss Z", "d MMM yyyy HH:mm:ss Z", "EEE, d MMM yyyy HH:mm Z",
                                                  "EEE, d MMM yyyy HH:mm:ss zzz"].map { format in
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = format
        return f
    }

    static func parse(_ text: String) -> Date? {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if t.first?.isNumber == true, t.contains("T") || t.count == 10 {
            let iso = ISO8601DateFormatter()
            if let d = iso.date(from: t) { return d }
            iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if let d = iso.date(from: t) { return d }
            iso.formatOptions = [.withFullDate]
            if let d = iso.date(from: t) { return d }
        }
        for f in rfc822 { if let d = f.date(from: t) { return d } }
        return nil
    }
}
