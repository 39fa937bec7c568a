import ArgumentParser
import CommandLineSupport
import LocalStore
import Sync

#if canImport(Glibc)
    import Glibc
#endif

/// Adds tasks in a loop and prints each ID once its commit returned. The crash tests kill this
/// process with SIGKILL at random moments and check that every printed ID survived.
struct AddLoop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-loop", abstract: "Add tasks in a loop, printing each ID after its commit returns.")

    @Option(help: "Data directory.") var dataDir: String
    @Option(help: "Node name.") var nodeName = "bench-node"
    @Option(help: "How many tasks (0 = until killed).") var count = 0

    func run() throws {
        let store = try LocalStore(directory: dataDir, configuration: .init(nodeName: nodeName))
        var i = 0
        while count == 0 || i < count {
            let task = try store.createTask(NewTask(title: "task \(i) from \(getpid())"))
            Output.line(task.id.lowercasedString)
            i += 1
        }
    }
}
