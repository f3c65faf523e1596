/// A minimal RSS 2.0 feed listing `links` (each also its title and guid), newest first, for the
/// tests and benchmarks that serve feeds from a loopback server.
public enum RSSFeed {
    public static func xml(_ links: [String]) -> String {
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Desk</title>"
            + links.map { "<item><title>\($0)</title><link>\($0)</link><guid>\($0)</guid></item>" }.joined()
            + "</channel></rss>"
    }
}
