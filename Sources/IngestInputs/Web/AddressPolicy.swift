import Glibc

/// Which network addresses URL sources may connect to. Links that come from feeds or redirects
/// must not turn the daemon against the user's own network: loopback, private, link-local,
/// cloud-metadata and other non-public addresses are refused unless the source allows private
/// networks. The check is meant for the address actually connected to (libcurl reports it), so
/// a DNS name that resolves to 10.0.0.1 is caught as surely as the literal.
public enum AddressPolicy {
    public enum Kind: String, Sendable, Equatable {
        case publicAddress = "public"
        case loopback, privateNetwork = "private", linkLocal = "link-local", metadata, unspecified
        case sharedAddressSpace = "shared-address-space", multicast, reserved, documentation, benchmarking
        case uniqueLocal = "unique-local", ipv4Mapped = "ipv4-mapped", invalid
    }

    /// Whether a connection to `address` (an IPv4 or IPv6 literal) is allowed.
    public static func allows(_ address: String, privateNetworks: Bool) -> Bool {
        let kind = classify(address)
        if kind == .publicAddress { return true }
        if kind == .invalid { return false }
        return privateNetworks
    }

    public static func classify(_ address: String) -> Kind {
        var literal = address
        if literal.hasPrefix("["), literal.hasSuffix("]") { literal = String(literal.dropFirst().dropLast()) }
        if let zone = literal.firstIndex(of: "%") { literal = String(literal[..<zone]) }  // fe80::1%eth0
        var v4 = in_addr()
        if inet_pton(AF_INET, literal, &v4) == 1 {
            return classify(ipv4: UInt32(bigEndian: v4.s_addr))
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, literal, &v6) == 1 {
            let bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return classify(ipv6: bytes)
        }
        return .invalid
    }

    static func classify(ipv4 a: UInt32) -> Kind {
        func within(_ base: UInt32, _ bits: UInt32) -> Bool { bits == 0 || (a >> (32 - bits)) == (base >> (32 - bits)) }
        if within(0x7F00_0000, 8) { return .loopback }                       // 127.0.0.0/8
        if a == 0xA9FE_A9FE { return .metadata }                             // 169.254.169.254
        if within(0xA9FE_0000, 16) { return .linkLocal }                     // 169.254.0.0/16
        if within(0x0A00_0000, 8) || within(0xAC10_0000, 12) || within(0xC0A8_0000, 16) { return .privateNetwork }
        if within(0x6440_0000, 10) { return .sharedAddressSpace }           // 100.64.0.0/10 (carrier-grade NAT)
        if within(0x0000_0000, 8) { return .unspecified }                    // 0.0.0.0/8
        if within(0xE000_0000, 4) { return .multicast }                      // 224.0.0.0/4
        if within(0xF000_0000, 4) { return .reserved }                       // 240.0.0.0/4, broadcast
        if within(0xC000_0000, 24) { return .reserved }                      // 192.0.0.0/24 (protocol assignments)
        if within(0xC000_0200, 24) || within(0xC633_6400, 24) || within(0xCB00_7100, 24) { return .documentation }
        if within(0xC612_0000, 15) { return .benchmarking }                  // 198.18.0.0/15
        return .publicAddress
    }

    static func classify(ipv6 b: [UInt8]) -> Kind {
        if b.allSatisfy({ $0 == 0 }) { return .unspecified }                 // ::
        if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return .loopback }  // ::1
        // ::ffff:a.b.c.d, and the old ::a.b.c.d: the IPv4 address decides.
        if b[0..<10].allSatisfy({ $0 == 0 }) && ((b[10] == 0xFF && b[11] == 0xFF) || (b[10] == 0 && b[11] == 0)) {
            let v4 = UInt32(b[12]) << 24 | UInt32(b[13]) << 16 | UInt32(b[14]) << 8 | UInt32(b[15])
            let kind = classify(ipv4: v4)
            return kind == .publicAddress ? .ipv4Mapped : kind
        }
        if b[0] == 0xFE && (b[1] & 0xC0) == 0x80 { return .linkLocal }       // fe80::/10
        if b[0] == 0xFD && b[1] == 0x00 && b[2] == 0x0E && b[3] == 0xC2 { return .metadata }       // fd00:ec2::254 (AWS)
        if (b[0] & 0xFE) == 0xFC { return .uniqueLocal }                      // fc00::/7
        if b[0] == 0xFF { return .multicast }                                 // ff00::/8
        if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8 { return .documentation }  // 2001:db8::/32
        return .publicAddress
    }
}
