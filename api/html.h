// HTML output of ems-api (docs/contract.md §7, docs/dashboard.md): every stored or requested string
// that enters a page passes through Escape, the one escaping helper (device and site names come
// from MQTT and may hold markup).
#pragma once

#include <string>
#include <string_view>

namespace ems::api {

// `text` safe inside HTML text and inside a quoted attribute value: & < > " ' escaped.
std::string Escape(std::string_view text);

// `text` as one query-string or form value (RFC 3986 unreserved characters kept, the rest
// %XX), for links a page builds from stored ids.
std::string UrlEncode(std::string_view text);

}  // namespace ems::api
