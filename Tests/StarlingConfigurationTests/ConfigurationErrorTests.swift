import StarlingConfiguration
import Testing

/// The exact text of each kind of error, as `starling` prints it after "starling: ".
@Suite struct ConfigurationErrorTests {
    private func message(
        _ toml: String?,
        environment: [String: String] = [:],
        overrides: [ConfigurationOverride] = []
    ) -> String? {
        configurationErrorMessage { () throws(ConfigurationError) in
            _ = try resolve(toml, environment: environment, overrides: overrides)
        }
    }

    @Test func invalidValue_namesFileLineAndKey_whenFromFile() {
        let toml = (1...11).map { "# line \($0)" }.joined(separator: "\n") + "\nmqtt.max_packet_size = \"abc\""
        #expect(
            message(toml)
                == #"starling.toml:12: mqtt.max_packet_size: expected a size between 2 and 268435460 bytes, got "abc""#
        )
    }

    @Test func invalidValue_namesVariable_whenFromEnvironment() {
        #expect(
            message(nil, environment: ["STARLING_MQTT_MAX_QOS": "7"])
                == #"environment STARLING_MQTT_MAX_QOS: expected an integer 0…2, got "7""#
        )
    }

    @Test func invalidValue_namesFlag_whenFromCommandLine() {
        let listen = ConfigurationOverride(key: "listeners.tcp.bind", value: "foo", flag: "--listen")
        #expect(message(nil, overrides: [listen]) == #"--listen: expected HOST:PORT, got "foo""#)
    }

    @Test func unknownKey_suggestsClosestKey_whenMisspelt() {
        #expect(
            message("[mqtt]\nmax_qos = 1\nmax_pakcet_size = 5")
                == #"starling.toml:3: unknown key "mqtt.max_pakcet_size" (did you mean "mqtt.max_packet_size"?)"#
        )
    }

    @Test func unknownKey_suggestsKeyInOtherTable_whenWrittenInWrongTable() {
        #expect(
            message("[node]\nmax_qos = 1")
                == #"starling.toml:2: unknown key "node.max_qos" (did you mean "mqtt.max_qos"?)"#
        )
    }

    @Test func unknownKey_hasNoSuggestion_whenNothingIsClose() {
        #expect(message("[mqtt]\nbananas = 1") == #"starling.toml:2: unknown key "mqtt.bananas""#)
    }

    @Test func unknownKey_quotesPartsWithDots_whenKeyWasQuoted() {
        #expect(
            message("[mqtt]\n\"max.qos\" = 1")
                == #"starling.toml:2: unknown key "mqtt.\"max.qos\"" (did you mean "mqtt.max_qos"?)"#
        )
    }

    @Test func unknownKey_namesFlag_whenFromCommandLine() {
        let set = ConfigurationOverride(key: "mqtt.max_qso", value: "1", flag: "--set mqtt.max_qso")
        #expect(
            message(nil, overrides: [set])
                == #"--set mqtt.max_qso: unknown key "mqtt.max_qso" (did you mean "mqtt.max_qos"?)"#
        )
    }

    @Test func unknownTable_suggestsClosestTable_whenMisspelt() {
        #expect(message("\n[mqttt]") == "starling.toml:2: unknown table [mqttt] (did you mean [mqtt]?)")
    }

    @Test func notATable_explains_whenSectionGivenValue() {
        #expect(message("mqtt = 5") == #"starling.toml:1: "mqtt" is a table of settings ([mqtt]), got 5"#)
    }

    @Test func valueGotTable_explains_whenKeyWrittenAsTable() {
        #expect(message("[mqtt.max_qos]") == "starling.toml:1: mqtt.max_qos: expected an integer 0…2, got a table")
        #expect(
            message("[mqtt]\nmax_qos.level = 1")
                == "starling.toml:2: mqtt.max_qos: expected an integer 0…2, got a table"
        )
    }

    @Test func syntaxError_namesFileAndLine_whenTOMLIsMalformed() {
        #expect(
            message("[log]\nlevel = \"info\"\nlevel = \"debug\"")
                == #"starling.toml:3: duplicate key "log.level" (first defined on line 2)"#
        )
        #expect(
            message("[log]\nlevel = info") == #"starling.toml:2: expected a value, got "info" (strings need quotes)"#
        )
    }

    @Test func origin_isExposed_forCallers() throws {
        do {
            _ = try resolve(nil, environment: ["STARLING_MQTT_MAX_QOS": "x"])
            Issue.record("expected an error")
        } catch {
            #expect(error.origin == .environment(variable: "STARLING_MQTT_MAX_QOS"))
        }
    }
}
