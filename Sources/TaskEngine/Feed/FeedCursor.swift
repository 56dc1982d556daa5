/// A position in the event feed: just after the feed event numbered `index` within commit `seq`.
///
/// Its text is the feed event id: `evt_` followed by `seq` as 16 hexadecimal digits and `index` as 4, so ids
/// and cursors sort as strings in commit order (`evt_000000000000002a0001` is the second event of commit
/// 42). A cursor whose index is ``endOfCommit`` (`ffff`) stands after every event of its commit, so a
/// position reached through commits that yield no feed event (identity changes) is a cursor too; the
/// start of the feed is ``start``, after commit 0.
package struct FeedCursor: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The commit (`seq`).
    package var seq: UInt64
    /// The feed event's position among the commit's feed events, from 0.
    package var index: UInt16

    /// The index that places a cursor after every feed event of its commit.
    package static let endOfCommit: UInt16 = .max

    package init(seq: UInt64, index: UInt16) {
        self.seq = seq
        self.index = index
    }

    /// The position after every event of commit `seq`.
    package static func after(commit seq: UInt64) -> FeedCursor { FeedCursor(seq: seq, index: endOfCommit) }

    /// Before the first event of the feed.
    package static let start = FeedCursor.after(commit: 0)

    /// Reads a cursor's text; `nil` when it is not `evt_` + 20 lower-case hexadecimal digits.
    package init?(_ text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 24, text.hasPrefix("evt_") else { return nil }
        var seq: UInt64 = 0
        var index: UInt16 = 0
        for (position, byte) in utf8[4...].enumerated() {
            let digit: UInt64
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt64(byte - UInt8(ascii: "a") + 10)
            default: return nil
            }
            if position < 16 { seq = seq << 4 | digit } else { index = index << 4 | UInt16(digit) }
        }
        self.init(seq: seq, index: index)
    }

    /// `evt_` + 16 hexadecimal digits of `seq` + 4 of `index`.
    package var description: String {
        let seqText = String(seq, radix: 16)
        let indexText = String(index, radix: 16)
        return "evt_" + String(repeating: "0", count: 16 - seqText.count) + seqText
            + String(repeating: "0", count: 4 - indexText.count) + indexText
    }

    package static func < (lhs: FeedCursor, rhs: FeedCursor) -> Bool { (lhs.seq, lhs.index) < (rhs.seq, rhs.index) }
}
