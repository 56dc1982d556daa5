package import TaskEngine

/// The options of `taskwire token create`.
package struct TokenOptions: Sendable, Equatable {
    /// `--user`: whose token it is; the user is created when missing.
    package var userID = UserID("")
    /// `--role`: required when the user is created; when given for an existing user it must match.
    package var role: Role?
    /// `--name`: the name of a created user (default: the id).
    package var name: String?
    /// `--label`.
    package var label: String?
    /// `--expires-at`: RFC 3339 or Unix epoch seconds.
    package var expiresAt: TimeInput?
    /// `--data-dir` (with the same default as serving) or `--postgres`.
    package var location = StoreLocation.directory("")

    package init() {}

    /// `taskwire token create --help`.
    static let usage = """
        Usage: taskwire token create --user ID [--role ROLE] [--name NAME] [--label LABEL]
                                     [--expires-at TIME] [--data-dir DIR | --postgres URL]

        Issues a bearer token for a socket client from the shell, creating the user when it is missing, and
        prints the token alone on stdout once it is durable. It takes the data directory's lock (or the
        database's serving lock): no server may run on it.

        Options:
          --user ID          Whose token it is (required).
          --role ROLE        admin, agent or member; required when the user is created, and when given for an
                             existing user it must be that user's role.
          --name NAME        The display name of a created user. Default: the id.
          --label LABEL      A label for the token, shown by auth.tokens.list.
          --expires-at TIME  When the token stops working: RFC 3339, or Unix epoch seconds. Default: never.
          --data-dir DIR     The data directory. Default: $TASKWIRE_DATA_DIR, else $XDG_DATA_HOME/taskwire,
                             else $HOME/.local/share/taskwire.
          --postgres URL     A PostgreSQL database instead of a data directory (docs/postgres.md).
          --help             Print this help and exit.

        Exit status: 0 the token was printed; 64 bad command line, the user does not exist and no --role was
        given, or it exists with another role; 65 the stored data is damaged (run taskwire check); 74 an I/O
        error, or the token could not be made durable; 75 another taskwire holds the data directory or the
        database.

        """

    /// Parses the words after `token`.
    static func parse(
        _ arguments: ArraySlice<String>, environment: [String: String]
    ) throws(CommandLineError)
        -> TokenOptions
    {
        var remaining = arguments
        guard remaining.popFirst() == "create" else {
            throw CommandLineError(
                "Usage: taskwire token create --user ID [--role ROLE] [--name NAME] [--data-dir DIR] ...; "
                    + "taskwire token create --help for more.")
        }
        var options = TokenOptions()
        var dataDirectory: String?
        var postgres: String?
        var cursor = ArgumentCursor(remaining)
        while let word = cursor.next() {
            let (argument, name) = (word.argument, word.name)
            let text = try cursor.value(of: word)
            switch name {
            case "--user": options.userID = UserID(text)
            case "--name": options.name = text
            case "--label": options.label = text
            case "--data-dir":
                guard !text.isEmpty else { throw CommandLineError("--data-dir needs a path.") }
                dataDirectory = text
            case "--postgres": postgres = text
            case "--role":
                guard let role = Role(rawValue: text) else {
                    throw CommandLineError("--role must be admin, agent or member, not '\(text)'.")
                }
                options.role = role
            case "--expires-at":
                options.expiresAt = Double(text).map(TimeInput.epochSeconds) ?? .text(text)
            default:
                throw CommandLineError("Unknown option '\(argument)' for taskwire token create.")
            }
        }
        guard !options.userID.text.isEmpty else { throw CommandLineError("taskwire token create needs --user ID.") }
        if let postgres {
            if dataDirectory != nil { throw CommandLineError("--data-dir and --postgres exclude each other.") }
            options.location = .postgres(postgres)
            return options
        }
        guard let directory = dataDirectory ?? CommandLineOptions.defaultDataDirectory(environment: environment)
        else {
            throw CommandLineError("No data directory: set HOME or TASKWIRE_DATA_DIR, or pass --data-dir.")
        }
        options.location = .directory(directory)
        return options
    }
}
