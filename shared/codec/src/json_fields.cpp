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

// nlohmann's DOM builder with a depth count: start_object/start_array past kMaxJsonDepth stop
// the parse (returning false ends sax_parse at once), so no deeper value is ever built.
class DepthBoundedSax : public nlohmann::detail::json_sax_dom_parser<Json> {
 public:
  explicit DepthBoundedSax(Json& root) : json_sax_dom_parser(root, /*allow_exceptions=*/false) {}

  bool start_object(std::size_t n) { return Enter() && json_sax_dom_parser::start_object(n); }
  bool start_array(std::size_t n) { return Enter() && json_sax_dom_parser::start_array(n); }
  bool end_object() {
    --depth_;
    return json_sax_dom_parser::end_object();
  }
  bool end_array() {
    --depth_;
    return json_sax_dom_parser::end_array();
  }
  bool too_deep() const { return too_deep_; }

 private:
  bool Enter() {
    too_deep_ = ++depth_ > kMaxJsonDepth;
    return !too_deep_;
  }

  int depth_ = 0;
  bool too_deep_ = false;
};

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
  Json doc;
  DepthBoundedSax sax(doc);
  const bool ok = Json::sax_parse(text, &sax, nlohmann::detail::input_format_t::json,
                                  /*strict=*/true, /*ignore_comments=*/false);
  if (sax.too_deep()) {
    return Rejected(ErrorCode::kInvalidJson,
                    "The payload nests deeper than " + std::to_string(kMaxJsonDepth) + " levels.");
  }
  if (!ok || sax.is_errored())
    return Rejected(ErrorCode::kInvalidJson, "The payload is not valid JSON.");
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
