import Foundation
import TaskwireServer

// The whole program lives in TaskwireServer so that its tests can reach it; this file only hands over.
let status = await Launcher.main(
    arguments: Array(CommandLine.arguments.dropFirst()),
    environment: ProcessInfo.processInfo.environment
)
exit(status)
