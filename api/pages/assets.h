// The dashboard's static files (api/pages/static/: stylesheet, script, icon), compiled into
// ems-api by api/CMakeLists.txt as the OpenAPI document is: nothing is fetched from elsewhere.
#pragma once

#include <span>
#include <string_view>

namespace ems::api::pages {

struct Asset {
  std::string_view name;  // "app.css": served at /static/app.css
  std::string_view content_type;
  std::string_view body;
};

std::span<const Asset> Assets();

}  // namespace ems::api::pages
