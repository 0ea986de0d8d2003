import ClusterProtocol
import NIOCore
import Testing

/// What the encoder refuses. A peer string has a `UInt16` length; a longer one used to be written with its
/// length wrapped around, so the receiver read its tail as the fields after it.
@Suite struct PeerFrameEncodingLimitTests {
    @Test func encode_stopsTheProcess_whenAStringExceeds65535Bytes() async {
        await #expect(processExitsWith: .failure) {
            var buffer = ByteBuffer()
            let filter = String(repeating: "a", count: 65_536)
            PeerFrameCodec.encode(
                .routeDelta(.init(bootID: 1, sequence: 1, change: .add, route: .filter(filter))),
                into: &buffer
            )
        }
    }

    @Test func encode_writesAStringOf65535Bytes() {
        let filter = String(repeating: "a", count: 65_535)
        let frame = PeerFrame.routeDelta(.init(bootID: 1, sequence: 1, change: .add, route: .filter(filter)))
        #expect(decodeSingle(encodedBytes([frame])) == frame)
    }
}
