import MQTTCodec
import StarlingTestKit
import Testing

/// One test per class of malformed input, each running the fixtures that show it.
@Suite struct RejectionTests {
    @Test("[MQTT-2.1.3-1] reserved fixed-header flags are a Malformed Packet")
    func fixedHeader_isRejected_whenReservedFlagsAreSet() {
        expectFixturesRejected(showing: "MQTT-2.1.3-1")
    }

    @Test("[MQTT-3.3.1-4] a PUBLISH with both QoS bits set is a Malformed Packet")
    func publish_isRejected_whenQoSIs3() {
        expectFixturesRejected(showing: "MQTT-3.3.1-4")
    }

    @Test("[MQTT-3.3.1-2] a QoS 0 PUBLISH with DUP set is a Malformed Packet")
    func publish_isRejected_whenDUPIsSetAtQoS0() {
        expectFixturesRejected(showing: "MQTT-3.3.1-2")
    }

    @Test("5.0 §1.5.5 a variable byte integer longer than four bytes is a Malformed Packet")
    func variableByteInteger_isRejected_whenLongerThanFourBytes() {
        expectFixturesRejected(showing: "5.0 §1.5.5")
    }

    @Test("5.0 §2.2.2.2 a property unknown or not valid for its packet is a Malformed Packet")
    func properties_areRejected_whenNotValidForThePacket() {
        expectFixturesRejected(showing: "5.0 §2.2.2.2")
    }

    @Test("5.0 §2.2.2.1 a property length running past the packet is a Malformed Packet")
    func properties_areRejected_whenLengthExceedsPacket() {
        expectFixturesRejected(showing: "5.0 §2.2.2.1")
    }

    @Test("5.0 §3.1.2.11.2 a property other than user property and subscription identifier is a Protocol Error twice")
    func properties_areRejected_whenRepeated() {
        for reference in ["5.0 §3.1.2.11.2", "5.0 §3.3.2.3.4", "5.0 §3.4.2.2.2", "5.0 §3.8.2.1.2"] {
            expectFixturesRejected(showing: reference)
        }
    }

    @Test("5.0 §3.1.2.11.3 property values outside their range are Protocol Errors")
    func properties_areRejected_whenValueOutOfRange() {
        let references = [
            "5.0 §3.1.2.11.3",  // receive maximum 0
            "5.0 §3.1.2.11.4",  // maximum packet size 0
            "5.0 §3.1.2.11.6",  // request response information 2
            "5.0 §3.1.2.11.7",  // request problem information 2
            "5.0 §3.2.2.3.4",  // maximum QoS 2
            "5.0 §3.2.2.3.5",  // retain available 2
            "5.0 §3.2.2.3.11",  // wildcard subscription available 2
            "5.0 §3.2.2.3.12",  // subscription identifiers available 2
            "5.0 §3.2.2.3.13",  // shared subscription available 2
            "5.0 §3.3.2.3.2",  // payload format indicator 2
            "5.0 §3.3.2.3.8",  // subscription identifier 0
            "MQTT-3.3.2-8",  // topic alias 0
        ]
        for reference in references { expectFixturesRejected(showing: reference) }
    }

    @Test("[MQTT-3.1.2-1] a protocol name that does not match the level is an unsupported protocol version")
    func connect_isRejected_whenProtocolNameDoesNotMatchLevel() {
        expectFixturesRejected(showing: "MQTT-3.1.2-1")
    }

    @Test("[MQTT-3.1.2-2] an unknown protocol level is an unsupported protocol version")
    func connect_isRejected_whenProtocolLevelIsUnknown() {
        expectFixturesRejected(showing: "MQTT-3.1.2-2")
    }

    @Test("[MQTT-3.1.2-3] the reserved connect flag set is a Malformed Packet")
    func connect_isRejected_whenReservedFlagIsSet() {
        expectFixturesRejected(showing: "MQTT-3.1.2-3")
    }

    @Test("[MQTT-3.1.2-11] Will QoS without a Will is a Malformed Packet")
    func connect_isRejected_whenWillQoSIsSetWithoutWill() {
        expectFixturesRejected(showing: "MQTT-3.1.2-11")
    }

    @Test("[MQTT-3.1.2-12] Will QoS 3 is a Malformed Packet")
    func connect_isRejected_whenWillQoSIs3() {
        expectFixturesRejected(showing: "MQTT-3.1.2-12")
    }

    @Test("[MQTT-3.1.2-13] Will Retain without a Will is a Malformed Packet")
    func connect_isRejected_whenWillRetainIsSetWithoutWill() {
        expectFixturesRejected(showing: "MQTT-3.1.2-13")
    }

    @Test("[MQTT-3.1.2-22] a 3.1.1 password without a user name is a Malformed Packet")
    func connect311_isRejected_whenPasswordComesWithoutUserName() {
        expectFixturesRejected(showing: "MQTT-3.1.2-22")
    }

    @Test("[MQTT-3.3.2-2] a topic name with a wildcard is invalid")
    func publish_isRejected_whenTopicNameHasWildcard() {
        expectFixturesRejected(showing: "MQTT-3.3.2-2")
    }

    @Test("[MQTT-4.7.3-1] an empty topic name without a topic alias is a Protocol Error")
    func publish_isRejected_whenTopicNameIsEmptyWithoutAlias() {
        expectFixturesRejected(showing: "MQTT-4.7.3-1")
        expectFixturesRejected(showing: "5.0 §3.3.2.1")
    }

    @Test("[MQTT-2.2.1-3] packet identifier 0 is a Protocol Error")
    func packets_areRejected_whenPacketIdentifierIsZero() {
        expectFixturesRejected(showing: "MQTT-2.2.1-3")
    }

    @Test("[MQTT-3.8.3-3] a SUBSCRIBE without topic filters is a Protocol Error")
    func subscribe_isRejected_whenItHasNoTopicFilter() {
        expectFixturesRejected(showing: "MQTT-3.8.3-3")
        expectFixturesRejected(showing: "MQTT-3.8.3-2")
    }

    @Test("[MQTT-3.8.3-5] 5.0 subscription options with reserved bits set are a Malformed Packet")
    func subscribe_isRejected_whenReservedOptionBitsAreSet() {
        expectFixturesRejected(showing: "MQTT-3.8.3-5")
    }

    @Test("[MQTT-3-8.3-4] 3.x subscription options beyond the QoS bits, or QoS 3, are a Malformed Packet")
    func subscribe311_isRejected_whenOptionsAreMoreThanQoS() {
        expectFixturesRejected(showing: "MQTT-3-8.3-4")
    }

    @Test("5.0 §3.8.3.1 retain handling 3 and maximum QoS 3 are Protocol Errors")
    func subscribe_isRejected_whenRetainHandlingOrQoSIs3() {
        expectFixturesRejected(showing: "5.0 §3.8.3.1")
    }

    @Test("[MQTT-3.10.3-2] an UNSUBSCRIBE without topic filters is a Protocol Error")
    func unsubscribe_isRejected_whenItHasNoTopicFilter() {
        expectFixturesRejected(showing: "MQTT-3.10.3-2")
    }

    @Test("[MQTT-3.2.2-1] CONNACK acknowledge flags with reserved bits set are a Malformed Packet")
    func connAck_isRejected_whenReservedFlagsAreSet() {
        expectFixturesRejected(showing: "MQTT-3.2.2-1")
    }

    @Test("[MQTT-3.4.2-1] a reason code the packet type does not define is a Malformed Packet")
    func packets_areRejected_whenReasonCodeIsNotDefinedForThem() {
        let references = [
            "MQTT-3.4.2-1", "MQTT-3.7.2-1", "MQTT-3.9.3-2", "MQTT-3.11.3-2", "MQTT-3.14.2-1", "MQTT-3.15.2-1",
            "5.0 §3.2.2.2", "3.1.1 §3.2.2.3", "3.1.1 §3.9.3",
        ]
        for reference in references { expectFixturesRejected(showing: reference) }
    }

    @Test("5.0 §2.1.4 a remaining length that does not match the fields is a Malformed Packet")
    func packets_areRejected_whenRemainingLengthDoesNotMatchFields() {
        let references = [
            "5.0 §2.1.4", "3.1.1 §3.4.1", "5.0 §3.4.2", "3.1.1 §3.12.1", "3.1.1 §3.14.1", "3.1.1 §3.11.3",
            "5.0 §3.15.2.2.1", "MQTT-3.8.3-1",
        ]
        for reference in references { expectFixturesRejected(showing: reference) }
    }

    @Test("5.0 §3.2.2.3.6 a packet above the maximum packet size is rejected from its fixed header")
    func packet_isRejected_whenLargerThanMaximumPacketSize() {
        expectFixturesRejected(showing: "5.0 §3.2.2.3.6")
    }

    @Test("5.0 §2.1.2 packet type 0, and 15 before 5.0, are Malformed Packets")
    func packet_isRejected_whenTypeIsReserved() {
        expectFixturesRejected(showing: "5.0 §2.1.2")
        expectFixturesRejected(showing: "3.1.1 §2.2.1")
    }
}
