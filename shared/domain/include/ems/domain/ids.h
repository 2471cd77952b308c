// Identifiers of sites, devices, stations, sessions, users, contracts and subscriptions
// (docs/contract.md §3), and the rule of the names people give devices and subscriptions.
#pragma once

#include <string_view>

#include "ems/domain/result.h"

namespace ems {

// 1–64 characters of [A-Za-z0-9_.-]. Everything else (/ + # $, spaces, empty) is invalid, which
// also makes every valid id safe as one MQTT topic level.
bool IsValidId(std::string_view id);

// A three-letter upper-case ISO 4217 currency code such as "EUR" (sessions, tariffs).
bool IsCurrencyCode(std::string_view code);

// A name people give a site, a device or a subscription: 1–200 characters (UTF-8 code points) after
// trimming spaces. Rejects with `code`: "Field 'name' must not be empty." / "… at most 200
// characters.".
Result<void> ValidateName(std::string_view name, ErrorCode code);

}  // namespace ems
