import Foundation
import Sync
import Testing

@Suite struct TaskRulesTests {
    @Test func titleIsTrimmed() throws {
        #expect(try TaskRules.title("  Buy milk \n") == "Buy milk")
    }

    @Test(arguments: ["", "   ", "\n\t"])
    func emptyTitleIsRefusedNamingTheField(_ title: String) {
        #expect(throws: InvalidFieldError.self) { try TaskRules.title(title) }
        do { _ = try TaskRules.title(title) } catch { #expect(error.field == "title") }
    }

    @Test func titleOf200CharactersIsAcceptedAnd201Refused() throws {
        #expect(try TaskRules.title(String(repeating: "é", count: 200)).unicodeScalars.count == 200)
        #expect(throws: InvalidFieldError.self) { try TaskRules.title(String(repeating: "x", count: 201)) }
    }

    @Test func notesOver4000AreRefused() throws {
        _ = try TaskRules.notes(String(repeating: "n", count: 4000))
        do {
            _ = try TaskRules.notes(String(repeating: "n", count: 4001))
            Issue.record("4001 characters of notes were accepted")
        } catch {
            #expect(error.field == "notes")
        }
    }

    @Test func blankAssigneeMeansNobodyAndLongOneIsRefused() throws {
        #expect(try TaskRules.assignee("  ") == nil)
        #expect(try TaskRules.assignee(" mum ") == "mum")
        #expect(throws: InvalidFieldError.self) { try TaskRules.assignee(String(repeating: "a", count: 101)) }
    }
}

@Suite struct WireFormatTests {
    @Test func taskItemUsesSnakeCaseKeysAndRFC3339() throws {
        let item = TaskItem(
            id: UUID(uuidString: "3F2A9C1E-0000-4000-8000-000000000001")!, title: "Milk", dueAt: 1_763_788_800_000,
            createdAt: 1_763_788_800_000, updatedAt: 1_763_788_800_500, origin: "rpi-worker-1")
        let json = try JSONSerialization.jsonObject(with: Data(item.json())) as! [String: Any]
        #expect(
            Set(json.keys) == [
                "id", "title", "notes", "due_at", "assignee", "done", "completed_at", "created_at", "updated_at", "origin",
                "repeat", "series",
            ])
        #expect(json["id"] as? String == "3f2a9c1e-0000-4000-8000-000000000001")
        #expect(json["due_at"] as? String == "2025-11-22T05:20:00Z")
        #expect(json["updated_at"] as? String == "2025-11-22T05:20:00.500Z")
        #expect(json["completed_at"] is NSNull)
        #expect(try JSONDecoder().decode(TaskItem.self, from: Data(item.json())) == item)
    }

    @Test func patchDistinguishesNullFromAbsent() throws {
        let patch = TaskPatch(dueAt: .null, assignee: .value("dad"))
        let data = Data(patch.json())
        let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        #expect(Set(json.keys) == ["due_at", "assignee"])
        let back = try JSONDecoder().decode(TaskPatch.self, from: data)
        #expect(back == patch)
        #expect(back.title == nil)
    }

    @Test func changeRoundTrips() throws {
        let change = TaskChange(
            id: UUID(), taskID: UUID(), stamp: HLCTimestamp(physical: 5, counter: 1, node: "n"),
            createdAt: 5, origin: "n", patch: TaskPatch(title: "x", done: DoneState(done: true, completedAt: 5)))
        #expect(try JSONDecoder().decode(TaskChange.self, from: Data(change.json())) == change)
    }
}

@Suite struct JSONTextTests {
    @Test func quotedTextIsValidJSONForAnyInput() throws {
        for text in ["plain", "quote \" backslash \\ newline \n tab \t", "\u{01}\u{1f} control", "日本語 ✓", ""] {
            let data = Data(("[" + JSONText.quote(text) + "]").utf8)
            #expect(try JSONSerialization.jsonObject(with: data) as? [String] == [text])
        }
    }

    @Test(arguments: ["a\u{0}b", "bell\u{7}", "tab\there", "line\nbreak", "del\u{7F}"])
    func controlCharactersInTitleOrAssigneeAreRefusedNamingTheField(_ text: String) {
        #expect(throws: InvalidFieldError.self) { try TaskRules.title(text) }
        do {
            _ = try TaskRules.title(text)
        } catch {
            #expect(error.field == "title")
        }
        do {
            _ = try TaskRules.assignee(text)
            Issue.record("accepted \(text.debugDescription) as an assignee")
        } catch {
            #expect(error.field == "assignee")
        }
    }

    @Test func notesKeepTabsAndLineBreaksButRefuseOtherControls() throws {
        #expect(try TaskRules.notes("one\ttwo\r\nthree\n") == "one\ttwo\r\nthree\n")
        for bad in ["nul\u{0}", "escape\u{1B}[0m", "del\u{7F}"] {
            do {
                _ = try TaskRules.notes(bad)
                Issue.record("accepted \(bad.debugDescription) in notes")
            } catch {
                #expect(error.field == "notes")
                #expect(error.message.contains("U+"))
            }
        }
    }

    @Test func dueTimesOutsideTheWritableYearsAreRefused() throws {
        #expect(throws: InvalidFieldError.self) {
            try TaskRules.validate(TaskPatch(dueAt: .value(RFC3339.representable.lowerBound - 1)))
        }
        #expect(throws: InvalidFieldError.self) {
            try TaskRules.validate(TaskPatch(dueAt: .value(RFC3339.representable.upperBound + 1)))
        }
        let fine = TaskPatch(dueAt: .value(RFC3339.representable.upperBound))
        #expect(try TaskRules.validate(fine) == fine)
    }
}
