import ArgumentParser
import CommandLineSupport
import LocalStore
import Sync

/// A failure the CLI reports as one line on standard error, with the exit status for its kind:
/// 2 when the configuration or the database cannot be used at all (README.md), 1 when one
/// operation failed (unknown ID, invalid field).
struct CLIError: Error, CustomStringConvertible {
    var message: String
    var status: Int32

    static func configuration(_ message: String) -> CLIError { CLIError(message: message, status: 2) }
    static func failed(_ message: String) -> CLIError { CLIError(message: message, status: 1) }

    init(message: String, status: Int32) {
        self.message = message
        self.status = status
    }

    init(_ error: any Error) {
        switch error {
        case let error as CLIError:
            self = error
        case let error as ConfigurationError:
            self = .configuration(error.message)
        case let error as LocalStoreError:
            switch error {
            case .dataDirectoryUnusable, .notADatabase, .corrupt: self = .configuration(error.description)
            default: self = .failed(error.description)
            }
        case let error as InvalidFieldError:
            self = .failed(error.message)
        default:
            self = .failed("\(error)")
        }
    }

    var description: String { message }
}

extension ParsableCommand {
    /// Runs `body`, printing a failure as `edge-agent: <message>` and exiting with its status.
    func reportingErrors(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as ExitCode {
            throw error
        } catch {
            let failure = CLIError(error)
            Output.error("edge-agent: \(failure.message)")
            throw ExitCode(failure.status)
        }
    }
}
