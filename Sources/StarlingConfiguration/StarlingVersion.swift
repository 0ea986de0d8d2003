/// The version `starling --version` prints.
public let starlingVersion = "0.1.0"
