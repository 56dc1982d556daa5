extension Array {
    /// The elements of 1-based page `page` of `limit` elements each: empty past the end. `page` and `limit`
    /// are validated first (``IdentityValidator/paging(page:limit:)``), so the product cannot overflow.
    func page(_ page: Int, limit: Int) -> ArraySlice<Element> {
        let start = Swift.min((page - 1) * limit, count)
        return self[start..<Swift.min(start + limit, count)]
    }
}
