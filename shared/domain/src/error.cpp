#include "ems/domain/error.h"

namespace ems {

std::string_view ToString(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidJson:
      return "invalid_json";
    case ErrorCode::kInvalidParameter:
      return "invalid_parameter";
    case ErrorCode::kInvalidMeta:
      return "invalid_meta";
    case ErrorCode::kInvalidTelemetry:
      return "invalid_telemetry";
    case ErrorCode::kInvalidSession:
      return "invalid_session";
    case ErrorCode::kInvalidTariff:
      return "invalid_tariff";
    case ErrorCode::kInvalidContract:
      return "invalid_contract";
    case ErrorCode::kInvalidContractEvent:
      return "invalid_contract_event";
    case ErrorCode::kInvalidDevice:
      return "invalid_device";
    case ErrorCode::kInvalidSchedule:
      return "invalid_schedule";
    case ErrorCode::kInvalidState:
      return "invalid_state";
    case ErrorCode::kInvalidSubscription:
      return "invalid_subscription";
    case ErrorCode::kInvalidQuery:
      return "invalid_query";
    case ErrorCode::kInvalidLogin:
      return "invalid_login";
    case ErrorCode::kInvalidUser:
      return "invalid_user";
    case ErrorCode::kInvalidSite:
      return "invalid_site";
    case ErrorCode::kContractRule:
      return "contract_rule";
    case ErrorCode::kDeviceSiteMismatch:
      return "device_site_mismatch";
    case ErrorCode::kTooOld:
      return "too_old";
    case ErrorCode::kTooNew:
      return "too_new";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kUnknownDevice:
      return "unknown_device";
    case ErrorCode::kUnknownContract:
      return "unknown_contract";
    case ErrorCode::kUnknownTopic:
      return "unknown_topic";
    case ErrorCode::kUnsupportedTopic:
      return "unsupported_topic";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kUnauthorized:
      return "unauthorized";
    case ErrorCode::kForbidden:
      return "forbidden";
    case ErrorCode::kThrottled:
      return "throttled";
    case ErrorCode::kProcessingError:
      return "processing_error";
    case ErrorCode::kPoison:
      return "poison";
  }
  return "unknown_error";
}

std::ostream& operator<<(std::ostream& out, ErrorCode code) { return out << ToString(code); }

Reject NotFound(std::string_view kind, std::string_view id) {
  return {ErrorCode::kNotFound, std::string(kind) + " " + std::string(id) + " not found."};
}

}  // namespace ems
