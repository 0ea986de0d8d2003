import Foundation
import Testing

@testable import Transport

@Suite("ParkingLot")
struct ParkingLotTests {
    @Test(
        "a stopped lot keeps its descriptors until it goes, so a second stop or a late removal touches no other socket"
    )
    func stopTwice_touchesNoOtherDescriptor() throws {
        let lot = try ParkingLot()
        lot.stop()
        let deadline = Date().addingTimeInterval(5)
        while !lot.hasStopped {
            try #require(Date() < deadline, "the lot's thread did not end")
            usleep(1000)
        }
        // Its descriptors are still its own: had it closed them when its thread ended, their numbers
        // could already name other sockets, for the second stop to write into.
        #expect(fcntl(lot.epoll, F_GETFD) != -1)
        #expect(fcntl(lot.stopSignal, F_GETFD) != -1)
        lot.stop()
        #expect(fcntl(lot.stopSignal, F_GETFD) != -1)
    }
}
