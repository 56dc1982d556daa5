package import JSON
package import TaskEngine

/// The options of `taskwire basic FILE`.
package struct BasicOptions: Sendable, Equatable {
    /// The script: a path, or `-` for stdin.
    package var file = ""
    /// `--data-dir`: run in-process on this data directory (the default, with serving's default directory).
    package var dataDirectory: String?
    /// `--postgres`: run in-process on this PostgreSQL database instead (docs/postgres.md).
    package var postgres: String?
    /// `--socket`: send the script to the server listening here instead.
    package var socketPath: String?
    /// `--token` (or `$TASKWIRE_TOKEN`): the token to log in with over `--socket`.
    package var token: String?
    /// `--user`: who the script acts as against a data directory; it must exist. Default: `system`.
    package var user = User.systemID
    /// `--var name=value` (repeatable): the starting variables; a value that reads as a number is a number.
    package var variables: [(name: String, value: JSONValue)] = []

    package init() {}

    package static func == (lhs: BasicOptions, rhs: BasicOptions) -> Bool {
        lhs.file == rhs.file && lhs.dataDirectory == rhs.dataDirectory && lhs.postgres == rhs.postgres
            && lhs.socketPath == rhs.socketPath
            && lhs.token == rhs.token && lhs.user == rhs.user && lhs.variables.map(\.name) == rhs.variables.map(\.name)
            && lhs.variables.map(\.value) == rhs.variables.map(\.value)
    }

    /// `taskwire basic --help`.
    static let usage = """
        Usage: taskwire basic FILE [--data-dir DIR | --postgres URL | --socket PATH [--token T]] [--user ID]
                                   [--var NAME=VALUE ...]

        Runs a BASIC script (FILE, or - for stdin) over the task API and prints what it says (TALK) on
        stdout, one line each. Against a data directory it opens the data in-process (no server may run on
        it) and acts as --user; against a running server it logs in over the socket and calls basic.run.

        Options:
          --data-dir DIR     The data directory. Default: $TASKWIRE_DATA_DIR, else $XDG_DATA_HOME/taskwire,
                             else $HOME/.local/share/taskwire.
          --postgres URL     A PostgreSQL database instead of a data directory (docs/postgres.md).
          --socket PATH      Send the script to the server listening on this Unix socket instead.
          --token T          The token to log in with over --socket. Default: $TASKWIRE_TOKEN.
          --user ID          Who the script acts as against a data directory; it must exist. Default: system.
          --var NAME=VALUE   Sets a variable before the script starts; repeatable. A VALUE that reads as a
                             number (3, -1.5) is a number, anything else a string.
          --help             Print this help and exit.

        Exit status: 0 the script ran to its end; 64 bad command line, bad --var, or no such --user;
        65 a syntax or runtime error in the script (FILE:LINE:COLUMN: message on stderr), or damaged data;
        66 FILE cannot be read; 69 the socket cannot be reached; 70 an internal error; 74 an I/O error;
        75 another taskwire holds the data directory or the database; 77 the server refused the login or the call.

        """

    /// Parses the words after `basic`.
    static func parse(
        _ arguments: ArraySlice<String>, environment: [String: String]
    ) throws(CommandLineError) -> BasicOptions {
        var options = BasicOptions()
        var file: String?
        var cursor = ArgumentCursor(arguments)
        while let word = cursor.next() {
            let (argument, name) = (word.argument, word.name)
            if argument == "-" || !argument.hasPrefix("-") {
                guard file == nil else {
                    throw CommandLineError("taskwire basic runs one FILE, not also '\(argument)'.")
                }
                file = argument
                continue
            }
            let text = try cursor.value(of: word)
            switch name {
            case "--data-dir":
                guard !text.isEmpty else { throw CommandLineError("--data-dir needs a path.") }
                options.dataDirectory = text
            case "--postgres": options.postgres = text
            case "--socket":
                guard !text.isEmpty else { throw CommandLineError("--socket needs a path.") }
                options.socketPath = text
            case "--token": options.token = text
            case "--user":
                guard !text.isEmpty else { throw CommandLineError("--user needs a user id.") }
                options.user = UserID(text)
            case "--var":
                guard let equals = text.firstIndex(of: "=") else {
                    throw CommandLineError("--var must be NAME=VALUE, not '\(text)'.")
                }
                let variable = String(text[..<equals])
                let value = String(text[text.index(after: equals)...])
                let number = Double(value).flatMap { $0.isFinite && !value.contains(where: \.isLetter) ? $0 : nil }
                options.variables.append((variable, number.map(JSONValue.double) ?? .string(value)))
            default:
                throw CommandLineError("Unknown option '\(argument)' for taskwire basic.")
            }
        }
        guard let file else { throw CommandLineError("taskwire basic needs a FILE (or - for stdin).") }
        options.file = file
        if options.postgres != nil, options.dataDirectory != nil {
            throw CommandLineError("--data-dir and --postgres exclude each other.")
        }
        if options.socketPath != nil {
            guard options.dataDirectory == nil, options.postgres == nil else {
                throw CommandLineError("--socket excludes --data-dir and --postgres.")
            }
            guard options.user == User.systemID else {
                throw CommandLineError("--user is for a data directory; over --socket the token decides who acts.")
            }
            options.token = options.token ?? environment["TASKWIRE_TOKEN"]
            guard options.token?.isEmpty == false else {
                throw CommandLineError("--socket needs --token T (or $TASKWIRE_TOKEN).")
            }
        } else if options.token != nil {
            throw CommandLineError("--token is for --socket; against a data directory, --user decides who acts.")
        } else if options.dataDirectory == nil, options.postgres == nil {
            guard let directory = CommandLineOptions.defaultDataDirectory(environment: environment) else {
                throw CommandLineError("No data directory: set HOME or TASKWIRE_DATA_DIR, or pass --data-dir.")
            }
            options.dataDirectory = directory
        }
        return options
    }
}
