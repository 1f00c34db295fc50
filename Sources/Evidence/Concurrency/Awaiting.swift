extension Result where Failure == EvidenceError {
    /// The outcome of asynchronous work that throws evidence errors, as a value: what an `async let` or a
    /// task of a group carries when the error must come out typed where it is awaited.
    public static func awaiting(_ work: () async throws(EvidenceError) -> Success) async -> Result<Success, EvidenceError> {
        do throws(EvidenceError) {
            return .success(try await work())
        } catch {
            return .failure(error)
        }
    }
}
