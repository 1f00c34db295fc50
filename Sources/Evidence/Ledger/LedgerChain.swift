/// Checks a ledger read back from a store: contiguous positions from 1, each `prev` the previous
/// `hash`, each `hash` recomputed from the entry's fields.
public enum LedgerChain {
    /// The problems of a chain, in ledger order.
    public static func problems(in entries: [LedgerEntry]) -> [IntegrityReport.Problem] {
        var problems: [IntegrityReport.Problem] = []
        var previous: LedgerEntry?
        for (index, entry) in entries.enumerated() {
            let expectedSeq = Int64(index + 1)
            if entry.seq != expectedSeq {
                problems.append(.init(
                    seq: entry.seq, subject: entry.evidence.description,
                    message: "position \(entry.seq) where \(expectedSeq) was expected (an entry was removed or inserted)"))
            }
            let expectedPrev = previous?.hash ?? LedgerEntry.genesis
            if entry.prev != expectedPrev {
                problems.append(.init(
                    seq: entry.seq, subject: entry.evidence.description,
                    message: "prev is \(entry.prev.short)… but the previous entry's hash is \(expectedPrev.short)… (the chain is broken)"))
            }
            let recomputed = entry.computedHash
            if entry.hash != recomputed {
                problems.append(.init(
                    seq: entry.seq, subject: entry.evidence.description,
                    message: "stored hash \(entry.hash.short)… but its fields hash to \(recomputed.short)… (the entry was altered)"))
            }
            previous = entry
        }
        return problems
    }
}
