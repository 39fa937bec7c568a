import Foundation

/// The OpenAPI documents as files (`openapi/`), for the tests that keep each server's embedded
/// copy equal to them (`scripts/embed-openapi.py` merges `common.json` in).
public enum OpenAPIFiles {
    public static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("openapi")

    public static func object(_ json: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw Mismatch(description: "not a JSON object")
        }
        return object
    }

    public static func file(_ name: String) throws -> [String: Any] {
        try object(String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8))
    }

    /// Where `embedded` differs from `openapi/<name>` with `openapi/common.json` merged in: the
    /// file's own content must be there as it is (its `common.json#/…` references made local),
    /// and every other component must be common.json's.
    public static func differences(embedded json: String, file name: String) throws -> [String] {
        let embedded = try object(json)
        let source = try localised(file(name)) as? [String: Any] ?? [:]
        let common = try file("common.json")["components"] as? [String: [String: Any]] ?? [:]
        var differences: [String] = []
        for (key, value) in source where key != "components" {
            if !same(embedded[key], value) { differences.append(key) }
        }
        let ownComponents = source["components"] as? [String: [String: Any]] ?? [:]
        let embeddedComponents = embedded["components"] as? [String: [String: Any]] ?? [:]
        for (kind, section) in embeddedComponents {
            for (name, value) in section {
                let expected = ownComponents[kind]?[name] ?? common[kind]?[name]
                if !same(value, expected) { differences.append("components/\(kind)/\(name)") }
            }
        }
        for (kind, section) in ownComponents {
            for name in section.keys where embeddedComponents[kind]?[name] == nil {
                differences.append("components/\(kind)/\(name) (missing)")
            }
        }
        for key in embedded.keys where key != "components" && source[key] == nil { differences.append(key) }
        return differences.sorted()
    }

    /// Every string value of a property named `property` under a `properties` object, whose
    /// schema has `key` (for example every `repeat` property's `pattern`).
    public static func values(of key: String, forProperty property: String, in node: Any) -> [String] {
        var found: [String] = []
        if let object = node as? [String: Any] {
            if let properties = object["properties"] as? [String: Any],
                let schema = properties[property] as? [String: Any], let value = schema[key] as? String
            {
                found.append(value)
            }
            for value in object.values { found += values(of: key, forProperty: property, in: value) }
        } else if let array = node as? [Any] {
            for value in array { found += values(of: key, forProperty: property, in: value) }
        }
        return found
    }

    static func localised(_ node: Any) -> Any {
        if let object = node as? [String: Any] {
            var out: [String: Any] = [:]
            for (key, value) in object {
                if key == "$ref", let ref = value as? String, ref.hasPrefix("common.json#") {
                    out[key] = String(ref.dropFirst("common.json".count))
                } else {
                    out[key] = localised(value)
                }
            }
            return out
        }
        if let array = node as? [Any] { return array.map(localised) }
        return node
    }

    static func same(_ a: Any?, _ b: Any?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return canonical(a) == canonical(b)
    }

    static func canonical(_ value: Any) -> Data? {
        try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
    }

    public struct Mismatch: Error, CustomStringConvertible {
        public var description: String
    }
}
