// OCPP-J frames as a charger sends them over the WebSocket (docs/contract.md §4.5, ocpp/frame.h),
// and the payloads of the actions ems-ocpp maps: whatever arrives, decoding answers (never
// crashes), a CALLERROR it makes reads back as one, and a decoded CALL's payload goes through the
// mapping.
#include "fuzz.h"
#include "ocpp/frame.h"
#include "ocpp/messages.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ems;
  const auto frame = ocpp::DecodeFrame(fuzz::Text(data, size));
  if (const auto* bad = std::get_if<ocpp::FrameError>(&frame)) {
    const auto answer =
        ocpp::DecodeFrame(ocpp::EncodeCallError(bad->id, bad->code, bad->description));
    fuzz::Require(std::holds_alternative<ocpp::CallError>(answer));
  } else if (const auto* call = std::get_if<ocpp::Call>(&frame)) {
    fuzz::Require(call->payload.is_object() && !call->id.empty() && call->id.size() <= 36);
    const auto now = FromMillis(1'795'000'000'000);
    if (const auto v = ocpp::DecodeMeterValues(call->payload)) {
      for (const auto& r : v->readings) fuzz::Require(!ocpp::ReadingTelemetry(r).metrics.empty());
    }
    if (const auto s = ocpp::DecodeStatusNotification(call->payload)) {
      fuzz::Require(!ocpp::StatusTelemetry(*s, now).state.empty());
    }
    if (const auto t = ocpp::DecodeStopTransaction(call->payload)) {
      const auto session = ocpp::SessionOf({"st-1", "home", t->transaction_id, 1, std::nullopt, now,
                                            0, static_cast<double>(t->meter_stop_wh), t->ts},
                                           nullptr, "EUR", now);
      fuzz::Require(session.energy_kwh >= 0);
    }
    (void)ocpp::DecodeBootNotification(call->payload);
    (void)ocpp::DecodeStartTransaction(call->payload);
  }
  return 0;
}
