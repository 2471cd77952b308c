#include "ems/codec/json_fields.h"

#include <simdjson.h>

#include <cmath>
#include <new>

#include "ems/domain/ids.h"

namespace ems::codec {
namespace {

std::string Quoted(std::string_view field) { return "Field '" + std::string(field) + "'"; }

const Json* Find(const Json& obj, std::string_view field) {
  const auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

template <class T, class Read>
Result<std::optional<T>> Optional(const Json& obj, std::string_view field, Read read) {
  if (Find(obj, field) == nullptr) return std::optional<T>();
  auto value = read(obj, field);
  if (!value) return Unexpected(value.error());
  return std::optional<T>(std::move(*value));
}

// A value of simdjson's document as nlohmann's, numbers typed as nlohmann's parser types them
// (a non-negative integer is unsigned). Recursion is bounded by the parse's depth limit.
Json ToJson(simdjson::dom::element e) {
  using Type = simdjson::dom::element_type;
  switch (e.type()) {
    case Type::OBJECT: {
      Json obj = Json::object();
      const simdjson::dom::object fields = e.get_object().value_unsafe();
      for (const auto field : fields) {
        obj[std::string(field.key)] = ToJson(field.value);  // a repeated key: the last one wins
      }
      return obj;
    }
    case Type::ARRAY: {
      Json arr = Json::array();
      const simdjson::dom::array items = e.get_array().value_unsafe();
      for (const auto item : items) arr.push_back(ToJson(item));
      return arr;
    }
    case Type::STRING:
      return std::string(e.get_string().value_unsafe());
    case Type::INT64: {
      const std::int64_t i = e.get_int64().value_unsafe();
      return i >= 0 ? Json(static_cast<std::uint64_t>(i)) : Json(i);
    }
    case Type::UINT64:
      return e.get_uint64().value_unsafe();
    case Type::DOUBLE:
      return e.get_double().value_unsafe();
    case Type::BOOL:
      return e.get_bool().value_unsafe();
    case Type::NULL_VALUE:
      break;
  }
  return nullptr;
}

// simdjson's parser, one per thread, reused: it keeps its buffers, grown to the largest document
// it has read, between documents. A document larger than kReusedBytes gets a parser of its own,
// so no thread keeps more than that.
constexpr std::size_t kReusedBytes = 64 << 10;

simdjson::error_code Parse(simdjson::dom::parser& parser, std::string_view text, Json& out) {
  simdjson::dom::element root;
  if (const auto error =
          parser.parse(text.data(), text.size(), /*realloc_if_needed=*/true).get(root)) {
    return error;
  }
  out = ToJson(root);
  return simdjson::SUCCESS;
}

std::string ByteSize(std::size_t bytes) {
  if (bytes % (1 << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes % (1 << 10) == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

}  // namespace

Result<Json> ParseJson(std::string_view text, std::size_t max_bytes) {
  if (text.size() > max_bytes) {
    return Rejected(ErrorCode::kInvalidJson,
                    "The payload is larger than " + ByteSize(max_bytes) + ".");
  }
  // A UTF-8 byte order mark is not JSON, but some firmware writes one; it is skipped.
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  Json doc;
  simdjson::error_code error = simdjson::SUCCESS;
  if (text.size() <= kReusedBytes) {
    thread_local simdjson::dom::parser parser;
    // The depth limit set here stays when the parser grows for a larger document.
    thread_local const bool ready = parser.allocate(4096, kMaxJsonDepth) == simdjson::SUCCESS;
    error = ready ? Parse(parser, text, doc) : simdjson::MEMALLOC;
  } else {
    simdjson::dom::parser parser;
    error = parser.allocate(text.size(), kMaxJsonDepth);
    if (!error) error = Parse(parser, text, doc);
  }
  if (error == simdjson::DEPTH_ERROR) {
    return Rejected(ErrorCode::kInvalidJson,
                    "The payload nests deeper than " + std::to_string(kMaxJsonDepth) + " levels.");
  }
  if (error == simdjson::MEMALLOC) throw std::bad_alloc();
  if (error) return Rejected(ErrorCode::kInvalidJson, "The payload is not valid JSON.");
  return doc;
}

Reject AtPath(Reject reject, std::string_view path) {
  constexpr std::string_view kPrefix = "Field '";
  if (reject.message.starts_with(kPrefix)) {
    reject.message.insert(kPrefix.size(), std::string(path) + ".");
  }
  return reject;
}

Result<Json> ParseObject(std::string_view text, std::size_t max_bytes) {
  EMS_TRY(doc, ParseJson(text, max_bytes));
  if (!doc.is_object())
    return Rejected(ErrorCode::kInvalidJson, "The payload must be a JSON object.");
  return doc;
}

Result<std::string> RequiredString(const Json& obj, std::string_view field, ErrorCode code) {
  const Json* v = Find(obj, field);
  if (v == nullptr) return Rejected(code, Quoted(field) + " is required.");
  if (!v->is_string()) return Rejected(code, Quoted(field) + " must be a string.");
  return v->get<std::string>();
}

Result<double> RequiredNumber(const Json& obj, std::string_view field, ErrorCode code) {
  const Json* v = Find(obj, field);
  if (v == nullptr) return Rejected(code, Quoted(field) + " is required.");
  if (!v->is_number()) return Rejected(code, Quoted(field) + " must be a number.");
  const double d = v->get<double>();
  if (!std::isfinite(d)) {
    return Rejected(code, Quoted(field) + " must be a finite number.");
  }
  return d;
}

Result<std::int64_t> RequiredInteger(const Json& obj, std::string_view field, ErrorCode code) {
  const Json* v = Find(obj, field);
  if (v == nullptr) return Rejected(code, Quoted(field) + " is required.");
  if (v->is_number_integer()) return v->get<std::int64_t>();
  if (v->is_number_float()) {
    const double d = v->get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15) {
      return static_cast<std::int64_t>(d);
    }
  }
  return Rejected(code, Quoted(field) + " must be an integer.");
}

Result<bool> RequiredBool(const Json& obj, std::string_view field, ErrorCode code) {
  const Json* v = Find(obj, field);
  if (v == nullptr) return Rejected(code, Quoted(field) + " is required.");
  if (!v->is_boolean()) return Rejected(code, Quoted(field) + " must be true or false.");
  return v->get<bool>();
}

Result<Timestamp> RequiredTimestamp(const Json& obj, std::string_view field, ErrorCode code) {
  auto text = RequiredString(obj, field, code);
  if (!text) return Unexpected(text.error());
  const auto ts = ParseTimestamp(*text);
  if (!ts) {
    return Rejected(code, Quoted(field) + " must be an RFC 3339 timestamp.");
  }
  return *ts;
}

Result<std::string> RequiredId(const Json& obj, std::string_view field, ErrorCode code) {
  auto text = RequiredString(obj, field, code);
  if (!text) return text;
  if (!IsValidId(*text)) {
    return Rejected(
        code, Quoted(field) + " must be 1 to 64 characters of letters, digits, '_', '.' or '-'.");
  }
  return text;
}

Result<std::optional<std::string>> OptionalString(const Json& obj, std::string_view field,
                                                  ErrorCode code) {
  return Optional<std::string>(
      obj, field, [&](const Json& o, std::string_view f) { return RequiredString(o, f, code); });
}

Result<std::optional<double>> OptionalNumber(const Json& obj, std::string_view field,
                                             ErrorCode code) {
  return Optional<double>(
      obj, field, [&](const Json& o, std::string_view f) { return RequiredNumber(o, f, code); });
}

Result<std::optional<std::int64_t>> OptionalInteger(const Json& obj, std::string_view field,
                                                    ErrorCode code) {
  return Optional<std::int64_t>(
      obj, field, [&](const Json& o, std::string_view f) { return RequiredInteger(o, f, code); });
}

Result<std::optional<Timestamp>> OptionalTimestamp(const Json& obj, std::string_view field,
                                                   ErrorCode code) {
  return Optional<Timestamp>(
      obj, field, [&](const Json& o, std::string_view f) { return RequiredTimestamp(o, f, code); });
}

Result<std::optional<std::string>> OptionalId(const Json& obj, std::string_view field,
                                              ErrorCode code) {
  return Optional<std::string>(
      obj, field, [&](const Json& o, std::string_view f) { return RequiredId(o, f, code); });
}

}  // namespace ems::codec
