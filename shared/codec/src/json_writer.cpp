#include "ems/codec/json_writer.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace ems::codec {

JsonWriter& JsonWriter::Value(std::string_view s) {
  BeforeValue();
  out_ += '"';
  const auto plain = std::find_if(s.begin(), s.end(), [](char c) {
    return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
  });
  out_.append(s.begin(), plain);  // most strings need no escape at all
  for (const char c : std::string_view(plain, s.end())) {
    switch (c) {
      case '"':
        out_ += "\\\"";
        break;
      case '\\':
        out_ += "\\\\";
        break;
      case '\b':
        out_ += "\\b";
        break;
      case '\f':
        out_ += "\\f";
        break;
      case '\n':
        out_ += "\\n";
        break;
      case '\r':
        out_ += "\\r";
        break;
      case '\t':
        out_ += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out_ += "\\u00";
          out_ += kHex[(c >> 4) & 0xf];
          out_ += kHex[c & 0xf];
        } else {
          out_ += c;
        }
    }
  }
  out_ += '"';
  return *this;
}

JsonWriter& JsonWriter::Value(double d) {
  if (!std::isfinite(d)) return Value(nullptr);
  BeforeValue();
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  const std::string_view text(buf, static_cast<std::size_t>(end - buf));
  out_ += text;
  if (text.find_first_of(".e") == std::string_view::npos) out_ += ".0";
  return *this;
}

JsonWriter& JsonWriter::Integer(std::int64_t n) {
  BeforeValue();
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out_.append(buf, end);
  return *this;
}

JsonWriter& JsonWriter::Value(bool b) {
  BeforeValue();
  out_ += b ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::Value(std::nullptr_t) {
  BeforeValue();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::Value(Timestamp t) {
  BeforeValue();
  out_ += '"';
  AppendTimestamp(out_, t);  // digits, '-', ':', 'T', '.' and 'Z': nothing to escape
  out_ += '"';
  return *this;
}

JsonWriter& JsonWriter::Value(const nlohmann::json& j) {
  BeforeValue();
  out_ += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return *this;
}

}  // namespace ems::codec
