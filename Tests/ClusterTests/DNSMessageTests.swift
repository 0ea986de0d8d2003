import NIOCore
import NIOPosix
import StarlingTestKit
import Testing

@testable import Cluster

/// The DNS codec on hand-built messages, and ``SRVLookup`` against a fake nameserver on loopback.
@Suite("DNS messages and SRV lookup")
struct DNSMessageTests {
    static let service = "_cluster._tcp.starling.local"
    /// Where "starling.local" starts inside the question of `service` (12-byte header, "_cluster", "_tcp").
    static let suffixOffset = 12 + 9 + 5

    // MARK: Query

    @Test("a query carries the id, RD, one SRV question of class IN")
    func query_encodesHeaderAndQuestion_forKnownName() throws {
        let bytes = try DNSMessage.query(id: 0xBEEF, name: Self.service)
        var expected: [UInt8] = [
            0xBE, 0xEF,  // id
            0x01, 0x00,  // flags: RD
            0x00, 0x01,  // QDCOUNT
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // AN, NS, AR counts
        ]
        expected += [8] + Array("_cluster".utf8) + [4] + Array("_tcp".utf8)
        expected += [8] + Array("starling".utf8) + [5] + Array("local".utf8) + [0]
        expected += [0x00, 0x21, 0x00, 0x01]  // QTYPE SRV (33), QCLASS IN
        #expect(bytes == expected)
    }

    @Test func query_ignoresOneTrailingDot_whenNameIsAbsolute() throws {
        #expect(try DNSMessage.query(id: 7, name: Self.service + ".") == DNSMessage.query(id: 7, name: Self.service))
    }

    @Test(arguments: ["a..b", "..", ".a", String(repeating: "x", count: 64) + ".local", longName(labels: 5)])
    func query_throwsInvalidName_whenNameCannotBeEncoded(_ name: String) {
        #expect(throws: DNSMessageError.invalidName) { try DNSMessage.query(id: 1, name: name) }
    }

    static func longName(labels: Int) -> String {
        Array(repeating: String(repeating: "a", count: 63), count: labels).joined(separator: ".")
    }

    // MARK: Responses

    /// Three SRV answers (targets compressed against the question) and two additional records, one owned
    /// through a pointer into an SRV record's data and one in another letter case.
    static func discoveryResponse(id: UInt16 = 0x1234) -> [UInt8] {
        var message = MessageBuilder(id: id, answers: 3, additionals: 2)
        message.question(service)
        message.pointer(12)
        message.record(type: 33) { $0.srv(priority: 10, weight: 5, port: 7946, target: "pod-b", then: suffixOffset) }
        message.pointer(12)
        var podA = 0
        message.record(type: 33) {
            podA = $0.srv(priority: 0, weight: 1, port: 7946, target: "pod-a", then: suffixOffset)[0]
        }
        message.pointer(12)
        message.record(type: 33) { $0.srv(priority: 10, weight: 50, port: 7947, target: "pod-c", then: suffixOffset) }
        message.pointer(podA)
        message.record(type: 1) { $0.append([10, 0, 0, 1]) }
        message.name("POD-B", then: suffixOffset)
        message.record(type: 28) { $0.append([0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]) }
        return message.bytes
    }

    @Test func parseResponse_readsCompressedServicesAndAddresses_whenAnswerIsWhole() throws {
        let response = try DNSMessage.parseResponse(Self.discoveryResponse(), expectedID: 0x1234)
        #expect(!response.isTruncated)
        #expect(
            response.services == [
                .init(priority: 10, weight: 5, port: 7946, target: "pod-b.starling.local"),
                .init(priority: 0, weight: 1, port: 7946, target: "pod-a.starling.local"),
                .init(priority: 10, weight: 50, port: 7947, target: "pod-c.starling.local"),
            ]
        )
        #expect(
            response.addresses == [
                .init(name: "pod-a.starling.local", address: "10.0.0.1"),
                .init(name: "POD-B.starling.local", address: "fd00::2"),
            ]
        )
    }

    @Test("endpoints: by priority, then heaviest weight; addresses from the additional section, else the name")
    func endpoints_orderByPriorityThenWeight_andPreferAdditionalAddresses() throws {
        let response = try DNSMessage.parseResponse(Self.discoveryResponse(), expectedID: 0x1234)
        #expect(
            response.endpoints == [
                .init(host: "10.0.0.1", port: 7946),
                .init(host: "pod-c.starling.local", port: 7947),
                .init(host: "fd00::2", port: 7946),
            ]
        )
    }

    @Test("[RFC 2782] a target of \".\" means no service there")
    func endpoints_omitRootTarget_andRepeats() {
        let root = DNSMessage.ServiceRecord(priority: 0, weight: 0, port: 7946, target: "")
        let node = DNSMessage.ServiceRecord(priority: 1, weight: 0, port: 7946, target: "node")
        let response = DNSMessage.Response(id: 1, isTruncated: false, rcode: 0, services: [root, node, node])
        #expect(response.endpoints == [.init(host: "node", port: 7946)])
    }

    @Test func parseResponse_returnsEmptyAnswer_whenNameDoesNotExist() throws {
        var message = MessageBuilder(id: 9, flags: 0x8183)
        message.question(Self.service)
        let response = try DNSMessage.parseResponse(message.bytes, expectedID: 9)
        #expect(response.rcode == 3)
        #expect(response.services.isEmpty && response.endpoints.isEmpty)
    }

    @Test func parseResponse_throwsServerFailure_whenRcodeIsServfail() {
        var message = MessageBuilder(id: 9, flags: 0x8182)
        message.question(Self.service)
        #expect(throws: DNSMessageError.serverFailure(rcode: 2)) {
            try DNSMessage.parseResponse(message.bytes, expectedID: 9)
        }
    }

    @Test func parseResponse_throwsUnexpectedID_whenIDDiffers() {
        #expect(throws: DNSMessageError.unexpectedID) {
            try DNSMessage.parseResponse(Self.discoveryResponse(id: 1), expectedID: 2)
        }
    }

    @Test func parseResponse_throwsNotAResponse_whenQRIsClear() throws {
        let query = try DNSMessage.query(id: 5, name: Self.service)
        #expect(throws: DNSMessageError.notAResponse) { try DNSMessage.parseResponse(query, expectedID: 5) }
    }

    @Test func parseResponse_throwsTruncated_forEveryCutOfAWholeAnswer() {
        let bytes = Self.discoveryResponse()
        for length in 0..<bytes.count {
            #expect(throws: DNSMessageError.truncated, "cut at \(length)") {
                try DNSMessage.parseResponse(Array(bytes.prefix(length)), expectedID: 0x1234)
            }
        }
    }

    @Test("with TC set, the records that arrived whole are kept")
    func parseResponse_keepsWholeRecords_whenTruncatedFlagIsSet() throws {
        var bytes = Self.discoveryResponse()
        bytes[2] |= 0x02  // TC
        let firstAdditional = bytes.count - 34 - 16  // AAAA: "POD-B" and a pointer, 10, 16; A: a pointer, 10, 4
        let response = try DNSMessage.parseResponse(Array(bytes.prefix(firstAdditional + 10)), expectedID: 0x1234)
        #expect(response.isTruncated)
        #expect(response.services.count == 3)
        #expect(response.addresses.isEmpty)
    }

    @Test func parseResponse_throwsMalformedRecord_whenAddressLengthIsWrong() {
        var message = MessageBuilder(id: 3, answers: 1)
        message.question(Self.service)
        message.pointer(12)
        message.record(type: 1) { $0.append([10, 0, 0, 1, 9]) }
        #expect(throws: DNSMessageError.malformedRecord) { try DNSMessage.parseResponse(message.bytes, expectedID: 3) }
    }

    @Test func parseResponse_throwsMalformedRecord_whenTargetOverrunsServiceData() {
        var message = MessageBuilder(id: 3, answers: 1)
        message.question(Self.service)
        message.pointer(12)
        message.record(type: 33) { $0.append([0, 1, 0, 1, 0x1F, 0x0A, 0]) }  // target "" then one stray byte
        message.bytes[message.bytes.count - 8] = 6  // RDLENGTH says 6: the name's zero lies outside
        #expect(throws: DNSMessageError.malformedRecord) { try DNSMessage.parseResponse(message.bytes, expectedID: 3) }
    }

    @Test func parseResponse_skipsUnknownTypesAndAuthority() throws {
        var message = MessageBuilder(id: 3, answers: 1, authorities: 1)
        message.question(Self.service)
        message.pointer(12)
        message.record(type: 16) { $0.append([3, 0x61, 0x62, 0x63]) }  // TXT "abc"
        message.pointer(12)
        message.record(type: 1) { $0.append([10, 9, 9, 9]) }  // an A record in authority is not an answer
        let response = try DNSMessage.parseResponse(message.bytes, expectedID: 3)
        #expect(response.services.isEmpty && response.addresses.isEmpty)
    }

    // MARK: Names

    @Test func readName_throwsPointerLoop_whenPointerPointsAtItself() {
        var reader = DNSMessage.Reader([0xC0, 0x00])
        #expect(throws: DNSMessageError.pointerLoop) { try reader.readName() }
    }

    @Test func readName_throwsPointerLoop_whenTwoPointersPointAtEachOther() {
        var reader = DNSMessage.Reader([0xC0, 0x02, 0xC0, 0x00], offset: 2)
        #expect(throws: DNSMessageError.pointerLoop) { try reader.readName() }
    }

    @Test("a pointer back into the labels that led to it is a loop")
    func readName_throwsPointerLoop_whenPointerReentersItsOwnLabels() {
        // offset 0: label "a", then a pointer to offset 0 again
        var reader = DNSMessage.Reader([0x01, 0x61, 0xC0, 0x00])
        #expect(throws: DNSMessageError.pointerLoop) { try reader.readName() }
    }

    @Test func readName_throwsPointerOutOfRange_whenPointerLeavesMessage() {
        var reader = DNSMessage.Reader([0x01, 0x61, 0xC0, 0x40])
        #expect(throws: DNSMessageError.pointerOutOfRange) { try reader.readName() }
    }

    @Test func readName_throwsNameTooLong_whenCompressedNameExceeds255Bytes() throws {
        var bytes: [UInt8] = []
        for _ in 0..<3 { bytes += [63] + Array(repeating: 0x61, count: 63) }
        bytes += [0]  // 193 bytes, fine on its own
        let tail = bytes.count
        bytes += [62] + Array(repeating: 0x62, count: 62) + [0xC0, 0x00]  // 63 + 193 = 256
        var reader = DNSMessage.Reader(bytes, offset: tail)
        #expect(throws: DNSMessageError.nameTooLong) { try reader.readName() }
        var whole = DNSMessage.Reader(bytes)
        #expect(try whole.readName().count == 3 * 64 - 1)
    }

    @Test(arguments: [UInt8(0x40), 0x80])
    func readName_throwsReservedLabelType_forExtendedLabels(_ lead: UInt8) {
        var reader = DNSMessage.Reader([lead, 0x00])
        #expect(throws: DNSMessageError.reservedLabelType) { try reader.readName() }
    }

    @Test func readName_leavesCursorAfterFirstPointer() throws {
        var reader = DNSMessage.Reader([0x01, 0x61, 0x00, 0x01, 0x62, 0xC0, 0x00, 0xFF], offset: 3)
        #expect(try reader.readName() == "b.a")
        #expect(reader.offset == 7)
    }

    @Test("random and mutated messages never trap")
    func parseResponse_neverTraps_onGarbage() {
        var random = SeededRandom(seed: 0x5EED_D15C)
        let valid = Self.discoveryResponse()
        for round in 0..<20_000 {
            var bytes: [UInt8]
            if round.isMultiple(of: 2) {
                bytes = (0..<Int(random.next() % 96)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                if bytes.count >= 3 {
                    bytes[0] = 0x12
                    bytes[1] = 0x34
                    bytes[2] |= 0x80
                }
            } else {
                bytes = valid
                for _ in 0..<(1 + random.next() % 4) {
                    bytes[2 + Int(random.next() % UInt64(bytes.count - 2))] = UInt8(truncatingIfNeeded: random.next())
                }
            }
            _ = try? DNSMessage.parseResponse(bytes, expectedID: 0x1234)
        }
    }

    // MARK: Text

    @Test(
        arguments: [
            ([0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], "fd00::2"),
            ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], "::1"),
            ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "::"),
            ([0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1], "2001:db8:0:1::1"),
            ([0x20, 0x01, 0x0D, 0xB8, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1], "2001:db8:1:1:1:1:1:1"),
            ([0x20, 0x01, 0, 0, 0, 0, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1], "2001:0:0:1::1"),
        ] as [([UInt8], String)]
    )
    func ipv6Text_followsRFC5952(_ bytes: [UInt8], _ text: String) {
        #expect(DNSMessage.ipv6Text(bytes[...]) == text)
    }

    @Test func resolvConf_readsNameserverLines_andIgnoresTheRest() {
        let text = """
            # generated
            search default.svc.cluster.local svc.cluster.local
            nameserver 10.96.0.10
            options ndots:5
            nameserver\tfd00::a ; second
            nameserver
            ;nameserver 1.1.1.1
            """
        #expect(ResolvConf.nameservers(in: text) == ["10.96.0.10", "fd00::a"])
    }

    // MARK: Lookup over UDP

    @Test func lookup_returnsEndpoints_fromFakeNameserver() async throws {
        let server = try await FakeNameserver.start { id, question in [Self.answer(id: id, question: question)] }
        defer { server.close() }
        let lookup = SRVLookup(nameservers: .fixed([server.address]), timeout: .seconds(2))
        let endpoints = try await lookup.lookup(Self.service, on: MultiThreadedEventLoopGroup.singleton.next()).get()
        #expect(endpoints == [.init(host: "10.0.0.1", port: 7946), .init(host: "pod-c.starling.local", port: 7947)])
    }

    @Test func lookup_ignoresAnswer_withAnotherID() async throws {
        let server = try await FakeNameserver.start { id, question in
            [Self.answer(id: id &+ 1, question: question, port: 1), Self.answer(id: id, question: question)]
        }
        defer { server.close() }
        let lookup = SRVLookup(nameservers: .fixed([server.address]), timeout: .seconds(2))
        let endpoints = try await lookup.lookup(Self.service, on: MultiThreadedEventLoopGroup.singleton.next()).get()
        #expect(endpoints.map(\.port) == [7946, 7947])
    }

    @Test func lookup_asksSecondNameserver_whenFirstIsSilent() async throws {
        let silent = try await FakeNameserver.start { _, _ in [] }
        defer { silent.close() }
        let server = try await FakeNameserver.start { id, question in [Self.answer(id: id, question: question)] }
        defer { server.close() }
        let lookup = SRVLookup(nameservers: .fixed([silent.address, server.address]), timeout: .milliseconds(200))
        let endpoints = try await lookup.lookup(Self.service, on: MultiThreadedEventLoopGroup.singleton.next()).get()
        #expect(endpoints.count == 2)
        #expect(try await silent.queries() == 1)
    }

    @Test func lookup_returnsNoEndpoints_whenNameDoesNotExist() async throws {
        let server = try await FakeNameserver.start { id, question in
            var message = MessageBuilder(id: id, flags: 0x8183)
            message.append(question)
            return [message.bytes]
        }
        defer { server.close() }
        let lookup = SRVLookup(nameservers: .fixed([server.address]), timeout: .seconds(2))
        let endpoints = try await lookup.lookup(Self.service, on: MultiThreadedEventLoopGroup.singleton.next()).get()
        #expect(endpoints.isEmpty)
    }

    @Test func lookup_fails_whenNoNameserverAnswers() async throws {
        let silent = try await FakeNameserver.start { _, _ in [] }
        defer { silent.close() }
        let lookup = SRVLookup(nameservers: .fixed([silent.address]), timeout: .milliseconds(100))
        await #expect(throws: SRVLookupError.self) {
            try await lookup.lookup(Self.service, on: MultiThreadedEventLoopGroup.singleton.next()).get()
        }
        #expect(try await silent.queries() == 2)
    }

    /// Two SRV answers to `question` (echoed): one target with an additional A record, one without.
    static func answer(id: UInt16, question: [UInt8], port: UInt16 = 7946) -> [UInt8] {
        var message = MessageBuilder(id: id, answers: 2, additionals: 1)
        message.append(question)
        message.pointer(12)
        var podA = 0
        message.record(type: 33) {
            podA = $0.srv(priority: 0, weight: 0, port: port, target: "pod-a", then: suffixOffset)[0]
        }
        message.pointer(12)
        message.record(type: 33) { $0.srv(priority: 1, weight: 0, port: port + 1, target: "pod-c", then: suffixOffset) }
        message.pointer(podA)
        message.record(type: 1) { $0.append([10, 0, 0, 1]) }
        return message.bytes
    }
}

/// Writes DNS messages byte by byte, the way a server would lay them out.
struct MessageBuilder {
    var bytes: [UInt8] = []

    /// A header with the given flags (default: a response, RD and RA, NOERROR) and counts; one question.
    init(id: UInt16, flags: UInt16 = 0x8180, answers: UInt16 = 0, authorities: UInt16 = 0, additionals: UInt16 = 0) {
        for field in [id, flags, 1, answers, authorities, additionals] { u16(field) }
    }

    mutating func u16(_ value: UInt16) { bytes += [UInt8(value >> 8), UInt8(value & 0xFF)] }

    mutating func append(_ more: [UInt8]) { bytes += more }

    mutating func pointer(_ offset: Int) { u16(0xC000 | UInt16(offset)) }

    /// Labels of `dotted`, then a pointer to `suffix` or the root; returns each label's offset.
    @discardableResult
    mutating func name(_ dotted: String, then suffix: Int? = nil) -> [Int] {
        var offsets: [Int] = []
        for label in dotted.split(separator: ".") {
            offsets.append(bytes.count)
            bytes += [UInt8(label.utf8.count)] + Array(label.utf8)
        }
        if let suffix { pointer(suffix) } else { bytes.append(0) }
        return offsets
    }

    mutating func question(_ dotted: String, type: UInt16 = 33) {
        name(dotted)
        u16(type)
        u16(1)
    }

    /// TYPE, CLASS IN, TTL 30 and RDLENGTH around what `data` writes; the owner name comes before.
    mutating func record(type: UInt16, data: (inout MessageBuilder) -> Void) {
        u16(type)
        u16(1)
        bytes += [0, 0, 0, 30]
        let lengthAt = bytes.count
        u16(0)
        data(&self)
        let length = bytes.count - lengthAt - 2
        bytes[lengthAt] = UInt8(length >> 8)
        bytes[lengthAt + 1] = UInt8(length & 0xFF)
    }

    /// SRV data; returns the target's label offsets.
    @discardableResult
    mutating func srv(priority: UInt16, weight: UInt16, port: UInt16, target: String, then suffix: Int?) -> [Int] {
        u16(priority)
        u16(weight)
        u16(port)
        return name(target, then: suffix)
    }
}

/// A UDP nameserver on 127.0.0.1 that answers each query with what `answer` returns for its id and
/// question section.
final class FakeNameserver: Sendable {
    let channel: any Channel
    let address: SocketAddress

    private init(channel: any Channel) throws {
        self.channel = channel
        guard let address = channel.localAddress else { throw ChannelError.inappropriateOperationForState }
        self.address = address
    }

    static func start(
        answer: @escaping @Sendable (_ id: UInt16, _ question: [UInt8]) -> [[UInt8]]
    ) async throws -> FakeNameserver {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler(answer: answer))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return try FakeNameserver(channel: channel)
    }

    /// How many queries have arrived so far.
    func queries() async throws -> Int {
        try await channel.eventLoop.submit { [channel] in
            try channel.pipeline.syncOperations.handler(type: Handler.self).queries
        }.get()
    }

    func close() {
        channel.close(promise: nil)
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        typealias OutboundOut = AddressedEnvelope<ByteBuffer>

        let answer: @Sendable (UInt16, [UInt8]) -> [[UInt8]]
        private(set) var queries = 0

        init(answer: @escaping @Sendable (UInt16, [UInt8]) -> [[UInt8]]) {
            self.answer = answer
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = Self.unwrapInboundIn(data)
            let query = Array(envelope.data.readableBytesView)
            guard query.count > 12 else { return }
            queries += 1
            for reply in answer(UInt16(query[0]) << 8 | UInt16(query[1]), Array(query[12...])) {
                let buffer = context.channel.allocator.buffer(bytes: reply)
                context.write(
                    Self.wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: buffer)),
                    promise: nil
                )
            }
            context.flush()
        }
    }
}
