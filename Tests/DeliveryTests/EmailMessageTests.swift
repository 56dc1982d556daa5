import Foundation
import JSON
import Testing

@testable import Delivery

@Suite struct EmailMessageTests {
    let sender = Samples.sender

    func message(_ notification: OutgoingNotification) throws -> (EmailMessage, MessageReader) {
        let message = try EmailMessage(for: notification, sender: sender)
        return (message, try MessageReader(message.bytes()))
    }

    @Test func assignmentHasEveryHeaderInOrder() throws {
        let (_, reader) = try message(Samples.notification())
        #expect(
            reader.fields.map(\.name) == [
                "From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type",
                "Content-Transfer-Encoding", "Auto-Submitted", "X-Taskwire-Delivery", "X-Taskwire-Event",
            ])
        #expect(try reader.value("From") == "taskwire <taskwire@example.org>")
        #expect(try reader.value("To") == "Bob Jones <bob@example.com>")
        #expect(try reader.decoded("Subject") == "Jane Smith assigned you \"Fix login bug\" (tsk_038HMF6T94000)")
        #expect(try reader.value("Date") == "Mon, 15 Jan 2024 10:05:00 +0000")
        #expect(try reader.value("Message-ID") == "<dlv_00000000000000070001@example.org>")
        #expect(try reader.value("MIME-Version") == "1.0")
        #expect(try reader.value("Content-Type") == "text/plain; charset=utf-8")
        #expect(try reader.value("Content-Transfer-Encoding") == "quoted-printable")
        #expect(try reader.value("X-Taskwire-Delivery") == "dlv_00000000000000070001")
        #expect(try reader.value("X-Taskwire-Event") == "task_assigned")
    }

    @Test func everyLineEndsInCRLFAndFitsTheLimits() throws {
        let notification = Samples.notification(
            type: "comment_added", task: Samples.task(title: String(repeating: "a", count: 3000)),
            comment: ["text": .string(String(repeating: "é", count: 2000) + "\n" + String(repeating: "x ", count: 900))]
        )
        let bytes = try EmailMessage(for: notification, sender: sender).bytes()
        var previous: UInt8 = 0
        var lineLength = 0
        for byte in bytes {
            if byte == 0x0A {
                #expect(previous == 0x0D, "a bare LF")
                #expect(lineLength - 1 <= 998)
                lineLength = 0
            } else {
                if previous == 0x0D { Issue.record("a bare CR") }
                lineLength += 1
            }
            #expect(byte < 0x80, "8-bit data in a quoted-printable message")
            previous = byte
        }
        let reader = try MessageReader(bytes)
        for line in reader.rawHeaderLines { #expect(line.utf8.count <= 78, "\(line)") }
        for line in reader.rawBodyLines { #expect(line.utf8.count <= 76, "\(line)") }
    }

    @Test func emojiAndCJKRoundTripThroughEncodedWordsAndQuotedPrintable() throws {
        let title = "修复登录错误 🐛 before the 🚀 launch — naïve café"
        let name = "山田 太郎 👩‍💻"
        let recipient = OutgoingNotification.Person(id: "u1", name: name, email: "taro@example.jp")
        let notification = Samples.notification(
            type: "comment_added", recipient: recipient, task: Samples.task(title: title),
            comment: ["text": "見ました 👍\nLooks good.\n\n.\nFrom here on, = is fine"])
        let (message, reader) = try message(notification)
        #expect(try reader.decoded("Subject") == "Jane Smith commented on \"\(title)\" (tsk_038HMF6T94000)")
        #expect(try reader.value("Subject").hasPrefix("=?utf-8?B?"))
        let to = try reader.mailbox("To")
        #expect(to.name == name)
        #expect(to.address == "taro@example.jp")
        let body = try reader.decodedBody()
        #expect(body == message.bodyText.replacing("\n", with: "\r\n"))
        #expect(body.contains("> 見ました 👍\r\n> Looks good.\r\n>\r\n> .\r\n> From here on, = is fine\r\n"))
        #expect(body.contains("Title:    \(title)"))
    }

    @Test func lineBreaksInValuesNeverStartAHeader() throws {
        let title = "Fix login\r\nBcc: victim@example.net\r\n\r\nInjected body"
        let recipient = OutgoingNotification.Person(
            id: "u2", name: "Eve\nCc: other@example.net", email: "eve@example.com")
        let actor = OutgoingNotification.Person(id: "u3", name: "Mallory\r\nX-Evil: 1")
        let notification = Samples.notification(
            recipient: recipient, actor: actor, task: Samples.task(title: title, assignee: "u2"))
        let (_, reader) = try message(notification)
        #expect(reader.values("Bcc").isEmpty)
        #expect(reader.values("Cc").isEmpty)
        #expect(reader.values("X-Evil").isEmpty)
        #expect(
            try reader.decoded("Subject")
                == "Mallory X-Evil: 1 assigned you \"Fix login Bcc: victim@example.net Injected body\" (tsk_038HMF6T94000)"
        )
        #expect(try reader.mailbox("To").name == "Eve Cc: other@example.net")
        #expect(try reader.mailbox("To").address == "eve@example.com")
        let body = try reader.decodedBody()
        #expect(body.hasPrefix("Hello Eve Cc: other@example.net,\r\n"))
    }

    @Test func textThatLooksLikeAnEncodedWordStaysLiteral() throws {
        let title = "=?utf-8?B?SGFja2Vk?= and =?iso-8859-1?Q?x?="
        let person = OutgoingNotification.Person(id: "u5", name: "=?utf-8?B?Um9vdA==?=", email: "u5@example.com")
        let (_, reader) = try message(Samples.notification(recipient: person, task: Samples.task(title: title)))
        #expect(try reader.decoded("Subject") == "Jane Smith assigned \"\(title)\" (tsk_038HMF6T94000) to Bob Jones")
        #expect(try reader.mailbox("To").name == "=?utf-8?B?Um9vdA==?=")
    }

    @Test func namesWithSpecialsAreQuoted() throws {
        let recipient = OutgoingNotification.Person(id: "u4", name: "Smith, \"Jane\" (ops)", email: "jane@example.com")
        let (_, reader) = try message(Samples.notification(recipient: recipient))
        #expect(try reader.value("To") == "\"Smith, \\\"Jane\\\" (ops)\" <jane@example.com>")
        #expect(try reader.mailbox("To").name == "Smith, \"Jane\" (ops)")
    }

    @Test func aRecipientWithoutAUsableAddressIsRefused() {
        let none = OutgoingNotification.Person(id: "user1", name: "No Mail")
        #expect(throws: EmailMessage.Refusal(reason: "user \"user1\" has no email address in the directory")) {
            try EmailMessage(for: Samples.notification(recipient: none), sender: sender)
        }
        for address in [
            "bob@example.com\r\nBcc: x@example.net", "bob", "bob@", "b ob@example.com", "<b>@example.com",
            "a@b@c", "bob@exa_mple.com", "jörg@example.com",
        ] {
            let person = OutgoingNotification.Person(id: "user2", name: "B", email: address)
            #expect(throws: EmailMessage.Refusal.self) {
                try EmailMessage(for: Samples.notification(recipient: person), sender: sender)
            }
        }
    }

    @Test func subjectsFollowTheEvent() throws {
        let due = "2024-01-20 17:00 UTC"
        let cases: [(OutgoingNotification, String)] = [
            (
                Samples.notification(type: "task_completed"),
                "Jane Smith completed \"Fix login bug\" (tsk_038HMF6T94000)"
            ),
            (
                Samples.notification(type: "comment_added"),
                "Jane Smith commented on \"Fix login bug\" (tsk_038HMF6T94000)"
            ),
            (
                Samples.notification(type: "task_overdue", actor: .init(id: "system", name: "system")),
                "\"Fix login bug\" (tsk_038HMF6T94000) is overdue (due \(due))"
            ),
            (
                Samples.notification(type: "task_due_soon", actor: .init(id: "system", name: "system")),
                "\"Fix login bug\" (tsk_038HMF6T94000) is due soon (due \(due))"
            ),
            (
                Samples.notification(
                    recipient: Samples.jane, actor: Samples.bob, task: Samples.task(assignee: "user999")),
                "Bob Jones assigned \"Fix login bug\" (tsk_038HMF6T94000) to user999"
            ),
            (
                Samples.notification(task: Samples.task(assignee: .null)),
                "Jane Smith unassigned \"Fix login bug\" (tsk_038HMF6T94000)"
            ),
            (
                Samples.notification(type: "workflow_step_ready"),
                "Jane Smith: workflow step ready on \"Fix login bug\" (tsk_038HMF6T94000)"
            ),
            (Samples.notification(type: "workflow_completed", task: nil), "Jane Smith: workflow completed"),
        ]
        for (notification, subject) in cases {
            let (_, reader) = try message(notification)
            #expect(try reader.decoded("Subject") == subject)
        }
    }

    @Test func aLongTitleIsCutInTheSubjectAndWholeInTheBody() throws {
        let title = String(repeating: "word ", count: 60) + "end"
        let (_, reader) = try message(Samples.notification(task: Samples.task(title: title)))
        let subject = try reader.decoded("Subject")
        #expect(subject == "Jane Smith assigned you \"\(title.prefix(99))…\" (tsk_038HMF6T94000)")
        #expect(reader.rawHeaderLines.filter { $0.hasPrefix(" ") }.count >= 2)
        #expect(try reader.decodedBody().contains("Title:    \(title)\r\n"))
    }

    @Test func theBodyNamesTheChangeTheTaskAndHowToReadIt() throws {
        let notification = Samples.notification(
            type: "task_updated",
            changes: [
                "status": ["old": "pending", "new": "in_progress"], "updated_at": ["old": "a", "new": "b"],
                "progress": ["old": 10, "new": 60],
            ])
        let (_, reader) = try message(notification)
        let body = try reader.decodedBody()
        let expected = """
            Hello Bob Jones,

            Jane Smith updated "Fix login bug" (tsk_038HMF6T94000).

            What changed:
              status: pending -> in_progress
              progress: 10 -> 60

            Task:
              Title:    Fix login bug
              Id:       tsk_038HMF6T94000
              Status:   in_progress
              Priority: high
              Due:      2024-01-20 17:00 UTC
              Assignee: Bob Jones (user789)

            To read it, call tasks.get with {"task_id": "tsk_038HMF6T94000"}.

            --\u{20}
            taskwire notification ntf_00000000000000070001 (event task_updated evt_00000000000000070001, delivery dlv_00000000000000070001)

            """
        #expect(body == expected.replacing("\n", with: "\r\n"))
    }

    @Test func theDefaultSenderIsTaskwireAtThisHost() throws {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, 255)
        let host = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let sender = Mailbox.defaultSender
        #expect(sender.displayName == "taskwire")
        #expect(sender.address == "taskwire@\(host.isEmpty ? "localhost" : host)")
        let reader = try MessageReader(try EmailMessage(for: Samples.notification()).bytes())
        #expect(try reader.value("From") == "taskwire <\(sender.address)>")
    }

    @Test func aSenderCanBeParsed() throws {
        let parsed = try #require(Mailbox(parsing: "\"Task Bot\" <bot@example.org>"))
        #expect(parsed.displayName == "Task Bot")
        #expect(parsed.address == "bot@example.org")
        #expect(Mailbox(parsing: "bot@example.org")?.address == "bot@example.org")
        #expect(Mailbox(parsing: "Bot <bot@example.org\r\nBcc: x@y.z>") == nil)
    }

    @Test func lfOutputHasTheSameLinesWithoutCR() throws {
        let message = try EmailMessage(for: Samples.notification(), sender: sender)
        let crlf = String(decoding: message.bytes(lineEnding: .crlf), as: UTF8.self)
        let lf = String(decoding: message.bytes(lineEnding: .lf), as: UTF8.self)
        #expect(!lf.utf8.contains(0x0D))
        #expect(crlf.replacing("\r\n", with: "\n") == lf)
    }

    @Test(arguments: [
        ("2024-01-15T10:05:00Z", "Mon, 15 Jan 2024 10:05:00 +0000", "2024-01-15 10:05 UTC"),
        ("2024-02-29T23:59:59.999Z", "Thu, 29 Feb 2024 23:59:59 +0000", "2024-02-29 23:59:59 UTC"),
        ("2024-03-01T01:30:00+02:00", "Thu, 29 Feb 2024 23:30:00 +0000", "2024-02-29 23:30 UTC"),
        ("1969-12-31T23:00:00-01:00", "Thu, 01 Jan 1970 00:00:00 +0000", "1970-01-01 00:00 UTC"),
        ("2000-03-01T00:00:00Z", "Wed, 01 Mar 2000 00:00:00 +0000", "2000-03-01 00:00 UTC"),
    ])
    func timestampsAreWrittenInUTC(input: String, header: String, readable: String) throws {
        let timestamp = try #require(MailTimestamp(rfc3339: input))
        #expect(timestamp.rfc5322 == header)
        #expect(timestamp.readable == readable)
    }

    @Test func malformedTimestampsAreRefused() {
        for text in ["2024-02-30T00:00:00Z", "2024-01-15", "2024-01-15T10:00:00", "2024-13-01T00:00:00Z", "x"] {
            #expect(MailTimestamp(rfc3339: text) == nil, "\(text)")
        }
    }
}
