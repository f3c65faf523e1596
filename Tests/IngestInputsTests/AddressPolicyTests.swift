import XCTest
@testable import IngestInputs

/// The address rules themselves, on literals: no traffic goes anywhere.
final class AddressPolicyTests: XCTestCase {
    func testIPv4Ranges() {
        let cases: [(String, AddressPolicy.Kind)] = [
            ("127.0.0.1", .loopback), ("127.255.1.2", .loopback),
            ("10.1.2.3", .privateNetwork), ("172.16.0.1", .privateNetwork), ("172.31.255.255", .privateNetwork),
            ("192.168.1.1", .privateNetwork), ("172.32.0.1", .publicAddress), ("172.15.255.255", .publicAddress),
            ("169.254.169.254", .metadata), ("169.254.1.1", .linkLocal), ("100.64.0.1", .sharedAddressSpace),
            ("0.0.0.0", .unspecified), ("224.0.0.1", .multicast), ("255.255.255.255", .reserved),
            ("192.0.2.7", .documentation), ("198.18.3.4", .benchmarking), ("8.8.8.8", .publicAddress),
            ("93.184.216.34", .publicAddress),
        ]
        for (literal, kind) in cases { XCTAssertEqual(AddressPolicy.classify(literal), kind, literal) }
    }

    func testIPv6Ranges() {
        let cases: [(String, AddressPolicy.Kind)] = [
            ("::1", .loopback), ("[::1]", .loopback), ("::", .unspecified), ("fe80::1%eth0", .linkLocal),
            ("fc00::1", .uniqueLocal), ("fd12:3456::1", .uniqueLocal), ("ff02::1", .multicast),
            ("2001:db8::1", .documentation), ("::ffff:10.0.0.1", .privateNetwork), ("::ffff:127.0.0.1", .loopback),
            ("::ffff:169.254.169.254", .metadata), ("::ffff:8.8.8.8", .ipv4Mapped), ("fd00:ec2::254", .metadata),
            ("2606:4700::1111", .publicAddress),
        ]
        for (literal, kind) in cases { XCTAssertEqual(AddressPolicy.classify(literal), kind, literal) }
    }

    func testOnlyPublicAddressesAreAllowedByDefault() {
        XCTAssertTrue(AddressPolicy.allows("8.8.8.8", privateNetworks: false))
        for refused in ["127.0.0.1", "10.0.0.1", "169.254.169.254", "::1", "fe80::1", "::ffff:192.168.0.1", "0.0.0.0"] {
            XCTAssertFalse(AddressPolicy.allows(refused, privateNetworks: false), refused)
            XCTAssertTrue(AddressPolicy.allows(refused, privateNetworks: true), refused)
        }
        for garbage in ["example.com", "", "1.2.3", "256.1.1.1", "::g"] {
            XCTAssertEqual(AddressPolicy.classify(garbage), .invalid, garbage)
            XCTAssertFalse(AddressPolicy.allows(garbage, privateNetworks: true), garbage)
        }
    }
}
