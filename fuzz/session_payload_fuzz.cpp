// MQTT session payloads: {p}/sites/{site}/devices/{station}/sessions (docs/contract.md §4.1) and
// the existing stations' charger/{station}/connector/{n}/session/{m} (§4.2).
#include "ems/codec/session_codec.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ems;
  const auto text = fuzz::Text(data, size);
  const auto now = FromMillis(1'795'000'000'000);
  if (const auto s = codec::DecodeSession(text, "home", "st-1", "EUR")) {
    codec::JsonWriter w;
    codec::WriteSession(w, *s);
    fuzz::Require(nlohmann::json::parse(w.Take())["session_id"] == s->session_id);
  }
  if (const auto s = codec::DecodeLegacySession(text, "st-1", 1, "home", now, "EUR")) {
    fuzz::Require(s->status == SessionStatus::kCompleted);
  }
  return 0;
}
