#include "ems/codec/json_fields.h"

#include <cmath>

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

}  // namespace

Result<Json> ParseObject(std::string_view text) {
  Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Rejected("invalid_json", "The payload is not valid JSON.");
  if (!doc.is_object()) return Rejected("invalid_json", "The payload must be a JSON object.");
  return doc;
}

Result<std::string> RequiredString(const Json& obj, std::string_view field,
                                   std::string_view reason) {
  const Json* v = Find(obj, field);
  if (v == nullptr) return Rejected(std::string(reason), Quoted(field) + " is required.");
  if (!v->is_string()) return Rejected(std::string(reason), Quoted(field) + " must be a string.");
  return v->get<std::string>();
}

Result<double> RequiredNumber(const Json& obj, std::string_view field, std::string_view reason) {
  const Json* v = Find(obj, field);
  if (v == nullptr) return Rejected(std::string(reason), Quoted(field) + " is required.");
  if (!v->is_number()) return Rejected(std::string(reason), Quoted(field) + " must be a number.");
  const double d = v->get<double>();
  if (!std::isfinite(d)) {
    return Rejected(std::string(reason), Quoted(field) + " must be a finite number.");
  }
  return d;
}

Result<std::int64_t> RequiredInteger(const Json& obj, std::string_view field,
                                     std::string_view reason) {
  const Json* v = Find(obj, field);
  if (v == nullptr) return Rejected(std::string(reason), Quoted(field) + " is required.");
  if (v->is_number_integer()) return v->get<std::int64_t>();
  if (v->is_number_float()) {
    const double d = v->get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15) {
      return static_cast<std::int64_t>(d);
    }
  }
  return Rejected(std::string(reason), Quoted(field) + " must be an integer.");
}

Result<bool> RequiredBool(const Json& obj, std::string_view field, std::string_view reason) {
  const Json* v = Find(obj, field);
  if (v == nullptr) return Rejected(std::string(reason), Quoted(field) + " is required.");
  if (!v->is_boolean())
    return Rejected(std::string(reason), Quoted(field) + " must be true or false.");
  return v->get<bool>();
}

Result<Timestamp> RequiredTimestamp(const Json& obj, std::string_view field,
                                    std::string_view reason) {
  auto text = RequiredString(obj, field, reason);
  if (!text) return Unexpected(text.error());
  const auto ts = ParseTimestamp(*text);
  if (!ts) {
    return Rejected(std::string(reason), Quoted(field) + " must be an RFC 3339 timestamp.");
  }
  return *ts;
}

Result<std::string> RequiredId(const Json& obj, std::string_view field, std::string_view reason) {
  auto text = RequiredString(obj, field, reason);
  if (!text) return text;
  if (!IsValidId(*text)) {
    return Rejected(
        std::string(reason),
        Quoted(field) + " must be 1 to 64 characters of letters, digits, '_', '.' or '-'.");
  }
  return text;
}

Result<std::optional<std::string>> OptionalString(const Json& obj, std::string_view field,
                                                  std::string_view reason) {
  return Optional<std::string>(
      obj, field, [&](const Json& o, std::string_view f) { return RequiredString(o, f, reason); });
}

Result<std::optional<double>> OptionalNumber(const Json& obj, std::string_view field,
                                             std::string_view reason) {
  return Optional<double>(
      obj, field, [&](const Json& o, std::string_view f) { return RequiredNumber(o, f, reason); });
}

Result<std::optional<std::int64_t>> OptionalInteger(const Json& obj, std::string_view field,
                                                    std::string_view reason) {
  return Optional<std::int64_t>(
      obj, field, [&](const Json& o, std::string_view f) { return RequiredInteger(o, f, reason); });
}

Result<std::optional<Timestamp>> OptionalTimestamp(const Json& obj, std::string_view field,
                                                   std::string_view reason) {
  return Optional<Timestamp>(obj, field, [&](const Json& o, std::string_view f) {
    return RequiredTimestamp(o, f, reason);
  });
}

Result<std::optional<std::string>> OptionalId(const Json& obj, std::string_view field,
                                              std::string_view reason) {
  return Optional<std::string>(
      obj, field, [&](const Json& o, std::string_view f) { return RequiredId(o, f, reason); });
}

}  // namespace ems::codec
