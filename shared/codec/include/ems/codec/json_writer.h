// JsonWriter: JSON text written straight into a string, for answers with many values (series,
// lists): no intermediate nlohmann values (each a heap-allocated map or vector) to build, walk
// and free. Numbers are written as nlohmann writes them (integers as integers; doubles as the
// shortest text that reads back exactly, with ".0" on whole numbers; non-finite as null), strings
// escaped as JSON requires (they hold valid UTF-8: everything stored came through a validating
// parser). Keys appear in the order written.
//
//   JsonWriter w;
//   w.BeginObject().Field("device_id", id).Key("points").BeginArray();
//   for (const auto& p : points) {
//     w.BeginObject().Field("ts", p.ts).Field("value", p.value).EndObject();
//   }
//   w.EndArray().EndObject();
//   std::string text = w.Take();
//
// Not thread-safe; the caller writes a well-formed document (a key before each object member).
// Keys are names (field names, metric names): written as they are, never escaped.
#pragma once

#include <concepts>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ems/domain/time.h"

namespace ems::codec {

class JsonWriter {
 public:
  // The structural calls are defined here, inline: a long series writes a few per point.
  JsonWriter& BeginObject() { return Open('{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& BeginArray() { return Open('['); }
  JsonWriter& EndArray() { return Close(']'); }
  // A member's name: the caller's constant, written as it is (never escaped).
  JsonWriter& Key(std::string_view key) {
    BeforeValue();
    out_ += '"';
    out_ += key;
    out_ += "\":";
    after_key_ = true;
    return *this;
  }

  JsonWriter& Value(std::string_view s);
  JsonWriter& Value(const std::string& s) { return Value(std::string_view(s)); }
  JsonWriter& Value(const char* s) { return Value(std::string_view(s)); }
  JsonWriter& Value(double d);
  JsonWriter& Value(bool b);
  JsonWriter& Value(std::nullptr_t);
  template <std::integral T>
  requires(!std::same_as<T, bool>) JsonWriter& Value(T n) {
    return Integer(static_cast<std::int64_t>(n));
  }
  // RFC 3339 UTC, as every timestamp is answered (docs/contract.md §3).
  JsonWriter& Value(Timestamp t);
  // A small nlohmann value (a device's properties), as nlohmann dumps it.
  JsonWriter& Value(const nlohmann::json& j);
  template <class T>
  JsonWriter& Value(const std::optional<T>& v) {
    return v ? Value(*v) : Value(nullptr);
  }

  template <class T>
  JsonWriter& Field(std::string_view key, const T& value) {
    Key(key);
    return Value(value);
  }

  // Room for `bytes` more, so a long answer grows its text once.
  void Reserve(std::size_t bytes) { out_.reserve(out_.size() + bytes); }

  // The text written so far (the whole document once it is closed).
  std::string Take() { return std::move(out_); }

 private:
  JsonWriter& Integer(std::int64_t n);
  void BeforeValue() {
    if (after_key_) {
      after_key_ = false;
    } else if (!has_member_.empty()) {
      if (has_member_.back()) out_ += ',';
      has_member_.back() = true;
    }
  }
  JsonWriter& Open(char c) {
    BeforeValue();
    out_ += c;
    has_member_.push_back(false);
    return *this;
  }
  JsonWriter& Close(char c) {
    out_ += c;
    has_member_.pop_back();
    return *this;
  }

  std::string out_;
  // One entry per open array or object: whether a member was written yet.
  std::vector<bool> has_member_;
  bool after_key_ = false;
};

}  // namespace ems::codec
