import Foundation
import Logging

/// Quiet by default; set POLLERS_TEST_LOG=debug to see the pollers' lines.
func pollerTestLogger(_ label: String = "pollers-tests") -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = ProcessInfo.processInfo.environment["POLLERS_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .error
    return logger
}
