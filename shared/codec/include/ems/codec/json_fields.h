// Typed reads of JSON object fields that turn a missing or mistyped field into a Reject whose
// message names the field. Every payload codec is built from these, so every rejection reads
// the same way ("Field 'energy_kwh' must be a number.").
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "ems/domain/result.h"
#include "ems/domain/time.h"

namespace ems::codec {

using Json = nlohmann::json;

// How deep any JSON we parse from outside may nest. Parsing refuses deeper text before it builds
// the value, so nothing recursive (copy, dump, compare) ever meets an unbounded structure.
inline constexpr int kMaxJsonDepth = 32;

// Parses UTF-8 JSON of at most `max_bytes` bytes and kMaxJsonDepth levels: simdjson reads and
// checks the text, then the value is built as nlohmann's. The one parser of JSON text, trusted
// or not. Text over the limits or not valid JSON (invalid UTF-8, numbers out of range, trailing
// bytes) is rejected with ErrorCode::kInvalidJson and a sentence that says which limit; a byte
// order mark before the text is skipped.
Result<Json> ParseJson(std::string_view text, std::size_t max_bytes);
// ParseJson, and the value must be an object.
Result<Json> ParseObject(std::string_view text, std::size_t max_bytes);
// `decode` applied to the object `text` holds (ParseObject's rejects when it holds none).
template <class Decode>
auto DecodeObject(std::string_view text, std::size_t max_bytes, Decode decode)
    -> decltype(decode(std::declval<const Json&>())) {
  EMS_TRY(obj, ParseObject(text, max_bytes));
  return decode(obj);
}

// Required fields: absent or null → "Field 'x' is required."; wrong type → "Field 'x' must be …".
// Every reject carries `code` (the payload family's ErrorCode, e.g. kInvalidSession).
Result<std::string> RequiredString(const Json& obj, std::string_view field, ErrorCode code);
Result<double> RequiredNumber(const Json& obj, std::string_view field, ErrorCode code);
Result<std::int64_t> RequiredInteger(const Json& obj, std::string_view field, ErrorCode code);
Result<bool> RequiredBool(const Json& obj, std::string_view field, ErrorCode code);
Result<Timestamp> RequiredTimestamp(const Json& obj, std::string_view field, ErrorCode code);
// An id per docs/contract.md §3.
Result<std::string> RequiredId(const Json& obj, std::string_view field, ErrorCode code);

// A reject of a field of a nested object, named by the object's path: "Field 'start' …" becomes
// "Field 'prices[2].start' …" for path "prices[2]".
Reject AtPath(Reject reject, std::string_view path);

// Optional fields: absent or null → std::nullopt; present with the wrong type → reject.
Result<std::optional<std::string>> OptionalString(const Json& obj, std::string_view field,
                                                  ErrorCode code);
Result<std::optional<double>> OptionalNumber(const Json& obj, std::string_view field,
                                             ErrorCode code);
Result<std::optional<std::int64_t>> OptionalInteger(const Json& obj, std::string_view field,
                                                    ErrorCode code);
Result<std::optional<Timestamp>> OptionalTimestamp(const Json& obj, std::string_view field,
                                                   ErrorCode code);
Result<std::optional<std::string>> OptionalId(const Json& obj, std::string_view field,
                                              ErrorCode code);

}  // namespace ems::codec
