/// The RFC 5322 message that tells one person about one notification: headers, then a quoted-printable
/// UTF-8 plain-text body.
///
/// The headers are, in order: `From` (the configured sender, ``Mailbox/defaultSender`` unless told),
/// `To` (the recipient's name and address from the directory), `Subject`, `Date` (when the change
/// committed, UTC), `Message-ID` (`<DELIVERY_ID@SENDER_DOMAIN>`, the same for every attempt, so a mail
/// system can drop a duplicate), `MIME-Version`, `Content-Type: text/plain; charset=utf-8`,
/// `Content-Transfer-Encoding: quoted-printable`, `Auto-Submitted: auto-generated` (RFC 3834: no
/// vacation replies), `X-Taskwire-Delivery` and `X-Taskwire-Event`. See ``HeaderField`` for how values
/// are kept inside their header and ``QuotedPrintable`` for the body.
package struct EmailMessage: Sendable, Equatable {
    /// How lines end when the message is written out.
    package enum LineEnding: Sendable {
        /// CR LF, the form RFC 5322 defines: for `.eml` files and anything speaking SMTP.
        case crlf
        /// LF alone, the local form a `sendmail` command reads on its standard input.
        case lf
    }

    /// Why no message can be made for a notification; the delivery is given up with ``reason``.
    package struct Refusal: Error, Sendable, Equatable {
        /// One sentence for the delivery record and the log.
        package var reason: String
    }

    /// Who it is from.
    package var sender: Mailbox
    /// Who it is for.
    package var recipient: Mailbox
    /// The subject before header encoding.
    package var subject: String
    /// The body text before transfer encoding, lines ending in LF.
    package var bodyText: String
    /// The header section, one element per line (folded fields take several), without line endings.
    package var headerLines: [String]
    /// The encoded body, one element per line, without line endings.
    package var bodyLines: [String]

    /// The message for `notification`, from `sender`.
    ///
    /// - Throws: ``Refusal`` when the recipient has no address in the directory, or one that cannot be
    ///   written into a `To` header.
    package init(for notification: OutgoingNotification, sender: Mailbox = .defaultSender) throws(Refusal) {
        let person = notification.recipient
        guard let address = person.email, !address.isEmpty else {
            throw Refusal(reason: "user \(Self.quote(person.id)) has no email address in the directory")
        }
        guard let recipient = Mailbox(displayName: person.name, address: address) else {
            throw Refusal(
                reason: "the email address \(Self.quote(address)) of user \(Self.quote(person.id)) cannot be used")
        }
        let content = EmailContent(for: notification)
        let date = MailTimestamp(rfc3339: notification.occurredAt) ?? MailTimestamp.now
        self.sender = sender
        self.recipient = recipient
        subject = content.subject
        bodyText = content.body
        var headers: [String] = []
        headers += HeaderField.mailbox("From", sender)
        headers += HeaderField.mailbox("To", recipient)
        headers += HeaderField.unstructured("Subject", content.subject)
        headers += HeaderField.token("Date", date.rfc5322)
        headers += HeaderField.token("Message-ID", "<\(Self.idLeft(notification.deliveryID))@\(sender.domain)>")
        headers += HeaderField.token("MIME-Version", "1.0")
        headers.append("Content-Type: text/plain; charset=utf-8")
        headers += HeaderField.token("Content-Transfer-Encoding", "quoted-printable")
        headers += HeaderField.token("Auto-Submitted", "auto-generated")
        headers += HeaderField.unstructured("X-Taskwire-Delivery", notification.deliveryID)
        headers += HeaderField.unstructured("X-Taskwire-Event", notification.eventType)
        headerLines = headers
        bodyLines = QuotedPrintable.encode(
            content.body.hasSuffix("\n") ? String(content.body.dropLast()) : content.body)
    }

    /// The whole message as bytes, every line (the last included) ending with `lineEnding`.
    package func bytes(lineEnding: LineEnding = .crlf) -> [UInt8] {
        let end: [UInt8] = lineEnding == .crlf ? [0x0D, 0x0A] : [0x0A]
        var output: [UInt8] = []
        output.reserveCapacity((headerLines.count + bodyLines.count) * 60)
        for line in headerLines {
            output.append(contentsOf: line.utf8)
            output.append(contentsOf: end)
        }
        output.append(contentsOf: end)
        for line in bodyLines {
            output.append(contentsOf: line.utf8)
            output.append(contentsOf: end)
        }
        return output
    }

    /// The id as a `Message-ID`'s left part: `atext` and dots only, anything else as `_`.
    private static func idLeft(_ id: String) -> String {
        let kept = String(
            decoding: id.utf8.map { Mailbox.isAtext($0) ? $0 : UInt8(ascii: "_") }, as: UTF8.self)
        return kept.isEmpty ? "delivery" : kept
    }

    /// A value quoted for a reason sentence, on one line and cut to a readable length.
    static func quote(_ value: String) -> String {
        let line = HeaderField.singleLine(value)
        return "\"" + (line.count > 80 ? String(line.prefix(79)) + "…" : line) + "\""
    }
}
