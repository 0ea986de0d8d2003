import Cluster
import Testing

@Suite("Gossip authentication")
struct GossipAuthenticatorTests {
    @Test func sealedBytes_openWithTheSameSecret() {
        let authenticator = GossipAuthenticator(secret: "s3cret")
        let sealed = authenticator.seal([1, 2, 3])
        #expect(sealed.count == 3 + GossipAuthenticator.tagLength)
        #expect(authenticator.open(sealed) == [1, 2, 3])
    }

    @Test func sealedBytes_doNotOpen_withAnotherSecret_orWhenAnyBitFlips() {
        let sealed = GossipAuthenticator(secret: "s3cret").seal(Array("hello".utf8))
        #expect(GossipAuthenticator(secret: "other").open(sealed) == nil)
        let authenticator = GossipAuthenticator(secret: "s3cret")
        for index in sealed.indices {
            var corrupted = sealed
            corrupted[index] ^= 0x01
            #expect(authenticator.open(corrupted) == nil, "bit flip at \(index)")
        }
    }

    @Test func shortInput_doesNotOpen() {
        let authenticator = GossipAuthenticator(secret: "")
        #expect(authenticator.open([]) == nil)
        #expect(authenticator.open([UInt8](repeating: 0, count: GossipAuthenticator.tagLength)) == nil)
    }
}
