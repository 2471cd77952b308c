#include "ocpp/frame.h"

namespace ems::ocpp {
namespace {

FrameError Formation(std::string description) {
  return FrameError{"-1", "FormationViolation", std::move(description)};
}

FrameError Protocol(std::string id, std::string description) {
  return FrameError{std::move(id), "ProtocolError", std::move(description)};
}

}  // namespace

Frame DecodeFrame(std::string_view text) {
  auto parsed = codec::ParseJson(text, kMaxFrameBytes);
  if (!parsed) return Formation("The frame is not JSON: " + parsed.error().message);
  const Json& frame = *parsed;
  if (!frame.is_array() || frame.size() < 2) {
    return Formation("A frame is a JSON array [type, id, ...].");
  }
  if (!frame[1].is_string()) return Formation("The frame's id must be a string.");
  std::string id = frame[1].get<std::string>();
  if (id.empty() || id.size() > kMaxMessageIdChars) {
    return Formation("The frame's id must be 1 to 36 characters.");
  }
  if (!frame[0].is_number_integer()) {
    return Protocol(std::move(id), "The frame's message type must be 2, 3 or 4.");
  }
  switch (frame[0].get<std::int64_t>()) {
    case 2:
      if (frame.size() != 4 || !frame[2].is_string() || !frame[3].is_object()) {
        return Protocol(std::move(id), "A CALL is [2, id, action, {payload}].");
      }
      return Call{std::move(id), frame[2].get<std::string>(), frame[3]};
    case 3:
      if (frame.size() != 3 || !frame[2].is_object()) {
        return Protocol(std::move(id), "A CALLRESULT is [3, id, {payload}].");
      }
      return CallResult{std::move(id), frame[2]};
    case 4:
      if (frame.size() != 5 || !frame[2].is_string() || !frame[3].is_string()) {
        return Protocol(std::move(id), "A CALLERROR is [4, id, code, description, {details}].");
      }
      return CallError{std::move(id), frame[2].get<std::string>(), frame[3].get<std::string>()};
    default:
      return Protocol(std::move(id), "The frame's message type must be 2, 3 or 4.");
  }
}

std::string EncodeCall(std::string_view id, std::string_view action, const Json& payload) {
  return Json::array({2, id, action, payload}).dump();
}

std::string EncodeCallResult(std::string_view id, const Json& payload) {
  return Json::array({3, id, payload}).dump();
}

std::string EncodeCallError(std::string_view id, std::string_view code,
                            std::string_view description) {
  return Json::array({4, id, code, description, Json::object()}).dump();
}

}  // namespace ems::ocpp
