extension ReasonCode {
    /// Whether a 5.0 packet of `type` may carry this reason code (5.0 §3.2.2.2, §3.4.2.1,
    /// §3.5.2.1, §3.6.2.1, §3.7.2.1, §3.9.3, §3.11.3, §3.14.2.1, §3.15.2.1). Decoding treats any
    /// other code as a Malformed Packet. Packets without a reason code accept none.
    public func isValid(in type: PacketType) -> Bool {
        switch type {
        case .connAck:
            switch rawValue {
            case 0x00, 0x80...0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99...0x9D, 0x9F: true
            default: false
            }
        case .pubAck, .pubRec:
            switch rawValue {
            case 0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99: true
            default: false
            }
        case .pubRel, .pubComp:
            rawValue == 0x00 || rawValue == 0x92
        case .subAck:
            switch rawValue {
            case 0x00...0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2: true
            default: false
            }
        case .unsubAck:
            switch rawValue {
            case 0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91: true
            default: false
            }
        case .disconnect:
            switch rawValue {
            case 0x00, 0x04, 0x80...0x83, 0x87, 0x89, 0x8B, 0x8D...0x90, 0x93...0xA2: true
            default: false
            }
        case .auth:
            rawValue == 0x00 || rawValue == 0x18 || rawValue == 0x19
        case .connect, .publish, .subscribe, .unsubscribe, .pingReq, .pingResp:
            false
        }
    }

    /// Reads a reason code byte that must be valid in `type`.
    static func decode(_ raw: UInt8, in type: PacketType) throws -> ReasonCode {
        let code = ReasonCode(rawValue: raw)
        guard code.isValid(in: type) else { throw MQTTCodecError.invalidReasonCode(raw) }
        return code
    }
}

// MARK: 3.x return codes

extension ReasonCode {
    /// The 5.0 reason code for a 3.x CONNACK return code 0…5 (3.1.1 §3.2.2.3), or `nil`.
    init?(connectReturnCode: UInt8) {
        switch connectReturnCode {
        case 0: self = .success
        case 1: self = .unsupportedProtocolVersion
        case 2: self = .clientIdentifierNotValid
        case 3: self = .serverUnavailable
        case 4: self = .badUserNameOrPassword
        case 5: self = .notAuthorized
        default: return nil
        }
    }

    /// The 3.x CONNACK return code for this reason code; failures with no 3.x equivalent
    /// become 3 (Server unavailable).
    var connectReturnCode: UInt8 {
        switch self {
        case .success: 0
        case .unsupportedProtocolVersion: 1
        case .clientIdentifierNotValid: 2
        case .badUserNameOrPassword: 4
        case .notAuthorized: 5
        default: 3
        }
    }

    /// Whether a 3.x SUBACK may carry this code: a granted QoS or 0x80 (3.1.1 §3.9.3).
    var isValidV3SubAckCode: Bool {
        rawValue <= 0x02 || rawValue == 0x80
    }

    /// The byte a 3.x SUBACK carries for this code: granted QoS as is, any failure as 0x80.
    var v3SubAckCode: UInt8 {
        isFailure ? 0x80 : rawValue
    }
}
