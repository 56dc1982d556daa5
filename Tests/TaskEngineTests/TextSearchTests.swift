import Foundation
import StoreTestSupport
import Testing

@testable import TaskEngine

/// Proves `tasks.list {q}` through the text index equal to a scan of every task, on Unicode-heavy text.
///
/// The comparisons are long stretches of synchronous work, so they run on a thread of their own, one test at
/// a time: on a 2-core machine the concurrency pool has two threads, and holding them starves every other
/// suite running beside this one.
@Suite(.serialized, .closesTestStores)
struct TextSearchTests {
    /// Pieces of titles and descriptions: case pairs, precomposed and decomposed accents, letters whose
    /// lower case is ASCII (KELVIN SIGN) or longer (İ), canonical singletons of ASCII (U+037E is `;`),
    /// ligatures, CJK, emoji with modifiers, CR LF and punctuation.
    static let fragments = [
        "Refund", "call", "CAFÉ", "café", "cafe\u{301}", "Straße", "STRASSE", "İstanbul", "\u{212A}elvin", "kelvin",
        "semi;colon", "semi\u{037E}colon", "back`tick", "back\u{1FEF}tick", "naïve", "nai\u{308}ve", "日本語", "🎉 party",
        "résumé", "ticket #42", "a-b", "x\r\ny", "Ω", "ω", "👍🏽", "ﬁle", "file", "I", "ı", "ǅ", "e\u{301}", "ABC", "abc",
        "Follow up", "customer 4242", "zz",
    ]
    static let separators = [" ", "", "-", ", ", "\n"]
    static let needles = [
        "a", "e", "é", "e\u{301}", "ca", "caf", "café", "cafe\u{301}", "CAFE", "ss", "ß", "strasse", "ï", "i", "İ",
        "i\u{307}",
        "k", "K", "\u{212A}", "kelvin", ";", "\u{037E}", "`", "#4", "日本", "語", "🎉", "x\r", "\r\n", "\r", "y",
        "refund call", "z", "zz", "zzz", "ticket #42", "b", "ω", "Ω", "fi", "ﬁ", " ", "-", "abc", "bc", "ab", "ǆ",
        "up c", "customer 4242", "4242", "2", "👍", "\u{1F3FD}",
    ]

    static func text(_ random: inout SeededRandom) -> String {
        (0..<Int.random(in: 1...4, using: &random)).map { _ in
            (fragments.randomElement(using: &random) ?? "") + (separators.randomElement(using: &random) ?? "")
        }.joined()
    }

    /// Every needle, alone and with other filters, sorts and pages, through the index and by a scan.
    static func compare(_ engine: Engine, _ random: inout SeededRandom) async throws {
        try await compare(await engine.state.tasks, &random)
    }

    static func compare(_ ledger: TaskLedger, _ random: inout SeededRandom) async throws {
        let seed = random.next()
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread {
                var random = SeededRandom(seed: seed)
                continuation.resume(with: Result { try compare(ledger, random: &random) })
            }.start()
        }
    }

    static func compare(_ ledger: TaskLedger, random: inout SeededRandom) throws {
        for needle in needles {
            for variant in 0..<4 {
                var query = TaskQuery()
                query.search = needle
                query.limit = [1, 3, 20, 200].randomElement(using: &random) ?? 20
                query.page = Int.random(in: 1...3, using: &random)
                query.sort = TaskQuery.SortKey.allCases.randomElement(using: &random)?.rawValue
                query.order = [nil, "asc", "desc"].randomElement(using: &random) ?? nil
                if variant == 1 { query.statuses = ["pending"] }
                if variant == 2 { query.tags = ["vip"] }
                if variant == 3 { query.priorities = ["high", "low"] }
                let resolved = try ResolvedQuery(query)
                let indexed = ledger.list(resolved)
                let scanned = ledger.scanList(resolved)
                #expect(indexed.slots == scanned.slots, "\(needle.unicodeScalars.map(\.value)) \(query)")
                #expect(indexed.total == scanned.total, "\(needle.unicodeScalars.map(\.value)) \(query)")
            }
        }
    }

    @Test(arguments: [UInt64(11), 12, 13])
    func indexedSearchEqualsScanAcrossChanges(seed: UInt64) async throws {
        let fixture = try Fixture()
        var random = SeededRandom(seed: seed)
        var ids: [TaskID] = []
        for round in 0..<3 {
            for _ in 0..<150 {
                let task = try await fixture.create(Self.text(&random)) { input in
                    if Bool.random(using: &random) { input.description = Self.text(&random) }
                    input.priority = ["low", "high", "medium"].randomElement(using: &random)
                    if Bool.random(using: &random) { input.tags = ["vip"] }
                }
                ids.append(task.id)
            }
            // Change titles and descriptions (set, replace, clear), statuses, and delete some.
            for _ in 0..<60 {
                guard let target = ids.randomElement(using: &random), (try? await fixture.engine.task(target)) != nil
                else { continue }
                switch Int.random(in: 0..<5, using: &random) {
                case 0: try await fixture.update(target) { $0.title = Self.text(&random) }
                case 1: try await fixture.update(target) { $0.description = .some(Self.text(&random)) }
                case 2: try await fixture.update(target) { $0.description = .some(nil) }
                case 3: try await fixture.setStatus(target, .inProgress)
                default: _ = try await fixture.engine.delete(target, by: .system)
                }
            }
            try await Self.compare(fixture.engine, &random)
            // Through the engine too (the search thread), against the same scan.
            let page = try await fixture.engine.list(
                {
                    var query = TaskQuery()
                    query.search = ["café", "a", "日本"][round]
                    query.limit = 200
                    return query
                }())
            let resolved = try ResolvedQuery(
                {
                    var query = TaskQuery()
                    query.search = ["café", "a", "日本"][round]
                    query.limit = 200
                    return query
                }())
            let ledger = await fixture.engine.state.tasks
            let scanned = ledger.scanList(resolved)
            #expect(page.total == scanned.total)
            #expect(page.tasks.map(\.id) == scanned.slots.map { ledger.task(at: $0).id })
        }
        // A replay rebuilds the index, which answers the same.
        let reopened = try fixture.reopen()
        try await Self.compare(reopened, &random)
        // So does loading a snapshot, which reads its task lines in one pass and builds the indexes at once.
        let loaded = try EngineState(snapshot: await fixture.engine.state.snapshotBytes())
        #expect(
            loaded.tasks.list(
                try ResolvedQuery(
                    {
                        var query = TaskQuery(); query.search = "a"; return query
                    }())
            ).total > 0)
        try await Self.compare(loaded.tasks, &random)
    }

    @Test func searchFindsCaseAndAccentVariantsTheScanFinds() async throws {
        let fixture = try Fixture()
        let upper = try await fixture.create("REFUND for Kelvin")
        let accented = try await fixture.create("Visit the café") { $0.description = "and the CAFÉ again" }
        _ = try await fixture.create("nothing here")
        var query = TaskQuery()
        query.search = "refund"
        #expect(try await fixture.engine.list(query).tasks.map(\.id) == [upper.id])
        query.search = "CAFÉ"
        #expect(try await fixture.engine.list(query).tasks.map(\.id) == [accented.id])
        query.search = "\u{212A}elvin"
        #expect(try await fixture.engine.list(query).tasks.map(\.id) == [upper.id])
        query.search = "e"
        let page = try await fixture.engine.list(query)
        #expect(page.total == 3)
    }

    /// Loading a snapshot builds the index at once, block by block on every core: it must hold exactly the
    /// sets that inserting the same tasks one by one makes, across several blocks of 65,536 slots, dense and
    /// sparse, with deleted tasks and tasks of non-ASCII text.
    @Test func buildingAtOnceMakesTheSetsInsertingMakes() async throws {
        // Built on a thread of its own (long synchronous work), checked here.
        let (built, inserted) = await withCheckedContinuation {
            (continuation: CheckedContinuation<(TextIndex, TextIndex), Never>) in
            Thread {
                var random = SeededRandom(seed: 21)
                var tasks: [TaskItem] = []
                let created = Timestamp(microseconds: 1_780_000_000_000_000)
                for slot in 0..<140_000 {
                    var task = TaskItem(
                        rawID: UInt64(slot + 1), title: Self.text(&random), createdAt: created, createdBy: "ann")
                    if slot % 3 == 0 { task.description = Self.text(&random) }
                    // A block's rare grams stay sorted arrays; common ones become bitmaps.
                    if slot % 1_000 == 0 { task.title += " rare\(slot % 7)" }
                    task.isDeleted = slot % 7 == 3
                    tasks.append(task)
                }
                var inserted = TextIndex()
                for (slot, task) in tasks.enumerated() where !task.isDeleted { inserted.insert(task, at: Int32(slot)) }
                continuation.resume(returning: (TextIndex.build(from: tasks), inserted))
            }.start()
        }
        let expected = inserted.gramSets
        let actual = built.gramSets
        #expect(actual.count == expected.count)
        #expect(Set(actual.keys) == Set(expected.keys))
        for (gram, set) in expected where actual[gram] != set {
            Issue.record("gram \(gram): \(actual[gram]?.count ?? 0) slots built, \(set.count) inserted")
        }
        #expect(built.irregular == inserted.irregular)
        #expect(built.irregular.count > 10_000)
        #expect(built.storageBytes == inserted.storageBytes)
        for needle in Self.needles + ["rare3", "rare"] {
            #expect(built.plan(needle.lowercased())?.candidates == inserted.plan(needle.lowercased())?.candidates)
        }
        #expect(TextIndex.build(from: [TaskItem]()).gramSets.isEmpty)
    }

    @Test func slotSetAgreesWithASetThroughDenseAndSparseBlocks() {
        var random = SeededRandom(seed: 5)
        var set = SlotSet()
        var reference = Set<Int32>()
        for round in 0..<4 {
            // Dense runs in one block, sparse slots across others, then removals that turn blocks sparse.
            for _ in 0..<6000 {
                let slot =
                    round % 2 == 0
                    ? Int32.random(in: 0..<9000, using: &random) : Int32.random(in: 0..<400_000, using: &random)
                #expect(set.insert(slot) == reference.insert(slot).inserted)
            }
            for _ in 0..<4000 {
                let slot = Int32.random(in: 0..<400_000, using: &random)
                #expect(set.remove(slot) == (reference.remove(slot) != nil))
            }
            #expect(set.count == reference.count)
            var ascending: [Int32] = []
            set.forEach {
                ascending.append($0); return true
            }
            #expect(ascending == reference.sorted())
            var descending: [Int32] = []
            set.forEach(ascending: false) {
                descending.append($0); return true
            }
            #expect(descending == reference.sorted(by: >))
            var other = SlotSet()
            var otherReference = Set<Int32>()
            for _ in 0..<8000 {
                let slot = Int32.random(in: 0..<70_000, using: &random)
                other.insert(slot)
                otherReference.insert(slot)
            }
            var both: [Int32] = []
            set.intersection(other).forEach {
                both.append($0); return true
            }
            #expect(both == reference.intersection(otherReference).sorted())
            #expect(set.intersectionCount(other) == both.count)
            #expect(
                (0..<1000).allSatisfy { _ in
                    let slot = Int32.random(in: 0..<400_000, using: &random)
                    return set.contains(slot) == reference.contains(slot)
                })
        }
    }

    @Test func gallopingIntersectionKeepsCommonSlotsInOrder() {
        var random = SeededRandom(seed: 8)
        for _ in 0..<20 {
            let arrays = (0..<Int.random(in: 1...4, using: &random)).map { _ in
                Array(
                    Set(
                        (0..<Int.random(in: 0..<3000, using: &random)).map { _ in
                            Int32.random(in: 0..<5000, using: &random)
                        })
                )
                .sorted()
            }
            let expected = arrays.dropFirst().reduce(Set(arrays[0])) { $0.intersection($1) }.sorted()
            #expect(TaskLedger.intersect(arrays) == expected)
        }
    }
}
