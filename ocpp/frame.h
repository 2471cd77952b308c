// OCPP-J 1.6 frames (docs/ocpp.md): the RPC envelope every WebSocket text message carries.
//
//   [2, "<id>", "<Action>", {payload}]            CALL        (a request)
//   [3, "<id>", {payload}]                        CALLRESULT  (its answer)
//   [4, "<id>", "<code>", "<description>", {}]    CALLERROR   (its refusal)
//
// DecodeFrame never throws and bounds what it accepts: at most kMaxFrameBytes of text, JSON no
// deeper than codec::kMaxJsonDepth, ids of 1 to 36 characters (OCPP's limit), payloads that are
// objects. What it cannot accept comes back as a FrameError carrying the CALLERROR to answer:
// FormationViolation with id "-1" when no id can be read (not JSON, not an array, no string id:
// OCPP-J 2.0.1's convention, 1.6 names none), ProtocolError with the frame's id when the id
// reads but the envelope is wrong (unknown message type, missing or extra elements, an action or
// payload of the wrong type).
//
// Fuzzed (fuzz/ocpp_frame_fuzz.cpp): built by clang 14 too, so nothing here uses std::expected.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include "ems/codec/json_fields.h"

namespace ems::ocpp {

using codec::Json;

// The largest frame a connection accepts; a longer one closes it with 1009 (message too big).
inline constexpr std::size_t kMaxFrameBytes = 64 << 10;
inline constexpr std::size_t kMaxMessageIdChars = 36;

struct Call {
  std::string id;
  std::string action;
  Json payload;  // an object
};
struct CallResult {
  std::string id;
  Json payload;  // an object
};
struct CallError {
  std::string id;
  std::string code;
  std::string description;
};
// A frame that could not be accepted, with the CALLERROR that answers it.
struct FrameError {
  std::string id;  // "-1" when the frame's id could not be read
  std::string code;
  std::string description;
};

using Frame = std::variant<Call, CallResult, CallError, FrameError>;

Frame DecodeFrame(std::string_view text);

std::string EncodeCall(std::string_view id, std::string_view action, const Json& payload);
std::string EncodeCallResult(std::string_view id, const Json& payload);
std::string EncodeCallError(std::string_view id, std::string_view code,
                            std::string_view description);

}  // namespace ems::ocpp
