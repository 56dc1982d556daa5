import Testing

@testable import TaskEngine

struct TimestampTests {
    @Test(arguments: [
        ("2024-01-15T10:00:00Z", "2024-01-15T10:00:00Z"),
        ("2024-01-15t10:00:00z", "2024-01-15T10:00:00Z"),
        ("2024-01-15T12:30:00+02:30", "2024-01-15T10:00:00Z"),
        ("2024-01-15T05:00:00-05:00", "2024-01-15T10:00:00Z"),
        ("2024-01-01T00:30:00+01:00", "2023-12-31T23:30:00Z"),
        ("2024-01-15T10:00:00.5Z", "2024-01-15T10:00:00.500Z"),
        ("2024-01-15T10:00:00.123456Z", "2024-01-15T10:00:00.123456Z"),
        ("2024-01-15T10:00:00.1234567899Z", "2024-01-15T10:00:00.123456Z"),
        ("2024-01-15T10:00:00.000Z", "2024-01-15T10:00:00Z"),
        ("2024-02-29T23:59:59Z", "2024-02-29T23:59:59Z"),
        ("2000-02-29T00:00:00Z", "2000-02-29T00:00:00Z"),
        ("1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z"),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),
        ("9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"),
    ])
    func parsesAndFormatsInUTC(input: String, expected: String) throws {
        let time = try #require(Timestamp(rfc3339: input))
        #expect(time.rfc3339 == expected)
        #expect(Timestamp(rfc3339: time.rfc3339) == time)
    }

    @Test(arguments: [
        "", "2024-01-15", "2024-01-15T10:00:00", "2024-02-30T10:00:00Z", "2023-02-29T10:00:00Z",
        "1900-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-00-10T00:00:00Z", "2024-01-32T00:00:00Z",
        "2024-01-15T24:00:00Z", "2024-01-15T10:60:00Z", "2024-01-15T10:00:60Z", "2024-01-15 10:00:00Z",
        "2024-01-15T10:00:00.Z", "2024-01-15T10:00:00+0200", "2024-01-15T10:00:00+24:00", "24-01-15T10:00:00Z",
        "2024-01-15T10:00:00Zjunk", "0000-01-01T00:00:00Z", "2024-1-15T10:00:00Z", "9999-12-31T23:59:59-01:00",
    ])
    func refusesInvalidTimes(input: String) {
        #expect(Timestamp(rfc3339: input) == nil)
    }

    @Test func epochSecondsMatchTheSameInstant() throws {
        let time = try #require(Timestamp(epochSeconds: 1_705_312_800))
        #expect(time.rfc3339 == "2024-01-15T10:00:00Z")
        #expect(Timestamp(epochSeconds: 1_705_312_800.25)?.rfc3339 == "2024-01-15T10:00:00.250Z")
        #expect(Timestamp(epochSeconds: -1)?.rfc3339 == "1969-12-31T23:59:59Z")
        #expect(Timestamp(epochSeconds: 1e300) == nil)
        #expect(Timestamp(epochSeconds: .nan) == nil)
    }

    @Test func everyDayOfFourHundredYearsRoundTrips() throws {
        // One instant per day across a full Gregorian cycle, including every leap day.
        var time = try #require(Timestamp(rfc3339: "1900-01-01T12:34:56Z"))
        for _ in 0..<146_097 {
            let text = time.rfc3339
            #expect(Timestamp(rfc3339: text) == time)
            time = time.adding(seconds: 86_400)
        }
        #expect(time.rfc3339 == "2300-01-01T12:34:56Z")
    }
}
