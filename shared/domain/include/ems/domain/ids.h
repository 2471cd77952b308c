// Identifiers of sites, devices, stations, sessions, users and contracts (SPEC §3).
#pragma once

#include <string_view>

namespace ems {

// 1–64 characters of [A-Za-z0-9_.-]. Everything else (/ + # $, spaces, empty) is invalid, which
// also makes every valid id safe as one MQTT topic level.
bool IsValidId(std::string_view id);

// A three-letter upper-case ISO 4217 currency code such as "EUR" (sessions, tariffs).
bool IsCurrencyCode(std::string_view code);

}  // namespace ems
