// /openapi.json must describe every route the API registers, and nothing it does not.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>

#include "api/api_app.h"
#include "api/routes/routes.h"
#include "support.h"

namespace ems::api {
namespace {

// "/api/v1/sessions/([^/]+)" and "/api/v1/sessions/{session_id}" both become
// "/api/v1/sessions/{}".
std::string Normalize(const std::string& path) {
  static const std::regex capture(R"(\([^)]*\))"), param(R"(\{[^}]*\})");
  return std::regex_replace(std::regex_replace(path, capture, "{}"), param, "{}");
}

TEST(OpenApiTest, DocumentsEveryRegisteredRoute) {
  const testing::TempDir dir;
  const std::string db = "--db-path=" + (dir.path() / "ems.db").string();
  const char* argv[] = {"ems-api", db.c_str(), "--jwt-secret=0123456789abcdef0123456789abcdef"};
  const config::Settings settings("ems-api", ApiOptions(), 3, argv, "/nonexistent/.env");
  ApiApp app(settings);

  std::set<std::string> documented, operation_ids;
  for (const auto& [path, ops] : OpenApiDocument()["paths"].items()) {
    for (const auto& [method, op] : ops.items()) {
      std::string upper = method;
      for (auto& c : upper) c = static_cast<char>(std::toupper(c));
      documented.insert(upper + " " + Normalize(path));
      EXPECT_TRUE(op.contains("summary")) << method << " " << path;
      // Client generators name their functions after it (docs/api.md).
      const auto id = op.value("operationId", "");
      EXPECT_FALSE(id.empty()) << method << " " << path << " has no operationId";
      EXPECT_TRUE(operation_ids.insert(id).second) << "operationId " << id << " is used twice";
    }
  }
  std::set<std::string> registered;
  for (const auto& r : app.routes()) registered.insert(Normalize(r));
  for (const auto& r : registered) EXPECT_TRUE(documented.count(r)) << "undocumented: " << r;
  for (const auto& d : documented) EXPECT_TRUE(registered.count(d)) << "not served: " << d;
}

}  // namespace
}  // namespace ems::api
